"""The SCF API through the official SDK (tencentcloud-sdk-python-scf): one client, the reads that
tell what SCF has now, and the polling that waits for SCF to finish a change."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .plan import LATEST, Current, LayerVersion
from .template import FunctionSpec

ENDPOINT = "scf.tencentcloudapi.com"
PAGE = 100  # ask for this many per List* call; SCF may send fewer, so pages advance by what came back


class DeployError(Exception):
    """An SCF call failed or SCF reported a failed change; the message says which."""


class Scf:
    """Calls SCF actions by name with a dict of parameters; answers are the "Response" object."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []  # every action called, in order (the deploy prints the writes)

    def call(self, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        self.calls.append(action)
        try:
            answer = self._client.call_json(action, dict(params))
        except TencentCloudSDKException as error:
            raise ScfError(action, error.get_code() or "ClientError", error.get_message(),
                           error.get_request_id()) from None
        return dict(answer["Response"])


class ScfError(DeployError):
    def __init__(self, action: str, code: str, message: str, request_id: str | None) -> None:
        super().__init__(f"{action} failed: {code}: {message} (RequestId {request_id})")
        self.action, self.code = action, code


def connect(region: str) -> Scf:
    """A client for ``region`` with the deployer's credentials: TENCENTCLOUD_SECRET_ID and
    TENCENTCLOUD_SECRET_KEY, else the SDK's default chain (profile file, then instance role)."""
    from tencentcloud.common.credential import DefaultCredentialProvider
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.scf.v20180416.scf_client import ScfClient

    try:
        credential = DefaultCredentialProvider().get_credentials()
    except TencentCloudSDKException:
        credential = None
    if credential is None:
        raise DeployError("no credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY "
                          "(or ~/.tencentcloud/credentials)")
    profile = ClientProfile(httpProfile=HttpProfile(endpoint=ENDPOINT, reqTimeout=120), language="en-US")
    return Scf(ScfClient(credential, region, profile))


def read_current(scf: Scf, spec: FunctionSpec, layer_name: str, alias: str) -> Current:
    """What SCF has now for this function, its layer, versions, alias and triggers: reads only."""
    target = {"FunctionName": spec.name, "Namespace": spec.namespace}
    namespaces = frozenset(n["Name"] for n in _pages(scf, "ListNamespaces", {}, "Namespaces"))
    layers = tuple(
        LayerVersion(int(v["LayerVersion"]), v.get("Description") or "", v.get("Status") or "Active")
        for v in _missing_is_empty(lambda: scf.call("ListLayerVersions", {"LayerName": layer_name})
                                   .get("LayerVersions") or [])
    )
    if spec.namespace not in namespaces:
        return Current(namespaces, layers)
    try:
        function = scf.call("GetFunction", {**target, "Qualifier": LATEST})
    except ScfError as error:
        if not error.code.startswith("ResourceNotFound"):
            raise
        return Current(namespaces, layers)
    versions = {str(v["Version"]): v.get("Description") or ""
                for v in _pages(scf, "ListVersionByFunction", target, "Versions") if v["Version"] != LATEST}
    try:
        alias_version: str | None = str(scf.call("GetAlias", {**target, "Name": alias})["FunctionVersion"])
    except ScfError as error:
        if not error.code.startswith("ResourceNotFound"):
            raise
        alias_version = None
    # Only the alias's triggers: those are the ones the deploy manages. (Whether ListTriggers
    # without this filter lists every qualifier's triggers or only $LATEST's is not documented.)
    on_alias = {**target, "Filters": [{"Name": "Qualifier", "Values": [alias]}]}
    triggers = tuple(_pages(scf, "ListTriggers", on_alias, "Triggers"))
    return Current(namespaces, layers, function, versions, alias_version, triggers)


def _pages(scf: Scf, action: str, params: Mapping[str, Any], key: str) -> Iterator[dict[str, Any]]:
    offset = 0
    while True:
        answer = scf.call(action, {**params, "Offset": offset, "Limit": PAGE})
        items = answer.get(key) or []
        yield from items
        offset += len(items)
        if not items or offset >= int(answer.get("TotalCount") or 0):
            return


def _missing_is_empty(read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    try:
        return read()
    except ScfError as error:
        if error.code.startswith("ResourceNotFound"):
            return []
        raise


def wait_until_active(scf: Scf, what: str, params: Mapping[str, Any], *, timeout: float = 300.0,
                      interval: float = 2.0, sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> None:
    """Poll until SCF reports ``what`` (function, version or layer) Active; SCF refuses further
    changes to a function while it is Creating, Updating or Publishing."""
    action = "GetLayerVersion" if what == "layer" else "GetFunction"
    deadline = clock() + timeout
    while True:
        answer = scf.call(action, params)
        status = str(answer.get("Status") or "Active")
        if status == "Active":
            return
        if status.endswith("Failed"):
            reasons = "; ".join(f"{r.get('ErrorCode')}: {r.get('ErrorMessage')}"
                                for r in answer.get("StatusReasons") or [])
            raise DeployError(f"{what} is {status}: {answer.get('StatusDesc') or ''} {reasons}".strip())
        if clock() >= deadline:
            raise DeployError(f"{what} still {status} after {timeout:.0f} s; check the SCF console, then run again")
        sleep(interval)
