"""The pydantic model at the input boundary: the direct payload (also a timer's JSON Message and an HTTP body).

The result document going out is built by document.py and described, for validation, by schema.py."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import Refusal
from .ids import PROXY_ID_PATTERN, PROXY_ID_RULE, parse_id_list

DIRECT_FIELDS = frozenset({"ProxyIds", "InstanceIds", "EventId", "DryRun", "WaitSeconds", "CallbackUrl"})
MAX_EVENT_ID_LENGTH = 128
EVENT_ID_RULE = f"an event ID is 1 to {MAX_EVENT_ID_LENGTH} printable ASCII characters"


def _proxy_id_field(value: object, info: Any) -> tuple[str, ...]:
    """Parse one ID field and check each ID's format; de-duplication and sorting come after merging."""
    where = info.field_name
    items = parse_id_list(value, where)
    for raw in items:
        if not PROXY_ID_PATTERN.fullmatch(raw.strip()):
            raise ValueError(f"{raw!r} is not a valid proxy ID: {PROXY_ID_RULE}")
    return tuple(item.strip() for item in items)


def check_event_id(value: object, where: str = "EventId") -> str | None:
    """An event ID is a non-empty printable ASCII string (or an integer); it feeds tokens and headers."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Refusal(f"{where} is {value!r:.80}: {EVENT_ID_RULE}")
    text = str(value).strip()
    if not text or len(text) > MAX_EVENT_ID_LENGTH or not all(" " <= ch <= "~" for ch in text):
        raise Refusal(f"{where} is {text!r:.80}: {EVENT_ID_RULE}")
    return text


def _event_id_field(value: object) -> str | None:
    try:
        return check_event_id(value)
    except Refusal:
        raise ValueError(f"{value!r:.80} is not a valid event ID: {EVENT_ID_RULE}") from None


ProxyIdField = Annotated[tuple[str, ...], BeforeValidator(_proxy_id_field)]


class DirectPayload(BaseModel):
    """The direct-invoke event (also a timer's JSON Message and an HTTP body): every field optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ProxyIds: ProxyIdField = ()
    InstanceIds: ProxyIdField = ()
    EventId: Annotated[str | None, BeforeValidator(_event_id_field)] = None
    DryRun: bool | None = None
    WaitSeconds: float | None = Field(default=None, ge=0, le=900, allow_inf_nan=False)
    CallbackUrl: str | None = Field(default=None, max_length=2048)

    @property
    def proxy_ids(self) -> tuple[str, ...]:
        """ProxyIds and the legacy InstanceIds together."""
        return self.ProxyIds + self.InstanceIds


def parse_direct_payload(data: dict[str, Any], where: str = "event") -> DirectPayload:
    """Validate a direct payload, turning pydantic's errors into one refusal that names value and rule."""
    try:
        return DirectPayload.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            location = ".".join(str(part) for part in error["loc"]) or where
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"] and error["loc"][0] == "CallbackUrl":
                # Never echo it: a URL may carry user:password@ or a token.
                message = "must be a URL string of at most 2048 characters"
            elif error["type"] == "extra_forbidden":
                message = f"unknown field; a direct payload accepts only {', '.join(sorted(DIRECT_FIELDS))}"
            elif not message.startswith(("'", '"')) and error["type"] != "value_error":
                message = f"{message} (got {error['input']!r:.80})"
            problems.append(f"{location}: {message}")
        raise Refusal(f"{where}: " + "; ".join(problems)) from None
