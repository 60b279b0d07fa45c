"""The fake GAAP service itself: proxies and their statuses, the client tokens seen, the rate limit,
injected faults and the log of every request. It knows nothing of HTTP; the doors reach it through
`fakegaap.responses`."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .exceptions import (
    duplicated_request,
    invalid_parameter_value,
    missing_parameter,
    request_limit_exceeded,
    resource_not_found,
)

# DescribeProxies adds CLONING and RECOVERING to the statuses the other actions document.
STATUSES = frozenset(
    {
        "RUNNING", "CREATING", "DESTROYING", "OPENING", "CLOSING", "CLOSED",
        "ADJUSTING", "ISOLATING", "ISOLATED", "MOVING", "CLONING", "RECOVERING",
    }
)
ANY_ACTION = "*"
MAX_CLIENT_TOKEN_LENGTH = 64
DESCRIBE_PROXIES_MAX_IDS = 100
DESCRIBE_PROXIES_MAX_LIMIT = 100
DESCRIBE_PROXIES_DEFAULT_LIMIT = 20
RATE_WINDOW_SECONDS = 1.0


@dataclass
class RecordedRequest:
    """One request as the fake saw it, and what it answered."""

    action: str
    params: dict[str, Any]
    client_token: str | None
    headers: dict[str, str]
    time: float
    secret_id: str | None = None
    response: dict[str, Any] | None = None
    """The decoded JSON answer; None when no JSON answer was sent (network fault, non-JSON status)."""
    status_code: int | None = None
    """The HTTP status sent; None when the connection was dropped."""
    fault: str | None = None
    """The injected fault this request consumed: "code", "network", "http_status", "delay", or None."""
    accepted: bool = False
    """The action was carried out (for Open/CloseProxies: statuses changed, token recorded)."""
    duplicate: bool = False
    """Refused with FailedOperation.DuplicatedRequest (a reused ClientToken)."""

    @property
    def error_code(self) -> str | None:
        """The GAAP error code answered, if the answer was a GAAP error."""
        error = (self.response or {}).get("Response", {}).get("Error")
        code = error.get("Code") if isinstance(error, dict) else None
        return code if isinstance(code, str) else None

    @property
    def request_id(self) -> str | None:
        """The RequestId answered, if a JSON answer was sent."""
        request_id = (self.response or {}).get("Response", {}).get("RequestId")
        return request_id if isinstance(request_id, str) else None


@dataclass
class Fault:
    """An injected failure, waiting for the next `remaining` calls of `action` ("*": any action)."""

    action: str
    code: str | None = None
    message: str | None = None
    network: bool = False
    http_status: int | None = None
    delay: float = 0.0
    after: bool = False
    remaining: int = 1

    @property
    def kind(self) -> str:
        if self.network:
            return "network"
        if self.http_status is not None:
            return "http_status"
        if self.code is not None:
            return "code"
        return "delay"


@dataclass
class _Proxy:
    proxy_id: str
    name: str
    status: str
    created_at: int
    open_fails: bool = False
    close_fails: bool = False
    target: str | None = None  # the status a transition ends in, reached at settles_at
    settles_at: float = 0.0

    def settle(self, now: float) -> str:
        """The status at `now`: transitions are computed lazily from their timestamps."""
        if self.target is not None and now >= self.settles_at:
            self.status, self.target = self.target, None
        return self.status


@dataclass(frozen=True)
class _Switch:
    """An Open/Close transition: only `source` proxies move, through `via`, to `target`."""

    source: str
    via: str
    target: str
    fails_flag: str


_OPEN = _Switch("CLOSED", "OPENING", "RUNNING", "open_fails")
_CLOSE = _Switch("RUNNING", "CLOSING", "CLOSED", "close_fails")


class GaapBackend:
    """The state and rules of one fake GAAP account. Thread-safe; time comes from `clock`."""

    def __init__(
        self,
        *,
        opening_seconds: float = 0.0,
        closing_seconds: float | None = None,
        rate_limit: int | None = 20,
        max_ids_per_call: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.opening_seconds = opening_seconds
        self.closing_seconds = opening_seconds if closing_seconds is None else closing_seconds
        self.rate_limit = rate_limit
        self.max_ids_per_call = max_ids_per_call
        self.clock = clock
        self._lock = threading.RLock()
        self._proxies: dict[str, _Proxy] = {}
        self._tokens: set[str] = set()
        self._admitted: deque[float] = deque()
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []

    # -- seeding and inspection (for tests) ------------------------------------------------------

    def add_proxy(
        self,
        proxy_id: str,
        status: str = "CLOSED",
        *,
        open_fails: bool = False,
        close_fails: bool = False,
        name: str | None = None,
    ) -> None:
        """Create (or replace) a proxy. `open_fails`: OpenProxies reports it in
        OperationFailedInstanceSet and leaves it as it was; `close_fails` likewise for CloseProxies."""
        _check_status(status)
        with self._lock:
            self._proxies[proxy_id] = _Proxy(
                proxy_id=proxy_id,
                name=name if name is not None else proxy_id,
                status=status,
                created_at=int(time.time()),
                open_fails=open_fails,
                close_fails=close_fails,
            )

    def set_status(self, proxy_id: str, status: str) -> None:
        """Put an existing proxy in `status` at once, ending any transition it was in."""
        _check_status(status)
        with self._lock:
            proxy = self._proxies[proxy_id]
            proxy.status, proxy.target = status, None

    def status(self, proxy_id: str) -> str:
        """The proxy's status now (KeyError if there is no such proxy)."""
        with self._lock:
            return self._proxies[proxy_id].settle(self.clock())

    def statuses(self) -> dict[str, str]:
        """Every proxy's status now, in the order they were added."""
        with self._lock:
            now = self.clock()
            return {pid: proxy.settle(now) for pid, proxy in self._proxies.items()}

    @property
    def client_tokens(self) -> frozenset[str]:
        """The ClientTokens of every accepted OpenProxies/CloseProxies call."""
        with self._lock:
            return frozenset(self._tokens)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request seen, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._requests)

    def calls(self, action: str) -> list[RecordedRequest]:
        """The requests for one action, in arrival order."""
        with self._lock:
            return [r for r in self._requests if r.action == action]

    # -- fault injection ----------------------------------------------------------------------------

    def fail_next(
        self,
        action: str,
        code: str | None = None,
        message: str | None = None,
        times: int = 1,
        network: bool = False,
        http_status: int | None = None,
        delay: float = 0.0,
        after: bool = False,
    ) -> None:
        """Make the next `times` calls of `action` ("*": any action) fail.

        `code`: a GAAP error answer (HTTP 200). `network`: no answer at all. `http_status`: that status
        with a non-JSON body (a JSON GAAP error if `code` is given too). `delay`: wait that long before
        answering; alone it only slows a normal answer. With none of these, `InternalError`.
        `after`: carry the action out first (statuses change, the token is recorded), then fail.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        if network and (code is not None or http_status is not None):
            raise ValueError("network=True sends no answer: it cannot carry a code or an HTTP status")
        if http_status is not None and not 100 <= http_status <= 599:
            raise ValueError("http_status must be an HTTP status code")
        if delay < 0:
            raise ValueError("delay must not be negative")
        if not network and http_status is None and code is None and (delay == 0 or after):
            code = "InternalError"
        fault = Fault(action, code, message, network, http_status, delay, after, times)
        with self._lock:
            self._faults.append(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        """Injected faults not yet consumed, in the order they will be."""
        with self._lock:
            return [Fault(**vars(f)) for f in self._faults]

    def take_fault(self, action: str) -> Fault | None:
        """Consume one use of the earliest injected fault that matches `action`."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.action in (action, ANY_ACTION):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        del self._faults[index]
                    return Fault(**{**vars(fault), "remaining": 1})
            return None

    # -- the request log and the rate limit (used by the doors) ------------------------------------

    def record_request(
        self, action: str, params: dict[str, Any], headers: dict[str, str], secret_id: str | None = None
    ) -> RecordedRequest:
        """Append a request to the log as it arrives; the door fills in the answer later."""
        token = params.get("ClientToken")
        with self._lock:
            record = RecordedRequest(
                action=action,
                params=params,
                client_token=token if isinstance(token, str) else None,
                headers=headers,
                time=self.clock(),
                secret_id=secret_id,
            )
            self._requests.append(record)
            return record

    def admit_request(self) -> None:
        """Count one request against the sliding one-second window, or refuse it
        (RequestLimitExceeded). A refused request does not count."""
        limit = self.rate_limit
        if not limit:
            return
        with self._lock:
            now = self.clock()
            while self._admitted and self._admitted[0] <= now - RATE_WINDOW_SECONDS:
                self._admitted.popleft()
            if len(self._admitted) >= limit:
                raise request_limit_exceeded(limit)
            self._admitted.append(now)

    # -- the actions --------------------------------------------------------------------------------

    def open_proxies(
        self, proxy_ids: Iterable[str], client_token: str | None = None
    ) -> dict[str, list[str]]:
        """OpenProxies: CLOSED proxies go OPENING, then RUNNING after `opening_seconds`."""
        return self._switch(_OPEN, proxy_ids, client_token, self.opening_seconds)

    def close_proxies(
        self, proxy_ids: Iterable[str], client_token: str | None = None
    ) -> dict[str, list[str]]:
        """CloseProxies: RUNNING proxies go CLOSING, then CLOSED after `closing_seconds`."""
        return self._switch(_CLOSE, proxy_ids, client_token, self.closing_seconds)

    def describe_proxies_status(self, proxy_ids: Iterable[str]) -> dict[str, Any]:
        """DescribeProxiesStatus: the status of each named proxy."""
        ids = self._checked_ids(proxy_ids, required=True)
        with self._lock:
            self._require_known(ids)
            now = self.clock()
            return {
                "InstanceStatusSet": [
                    {"InstanceId": pid, "Status": self._proxies[pid].settle(now)} for pid in ids
                ]
            }

    def describe_proxies(
        self,
        proxy_ids: Iterable[str] = (),
        offset: int = 0,
        limit: int | None = None,
        *,
        independent: int | None = None,
        order: str = "desc",
        order_field: str = "create_time",
    ) -> dict[str, Any]:
        """DescribeProxies: the named proxies (all when none is named) that exist, a page of them."""
        ids = self._checked_ids(proxy_ids, required=False)
        if len(ids) > DESCRIBE_PROXIES_MAX_IDS:
            raise invalid_parameter_value("ProxyIds", f"at most {DESCRIBE_PROXIES_MAX_IDS} IDs per call")
        if offset < 0:
            raise invalid_parameter_value("Offset", "must not be negative")
        if limit is None or limit == 0:
            limit = DESCRIBE_PROXIES_DEFAULT_LIMIT
        if not 0 < limit <= DESCRIBE_PROXIES_MAX_LIMIT:
            raise invalid_parameter_value("Limit", f"must be between 1 and {DESCRIBE_PROXIES_MAX_LIMIT}")
        if order not in ("asc", "desc"):
            raise invalid_parameter_value("Order", "must be asc or desc")
        if order_field not in ("create_time", "proxy_id", "bandwidth", "concurrent_connections"):
            raise invalid_parameter_value("OrderField", "not a field proxies can be ordered by")
        with self._lock:
            now = self.clock()
            # Every fake proxy is independent (in no proxy group).
            seq = list(self._proxies) if independent in (None, 1) else []
            chosen = [self._proxies[pid] for pid in seq if not ids or pid in ids]
            if order_field == "proxy_id":
                chosen.sort(key=lambda p: p.proxy_id)
            if order == "desc":
                chosen.reverse()
            page = [_proxy_info(p, p.settle(now)) for p in chosen[offset : offset + limit]]
        return {"TotalCount": len(chosen), "ProxySet": page, "InstanceSet": [dict(p) for p in page]}

    # -- rules --------------------------------------------------------------------------------------

    def _switch(
        self, switch: _Switch, proxy_ids: Iterable[str], client_token: str | None, seconds: float
    ) -> dict[str, list[str]]:
        ids = self._checked_ids(proxy_ids, required=True)
        token = _checked_token(client_token)
        with self._lock:
            if token is not None and token in self._tokens:
                raise duplicated_request(token)
            self._require_known(ids)
            now = self.clock()
            invalid_status: list[str] = []
            operation_failed: list[str] = []
            for pid in ids:
                proxy = self._proxies[pid]
                if proxy.settle(now) != switch.source:
                    invalid_status.append(pid)
                elif getattr(proxy, switch.fails_flag):
                    operation_failed.append(pid)
                else:
                    proxy.status, proxy.target, proxy.settles_at = switch.via, switch.target, now + seconds
            if token is not None:
                self._tokens.add(token)
        return {"InvalidStatusInstanceSet": invalid_status, "OperationFailedInstanceSet": operation_failed}

    def _checked_ids(self, proxy_ids: Iterable[str], *, required: bool) -> list[str]:
        ids = list(dict.fromkeys(proxy_ids))
        if required and not ids:
            raise missing_parameter("ProxyIds")
        if self.max_ids_per_call is not None and len(ids) > self.max_ids_per_call:
            raise invalid_parameter_value("ProxyIds", f"at most {self.max_ids_per_call} IDs per call")
        return ids

    def _require_known(self, ids: list[str]) -> None:
        unknown = [pid for pid in ids if pid not in self._proxies]
        if unknown:
            raise resource_not_found(unknown)


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown proxy status {status!r}; expected one of {sorted(STATUSES)}")


def _checked_token(client_token: str | None) -> str | None:
    """An empty token counts as none; otherwise at most 64 printable ASCII characters."""
    if client_token is None or client_token == "":
        return None
    if (
        not isinstance(client_token, str)
        or len(client_token) > MAX_CLIENT_TOKEN_LENGTH
        or not all(" " < ch < "\x7f" for ch in client_token)
    ):
        raise invalid_parameter_value(
            "ClientToken", f"at most {MAX_CLIENT_TOKEN_LENGTH} printable ASCII characters"
        )
    return client_token


def _proxy_info(proxy: _Proxy, status: str) -> dict[str, Any]:
    """A ProxyInfo as DescribeProxies answers it (only fields the SDK's model knows)."""
    return {
        "ProxyId": proxy.proxy_id,
        "InstanceId": proxy.proxy_id,
        "ProxyName": proxy.name,
        "Status": status,
        "CreateTime": proxy.created_at,
        "ProjectId": 0,
        "AccessRegion": "SouthChina",
        "RealServerRegion": "NorthChina",
        "Bandwidth": 10,
        "Concurrent": 2,
        "Domain": f"{proxy.proxy_id}.gaap.example",
        "IP": "",
        "Version": "1.0",
        "Scalarable": 1,
        "SupportProtocols": ["TCP", "UDP"],
        "GroupId": "",
        "TagSet": [],
        "ProxyType": 0,
        "IPAddressVersion": "IPv4",
        "NetworkType": "normal",
        "BanStatus": "UNBANNED",
    }


