"""template.yaml in SCF's template format (TCSAM, version 2018-11-11): its rules, a validator that
names every broken rule, and the one function it describes, as the deploy needs it.

Sources of the rules (the TCSAM page is marked obsolete by Tencent Cloud, and SCF's own tooling
no longer reads it, so the format is frozen where scfcli left it):
- the TCSAM spec, tencentyun/scfcli docs/specs/"tencentcloud sam version 2018-11-11";
- scfcli's JSON schemas, tcfcli/common/tcsam/{function,event,glob}.py: Events sit *inside*
  Properties; trigger kinds Timer, APIGW, COS, CMQ, Ckafka; Enable is a boolean or OPEN/CLOSE;
  APIGW's StageName and HttpMethod enums; no unknown keys;
- the SCF API (CreateFunction, CreateTrigger) for what the API itself accepts today: Runtime
  values, MemorySize 64 or 128-3072 in steps of 128, Timeout 1-900, the handler and function
  name forms, the Description character set, timer names;
- SCF's documented limits: reserved environment prefixes, 4 KB of environment, 4 KB timer Message.
Rules marked "project" are gaap-opener's own, not the format's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

NAMESPACE_TYPE = "TencentCloud::Serverless::Namespace"
FUNCTION_TYPE = "TencentCloud::Serverless::Function"
TOP_LEVEL_KEYS = {"Resources", "Globals"}
NAMESPACE_KEYS = {"Type"}  # every other key of a namespace is a function
FUNCTION_KEYS = {"Type", "Properties"}
PROPERTIES = {
    "CodeUri", "Type", "Description", "Handler", "Runtime", "MemorySize", "Timeout", "Role",
    "Policies", "Environment", "Events", "VpcConfig",
}
REQUIRED_PROPERTIES = {"CodeUri", "Handler", "Runtime"}
GLOBAL_FUNCTION_KEYS = PROPERTIES - {"CodeUri", "Policies"}  # scfcli glob.py
FUNCTION_KINDS = {"Event", "HTTP"}
# CreateFunction's Runtime values (tencentcloud-sdk-python-scf 3.1.100, models.py).
RUNTIMES = {
    "Python2.7", "Python3.6", "Python3.7", "Python3.9", "Python3.10",
    "Nodejs6.10", "Nodejs8.9", "Nodejs10.15", "Nodejs12.16", "Nodejs14.18", "Nodejs16.13", "Nodejs18.15",
    "Php5.6", "Php7", "Php7.4", "Php8.0", "Go1", "Java8", "CustomRuntime",
}
MEMORY_SIZES = frozenset({64, *range(128, 3072 + 1, 128)})  # MB
TIMEOUT_RANGE = (1, 900)  # seconds
RESERVED_ENV_PREFIXES = ("SCF_", "QCLOUD_", "TENCENTCLOUD_")
ENV_LIMIT = 4096  # bytes, all names and values together
TIMER_MESSAGE_LIMIT = 4096  # bytes
DESCRIPTION_LIMIT = 1000
# CreateFunction: "letters, digits, spaces, commas, newlines and full stops; Chinese allowed".
DESCRIPTION_CHARS = re.compile(r"[A-Za-z0-9 ,.\n\u4e00-\u9fff]*")
# Handler "file.function": each part starts and ends with a letter; letters, digits, _ and - between.
HANDLER_PART = r"[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z])?"
HANDLER = re.compile(rf"{HANDLER_PART}\.{HANDLER_PART}")
# Function names: 2-60 characters, a letter first, letters/digits/-/_, not ending in - or _.
FUNCTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]")
NAMESPACE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,29}")  # unconfirmed: SCF documents no rule here
TIMER_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
ENV_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CRON_FIELD = re.compile(r"[0-9A-Za-z*?/,#-]+")
ENABLE_VALUES = (True, False, "OPEN", "CLOSE")


@dataclass(frozen=True)
class EventKind:
    """One trigger kind of the format: its allowed and required properties, and value rules."""

    allowed: frozenset[str]
    required: frozenset[str] = frozenset()
    enums: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


EVENT_KINDS: dict[str, EventKind] = {
    "Timer": EventKind(frozenset({"CronExpression", "Enable", "Message"}), frozenset({"CronExpression"}),
                       {"Enable": ENABLE_VALUES}),
    "APIGW": EventKind(frozenset({"StageName", "HttpMethod", "IntegratedResponse", "Enable"}), frozenset(),
                       {"StageName": ("test", "prepub", "release"),
                        "HttpMethod": ("ANY", "GET", "POST", "PUT", "DELETE", "HEAD"),
                        "IntegratedResponse": (True, False), "Enable": ENABLE_VALUES}),
    "COS": EventKind(frozenset({"Bucket", "Events", "Filter", "Enable"}), frozenset({"Bucket", "Events"}),
                     {"Enable": ENABLE_VALUES}),
    "CMQ": EventKind(frozenset({"Name", "Enable"}), frozenset({"Name"}), {"Enable": ENABLE_VALUES}),
    "Ckafka": EventKind(frozenset({"Name", "Topic", "MaxMsgNum", "Offset", "Enable"}),
                        frozenset({"Name", "Topic", "MaxMsgNum"}), {"Enable": ENABLE_VALUES}),
}

# Project rules (gaap-opener, not the format).
ENV_PREFIX = "GAAP_OPENER_"
RUNTIME = "Python3.10"
HANDLER_NAME = "index.main_handler"
CODE_URI = "./handler"
CODE_HASH_ROOM = 100  # the deploy appends " Code sha256 <64 hex>." to the description


class TemplateError(Exception):
    """template.yaml breaks rules; ``problems`` names each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("template.yaml is not valid:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Trigger:
    """One event source of the function, as the template declares it."""

    name: str
    kind: str  # Timer, APIGW, COS, CMQ, Ckafka
    properties: Mapping[str, Any]

    @property
    def enabled(self) -> bool:
        return self.properties.get("Enable", True) in (True, "OPEN")


@dataclass(frozen=True)
class FunctionSpec:
    """The function template.yaml describes, with Globals applied."""

    namespace: str
    name: str
    code_uri: str
    handler: str
    runtime: str
    kind: str  # Event or HTTP
    description: str
    memory_size: int
    timeout: int
    role: str
    environment: Mapping[str, str]  # as written: an empty value means "unset"
    triggers: tuple[Trigger, ...]


def fill_from_environment(spec: FunctionSpec, environ: Mapping[str, str]) -> tuple[FunctionSpec, list[str]]:
    """Give the variables the template leaves empty the deployer's own values of the same name,
    where set, so secrets (the callback secret, the token hash) need not be committed. Returns the
    spec and the names filled."""
    filled = sorted(name for name, value in spec.environment.items() if value == "" and environ.get(name))
    if not filled:
        return spec, []
    environment = {**spec.environment, **{name: environ[name] for name in filled}}
    return replace(spec, environment=environment), filled


def load(path: Path) -> FunctionSpec:
    """Read, validate and return the single function of ``path``; raise TemplateError listing every problem."""
    import yaml  # dev-side dependency (requirements-dev.txt)

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = validate(document)
    if problems:
        raise TemplateError(problems)
    return function_spec(document)


def validate(document: Any) -> list[str]:
    """Every rule ``document`` (a parsed template) breaks, format rules first, then project rules."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return ["the template must be a mapping with a Resources key"]
    for key in sorted(set(document) - TOP_LEVEL_KEYS):
        problems.append(f"unknown top-level key {key!r} (allowed: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    globals_ = document.get("Globals") or {}
    problems += _check_globals(globals_)
    resources = document.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return [*problems, "Resources must be a mapping of at least one namespace"]
    functions = []
    for ns_name, namespace in resources.items():
        where = f"Resources.{ns_name}"
        if not isinstance(namespace, dict) or namespace.get("Type") != NAMESPACE_TYPE:
            problems.append(f"{where}: Type must be {NAMESPACE_TYPE}")
            continue
        if not NAMESPACE_NAME.fullmatch(str(ns_name)):
            problems.append(f"{where}: namespace name {ns_name!r} must be letters, digits, - and _ (at most 30)")
        for fn_name, function in namespace.items():
            if fn_name in NAMESPACE_KEYS:
                continue
            functions.append((ns_name, fn_name))
            problems += _check_function(f"{where}.{fn_name}", fn_name, function, globals_.get("Function") or {})
    if len(functions) != 1:  # project: the deploy handles exactly one function
        problems.append(f"project: the template must declare exactly one function, found {len(functions)}")
    return problems


def _check_globals(globals_: Any) -> list[str]:
    if not isinstance(globals_, dict):
        return ["Globals must be a mapping"]
    problems = [f"Globals: unknown key {key!r} (allowed: Function)" for key in sorted(set(globals_) - {"Function"})]
    function = globals_.get("Function") or {}
    if not isinstance(function, dict):
        return [*problems, "Globals.Function must be a mapping"]
    problems += [f"Globals.Function: unknown key {key!r}" for key in sorted(set(function) - GLOBAL_FUNCTION_KEYS)]
    return problems


def _check_function(where: str, name: str, function: Any, defaults: Mapping[str, Any]) -> list[str]:
    if not isinstance(function, dict):
        return [f"{where}: a function must be a mapping with Type and Properties"]
    problems = [f"{where}: unknown key {key!r} (allowed: Type, Properties; Events go inside Properties)"
                for key in sorted(set(function) - FUNCTION_KEYS)]
    if function.get("Type") != FUNCTION_TYPE:
        problems.append(f"{where}: Type must be {FUNCTION_TYPE}")
    if not FUNCTION_NAME.fullmatch(str(name)):
        problems.append(f"{where}: function name {name!r} must be 2-60 letters, digits, - and _, starting "
                        "with a letter and not ending in - or _")
    properties = function.get("Properties")
    if not isinstance(properties, dict):
        return [*problems, f"{where}: Properties must be a mapping"]
    where = f"{where}.Properties"
    merged = _merge(defaults, properties)
    problems += [f"{where}: unknown property {key!r} (allowed: {', '.join(sorted(PROPERTIES))})"
                 for key in sorted(set(properties) - PROPERTIES)]
    problems += [f"{where}: {key} is required" for key in sorted(REQUIRED_PROPERTIES - set(merged))]
    problems += _check_values(where, merged)
    problems += _check_environment(f"{where}.Environment", merged.get("Environment"))
    events = merged.get("Events") or {}
    if not isinstance(events, dict):
        problems.append(f"{where}.Events must be a mapping of trigger name to trigger")
    else:
        for event_name, event in events.items():
            problems += _check_event(f"{where}.Events.{event_name}", str(event_name), event)
    return problems


def _check_values(where: str, p: Mapping[str, Any]) -> list[str]:
    problems = []
    handler, runtime = p.get("Handler"), p.get("Runtime")
    if handler is not None and not (isinstance(handler, str) and HANDLER.fullmatch(handler) and len(handler) <= 60):
        problems.append(f"{where}.Handler {handler!r} must be file.function, each part starting and ending "
                        "with a letter (2-60 characters)")
    if runtime is not None and runtime not in RUNTIMES:
        problems.append(f"{where}.Runtime {runtime!r} is not an SCF runtime ({', '.join(sorted(RUNTIMES))})")
    if "Type" in p and p["Type"] not in FUNCTION_KINDS:
        problems.append(f"{where}.Type {p['Type']!r} must be Event or HTTP")
    memory = p.get("MemorySize")
    if memory is not None and (isinstance(memory, bool) or memory not in MEMORY_SIZES):
        problems.append(f"{where}.MemorySize {memory!r} must be 64, or 128 to 3072 in steps of 128 (MB)")
    timeout = p.get("Timeout")
    low, high = TIMEOUT_RANGE
    if timeout is not None and (not isinstance(timeout, int) or isinstance(timeout, bool)
                                or not low <= timeout <= high):
        problems.append(f"{where}.Timeout {timeout!r} must be a whole number of seconds from {low} to {high}")
    description = p.get("Description", "")
    if not isinstance(description, str) or not DESCRIPTION_CHARS.fullmatch(description):
        problems.append(f"{where}.Description may hold only letters, digits, spaces, commas, full stops and "
                        "newlines (SCF's rule)")
    elif len(description) > DESCRIPTION_LIMIT - CODE_HASH_ROOM:
        problems.append(f"project: {where}.Description is over {DESCRIPTION_LIMIT - CODE_HASH_ROOM} characters "
                        "(the deploy appends the code hash; SCF allows 1000)")
    if "CodeUri" in p and not isinstance(p["CodeUri"], (str, dict)):
        problems.append(f"{where}.CodeUri must be a path or a COS object (Bucket, Key)")
    # Project rules: what the deploy and the packages assume.
    if runtime is not None and runtime != RUNTIME:
        problems.append(f"project: {where}.Runtime must be {RUNTIME} (the layer is built for it)")
    if handler is not None and handler != HANDLER_NAME:
        problems.append(f"project: {where}.Handler must be {HANDLER_NAME}")
    if p.get("CodeUri") not in (None, CODE_URI):
        problems.append(f"project: {where}.CodeUri must be {CODE_URI} (dist/function.zip is built from it)")
    if not isinstance(p.get("Role"), str) or not p.get("Role"):
        problems.append(f"project: {where}.Role is required (the execution role that may open the proxies)")
    if p.get("Type", "Event") != "Event":
        problems.append(f"project: {where}.Type must be Event")
    return problems


def _check_environment(where: str, environment: Any) -> list[str]:
    if environment is None:
        return []
    if not isinstance(environment, dict) or set(environment) != {"Variables"}:
        return [f"{where} must be a mapping with exactly one key, Variables"]
    variables = environment["Variables"] or {}
    if not isinstance(variables, dict):
        return [f"{where}.Variables must be a mapping of name to string"]
    problems = []
    size = 0
    for name, value in variables.items():
        name = str(name)
        if not ENV_NAME.fullmatch(name):
            problems.append(f"{where}: variable name {name!r} must be letters, digits and _, starting with a letter")
        if name.upper().startswith(RESERVED_ENV_PREFIXES):
            problems.append(f"{where}: {name} uses a prefix SCF reserves ({', '.join(RESERVED_ENV_PREFIXES)})")
        elif not name.startswith(ENV_PREFIX):
            problems.append(f"project: {where}: {name} must start with {ENV_PREFIX}")
        if not isinstance(value, str):
            problems.append(f"{where}: {name} must be a string (quote it: {name}: \"{value}\")")
            value = str(value)
        size += len(name.encode()) + len(value.encode())
    if size > ENV_LIMIT:
        problems.append(f"{where}: the variables take {size} bytes, over SCF's {ENV_LIMIT}-byte limit")
    return problems


def _check_event(where: str, name: str, event: Any) -> list[str]:
    if not isinstance(event, dict):
        return [f"{where} must be a mapping with Type and Properties"]
    problems = [f"{where}: unknown key {key!r} (allowed: Type, Properties)"
                for key in sorted(set(event) - {"Type", "Properties"})]
    kind = event.get("Type")
    rules = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if rules is None:
        return [*problems, f"{where}.Type {kind!r} is not a trigger kind ({', '.join(EVENT_KINDS)})"]
    properties = event.get("Properties")
    if not isinstance(properties, dict):
        return [*problems, f"{where}.Properties must be a mapping"]
    problems += [f"{where}: {kind} trigger has no property {key!r} (allowed: {', '.join(sorted(rules.allowed))})"
                 for key in sorted(set(properties) - rules.allowed)]
    problems += [f"{where}: {kind} trigger requires {key}" for key in sorted(rules.required - set(properties))]
    for key, allowed in rules.enums.items():
        if key in properties and not any(_same(properties[key], value) for value in allowed):
            problems.append(f"{where}.{key} {properties[key]!r} must be one of {', '.join(map(str, allowed))}")
    if kind == "Timer":
        problems += _check_timer(where, name, properties)
    return problems


def _check_timer(where: str, name: str, properties: Mapping[str, Any]) -> list[str]:
    problems = []
    if not TIMER_NAME.fullmatch(name):
        problems.append(f"{where}: timer name {name!r} must be at most 100 letters, digits, - and _")
    cron = properties.get("CronExpression")
    fields = cron.split() if isinstance(cron, str) else []
    if len(fields) != 7 or not all(CRON_FIELD.fullmatch(f) for f in fields):
        problems.append(f"{where}.CronExpression {cron!r} must have 7 fields: second minute hour day month "
                        "weekday year")
    message = properties.get("Message", "")
    if not isinstance(message, str):
        problems.append(f"{where}.Message must be a string")
    elif len(message.encode()) > TIMER_MESSAGE_LIMIT:
        problems.append(f"{where}.Message is over SCF's {TIMER_MESSAGE_LIMIT}-byte limit")
    return problems


def _same(value: Any, allowed: Any) -> bool:
    """Equality that keeps True apart from 1 and "True" apart from True."""
    return type(value) is type(allowed) and value == allowed


def _merge(defaults: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """Globals.Function under the function's own properties; environment variables merge by name."""
    merged = {**defaults, **properties}
    default_env = (defaults.get("Environment") or {}).get("Variables") if isinstance(defaults, dict) else None
    own_env = (properties.get("Environment") or {}).get("Variables") if isinstance(properties, dict) else None
    if isinstance(default_env, dict) and isinstance(own_env, dict):
        merged["Environment"] = {"Variables": {**default_env, **own_env}}
    return merged


def function_spec(document: Mapping[str, Any]) -> FunctionSpec:
    """The single function of a *valid* template."""
    defaults = (document.get("Globals") or {}).get("Function") or {}
    for ns_name, namespace in document["Resources"].items():
        for fn_name, function in namespace.items():
            if fn_name in NAMESPACE_KEYS:
                continue
            p = _merge(defaults, function["Properties"])
            events = p.get("Events") or {}
            return FunctionSpec(
                namespace=str(ns_name),
                name=str(fn_name),
                code_uri=p["CodeUri"],
                handler=p["Handler"],
                runtime=p["Runtime"],
                kind=p.get("Type", "Event"),
                description=p.get("Description", ""),
                memory_size=p.get("MemorySize", 128),  # SCF's defaults
                timeout=p.get("Timeout", 3),
                role=p["Role"],
                environment=dict((p.get("Environment") or {}).get("Variables") or {}),
                triggers=tuple(Trigger(str(name), e["Type"], dict(e["Properties"])) for name, e in events.items()),
            )
    raise TemplateError(["no function found"])
