"""The GAAP API through the official SDK: credentials, one client per instance, two actions.

The SDK is imported here and only here, when the first call needs it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .config import split_endpoint
from .errors import MISSING_CREDENTIALS
from .timing import CallTimedOut, call_within

API_VERSION = "2018-05-29"
DUPLICATED_REQUEST = "FailedOperation.DuplicatedRequest"


class GaapCallError(Exception):
    """A failed GAAP call: GAAP's error code (or the SDK's ClientNetworkError/ServerNetworkError)."""

    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.request_id = request_id


class OpenAnswer(NamedTuple):
    """GAAP's answer to OpenProxies: a partial failure is not an error, so both sets matter."""

    request_id: str | None
    invalid_status: tuple[str, ...]
    operation_failed: tuple[str, ...]


class Credentials(NamedTuple):
    """The keys the SDK signs with. repr never shows them."""

    secret_id: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"


def credentials_from_env(environ: Mapping[str, str]) -> Credentials:
    """SCF's role keys (TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN), else the SDK's variable names,
    else the SDK's default chain (profile file, CVM/TKE role)."""
    for id_name, key_name, token_name in (
        ("TENCENTCLOUD_SECRETID", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN"),
        ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"),
    ):
        secret_id = (environ.get(id_name) or "").strip()
        secret_key = (environ.get(key_name) or "").strip()
        if secret_id and secret_key:
            return Credentials(secret_id, secret_key, (environ.get(token_name) or "").strip() or None)
    if environ.get("TENCENTCLOUD_RUNENV") == "SCF":
        # On SCF the role's keys arrive only as variables; the SDK's chain would go on to the CVM
        # metadata service with no timeout and could hang until the platform kills the function.
        raise MissingCredentials()
    try:
        from tencentcloud.common.credential import DefaultCredentialProvider

        found = DefaultCredentialProvider().get_credentials()
        secret_id, secret_key, token = found.get_credential_info()
    except Exception:  # noqa: BLE001 - any failure of the chain means the same thing to the operator
        raise MissingCredentials() from None
    return Credentials(secret_id, secret_key, token or None)


class MissingCredentials(Exception):
    """No credentials anywhere: the function has no execution role, or it lacks keys."""

    code = MISSING_CREDENTIALS
    message = (
        "no Tencent Cloud credentials: give the function an execution role (SCF injects "
        "TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN), or set TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY"
    )


class GaapApi:
    """OpenProxies and DescribeProxiesStatus through one SDK client, kept for the instance's life."""

    def __init__(self, endpoint: str) -> None:
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.gaap.v20180529 import gaap_client, models

        scheme, host = split_endpoint(endpoint)
        self._credential_type = Credential
        # English error messages: they go into results and logs that operators read.
        profile = ClientProfile(
            httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqTimeout=10), language="en-US"
        )
        # GAAP is a global service: no region. The credential is replaced before every call.
        self._client: Any = gaap_client.GaapClient(Credential("unset", "unset"), "", profile)
        self._credentials: Credentials | None = None
        self._models: Any = models
        # The SDK reads HTTP(S)_PROXY / NO_PROXY itself when the client is built and passes them on
        # every request; requests' own scan of the whole environment (proxies, netrc, CA bundle) on
        # each request repeats that work, at a tenth of a millisecond per call.
        session = getattr(getattr(getattr(self._client, "request", None), "conn", None), "_session", None)
        if session is not None:
            session.trust_env = False
        from http.client import HTTPException

        from requests import RequestException
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from urllib3.exceptions import HTTPError

        network: tuple[type[BaseException], ...] = (RequestException, HTTPError, HTTPException, OSError)
        self._errors: tuple[Any, tuple[type[BaseException], ...]] = (TencentCloudSDKException, network)

    def use(self, credentials: Credentials) -> None:
        """Sign with these keys from now on (the role's keys may rotate between invocations)."""
        if credentials != self._credentials:
            self._client.credential = self._credential_type(
                credentials.secret_id, credentials.secret_key, credentials.token
            )
            self._credentials = credentials

    def _send(self, action: str, request: Any, timeout: float) -> dict[str, Any]:
        """Send one typed SDK request through the client; return GAAP's ``Response`` object.

        The typed methods (client.OpenProxies) trust the SDK's error check, which reads an error
        body only when Content-Type is exactly application/json: an error behind a proxy that
        rewrites the header would pass as success with empty sets. So the body is checked here.
        """
        sdk_error, network_errors = self._errors
        # The SDK fixes its timeout when the client is built; the deadline needs it per call. It
        # bounds each socket read; call_within bounds the whole call, a trickling answer included.
        conn = getattr(getattr(self._client, "request", None), "conn", None)
        if conn is not None:
            conn.timeout = timeout
        params, headers = request._serialize(), request.headers
        try:
            body = call_within(lambda: self._client.call(action, params, headers=headers), timeout + 0.1)
        except sdk_error as exc:
            raise GaapCallError(str(exc.code), _short(exc.message), exc.requestId) from None
        except CallTimedOut as exc:
            raise GaapCallError("ClientNetworkError", f"{action}: {exc}") from None
        except network_errors as exc:
            # The SDK reads the body after its own error wrapping: a connection lost mid-body lands here.
            message = f"{action}: {type(exc).__name__} while reading the answer"
            raise GaapCallError("ClientNetworkError", message) from None
        except ValueError as exc:  # the SDK's own json.loads of a text/plain body that is not JSON
            raise GaapCallError("ServerNetworkError", f"{action}: GAAP's answer is not its JSON: {exc}") from None
        try:
            response = json.loads(body)["Response"]
            if not isinstance(response, dict):
                raise TypeError("Response is not an object")
        except (ValueError, KeyError, TypeError):
            shown = _short(body, 200)
            raise GaapCallError("ServerNetworkError", f"{action}: GAAP's answer is not its JSON: {shown}") from None
        error = response.get("Error")
        if isinstance(error, dict):
            raise GaapCallError(str(error.get("Code")), _short(error.get("Message", "")), response.get("RequestId"))
        return response

    def open_proxies(self, proxy_ids: Sequence[str], client_token: str, timeout: float) -> OpenAnswer:
        """Call OpenProxies once; raise GaapCallError for an error answer or a transport failure."""
        request = self._models.OpenProxiesRequest()
        request.ProxyIds = list(proxy_ids)
        request.ClientToken = client_token
        answer = self._models.OpenProxiesResponse()
        answer._deserialize(self._send("OpenProxies", request, timeout))
        return OpenAnswer(
            request_id=answer.RequestId,
            invalid_status=tuple(answer.InvalidStatusInstanceSet or ()),
            operation_failed=tuple(answer.OperationFailedInstanceSet or ()),
        )

    def proxy_statuses(self, proxy_ids: Sequence[str], timeout: float) -> dict[str, str]:
        """Call DescribeProxiesStatus once: proxy ID to its current status."""
        request = self._models.DescribeProxiesStatusRequest()
        request.ProxyIds = list(proxy_ids)
        answer = self._models.DescribeProxiesStatusResponse()
        answer._deserialize(self._send("DescribeProxiesStatus", request, timeout))
        return {str(item.InstanceId): str(item.Status) for item in answer.InstanceStatusSet or ()}


def _short(message: object, limit: int = 500) -> str:
    """Error text from the SDK, bounded (a ServerNetworkError carries the whole HTML body)."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


_apis: dict[str, GaapApi] = {}


def gaap_api(endpoint: str) -> GaapApi:
    """The instance's client for this endpoint, built on first use and then reused (warm starts)."""
    api = _apis.get(endpoint)
    if api is None:
        api = _apis[endpoint] = GaapApi(endpoint)
    return api
