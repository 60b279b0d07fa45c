"""The open request: what every trigger's event becomes before anything is planned or called."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .config import Settings
from .errors import Refusal
from .ids import check_allowed, normalize_ids


class OpenRequest(NamedTuple):
    """One validated request to open proxies, with the event ID that makes it idempotent."""

    event_id: str
    source: str
    proxy_ids: tuple[str, ...]
    dry_run: bool = False
    wait_seconds: float | None = None
    callback_url: str | None = None
    skip_reason: str | None = None  # set when the event asks for nothing to be done (a resolved alarm)


def resolve_ids(named: Sequence[str], where: str, settings: Settings) -> tuple[str, ...]:
    """The event's IDs, else the default list; validated, sorted, de-duplicated and allow-listed."""
    if named:
        ids = normalize_ids(named, where)
    elif settings.proxy_ids:
        ids = settings.proxy_ids
    else:
        raise Refusal(
            f"{where}: no proxy IDs: the event names none and GAAP_OPENER_PROXY_IDS (the default list) is empty"
        )
    check_allowed(ids, settings.allowed_proxy_ids)
    return ids


class EventRefusal(Refusal):
    """A refusal that already knows which source and event it concerns."""

    def __init__(self, refusal: Refusal, source: str, event_id: str | None) -> None:
        super().__init__(refusal.message, refusal.code)
        self.source = source
        self.event_id = event_id
