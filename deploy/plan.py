"""From what we want (template.yaml plus the packages' hashes) and what SCF has now, the SCF API
calls that close the gap, in order. Pure: no I/O, no SDK; `scf.py` reads the state, `__main__`
runs the actions.

The order is the order SCF needs: namespace → layer version → the function's $LATEST (code, then
configuration) → a published version → the alias → the triggers and the function URL, which
point at the alias. Nothing is written when nothing differs.

How "differs" is decided without downloading anything back:
- layer: a layer version whose Description carries the layer zip's content hash;
- code: the function's Description ends with the code zip's content hash (SCF has no field for
  it that we could confirm: GetFunctionAddress returns a CodeSha256, but of what exactly is not
  documented);
- configuration: GetFunction's fields against the template;
- release: a published version whose Description carries the fingerprint of all of the above.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .template import FunctionSpec, Trigger

LATEST = "$LATEST"
HASH = re.compile(r"content sha256 ([0-9a-f]{64})")
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|KEY", re.IGNORECASE)
URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


class PlanError(Exception):
    """The template asks for something the API cannot do from here; the message says what to do."""


@dataclass(frozen=True)
class Ref:
    """A value an earlier action of the same plan produces (a new layer or function version)."""

    name: str  # "layer_version" or "function_version"


@dataclass(frozen=True)
class Upload:
    """The base64 of a built zip, read only when the action runs (never printed)."""

    package: str  # "function" or "layer"


@dataclass(frozen=True)
class Action:
    """One SCF API call of the plan."""

    api: str  # the SCF action, e.g. "CreateFunction"
    params: Mapping[str, Any]
    why: str  # one line for the operator
    wait: str | None = None  # "function" | "layer" | "version": poll until SCF says Active
    produces: tuple[str, str] | None = None  # (Ref name, response field) this call yields


@dataclass(frozen=True)
class Desired:
    """What the deploy should leave behind."""

    spec: FunctionSpec
    code_sha256: str
    layer_sha256: str
    layer_name: str = "gaap-opener-deps"
    alias: str = "live"
    function_url: str = "public"  # public | intranet | none


@dataclass(frozen=True)
class LayerVersion:
    version: int
    description: str
    status: str


@dataclass(frozen=True)
class Current:
    """What SCF has now, as read by scf.read_current."""

    namespaces: frozenset[str]
    layer_versions: tuple[LayerVersion, ...] = ()
    function: Mapping[str, Any] | None = None  # GetFunction's answer for $LATEST; None: no such function
    versions: Mapping[str, str] = field(default_factory=dict)  # published version -> its Description
    alias_version: str | None = None  # where the alias points; None: no such alias
    triggers: tuple[Mapping[str, Any], ...] = ()  # ListTriggers' Triggers


@dataclass(frozen=True)
class Plan:
    actions: list[Action]
    notes: list[str]  # what the deploy saw and deliberately left alone


def plan(desired: Desired, current: Current) -> Plan:
    """The actions that make SCF match ``desired``; empty when it already does."""
    spec = desired.spec
    target = {"FunctionName": spec.name, "Namespace": spec.namespace}
    actions: list[Action] = []

    if spec.namespace not in current.namespaces:
        actions.append(Action("CreateNamespace", {"Namespace": spec.namespace}, f"namespace {spec.namespace} is new"))

    layer_version = _layer(desired, current, actions)
    layers = [{"LayerName": desired.layer_name, "LayerVersion": layer_version}]
    config = _configuration(desired, layers)

    if current.function is None:
        actions.append(Action(
            "CreateFunction",
            {**target, "Handler": spec.handler, "Runtime": spec.runtime, "Type": spec.kind,
             **config, "Code": {"ZipFile": Upload("function")}},
            f"function {spec.namespace}/{spec.name} is new", wait="function"))
    else:
        actions += _update_function(desired, current.function, target, config)

    release = _release(desired, current, target, actions)
    actions += _alias(desired, current, target, release)
    trigger_actions, notes = _triggers(desired, current, target)
    actions += trigger_actions
    return Plan(actions, notes)


def rollback(current: Current, spec: FunctionSpec, alias: str, version: str) -> Plan:
    """Point the alias (and so every trigger and the function URL) back at published ``version``."""
    if current.function is None or current.alias_version is None:
        raise PlanError(f"nothing to roll back: {spec.namespace}/{spec.name} has no alias {alias!r} yet")
    if version not in current.versions:
        known = ", ".join(sorted(current.versions, key=_version_key)) or "none"
        raise PlanError(f"{spec.name} has no published version {version!r} (published: {known})")
    if current.alias_version == version:
        return Plan([], [f"alias {alias} already points at version {version}"])
    return Plan([Action("UpdateAlias", {"FunctionName": spec.name, "Namespace": spec.namespace, "Name": alias,
                                        "FunctionVersion": version},
                        f"alias {alias}: version {current.alias_version} -> {version} (rollback)")], [])


def layer_description(sha256: str) -> str:
    return f"Dependencies of gaap opener, content sha256 {sha256}"


def code_description(description: str, sha256: str) -> str:
    return f"{description} Code content sha256 {sha256}.".strip()


def release_description(fingerprint: str) -> str:
    return f"Release fingerprint {fingerprint}"


def environment(spec: FunctionSpec) -> list[dict[str, str]]:
    """The variables as SCF gets them: sorted, empty ones left out (empty means unset, and SCF
    refuses an empty Value)."""
    return [{"Key": k, "Value": v} for k, v in sorted(spec.environment.items()) if v != ""]


def fingerprint(desired: Desired) -> str:
    """Everything a published version freezes, hashed: the same fingerprint is the same release."""
    spec = desired.spec
    frozen = {
        "code": desired.code_sha256, "layer": [desired.layer_name, desired.layer_sha256],
        "handler": spec.handler, "runtime": spec.runtime, "memory": spec.memory_size, "timeout": spec.timeout,
        "role": spec.role, "description": spec.description, "environment": environment(spec),
    }
    return hashlib.sha256(json.dumps(frozen, sort_keys=True).encode("utf-8")).hexdigest()


def _layer(desired: Desired, current: Current, actions: list[Action]) -> int | Ref:
    """The layer version to bind: an existing one with the same content, else a new one."""
    wanted = layer_description(desired.layer_sha256)
    same = [v.version for v in current.layer_versions
            if v.description == wanted and not v.status.endswith("Failed")]
    if same:
        return max(same)
    actions.append(Action(
        "PublishLayerVersion",
        {"LayerName": desired.layer_name, "CompatibleRuntimes": [desired.spec.runtime],
         "Content": {"ZipFile": Upload("layer")}, "Description": wanted},
        f"layer {desired.layer_name}: no version holds content {desired.layer_sha256[:12]}",
        wait="layer", produces=("layer_version", "LayerVersion")))
    return Ref("layer_version")


def _configuration(desired: Desired, layers: list[dict[str, Any]]) -> dict[str, Any]:
    spec = desired.spec
    return {
        "Description": code_description(spec.description, desired.code_sha256),
        "MemorySize": spec.memory_size,
        "Timeout": spec.timeout,
        "Role": spec.role,
        "Environment": {"Variables": environment(spec)},
        "Layers": layers,
    }


def _update_function(desired: Desired, function: Mapping[str, Any], target: dict[str, str],
                     config: dict[str, Any]) -> list[Action]:
    spec = desired.spec
    if function.get("Runtime") != spec.runtime:
        raise PlanError(f"{spec.name} runs {function.get('Runtime')}, the template says {spec.runtime}: SCF cannot "
                        "change a function's runtime; delete the function (or deploy under another name)")
    if function.get("Type", "Event") != spec.kind:
        raise PlanError(f"{spec.name} is a {function.get('Type')} function, the template says {spec.kind}: "
                        "SCF cannot change that; delete the function first")
    actions = []
    match = HASH.search(str(function.get("Description") or ""))
    deployed_code = match.group(1) if match else None
    if deployed_code != desired.code_sha256 or function.get("Handler") != spec.handler:
        reason = ("handler " + str(function.get("Handler")) + " -> " + spec.handler
                  if deployed_code == desired.code_sha256 else
                  f"code {(deployed_code or 'unknown')[:12]} -> {desired.code_sha256[:12]}")
        actions.append(Action("UpdateFunctionCode", {**target, "Handler": spec.handler,
                                                     "ZipFile": Upload("function")}, reason, wait="function"))
    changed = {key: value for key, value in config.items() if not _same_setting(key, function, value)}
    if changed:
        actions.append(Action("UpdateFunctionConfiguration", {**target, **changed},
                              "changed: " + ", ".join(_describe_change(key, function, value)
                                                      for key, value in changed.items()),
                              wait="function"))
    return actions


def _same_setting(key: str, function: Mapping[str, Any], wanted: Any) -> bool:
    have = function.get(key)
    if key == "Environment":
        return _env_of(have) == {v["Key"]: v["Value"] for v in wanted["Variables"]}
    if key == "Layers":
        return [(layer.get("LayerName"), layer.get("LayerVersion")) for layer in have or []] == \
               [(layer["LayerName"], layer["LayerVersion"]) for layer in wanted]
    return bool(have == wanted)


def _env_of(environment: Any) -> dict[str, str]:
    variables = (environment or {}).get("Variables") or []
    return {v["Key"]: v["Value"] for v in variables if v.get("Value", "") != ""}


def _describe_change(key: str, function: Mapping[str, Any], wanted: Any) -> str:
    if key == "Environment":
        have, want = _env_of(function.get(key)), {v["Key"]: v["Value"] for v in wanted["Variables"]}
        names = sorted(k for k in have.keys() | want.keys() if have.get(k) != want.get(k))
        return "Environment (" + ", ".join(names) + ")"  # names only: values may be secrets
    if key == "Description":
        return "Description (code hash)"
    if key == "Layers":
        return "Layers"
    return f"{key} {function.get(key)!r} -> {wanted!r}"


def _release(desired: Desired, current: Current, target: dict[str, str], actions: list[Action]) -> str | Ref:
    """The published version that freezes this deploy: an existing one with the same fingerprint,
    else PublishVersion after the $LATEST changes."""
    wanted = fingerprint(desired)
    same = [version for version, description in current.versions.items()
            if release_description(wanted) in description]
    if same:
        return max(same, key=_version_key)
    actions.append(Action("PublishVersion", {**target, "Description": release_description(wanted)},
                          f"freeze this release as a version (fingerprint {wanted[:12]})",
                          wait="version", produces=("function_version", "FunctionVersion")))
    return Ref("function_version")


def _alias(desired: Desired, current: Current, target: dict[str, str], release: str | Ref) -> list[Action]:
    params = {**target, "Name": desired.alias, "FunctionVersion": release}
    if current.alias_version is None:
        return [Action("CreateAlias", params, f"alias {desired.alias} is new: the triggers follow it")]
    if current.alias_version != release:
        shown = "the new version" if isinstance(release, Ref) else f"version {release}"
        return [Action("UpdateAlias", params, f"alias {desired.alias}: version {current.alias_version} -> {shown}")]
    return []


def _triggers(desired: Desired, current: Current, target: dict[str, str]) -> tuple[list[Action], list[str]]:
    actions: list[Action] = []
    matched: list[Mapping[str, Any]] = []
    wanted = [_trigger_request(trigger) for trigger in desired.spec.triggers]
    if desired.function_url != "none":
        wanted.append(_function_url_request(desired.function_url))
    for request in wanted:
        existing = _find_trigger(current.triggers, request, desired.alias)
        params = {**target, **request, "Qualifier": desired.alias}
        if existing is None:
            actions.append(Action("CreateTrigger", params,
                                  f"{request['Type']} trigger {request['TriggerName']} is new (on {desired.alias})"))
            continue
        matched.append(existing)
        differences = _trigger_differences(existing, request)
        if differences and request["Type"] in ("timer", "http"):  # what UpdateTrigger supports
            actions.append(Action("UpdateTrigger", {**params, "TriggerName": existing["TriggerName"]},
                                  f"{request['Type']} trigger {existing['TriggerName']}: {', '.join(differences)}"))
    notes = [f"{t.get('Type')} trigger {t.get('TriggerName')} on {t.get('Qualifier', LATEST)} is not in "
             "template.yaml: left alone" for t in current.triggers if t not in matched]
    return actions, notes


def _trigger_request(trigger: Trigger) -> dict[str, Any]:
    """CreateTrigger's parameters for a template trigger (TriggerDesc as in SCF's trigger docs)."""
    enable = "OPEN" if trigger.enabled else "CLOSE"
    p = trigger.properties
    if trigger.kind == "Timer":
        return {"TriggerName": trigger.name, "Type": "timer", "TriggerDesc": p["CronExpression"],
                "CustomArgument": p.get("Message", ""), "Enable": enable}
    if trigger.kind == "APIGW":
        # SCF creates (or reuses) an API Gateway service named SCF_API_SERVICE, as scfcli did.
        desc = {"api": {"authRequired": "FALSE", "requestConfig": {"method": p.get("HttpMethod", "ANY")},
                        "isIntegratedResponse": "TRUE" if p.get("IntegratedResponse") else "FALSE"},
                "service": {"serviceName": "SCF_API_SERVICE"},
                "release": {"environmentName": p.get("StageName", "release")}}
        return {"TriggerName": trigger.name, "Type": "apigw", "TriggerDesc": _json(desc), "Enable": enable}
    raise PlanError(f"trigger {trigger.name}: this deploy creates Timer and APIGW triggers; create the "
                    f"{trigger.kind} trigger in the SCF console (it depends on resources outside this project)")


def _function_url_request(access: str) -> dict[str, Any]:
    """The function URL: an "http" trigger (SCF doc "Creating a function URL"). AuthType NONE: the
    function checks its own bearer token (GAAP_OPENER_API_TOKEN_SHA256) and refuses HTTP calls
    without one. The trigger name of a function URL is not documented; "url" is ours."""
    desc = {"AuthType": "NONE",
            "NetConfig": {"EnableIntranet": access == "intranet", "EnableExtranet": access == "public"}}
    return {"TriggerName": "url", "Type": "http", "TriggerDesc": _json(desc), "Enable": "OPEN"}


def _find_trigger(triggers: Sequence[Mapping[str, Any]], request: Mapping[str, Any],
                  alias: str) -> Mapping[str, Any] | None:
    """The existing trigger that ``request`` describes, on the alias. Timers match by name; an API
    Gateway trigger's name is the gateway's, not ours, and a function URL is one per alias, so
    those match by kind."""
    for existing in triggers:
        if existing.get("Qualifier", LATEST) != alias or existing.get("Type") != request["Type"]:
            continue
        if request["Type"] != "timer" or existing.get("TriggerName") == request["TriggerName"]:
            return existing
    return None


def _trigger_differences(existing: Mapping[str, Any], request: Mapping[str, Any]) -> list[str]:
    differences = []
    if request["Type"] == "timer":
        if _cron_of(existing.get("TriggerDesc")) != request["TriggerDesc"]:
            differences.append(f"cron {_cron_of(existing.get('TriggerDesc'))!r} -> {request['TriggerDesc']!r}")
        if (existing.get("CustomArgument") or "") != request["CustomArgument"]:
            differences.append("message")
    elif request["Type"] == "http":
        have = _json_or_none(existing.get("TriggerDesc")) or {}
        want = json.loads(request["TriggerDesc"])
        if {k: have.get(k) for k in want} != want:
            differences.append("access settings")
    if _enabled(existing.get("Enable")) != (request["Enable"] == "OPEN"):
        differences.append(f"enable -> {request['Enable']}")
    return differences


def _cron_of(trigger_desc: Any) -> str:
    """A timer's cron from ListTriggers: the bare expression, or (as some answers carry it) JSON
    {"cron": ...}; which one SCF returns is unconfirmed, so both are read."""
    parsed = _json_or_none(trigger_desc)
    if isinstance(parsed, dict) and "cron" in parsed:
        return str(parsed["cron"])
    return str(trigger_desc or "")


def _enabled(value: Any) -> bool:
    return value in (1, True, "1", "OPEN", "open")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _json_or_none(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (-1, version)


def describe(action: Action, packages: Mapping[str, str]) -> str:
    """One action as the plan prints it: the call, why, and its parameters with uploads shown as
    the file they come from and environment values hidden (they may be secrets)."""
    shown = json.dumps(_redact(action.params, packages), sort_keys=True, ensure_ascii=False)
    return f"{action.api}: {action.why}\n      {shown}"


def _redact(value: Any, packages: Mapping[str, str]) -> Any:
    if isinstance(value, Upload):
        return f"<{packages.get(value.package, value.package)}>"
    if isinstance(value, Ref):
        return f"<{value.name} from an earlier step>"
    if isinstance(value, Mapping):
        if set(value) == {"Variables"} and isinstance(value["Variables"], list):
            return {"Variables": [{"Key": v["Key"], "Value": "<hidden>" if SECRET_NAME.search(v["Key"])
                                   else URL_USERINFO.sub("<hidden>@", v["Value"])} for v in value["Variables"]]}
        return {k: _redact(v, packages) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, packages) for v in value]
    return value
