"""HTTP authentication: a token, as ``Authorization: Bearer <token>`` or as the password of
``Authorization: Basic`` (all a Cloud Monitor callback URL can carry), checked against its SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from .config import Settings
from .errors import UNAUTHORIZED, Refusal


def presented_token(authorization: str | None) -> str | None:
    """The token in an Authorization header value, or None when there is none to read."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):  # not base64, not ASCII, not UTF-8
            return None
        _, separator, password = decoded.partition(":")
        return password if separator and password else None
    return None


def check_http_caller(headers: Mapping[str, str], settings: Settings) -> None:
    """Refuse (Unauthorized) unless the caller presents the configured token; messages never echo it."""
    if settings.api_auth == "none":
        return
    if settings.api_token_sha256 is None:
        raise Refusal(
            "HTTP calls are refused: GAAP_OPENER_API_TOKEN_SHA256 is not set "
            "(set it to the SHA-256 of a token, or GAAP_OPENER_API_AUTH=none to allow anyone)",
            code=UNAUTHORIZED,
        )
    token = presented_token(headers.get("authorization"))
    if token is None:
        raise Refusal(
            "missing credentials: send 'Authorization: Bearer <token>', or the token as the password "
            "of Basic authentication (https://user:<token>@host/...)",
            code=UNAUTHORIZED,
        )
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    if not hmac.compare_digest(digest, settings.api_token_sha256):
        raise Refusal("wrong token: its SHA-256 is not GAAP_OPENER_API_TOKEN_SHA256", code=UNAUTHORIZED)
