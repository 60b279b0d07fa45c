"""Plan: split an open request into batches, each with its deterministic ClientToken."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import NamedTuple

TOKEN_PREFIX = "go1-"  # noqa: S105 - "gaap-opener, token scheme 1": a new scheme gets a new prefix
TOKEN_DIGEST_CHARS = 56  # 224 bits of SHA-256; prefix + digest = 60 of the 64 characters GAAP allows


class Batch(NamedTuple):
    """Proxy IDs for one OpenProxies call and the token that makes the call idempotent."""

    proxy_ids: tuple[str, ...]
    client_token: str


def client_token(namespace: str, event_id: str, proxy_ids: Sequence[str]) -> str:
    """Derive the ClientToken from the namespace, the event ID and the batch's sorted IDs only.

    The same event delivered again, in any process, yields the same token; any other event,
    namespace or batch yields another. JSON encoding keeps the three parts unambiguous.
    """
    material = json.dumps([namespace, event_id, sorted(proxy_ids)], separators=(",", ":"))
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
    return TOKEN_PREFIX + digest[:TOKEN_DIGEST_CHARS]


def plan_batches(namespace: str, event_id: str, proxy_ids: Sequence[str], batch_size: int) -> list[Batch]:
    """Split sorted IDs into consecutive batches of at most ``batch_size``, each with its token."""
    ids = sorted(proxy_ids)
    return [
        Batch(tuple(chunk), client_token(namespace, event_id, chunk))
        for chunk in (ids[start : start + batch_size] for start in range(0, len(ids), batch_size))
    ]
