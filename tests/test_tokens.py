"""ClientTokens: derived only from namespace, event ID and the batch's sorted IDs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from gaap_opener.plan import client_token, plan_batches
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def test_token_is_stable_and_within_gaaps_limits() -> None:
    token = client_token("ns", "event-1", ["link-aaaaaaaa", "link-bbbbbbbb"])
    assert token == client_token("ns", "event-1", ["link-bbbbbbbb", "link-aaaaaaaa"])
    assert TOKEN.fullmatch(token)


def test_token_differs_for_another_event_batch_or_namespace() -> None:
    ids = ["link-aaaaaaaa", "link-bbbbbbbb"]
    tokens = {
        client_token("ns", "event-1", ids),
        client_token("ns", "event-2", ids),
        client_token("ns", "event-1", ids[:1]),
        client_token("other", "event-1", ids),
    }
    assert len(tokens) == 4


def test_parts_cannot_run_into_each_other() -> None:
    # Plain concatenation would make ("ab", "c") and ("a", "bc") collide.
    assert client_token("ab", "c", ["link-aaaaaaaa"]) != client_token("a", "bc", ["link-aaaaaaaa"])


def test_batches_split_sorted_ids_each_with_its_own_token() -> None:
    ids = [f"link-{n:08d}" for n in range(250)][::-1]
    batches = plan_batches("ns", "e", ids, 100)
    assert [len(b.proxy_ids) for b in batches] == [100, 100, 50]
    assert [i for b in batches for i in b.proxy_ids] == sorted(ids)
    assert len({b.client_token for b in batches}) == 3


@given(
    st.text(max_size=40),
    st.text(min_size=1, max_size=128),
    st.lists(st.from_regex(r"link-[a-z0-9]{8}", fullmatch=True), min_size=1, max_size=20),
)
def test_every_token_is_at_most_64_safe_ascii_characters(namespace: str, event_id: str, ids: list[str]) -> None:
    assert TOKEN.fullmatch(client_token(namespace, event_id, ids))


def _planned_tokens(event_file: Path, hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'handler'}{os.pathsep}{ROOT}", "PYTHONHASHSEED": hash_seed,
           "GAAP_OPENER_DRY_RUN": "true", "GAAP_OPENER_BATCH_SIZE": "1", "SCF_FUNCTIONNAME": "token-test"}
    done = subprocess.run([sys.executable, "-m", "gaap_opener", "invoke", "--event", str(event_file)],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "dry_run"
    return [call["client_token"] for call in result["calls"]]


def test_tokens_are_identical_across_separate_processes(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"EventId": "evt-1", "ProxyIds": ["link-bbbbbbbb", "link-aaaaaaaa"]}))
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"EventId": "evt-2", "ProxyIds": ["link-bbbbbbbb", "link-aaaaaaaa"]}))

    first = _planned_tokens(event, "1")
    second = _planned_tokens(event, "2")
    assert first == second and len(first) == 2 and len(set(first)) == 2
    assert set(_planned_tokens(other, "3")).isdisjoint(first)
