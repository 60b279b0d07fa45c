"""Proxy ID lists: parse, trim, de-duplicate, sort and check them against the contract's rules."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import NOT_ALLOWED, Refusal

PROXY_ID_RULE = "a proxy ID is 'link-' followed by 8 lowercase letters or digits"
PROXY_ID_PATTERN = re.compile(r"link-[a-z0-9]{8}")
MAX_PROXY_IDS = 1000
_SEPARATORS = re.compile(r"[\s,]+")


def split_id_text(text: str) -> list[str]:
    """Split a comma- or whitespace-separated list of IDs ("a, b c") into its items."""
    return [item for item in _SEPARATORS.split(text) if item]


def parse_id_list(value: object, where: str) -> list[str]:
    """Turn a list of strings, or one separated string, into raw (untrimmed-checked) ID strings.

    ``where`` names the field in refusals, e.g. ``ProxyIds``.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return split_id_text(value)
    if isinstance(value, (list, tuple)):
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise Refusal(f"{where}[{index}] is {_show(item)}: each proxy ID must be a string")
            items.append(item)
        return items
    raise Refusal(f"{where} is {_show(value)}: expected a list of proxy IDs or a comma-separated string")


def normalize_ids(ids: Iterable[str], where: str) -> tuple[str, ...]:
    """Trim, validate, de-duplicate and sort proxy IDs; refuse the first malformed one and too many."""
    seen: set[str] = set()
    for raw in ids:
        proxy_id = raw.strip()
        if not PROXY_ID_PATTERN.fullmatch(proxy_id):
            raise Refusal(f"{where}: {_show(raw)} is not a valid proxy ID: {PROXY_ID_RULE}")
        seen.add(proxy_id)
    if len(seen) > MAX_PROXY_IDS:
        raise Refusal(f"{where}: {len(seen)} proxy IDs requested: at most {MAX_PROXY_IDS} per event")
    return tuple(sorted(seen))


def check_allowed(ids: tuple[str, ...], allowed: frozenset[str] | None) -> None:
    """Refuse IDs outside GAAP_OPENER_ALLOWED_PROXY_IDS (when set), naming every refused one."""
    if allowed is None:
        return
    refused = [proxy_id for proxy_id in ids if proxy_id not in allowed]
    if refused:
        raise Refusal(
            f"proxy IDs not allowed: {', '.join(refused)}: "
            "this function may open only the IDs in GAAP_OPENER_ALLOWED_PROXY_IDS",
            code=NOT_ALLOWED,
        )


def _show(value: object, limit: int = 80) -> str:
    """A short, quoted rendering of an offending value for a refusal message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
