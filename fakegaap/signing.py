"""TC3-HMAC-SHA256: verify a request's signature the way the official SDK makes it
(`tencentcloud/common/abstract_client.py`, `_get_tc3_signature`; `common/sign.py`, `sign_tc3`)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from .exceptions import auth_failure

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "gaap"
MAX_CLOCK_SKEW_SECONDS = 300
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
REQUIRED_SIGNED_HEADERS = frozenset({"content-type", "host"})

_AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256\s+Credential=(?P<id>[^/\s,]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/\s,]+)"
    r"/tc3_request\s*,\s*SignedHeaders=(?P<headers>[a-z0-9;-]+)\s*,\s*Signature=(?P<sig>[0-9a-f]{64})\s*$"
)


@dataclass(frozen=True)
class Authorization:
    """The parts of an `Authorization: TC3-HMAC-SHA256 ...` header."""

    secret_id: str
    date: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> Authorization:
    """Split the Authorization header, or refuse it with AuthFailure.InvalidAuthorization."""
    match = _AUTHORIZATION.match(value or "")
    if match is None:
        raise auth_failure(
            "InvalidAuthorization",
            "The Authorization header is missing or not of the form "
            "`TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, "
            "SignedHeaders=content-type;host, Signature=<hex>`.",
        )
    return Authorization(
        secret_id=match["id"],
        date=match["date"],
        service=match["service"],
        signed_headers=tuple(match["headers"].split(";")),
        signature=match["sig"],
    )


def canonical_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    body: bytes,
) -> str:
    """The canonical request. `headers` has lower-case names; values are used exactly as sent
    (the SDK puts its endpoint string, e.g. `http://127.0.0.1:8765`, in Host and signs that)."""
    uri, _, query = path.partition("?")
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers)
    if headers.get("x-tc-content-sha256") == UNSIGNED_PAYLOAD:
        body = UNSIGNED_PAYLOAD.encode()
    return "\n".join(
        [method, uri or "/", query, canonical_headers, ";".join(signed_headers), hashlib.sha256(body).hexdigest()]
    )


def signature(secret_key: str, date: str, service: str, timestamp: str, canonical: str) -> str:
    """The hex signature of a canonical request, by TC3's key derivation."""
    scope = f"{date}/{service}/tc3_request"
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{digest}"
    key = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    key = _hmac(_hmac(key, service), "tc3_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(
    secret_id: str,
    secret_key: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str = "POST",
    path: str = "/",
    service: str = SERVICE,
) -> str:
    """Sign a request by hand (tests use it to build requests the SDK would not send).
    `headers` must hold X-TC-Timestamp, Content-Type and Host, under any case."""
    lower = {k.lower(): v for k, v in headers.items()}
    timestamp = lower["x-tc-timestamp"]
    date = _utc_date(int(timestamp))
    signed = ("content-type", "host")
    canonical = canonical_request(method, path, lower, signed, body)
    sig = signature(secret_key, date, service, timestamp, canonical)
    return (
        f"{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(signed)}, Signature={sig}"
    )


def verify(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: Mapping[str, str],
    now: float,
) -> str:
    """Check a request's TC3 signature against `credentials` (SecretId to SecretKey) and return the
    SecretId; raise the AuthFailure GAAP would answer. `headers` has lower-case names; `now` is Unix
    time. Messages never carry a key, a token or a signature."""
    auth = parse_authorization(headers.get("authorization"))
    missing = REQUIRED_SIGNED_HEADERS.difference(auth.signed_headers)
    if missing:
        raise auth_failure(
            "InvalidAuthorization", "SignedHeaders must include " + " and ".join(sorted(missing)) + "."
        )
    timestamp = headers.get("x-tc-timestamp", "").strip()
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise auth_failure("InvalidAuthorization", "X-TC-Timestamp is missing or not a Unix time in seconds.")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise auth_failure(
            "SignatureExpire",
            f"The request's X-TC-Timestamp is more than {MAX_CLOCK_SKEW_SECONDS} seconds away from the "
            "server's time: check the client's clock.",
        )
    if auth.date != _utc_date(int(timestamp)):
        raise auth_failure("InvalidAuthorization", "The credential date is not the UTC date of X-TC-Timestamp.")
    if auth.service != SERVICE:
        raise auth_failure("InvalidAuthorization", f"The credential's service must be `{SERVICE}`.")
    secret_key = credentials.get(auth.secret_id)
    if secret_key is None:
        raise auth_failure("SecretIdNotFound", "The SecretId is not found: check that it exists and is enabled.")
    canonical = canonical_request(method, path, headers, auth.signed_headers, body)
    expected = signature(secret_key, auth.date, auth.service, timestamp, canonical)
    if not hmac.compare_digest(expected, auth.signature):
        raise auth_failure(
            "SignatureFailure",
            "The provided credentials could not be validated: check the SecretKey and how the request "
            "is signed.",
        )
    return auth.secret_id


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _utc_date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")
