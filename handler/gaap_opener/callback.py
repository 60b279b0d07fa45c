"""Callback: POST the result document to the configured (or an allowed event-chosen) URL, signed.

Headers: Content-Type: application/json, X-Gaap-Opener-Event-Id, and with a secret
X-Gaap-Opener-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
Connection errors, 429 and 5xx are retried with backoff; other answers are final.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .config import Settings
from .document import CallbackInfo
from .errors import INVALID_EVENT, ConfigError, Refusal
from .timing import Backoff, CallTimedOut, Deadline, call_within

MAX_ATTEMPTS = 3
ATTEMPT_TIMEOUT = 5.0
MIN_ATTEMPT_SECONDS = 0.3
URL_RULE = "a callback URL must be https (http only to loopback) with a host name"


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST_LABELS = re.compile(r"(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?")


def _valid_host(host: str) -> bool:
    """A DNS name of non-empty labels, or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return len(host) <= 253 and _HOST_LABELS.fullmatch(host) is not None


def url_problem(url: str) -> str | None:
    """Why a callback URL is unusable, or None. Checked as requests will parse it, so a URL that
    passes here cannot fail later, after the proxies are open."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # raises on a malformed port
        from requests.models import PreparedRequest

        PreparedRequest().prepare_url(url, None)
    except Exception:  # noqa: BLE001 - any parse failure means the same: unusable
        return URL_RULE
    if not host or parts.scheme not in ("https", "http") or not _valid_host(host):
        return URL_RULE
    if parts.scheme == "http" and not is_loopback(host):
        return URL_RULE
    return None


def safe_url(url: str) -> str:
    """scheme://host[:port] of a URL, for messages: no credentials, no path (a webhook's path may be
    its secret), no query. Never raises."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "<unparseable URL>"
    if not parts.scheme or not host:
        return "<unparseable URL>"
    return f"{parts.scheme}://{host}/..." if parts.path.strip("/") or parts.query else f"{parts.scheme}://{host}"


def check_configured_url(settings: Settings) -> None:
    """GAAP_OPENER_CALLBACK_URL must follow the same rule as an event's."""
    if settings.callback_url is not None and url_problem(settings.callback_url):
        raise ConfigError("GAAP_OPENER_CALLBACK_URL", safe_url(settings.callback_url), URL_RULE)


def choose_url(event_url: str | None, settings: Settings) -> str | None:
    """The event's CallbackUrl if its host is allowed, else the configured one; refuse the others."""
    if event_url is None or not event_url.strip():
        return settings.callback_url
    url = event_url.strip()
    problem = url_problem(url)
    if problem:
        raise Refusal(f"CallbackUrl {safe_url(url)!r:.120}: {problem}", INVALID_EVENT)
    host = (urlsplit(url).hostname or "").lower()
    allowed = settings.callback_allowed_hosts
    if not allowed or host not in allowed:
        rule = ("events may not choose a callback URL: GAAP_OPENER_CALLBACK_ALLOWED_HOSTS is not set"
                if not allowed else "its host is not in GAAP_OPENER_CALLBACK_ALLOWED_HOSTS")
        raise Refusal(f"CallbackUrl host {host!r}: {rule}", INVALID_EVENT)
    return url


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Gaap-Opener-Signature value: t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


_session: Any = None


def _http_session() -> Any:
    """One requests.Session per instance: keep-alive across warm invocations."""
    global _session
    if _session is None:
        import requests

        _session = requests.Session()
    return _session


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Any:
    answer = _http_session().post(url, data=body, headers=headers, allow_redirects=False, timeout=timeout)
    answer.close()
    return answer


def deliver(
    url: str,
    document: dict[str, Any],
    secret: str | None,
    deadline: Deadline,
    sleep: Callable[[float], None],
    wall_time: Callable[[], float],
    backoff: Backoff | None = None,
) -> CallbackInfo:
    """POST the document; retry connection errors, 429 and 5xx within the attempt limit and the deadline."""
    import requests

    backoff = backoff or Backoff(base=0.5, cap=2.0, max_attempts=MAX_ATTEMPTS)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    attempts = 0
    error: str | None = None
    while attempts < MAX_ATTEMPTS:
        remaining = deadline.remaining()
        if remaining < MIN_ATTEMPT_SECONDS:
            error = f"{error}; " if error else ""
            error += "the invocation's deadline came before the callback was delivered"
            break
        headers = {"Content-Type": "application/json", "X-Gaap-Opener-Event-Id": str(document.get("event_id") or "")}
        if secret:
            headers["X-Gaap-Opener-Signature"] = sign(secret, int(wall_time()), body)
        attempts += 1
        timeout = min(ATTEMPT_TIMEOUT, remaining)
        try:
            answer = call_within(
                lambda: _post(url, body, headers, timeout), timeout + 0.1  # noqa: B023 - called at once
            )
        except (requests.RequestException, CallTimedOut) as exc:
            error = f"connection error: {type(exc).__name__}"
            retry = True
        except Exception as exc:  # noqa: BLE001 - a URL requests cannot send to: final, never fatal
            error = f"cannot send: {type(exc).__name__}"
            retry = False
        else:
            if 200 <= answer.status_code < 300:
                return CallbackInfo(True, attempts)
            error = f"HTTP {answer.status_code} from the receiver"
            retry = answer.status_code == 429 or answer.status_code >= 500
        if not retry:
            break
        if attempts < MAX_ATTEMPTS:
            pause = backoff.delay(attempts)
            if pause > deadline.remaining() - MIN_ATTEMPT_SECONDS:
                break
            sleep(pause)
    return CallbackInfo(False, attempts, error)
