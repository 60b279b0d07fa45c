"""fakegaap's TC3-HMAC-SHA256 check: what the SDK signs passes, anything else gets GAAP's AuthFailure."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.sign import Sign
from tencentcloud.gaap.v20180529 import gaap_client, models

from fakegaap import GaapBackend, mock_gaap, serve_in_thread
from fakegaap.responses import GaapResponder
from fakegaap.signing import authorization_header, signature

A = "link-1234abcd"
SECRET_ID, SECRET_KEY = "AKIDsigner", "signing-key-1"


@pytest.fixture
def backend() -> GaapBackend:
    backend = GaapBackend()
    backend.add_proxy(A, "CLOSED")
    return backend


@pytest.fixture
def url(backend: GaapBackend) -> Iterator[str]:
    with serve_in_thread(backend, credentials={SECRET_ID: SECRET_KEY}) as base_url:
        yield base_url


def client(
    endpoint: str | None, secret_id: str = SECRET_ID, secret_key: str = SECRET_KEY, protocol: str | None = None
) -> Any:
    profile = ClientProfile(httpProfile=HttpProfile(protocol=protocol, endpoint=endpoint))
    return gaap_client.GaapClient(credential.Credential(secret_id, secret_key), "", profile)


def open_a(gaap: Any) -> Any:
    req = models.OpenProxiesRequest()
    req.ProxyIds = [A]
    return gaap.OpenProxies(req)


def sdk_error(gaap: Any) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as caught:
        open_a(gaap)
    return caught.value


def signed_post(
    url: str,
    *,
    timestamp: int | None = None,
    signed_host: str | None = None,
    sent_host: str | None = None,
    sent_body: bytes | None = None,
    authorization: str | None = None,
) -> dict[str, Any]:
    """POST an OpenProxies for A, signed by hand (as the SDK would unless told otherwise)."""
    body = json.dumps({"ProxyIds": [A]}).encode()
    headers = {
        "Content-Type": "application/json",
        "Host": signed_host or url,
        "X-TC-Action": "OpenProxies",
        "X-TC-Version": "2018-05-29",
        "X-TC-Timestamp": str(int(time.time()) if timestamp is None else timestamp),
    }
    headers["Authorization"] = authorization_header(SECRET_ID, SECRET_KEY, headers, body)
    headers["Host"] = sent_host or headers["Host"]
    if authorization is not None:
        headers["Authorization"] = authorization
    answer = requests.post(url, data=sent_body or body, headers=headers, timeout=5)
    response: dict[str, Any] = answer.json()["Response"]
    return response


def test_right_key_is_accepted_with_the_full_url_as_host(url: str, backend: GaapBackend) -> None:
    assert open_a(client(url)).InvalidStatusInstanceSet == []
    assert backend.status(A) == "RUNNING"
    assert backend.requests[0].headers["Host"] == url  # the SDK's endpoint string, verbatim


def test_right_key_is_accepted_with_host_and_port_as_endpoint(url: str, backend: GaapBackend) -> None:
    open_a(client(url.removeprefix("http://"), protocol="http"))
    assert backend.requests[0].headers["Host"] == url.removeprefix("http://")
    assert backend.status(A) == "RUNNING"


def test_wrong_key_is_signature_failure_and_changes_nothing(url: str, backend: GaapBackend) -> None:
    error = sdk_error(client(url, secret_key="not-the-key"))
    assert error.code == "AuthFailure.SignatureFailure"
    assert backend.status(A) == "CLOSED"
    assert not backend.requests[0].accepted


def test_auth_failure_messages_never_carry_a_key_or_the_signature(url: str, backend: GaapBackend) -> None:
    error = sdk_error(client(url, secret_key="not-the-key"))
    sent_signature = backend.requests[0].headers["Authorization"]
    assert "not-the-key" not in error.message
    assert SECRET_KEY not in error.message
    assert "Signature=***" in sent_signature  # the log keeps no signature either
    answer = requests.post(url, data=b"{}", headers={"X-TC-Action": "OpenProxies"}, timeout=5).text
    assert SECRET_KEY not in answer


def test_unknown_secret_id_is_secret_id_not_found(url: str) -> None:
    error = sdk_error(client(url, secret_id="AKIDnobody"))
    assert error.code == "AuthFailure.SecretIdNotFound"
    assert "AKIDnobody" not in error.message


def test_timestamp_over_300_seconds_old_is_signature_expire(url: str, backend: GaapBackend) -> None:
    answer = signed_post(url, timestamp=int(time.time()) - 400)
    assert answer["Error"]["Code"] == "AuthFailure.SignatureExpire"
    assert backend.status(A) == "CLOSED"


def test_timestamp_skew_is_allowed_up_to_300_seconds_either_way(backend: GaapBackend) -> None:
    body = json.dumps({"ProxyIds": [A]}).encode()
    headers = {
        "Content-Type": "application/json", "Host": "gaap.tencentcloudapi.com", "X-TC-Action": "DescribeProxiesStatus",
        "X-TC-Version": "2018-05-29", "X-TC-Timestamp": "1800000000",
    }
    headers["Authorization"] = authorization_header(SECRET_ID, SECRET_KEY, headers, body)

    def code_at(now: float) -> str | None:
        responder = GaapResponder(backend, {SECRET_ID: SECRET_KEY}, wall_clock=lambda: now)
        reply = responder.handle("POST", "/", headers, body)
        assert reply.body is not None
        return json.loads(reply.body)["Response"].get("Error", {}).get("Code")

    assert code_at(1800000000 - 300) is None
    assert code_at(1800000000 + 300) is None
    assert code_at(1800000000 + 301) == "AuthFailure.SignatureExpire"
    assert code_at(1800000000 - 301) == "AuthFailure.SignatureExpire"


@pytest.mark.parametrize("authorization", ["", "Bearer abc", "TC3-HMAC-SHA256 Credential=AKIDsigner/x"])
def test_missing_or_malformed_authorization_is_invalid_authorization(url: str, authorization: str) -> None:
    assert signed_post(url, authorization=authorization)["Error"]["Code"] == "AuthFailure.InvalidAuthorization"


def test_body_changed_after_signing_is_signature_failure(url: str, backend: GaapBackend) -> None:
    backend.add_proxy("link-5678efgh")
    answer = signed_post(url, sent_body=json.dumps({"ProxyIds": ["link-5678efgh"]}).encode())
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert backend.status("link-5678efgh") == "CLOSED"


def test_host_header_is_verified_exactly_as_sent(url: str) -> None:
    bare = url.removeprefix("http://")
    assert "Error" not in signed_post(url, signed_host=bare, sent_host=bare)
    answer = signed_post(url, signed_host=bare, sent_host=url)
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_unsigned_payload_signatures_are_verified(url: str, backend: GaapBackend) -> None:
    gaap = client(url)
    gaap.profile.unsignedPayload = True
    open_a(gaap)
    assert backend.requests[0].headers["X-TC-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    assert backend.status(A) == "RUNNING"


def test_in_process_door_checks_signatures_when_given_keys() -> None:
    with mock_gaap(secret_id=SECRET_ID, secret_key=SECRET_KEY) as gaap:
        gaap.add_proxy(A)
        assert sdk_error(client(None, secret_key="not-the-key")).code == "AuthFailure.SignatureFailure"
        assert sdk_error(client(None, secret_id="AKIDnobody")).code == "AuthFailure.SecretIdNotFound"
        assert gaap.status(A) == "CLOSED"
        open_a(client(None))
        assert gaap.status(A) == "RUNNING"


def test_any_credentials_are_accepted_when_no_keys_are_configured(backend: GaapBackend) -> None:
    with mock_gaap() as gaap:
        gaap.add_proxy(A)
        open_a(client(None, "AKIDwhoever", "whatever"))
        assert gaap.status(A) == "RUNNING"
    with serve_in_thread(backend) as url:
        open_a(client(url, "AKIDanyone", "anything"))
        assert backend.status(A) == "RUNNING"


def test_key_derivation_matches_the_sdks_own() -> None:
    canonical = "POST\n/\n\ncontent-type:application/json\nhost:gaap.tencentcloudapi.com\n\ncontent-type;host\nabc"
    ours = signature(SECRET_KEY, "2026-01-02", "gaap", "1767312000", canonical)
    string_to_sign = (
        "TC3-HMAC-SHA256\n1767312000\n2026-01-02/gaap/tc3_request\n"
        + hashlib.sha256(canonical.encode()).hexdigest()
    )
    assert ours == Sign.sign_tc3(SECRET_KEY, "2026-01-02", "gaap", string_to_sign)
