"""Settings from GAAP_OPENER_* environment variables, read once per invocation (it costs microseconds).

Rules of the contract: an empty value means unset (the SCF console cannot unset a variable);
booleans are true for true/1/yes/on in any case; lists are comma or whitespace separated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import urlsplit

from .errors import ConfigError, Refusal
from .ids import normalize_ids, split_id_text

DEFAULT_ENDPOINT = "gaap.tencentcloudapi.com"
DEFAULT_NAMESPACE = "gaap-opener"
MAX_BATCH_SIZE = 100
MAX_WAIT_SECONDS = 900.0  # SCF's longest timeout; the deadline bounds it further
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(NamedTuple):
    """What one deployment is configured to do. repr hides the callback secret and the token hash."""

    proxy_ids: tuple[str, ...] = ()
    allowed_proxy_ids: frozenset[str] | None = None
    alarm_proxy_map: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    endpoint: str = DEFAULT_ENDPOINT
    wait_seconds: float = 0.0
    batch_size: int = MAX_BATCH_SIZE
    dry_run: bool = False
    token_namespace: str = DEFAULT_NAMESPACE
    callback_url: str | None = None
    callback_secret: str | None = None
    callback_allowed_hosts: frozenset[str] | None = None
    api_token_sha256: str | None = None
    api_auth: str = "token"
    log_level: str = "INFO"

    def __repr__(self) -> str:
        shown = self._replace(
            callback_url="<hidden>" if self.callback_url else None,
            callback_secret="<hidden>" if self.callback_secret else None,
            api_token_sha256="<hidden>" if self.api_token_sha256 else None,
        )
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, shown, strict=True)) + ")"


def parse_bool(text: str, name: str) -> bool:
    """Parse a boolean the contract's way; anything unrecognised is an error, not a silent false."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, text, "expected a boolean: true/1/yes/on or false/0/no/off")


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _ids(environ: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    text = _get(environ, name)
    if text is None:
        return None
    try:
        return normalize_ids(split_id_text(text), name)
    except Refusal as refusal:
        raise ConfigError(name, text, refusal.message) from None


def _alarm_map(text: str | None) -> dict[str, tuple[str, ...]]:
    name = "GAAP_OPENER_ALARM_PROXY_MAP"
    if text is None:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        raise ConfigError(name, text, "expected a JSON object of policy ID to a list of proxy IDs") from None
    if not isinstance(raw, dict):
        raise ConfigError(name, text, "expected a JSON object of policy ID to a list of proxy IDs")
    mapping: dict[str, tuple[str, ...]] = {}
    for policy, ids in raw.items():
        items = split_id_text(ids) if isinstance(ids, str) else ids
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise ConfigError(name, text, f"the value for {policy!r} must be a list of proxy ID strings")
        try:
            mapping[policy] = normalize_ids(items, f"{name}[{policy!r}]")
        except Refusal as refusal:
            raise ConfigError(name, text, refusal.message) from None
    return mapping


def _number(environ: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    text = _get(environ, name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(name, text, f"expected a number from {low:g} to {high:g}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(name, text, f"expected a number from {low:g} to {high:g}")
    return value


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def split_endpoint(endpoint: str) -> tuple[str, str]:
    """GAAP_OPENER_ENDPOINT as (scheme, host[:port]): a bare host means https."""
    if "://" not in endpoint:
        host = endpoint.rstrip("/")
        if not host or "/" in host or any(ch.isspace() for ch in host):
            raise ConfigError("GAAP_OPENER_ENDPOINT", endpoint, "expected a host name or an http(s) URL without a path")
        return "https", host
    try:
        parts = urlsplit(endpoint)
        _ = parts.port
    except ValueError:
        raise ConfigError(
            "GAAP_OPENER_ENDPOINT", endpoint, "expected a host name or an http(s) URL without a path"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ConfigError(
            "GAAP_OPENER_ENDPOINT", endpoint, "expected a host name or an http(s) URL without a path"
        )
    return parts.scheme, parts.netloc


def load_settings(environ: Mapping[str, str], function_name: str | None = None) -> Settings:
    """Read every GAAP_OPENER_* variable; raise ConfigError naming the first unusable one."""
    batch_text = _get(environ, "GAAP_OPENER_BATCH_SIZE")
    batch_size = MAX_BATCH_SIZE
    if batch_text is not None:
        if not (batch_text.isascii() and batch_text.isdigit()) or not 1 <= int(batch_text) <= MAX_BATCH_SIZE:
            raise ConfigError("GAAP_OPENER_BATCH_SIZE", batch_text, f"expected an integer from 1 to {MAX_BATCH_SIZE}")
        batch_size = int(batch_text)

    dry_run_text = _get(environ, "GAAP_OPENER_DRY_RUN")
    api_auth = (_get(environ, "GAAP_OPENER_API_AUTH") or "token").lower()
    if api_auth not in ("token", "none"):
        raise ConfigError("GAAP_OPENER_API_AUTH", api_auth, "expected 'token' or 'none'")
    log_level = (_get(environ, "GAAP_OPENER_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError("GAAP_OPENER_LOG_LEVEL", log_level, f"expected one of {', '.join(LOG_LEVELS)}")
    token_hash = _get(environ, "GAAP_OPENER_API_TOKEN_SHA256")
    if token_hash is not None:
        token_hash = token_hash.lower()
        if len(token_hash) != 64 or any(c not in "0123456789abcdef" for c in token_hash):
            # Never echo the configured value: it is a hash of a secret.
            raise ConfigError("GAAP_OPENER_API_TOKEN_SHA256", "<hidden>", "expected 64 hex digits (a SHA-256)")
    allowed_hosts = _get(environ, "GAAP_OPENER_CALLBACK_ALLOWED_HOSTS")
    for host in split_id_text(allowed_hosts or ""):
        if ("/" in host or ":" in host) and not _is_ip(host):
            raise ConfigError("GAAP_OPENER_CALLBACK_ALLOWED_HOSTS", allowed_hosts or "",
                              f"{host!r}: list host names only, without scheme, port or path")
    allowed_ids = _ids(environ, "GAAP_OPENER_ALLOWED_PROXY_IDS")

    endpoint = _get(environ, "GAAP_OPENER_ENDPOINT") or DEFAULT_ENDPOINT
    split_endpoint(endpoint)  # a broken endpoint is reported on every invocation, not only when calling
    return Settings(
        proxy_ids=_ids(environ, "GAAP_OPENER_PROXY_IDS") or (),
        allowed_proxy_ids=frozenset(allowed_ids) if allowed_ids is not None else None,
        alarm_proxy_map=_alarm_map(_get(environ, "GAAP_OPENER_ALARM_PROXY_MAP")),
        endpoint=endpoint,
        wait_seconds=_number(environ, "GAAP_OPENER_WAIT_SECONDS", 0.0, 0.0, MAX_WAIT_SECONDS),
        batch_size=batch_size,
        dry_run=parse_bool(dry_run_text, "GAAP_OPENER_DRY_RUN") if dry_run_text else False,
        token_namespace=_get(environ, "GAAP_OPENER_TOKEN_NAMESPACE") or function_name or DEFAULT_NAMESPACE,
        callback_url=_get(environ, "GAAP_OPENER_CALLBACK_URL"),
        callback_secret=_get(environ, "GAAP_OPENER_CALLBACK_SECRET"),
        callback_allowed_hosts=(
            frozenset(host.lower() for host in split_id_text(allowed_hosts)) if allowed_hosts else None
        ),
        api_token_sha256=token_hash,
        api_auth=api_auth,
        log_level=log_level,
    )
