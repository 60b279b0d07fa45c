"""The local invoke command, as `make run` uses it: every sample event succeeds on the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = sorted((ROOT / "events").glob("*.json"))


def run_invoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GAAP_OPENER_", "TENCENTCLOUD_"))}
    clean["PYTHONPATH"] = str(ROOT / "handler")  # as in SCF: only the code root; --emulator finds fakegaap
    return subprocess.run([sys.executable, "-m", "gaap_opener", "invoke", *args], cwd=ROOT,
                          env={**clean, **(env or {})}, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("event", EVENTS, ids=[e.name for e in EVENTS])
def test_every_sample_event_succeeds_against_the_emulator(event: Path) -> None:
    done = run_invoke("--event", str(event), "--emulator")
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    result = json.loads(answer["body"]) if "statusCode" in answer else answer
    assert result["status"] == "succeeded", result
    assert result["opened"] and result["opened"] == result["requested"]


def test_unreadable_event_file_is_a_usage_error() -> None:
    done = run_invoke("--event", "no/such/file.json")
    assert done.returncode == 2 and "cannot read event" in done.stderr


def test_rejected_event_exits_nonzero_with_the_result(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ProxyIds": ["nope"]}))
    done = run_invoke("--event", str(bad), "--emulator")
    assert done.returncode == 1
    assert json.loads(done.stdout)["status"] == "rejected"
