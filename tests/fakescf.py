"""A small stateful fake of the SCF API (2018-04-16), reached in-process through `responses` at
scf.tencentcloudapi.com: the actions `python -m deploy` calls, answering in Tencent Cloud's shape.

Like SCF, a change leaves the function (or layer, or version) in a transitional status that the
next read reports once before it turns Active, and a change to a function that is not Active is
refused: a deploy that does not wait fails here as it would there. Statuses, error codes and the
answers' fields follow the SDK's models; which fields SCF fills, and how, is partly unconfirmed
(see deploy/plan.py)."""

from __future__ import annotations

import base64
import binascii
import copy
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import responses

SCF_URL = re.compile(r"^https://scf\.tencentcloudapi\.com/?$")
LATEST = "$LATEST"
MEMORY_SIZES = {64, *range(128, 3073, 128)}


class ScfFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Function:
    config: dict[str, Any]
    code: bytes
    status: str = "Creating"
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    triggers: list[dict[str, Any]] = field(default_factory=list)


class ScfBackend:
    """The state: namespaces, layers, functions; and every request seen, in order."""

    def __init__(self, region: str = "ap-guangzhou") -> None:
        self.region = region
        self.namespaces = {"default"}
        self.layers: dict[str, list[dict[str, Any]]] = {}
        self.functions: dict[tuple[str, str], Function] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.fail_next_change: str | None = None  # e.g. "UpdateFailed": the next function change ends so

    # What tests read.
    def actions(self) -> list[str]:
        return [action for action, _ in self.requests]

    def writes(self) -> list[str]:
        return [a for a in self.actions() if not a.startswith(("Get", "List"))]

    def params(self, action: str) -> list[dict[str, Any]]:
        return [params for a, params in self.requests if a == action]

    def function(self, name: str = "gaap-opener", namespace: str = "default") -> Function:
        return self.functions[(namespace, name)]

    # The door.
    def handle(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((action, copy.deepcopy(params)))
        handler = getattr(self, f"_{action}", None)
        if handler is None:
            raise ScfFault("InvalidAction", f"the fake does not know {action}")
        return dict(handler(params))

    def _fn(self, params: dict[str, Any]) -> Function:
        key = (params.get("Namespace", "default"), params["FunctionName"])
        if key not in self.functions:
            raise ScfFault("ResourceNotFound.Function", f"function {key[1]} does not exist")
        return self.functions[key]

    def _change(self, fn: Function, status: str) -> None:
        if fn.status != "Active":
            raise ScfFault("FailedOperation.UpdateFunctionConfiguration",
                           f"the function is {fn.status}: wait until it is Active")
        fn.status = status

    def _check_config(self, params: dict[str, Any]) -> None:
        if "MemorySize" in params and params["MemorySize"] not in MEMORY_SIZES:
            raise ScfFault("InvalidParameterValue.MemorySize", f"MemorySize {params['MemorySize']}")
        if "Timeout" in params and not 1 <= params["Timeout"] <= 900:
            raise ScfFault("InvalidParameterValue.Timeout", f"Timeout {params['Timeout']}")
        for variable in (params.get("Environment") or {}).get("Variables") or []:
            if not variable.get("Value"):
                raise ScfFault("InvalidParameterValue.Environment", f"{variable.get('Key')} has an empty Value")
        for layer in params.get("Layers") or []:
            versions = self.layers.get(layer["LayerName"], [])
            if not any(v["LayerVersion"] == layer["LayerVersion"] for v in versions):
                raise ScfFault("ResourceNotFound.LayerVersion", f"{layer['LayerName']} {layer['LayerVersion']}")

    def _zip(self, encoded: Any) -> bytes:
        try:
            raw = base64.b64decode(encoded, validate=True)
            zipfile.ZipFile(io.BytesIO(raw)).testzip()
        except (binascii.Error, zipfile.BadZipFile, TypeError) as error:
            raise ScfFault("InvalidParameterValue.ZipFile", f"not a base64 zip: {error}") from None
        return raw

    def _ListNamespaces(self, params: dict[str, Any]) -> dict[str, Any]:
        names = sorted(self.namespaces)[params.get("Offset", 0):][: params.get("Limit", 20)]
        return {"Namespaces": [{"Name": n, "Type": "default", "Description": ""} for n in names],
                "TotalCount": len(self.namespaces)}

    def _CreateNamespace(self, params: dict[str, Any]) -> dict[str, Any]:
        self.namespaces.add(params["Namespace"])
        return {}

    def _ListLayerVersions(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["LayerName"] not in self.layers:
            raise ScfFault("ResourceNotFound.Layer", f"layer {params['LayerName']} does not exist")
        return {"LayerVersions": [{k: v for k, v in layer.items() if k != "content"}
                                  for layer in reversed(self.layers[params["LayerName"]])]}

    def _PublishLayerVersion(self, params: dict[str, Any]) -> dict[str, Any]:
        versions = self.layers.setdefault(params["LayerName"], [])
        number = len(versions) + 1
        versions.append({"LayerName": params["LayerName"], "LayerVersion": number,
                         "Description": params.get("Description", ""),
                         "CompatibleRuntimes": params["CompatibleRuntimes"], "Status": "Publishing",
                         "content": self._zip(params["Content"]["ZipFile"])})
        return {"LayerVersion": number}

    def _GetLayerVersion(self, params: dict[str, Any]) -> dict[str, Any]:
        for layer in self.layers.get(params["LayerName"], []):
            if layer["LayerVersion"] == params["LayerVersion"]:
                shown = {k: v for k, v in layer.items() if k != "content"}
                layer["Status"] = "Active"  # reported once as it was, Active from then on
                return shown
        raise ScfFault("ResourceNotFound.LayerVersion", "no such layer version")

    def _CreateFunction(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params.get("Namespace", "default"), params["FunctionName"])
        if key[0] not in self.namespaces:
            raise ScfFault("ResourceNotFound.Namespace", f"namespace {key[0]} does not exist")
        if key in self.functions:
            raise ScfFault("ResourceInUse.Function", "function exists")
        self._check_config(params)
        config = {k: v for k, v in params.items() if k != "Code"}
        config["Layers"] = [dict(layer) for layer in params.get("Layers") or []]
        self.functions[key] = Function(config=config, code=self._zip(params["Code"]["ZipFile"]))
        self._settle_later(self.functions[key], "Creating")
        return {}

    def _settle_later(self, fn: Function, status: str) -> None:
        fn.status = status
        if self.fail_next_change:
            fn.status, self.fail_next_change = self.fail_next_change, None

    def _GetFunction(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        qualifier = params.get("Qualifier", LATEST)
        if qualifier == LATEST:
            answer = {**fn.config, "Status": fn.status, "FunctionVersion": LATEST, "Qualifier": LATEST}
            if fn.status in ("Creating", "Updating"):
                fn.status = "Active"
        else:
            if qualifier not in fn.versions:
                raise ScfFault("ResourceNotFound.Version", f"version {qualifier}")
            version = fn.versions[qualifier]
            answer = {**version["config"], "Status": version["Status"], "FunctionVersion": qualifier}
            version["Status"] = "Active"
        answer["Layers"] = [{**layer, "CompatibleRuntimes": ["Python3.10"], "Status": "Active"}
                            for layer in answer.get("Layers") or []]
        answer.setdefault("Environment", {"Variables": []})
        return answer

    def _UpdateFunctionCode(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        self._change(fn, "Updating")
        fn.code = self._zip(params["ZipFile"])
        fn.config["Handler"] = params.get("Handler", fn.config["Handler"])
        self._settle_later(fn, "Updating")
        return {}

    def _UpdateFunctionConfiguration(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        self._check_config(params)
        self._change(fn, "Updating")
        fn.config.update({k: copy.deepcopy(v) for k, v in params.items() if k not in ("FunctionName", "Namespace")})
        self._settle_later(fn, "Updating")
        return {}

    def _PublishVersion(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        if fn.status != "Active":
            raise ScfFault("FailedOperation.PublishVersion", f"the function is {fn.status}")
        number = str(len(fn.versions) + 1)
        fn.versions[number] = {"config": copy.deepcopy(fn.config), "code": fn.code,
                               "Description": params.get("Description", ""), "Status": "Publishing"}
        return {"FunctionVersion": number}

    def _ListVersionByFunction(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        rows = [{"Version": LATEST, "Description": fn.config.get("Description", "")}]
        rows += [{"Version": n, "Description": v["Description"], "Status": v["Status"]} for n, v in fn.versions.items()]
        offset, limit = params.get("Offset", 0), params.get("Limit", 20)
        return {"Versions": rows[offset:offset + limit], "TotalCount": len(rows), "FunctionVersion": list(fn.versions)}

    def _GetAlias(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        if params["Name"] not in fn.aliases:
            raise ScfFault("ResourceNotFound.Alias", f"alias {params['Name']} does not exist")
        return {"Name": params["Name"], "FunctionVersion": fn.aliases[params["Name"]], "Description": ""}

    def _set_alias(self, params: dict[str, Any], *, create: bool) -> dict[str, Any]:
        fn = self._fn(params)
        if (params["Name"] in fn.aliases) == create:
            raise ScfFault("ResourceInUse.Alias" if create else "ResourceNotFound.Alias", params["Name"])
        if params["FunctionVersion"] not in fn.versions:
            raise ScfFault("ResourceNotFound.Version", f"version {params['FunctionVersion']}")
        fn.aliases[params["Name"]] = params["FunctionVersion"]
        return {}

    def _CreateAlias(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_alias(params, create=True)

    def _UpdateAlias(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._set_alias(params, create=False)

    def _ListTriggers(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        triggers = fn.triggers
        for condition in params.get("Filters") or []:
            if condition["Name"] not in ("Qualifier", "TriggerName", "Description"):
                raise ScfFault("InvalidParameterValue.Filters", condition["Name"])
            triggers = [t for t in triggers if t.get(condition["Name"], "") in condition["Values"]]
        offset, limit = params.get("Offset", 0), params.get("Limit", 20)
        return {"Triggers": copy.deepcopy(triggers[offset:offset + limit]), "TotalCount": len(triggers)}

    def _CreateTrigger(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        qualifier = params.get("Qualifier", LATEST)
        if qualifier != LATEST and qualifier not in fn.aliases and qualifier not in fn.versions:
            raise ScfFault("ResourceNotFound.Qualifier", f"no version or alias {qualifier}")
        kind, name, desc = params["Type"], params["TriggerName"], params.get("TriggerDesc", "")
        if kind not in ("timer", "apigw", "http", "cos", "ckafka", "cls"):
            raise ScfFault("InvalidParameterValue.Type", kind)
        if kind == "http" and any(t["Type"] == "http" and t["Qualifier"] == qualifier for t in fn.triggers):
            raise ScfFault("ResourceInUse.Trigger", "one function URL per version or alias")
        if kind == "timer":
            if any(t["TriggerName"] == name for t in fn.triggers):
                raise ScfFault("ResourceInUse.TriggerName", name)
            desc = json.dumps({"cron": desc})  # ListTriggers shows timers' desc as JSON (unconfirmed)
        if kind == "apigw":
            name = f"api-{uuid.uuid4().hex[:8]}"  # the gateway names it, not the caller
            desc = json.loads(desc)
            desc["service"]["serviceId"] = "service-1a2b3c4d"
            desc = json.dumps(desc)
        if kind == "http":
            desc = json.dumps({**json.loads(desc), "Urls": ["https://1250000000-abc.ap-guangzhou.tencentscf.com"]})
        trigger = {"TriggerName": name, "Type": kind, "TriggerDesc": desc, "Qualifier": qualifier,
                   "Enable": 1 if params.get("Enable", "OPEN") == "OPEN" else 0,
                   "CustomArgument": params.get("CustomArgument", ""), "AvailableStatus": "Available"}
        fn.triggers.append(trigger)
        return {"TriggerInfo": trigger}

    def _UpdateTrigger(self, params: dict[str, Any]) -> dict[str, Any]:
        fn = self._fn(params)
        for trigger in fn.triggers:
            if trigger["TriggerName"] == params["TriggerName"] and trigger["Type"] == params["Type"]:
                if params["Type"] not in ("timer", "ckafka", "http"):
                    raise ScfFault("UnsupportedOperation", params["Type"])
                if "TriggerDesc" in params:
                    trigger["TriggerDesc"] = (json.dumps({"cron": params["TriggerDesc"]})
                                              if params["Type"] == "timer" else params["TriggerDesc"])
                if "CustomArgument" in params:
                    trigger["CustomArgument"] = params["CustomArgument"]
                if "Enable" in params:
                    trigger["Enable"] = 1 if params["Enable"] == "OPEN" else 0
                return {}
        raise ScfFault("ResourceNotFound.Trigger", params["TriggerName"])


@contextmanager
def mock_scf(backend: ScfBackend | None = None) -> Iterator[ScfBackend]:
    """Intercept the SDK's POSTs to scf.tencentcloudapi.com and answer them from ``backend``."""
    backend = backend or ScfBackend()

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        request_id = str(uuid.uuid4())
        action = request.headers.get("X-TC-Action", "")
        try:
            if request.headers.get("X-TC-Region") != backend.region:
                raise ScfFault("InvalidParameterValue.Region", f"region {request.headers.get('X-TC-Region')}")
            if not str(request.headers.get("Authorization", "")).startswith("TC3-HMAC-SHA256 Credential="):
                raise ScfFault("AuthFailure.SignatureFailure", "unsigned request")
            body = json.loads(request.body or b"{}")
            answer = {**backend.handle(action, body), "RequestId": request_id}
        except ScfFault as fault:
            answer = {"Error": {"Code": fault.code, "Message": fault.message}, "RequestId": request_id}
        return 200, {"Content-Type": "application/json"}, json.dumps({"Response": answer})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback("POST", SCF_URL, callback=callback, content_type=None)
        yield backend
