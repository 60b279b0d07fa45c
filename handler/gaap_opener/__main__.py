"""Local invoke: ``python -m gaap_opener invoke --event FILE [--emulator]`` (with handler/ on the path).

Calls main_handler with an SCF-shaped context and prints the result document on stdout (log lines
go to stderr). ``--emulator`` starts the embedded fake GAAP (fakegaap) on loopback, seeds it with
every proxy ID the event and the configuration mention (all CLOSED) and points the function at it;
where unset, it also sets fake credentials and the demo configuration the samples in events/ use
(API token ``emulator-demo-token``, alarm policy ``policy-n4exeh88`` mapped to ``link-5e6f7a8b``).
Exit status: 0 for succeeded, skipped and dry_run (200 for HTTP answers), 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import re
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

_ID_IN_TEXT = re.compile(r"link-[a-z0-9]{8}")
_EMULATOR_CREDENTIALS = {"TENCENTCLOUD_SECRETID": "AKIDemulator", "TENCENTCLOUD_SECRETKEY": "emulator-key"}
# The demo configuration the sample events in events/ expect; each applies only where unset.
EMULATOR_API_TOKEN = "emulator-demo-token"  # noqa: S105 - a published demo value, only for --emulator
_EMULATOR_DEFAULTS = {
    "GAAP_OPENER_API_TOKEN_SHA256": hashlib.sha256(EMULATOR_API_TOKEN.encode()).hexdigest(),
    "GAAP_OPENER_ALARM_PROXY_MAP": json.dumps({"policy-n4exeh88": ["link-5e6f7a8b"]}),
}
_OK = ("succeeded", "skipped", "dry_run")


def scf_context(function_name: str, timeout_s: float) -> dict[str, Any]:
    """A context dict shaped like the one SCF passes to Python handlers."""
    return {
        "request_id": str(uuid.uuid4()),
        "function_name": function_name,
        "function_version": "$LATEST",
        "namespace": "default",
        "memory_limit_in_mb": 128,
        "time_limit_in_ms": int(timeout_s * 1000),
        "tencentcloud_region": os.environ.get("TENCENTCLOUD_REGION", "ap-guangzhou"),
        "environ": "",
    }


def _decoded_body(event_text: str) -> str:
    """An HTTP event's base64 body, decoded, so its proxy IDs can be seeded too."""
    try:
        event = json.loads(event_text)
        if isinstance(event, dict) and event.get("isBase64Encoded") in (True, "true"):
            return base64.b64decode(str(event.get("body", ""))).decode("utf-8", "replace")
    except ValueError:
        pass
    return ""


@contextlib.contextmanager
def emulator(event_text: str) -> Iterator[str]:
    """Serve fakegaap on loopback, seeded with the IDs the event and the configuration name."""
    try:
        import fakegaap
    except ImportError:  # run from handler/ without the repository root on the path
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        import fakegaap

    backend = fakegaap.GaapBackend(rate_limit=20)
    texts = [event_text, _decoded_body(event_text)] + [os.environ.get(name, "") for name in (
        "GAAP_OPENER_PROXY_IDS", "GAAP_OPENER_ALARM_PROXY_MAP", "GAAP_OPENER_ALLOWED_PROXY_IDS")]
    for proxy_id in sorted({found for text in texts for found in _ID_IN_TEXT.findall(text)}):
        backend.add_proxy(proxy_id, status="CLOSED")
    with fakegaap.serve_in_thread(backend) as url:
        yield url


def invoke(event_path: str, use_emulator: bool, timeout_s: float) -> int:
    """Invoke the handler once on the event in ``event_path``; print the answer; return the exit status."""
    try:
        event_text = Path(event_path).read_text(encoding="utf-8")
        event = json.loads(event_text)
    except (OSError, ValueError) as error:
        print(f"gaap_opener invoke: cannot read event {event_path!r}: {error}", file=sys.stderr)
        return 2
    context = scf_context(os.environ.get("SCF_FUNCTIONNAME", "gaap-opener"), timeout_s)
    with contextlib.ExitStack() as stack:
        if use_emulator:
            for name, value in _EMULATOR_CREDENTIALS.items():
                os.environ.setdefault(name, value)
            for name, value in _EMULATOR_DEFAULTS.items():
                auth_chosen = name.endswith("_SHA256") and os.environ.get("GAAP_OPENER_API_AUTH")
                if not os.environ.get(name) and not auth_chosen:
                    os.environ[name] = value
                    print(f"gaap_opener invoke: demo setting {name}={value}", file=sys.stderr)
            url = stack.enter_context(emulator(event_text))
            os.environ["GAAP_OPENER_ENDPOINT"] = url
            print(f"gaap_opener invoke: fake GAAP at {url}", file=sys.stderr)
        from .app import main_handler
        from .errors import RetryableFailure

        try:
            with contextlib.redirect_stdout(sys.stderr):  # log lines to stderr, the answer to stdout
                answer = main_handler(event, context)
        except RetryableFailure as failure:
            print(json.dumps(failure.result, indent=2, ensure_ascii=False))
            print(f"gaap_opener invoke: raised {failure} (SCF would redeliver)", file=sys.stderr)
            return 1
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    if "statusCode" in answer:
        return 0 if answer["statusCode"] == 200 else 1
    return 0 if answer.get("status") in _OK else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m gaap_opener", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("invoke", help="invoke main_handler on an event file and print the result")
    run.add_argument("--event", required=True, help="JSON event file, e.g. events/timer.json")
    run.add_argument("--emulator", action="store_true", help="run against the embedded fake GAAP")
    run.add_argument("--timeout", type=float, default=30.0, help="the context's time limit in seconds")
    args = parser.parse_args(argv)
    return invoke(args.event, args.emulator, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
