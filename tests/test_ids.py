"""Proxy ID validation: the contract's rules, and refusals that name the value and the rule."""

from __future__ import annotations

import pytest
from gaap_opener.errors import Refusal
from gaap_opener.ids import MAX_PROXY_IDS, PROXY_ID_PATTERN, check_allowed, normalize_ids, parse_id_list
from gaap_opener.models import parse_direct_payload
from hypothesis import given
from hypothesis import strategies as st

valid_id = st.from_regex(r"link-[a-z0-9]{8}", fullmatch=True)


def test_ids_are_trimmed_deduplicated_and_sorted() -> None:
    assert normalize_ids([" link-bbbbbbbb", "link-aaaaaaaa ", "link-bbbbbbbb"], "ProxyIds") == (
        "link-aaaaaaaa",
        "link-bbbbbbbb",
    )


@pytest.mark.parametrize(
    "bad",
    ["link-1234", "link-1234ABCD", "LINK-1234abcd", "lnk-1234abcd", "link-1234abcd9", "link_1234abcd", ""],
)
def test_malformed_id_is_refused_naming_value_and_rule(bad: str) -> None:
    with pytest.raises(Refusal) as refused:
        normalize_ids(["link-aaaaaaaa", bad], "ProxyIds")
    assert repr(bad) in refused.value.message
    assert "'link-' followed by 8 lowercase letters or digits" in refused.value.message
    assert refused.value.code == "InvalidEvent"


def test_more_than_1000_ids_are_refused() -> None:
    ids = [f"link-{n:08d}" for n in range(MAX_PROXY_IDS + 1)]
    with pytest.raises(Refusal, match="1001 proxy IDs requested: at most 1000"):
        normalize_ids(ids, "ProxyIds")
    assert len(normalize_ids(ids[:MAX_PROXY_IDS], "ProxyIds")) == MAX_PROXY_IDS


def test_non_string_item_is_refused_with_its_position() -> None:
    with pytest.raises(Refusal, match=r"ProxyIds\[1\] is 42: each proxy ID must be a string"):
        parse_id_list(["link-aaaaaaaa", 42], "ProxyIds")


def test_separated_string_is_accepted_as_a_list() -> None:
    assert parse_id_list("link-aaaaaaaa, link-bbbbbbbb\nlink-cccccccc", "ProxyIds") == [
        "link-aaaaaaaa",
        "link-bbbbbbbb",
        "link-cccccccc",
    ]


def test_ids_outside_the_allow_list_are_refused_by_name() -> None:
    with pytest.raises(Refusal) as refused:
        check_allowed(("link-aaaaaaaa", "link-bbbbbbbb", "link-cccccccc"), frozenset({"link-aaaaaaaa"}))
    assert refused.value.code == "NotAllowed"
    assert "link-bbbbbbbb, link-cccccccc" in refused.value.message
    assert "GAAP_OPENER_ALLOWED_PROXY_IDS" in refused.value.message


def test_direct_payload_refusals_name_field_value_and_rule() -> None:
    with pytest.raises(Refusal) as refused:
        parse_direct_payload({"ProxyIds": ["link-NOPE0000"], "DryRun": "maybe"})
    message = refused.value.message
    assert "ProxyIds" in message and "'link-NOPE0000'" in message and "lowercase" in message
    assert "DryRun" in message and "'maybe'" in message and "boolean" in message


def test_direct_payload_rejects_bad_event_id() -> None:
    with pytest.raises(Refusal, match=r"EventId.*printable ASCII"):
        parse_direct_payload({"EventId": "line\nbreak"})


@given(st.lists(valid_id, max_size=50))
def test_valid_ids_normalize_to_their_sorted_set(ids: list[str]) -> None:
    assert normalize_ids(ids, "ProxyIds") == tuple(sorted(set(ids)))


@given(st.text(max_size=30).filter(lambda s: not PROXY_ID_PATTERN.fullmatch(s.strip())))
def test_any_non_id_text_is_refused_with_its_repr(text: str) -> None:
    with pytest.raises(Refusal) as refused:
        normalize_ids([text], "ProxyIds")
    assert repr(text)[:60] in refused.value.message


def test_bad_event_id_is_named_in_the_refusal() -> None:
    with pytest.raises(Refusal, match=r"EventId: 'badé' is not a valid event ID: an event ID is 1 to 128 printable"):
        parse_direct_payload({"EventId": "badé"})
