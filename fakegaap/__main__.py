"""`python -m fakegaap`: serve a fake GAAP over HTTP until Ctrl-C or SIGTERM.

    python -m fakegaap --port 8765 --proxy link-1234abcd=CLOSED [--proxy ...]
        [--secret-id ID --secret-key KEY] [--rate-limit N] [--opening-seconds S]

The first line on stdout is `fakegaap listening on http://127.0.0.1:<port>` (with `--port 0`, read
the port from it). One line per request goes to stderr unless `--quiet`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from .models import STATUSES, GaapBackend
from .server import serve


def _proxy(value: str) -> tuple[str, str]:
    proxy_id, _, status = value.partition("=")
    status = status.strip().upper() or "CLOSED"
    if not proxy_id.strip() or status not in STATUSES:
        raise argparse.ArgumentTypeError(
            f"expected PROXY_ID[=STATUS] with STATUS one of {', '.join(sorted(STATUSES))}: {value!r}"
        )
    return proxy_id.strip(), status


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fakegaap", description="Serve a fake GAAP API over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to bind; 0 picks a free one (default 8765)")
    parser.add_argument(
        "--proxy", action="append", type=_proxy, default=[], metavar="ID[=STATUS]",
        help="seed a proxy (status defaults to CLOSED); repeat for more",
    )
    parser.add_argument(
        "--open-fails", action="append", default=[], metavar="ID",
        help="a proxy that OpenProxies reports in OperationFailedInstanceSet (added CLOSED if not seeded)",
    )
    parser.add_argument("--secret-id", help="check TC3 signatures: the one SecretId accepted")
    parser.add_argument("--secret-key", help="check TC3 signatures: its SecretKey")
    parser.add_argument(
        "--rate-limit", type=int, default=20, metavar="N",
        help="requests allowed in any one-second window; 0 lifts the limit (default 20)",
    )
    parser.add_argument(
        "--opening-seconds", type=float, default=0.0, metavar="S",
        help="how long OPENING (and CLOSING) lasts (default 0: done at the next read)",
    )
    parser.add_argument("--max-ids-per-call", type=int, default=None, metavar="N", help="refuse calls naming more IDs")
    parser.add_argument("--quiet", action="store_true", help="do not log requests to stderr")
    args = parser.parse_args(argv)
    if (args.secret_id is None) != (args.secret_key is None):
        parser.error("--secret-id and --secret-key go together")
    return args


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    backend = GaapBackend(
        opening_seconds=args.opening_seconds,
        rate_limit=args.rate_limit or None,
        max_ids_per_call=args.max_ids_per_call,
    )
    for proxy_id, status in args.proxy:
        backend.add_proxy(proxy_id, status)
    seeded = backend.statuses()
    for proxy_id in args.open_fails:
        backend.add_proxy(proxy_id, seeded.get(proxy_id, "CLOSED"), open_fails=True)
    credentials = {args.secret_id: args.secret_key} if args.secret_id is not None else None
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="fakegaap: %(message)s")
    signal.signal(signal.SIGTERM, _stop)

    def ready(url: str) -> None:
        print(f"fakegaap listening on {url}", flush=True)

    serve(backend, args.host, args.port, credentials, on_ready=ready)
    return 0


if __name__ == "__main__":
    sys.exit(main())
