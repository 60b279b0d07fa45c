"""The open request: what every trigger's event becomes before anything is planned or called."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from .config import Settings
from .errors import Refusal
from .ids import check_allowed, normalize_ids

if TYPE_CHECKING:
    from .models import DirectPayload


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


def from_payload(payload: DirectPayload, event_id: str, source: str, where: str, settings: Settings) -> OpenRequest:
    """The open request a validated direct payload asks for: its IDs (else the default list), its options."""
    try:
        ids = resolve_ids(payload.proxy_ids, where, settings)
    except Refusal as refusal:
        raise EventRefusal(refusal, source, event_id) from None
    return OpenRequest(
        event_id=event_id,
        source=source,
        proxy_ids=ids,
        dry_run=settings.dry_run or bool(payload.DryRun),  # an event can turn dry run on, never off
        wait_seconds=payload.WaitSeconds,
        callback_url=payload.CallbackUrl,
    )


class EventRefusal(Refusal):
    """A refusal that already knows which source and event it concerns."""

    def __init__(self, refusal: Refusal, source: str, event_id: str | None) -> None:
        super().__init__(refusal.message, refusal.code)
        self.source = source
        self.event_id = event_id
