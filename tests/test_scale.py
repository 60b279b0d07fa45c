"""Batches, pacing under GAAP's 20 requests/s, waiting for RUNNING, and one event in three processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import FAKE_ENV, invoke, open_calls, scf_context

from fakegaap import GaapBackend, ManualClock, mock_gaap, serve_in_thread

ROOT = Path(__file__).resolve().parents[1]
THOUSAND = [f"link-{n:08d}" for n in range(1000)]


def test_1000_proxies_open_in_10_calls(gaap: Any) -> None:
    for proxy_id in THOUSAND:
        gaap.add_proxy(proxy_id, status="CLOSED")
    result = invoke({"ProxyIds": THOUSAND, "EventId": "big"})
    assert result["status"] == "succeeded" and len(result["opened"]) == 1000
    calls = open_calls(gaap)
    assert len(calls) == 10 and all(len(c.params["ProxyIds"]) == 100 for c in calls)
    assert len({c.client_token for c in calls}) == 10
    assert [c["proxy_ids"] for c in result["calls"]] == [THOUSAND[i : i + 100] for i in range(0, 1000, 100)]


def test_45_single_id_batches_are_paced_and_none_is_refused_for_rate(gaap: Any) -> None:
    ids = THOUSAND[:45]
    for proxy_id in ids:
        gaap.add_proxy(proxy_id, status="CLOSED")
    started = time.monotonic()
    result = invoke({"ProxyIds": ids, "EventId": "paced"}, env={"GAAP_OPENER_BATCH_SIZE": "1"})
    elapsed = time.monotonic() - started
    assert result["status"] == "succeeded" and len(result["opened"]) == 45
    calls = open_calls(gaap)
    assert len(calls) == 45  # no retries were needed
    assert not [c for c in calls if c.error_code is not None]
    assert elapsed >= 2.0  # 45 calls at 20 per sliding second need two full windows


def test_waiting_reports_running_once_opened() -> None:
    clock = ManualClock()
    with mock_gaap(opening_seconds=4.0, clock=clock) as fake:
        fake.add_proxy("link-aaaaaaaa", status="CLOSED")
        result = invoke({"ProxyIds": ["link-aaaaaaaa"], "EventId": "w", "WaitSeconds": 30},
                        clock=clock, sleep=clock.advance)
    assert result["status"] == "succeeded"
    assert result["statuses"] == {"link-aaaaaaaa": "RUNNING"}
    assert 4.0 <= clock() <= 10.0
    assert len(fake.calls("DescribeProxiesStatus")) >= 2


def test_wait_that_ends_early_keeps_the_status_and_shows_where_proxies_were() -> None:
    clock = ManualClock()
    with mock_gaap(opening_seconds=60.0, clock=clock) as fake:
        fake.add_proxy("link-aaaaaaaa", status="CLOSED")
        result = invoke({"ProxyIds": ["link-aaaaaaaa"], "EventId": "w2"},
                        env={"GAAP_OPENER_WAIT_SECONDS": "5"}, clock=clock, sleep=clock.advance)
    assert result["status"] == "succeeded"
    assert result["statuses"] == {"link-aaaaaaaa": "OPENING"}
    assert clock() <= 5.0 + 1e-9


def test_waiting_never_runs_past_the_function_deadline() -> None:
    clock = ManualClock()
    with mock_gaap(opening_seconds=600.0, clock=clock) as fake:
        fake.add_proxy("link-aaaaaaaa", status="CLOSED")
        result = invoke({"ProxyIds": ["link-aaaaaaaa"], "EventId": "w3", "WaitSeconds": 900},
                        context=scf_context(time_limit_ms=10000), clock=clock, sleep=clock.advance)
    assert result["status"] == "succeeded" and result["statuses"] == {"link-aaaaaaaa": "OPENING"}
    assert clock() < 10.0


def test_one_timer_event_in_three_processes_opens_once(tmp_path: Path) -> None:
    event = tmp_path / "timer.json"
    event.write_text(json.dumps({"Type": "Timer", "TriggerName": "open-at-0800",
                                 "Time": "2026-11-30T08:00:00Z", "Message": "link-aaaaaaaa,link-bbbbbbbb"}))
    backend = GaapBackend(opening_seconds=0.0)
    backend.add_proxy("link-aaaaaaaa", status="CLOSED")
    backend.add_proxy("link-bbbbbbbb", status="CLOSED")
    with serve_in_thread(backend) as url:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("GAAP_OPENER_")}, **FAKE_ENV,
               "PYTHONPATH": str(ROOT / "handler"), "GAAP_OPENER_ENDPOINT": url}
        processes = [subprocess.Popen([sys.executable, "-m", "gaap_opener", "invoke", "--event", str(event)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
        outputs = [p.communicate(timeout=60) for p in processes]
    results = [json.loads(out) for out, _ in outputs]
    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outputs]
    assert [r["status"] for r in results] == ["succeeded"] * 3
    assert all(r["opened"] == ["link-aaaaaaaa", "link-bbbbbbbb"] for r in results)
    opens = backend.calls("OpenProxies")
    assert len({c.client_token for c in opens}) == 1
    assert len([c for c in opens if c.accepted]) == 1
    assert sorted(r["calls"][0]["replayed"] for r in results) == [False, True, True]


def test_pacer_counts_a_call_from_its_answer_so_gaap_never_sees_21_in_a_second() -> None:
    from gaap_opener.timing import Pacer

    clock = ManualClock()
    pacer = Pacer(clock, clock.advance)
    starts = []
    for _ in range(41):
        pacer.wait_turn()
        starts.append(clock())
        clock.advance(0.03)  # each call takes 30 ms to answer
        pacer.finished()
    # the 21st call starts at least a second after the 1st call's answer, the 41st after the 21st's
    assert starts[20] >= starts[0] + 0.03 + 1.0
    assert starts[40] >= starts[20] + 0.03 + 1.0
    assert all(starts[i + 1] - starts[i] <= 0.031 for i in range(19))  # no waiting before the 21st
