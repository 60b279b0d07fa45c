"""The three programs the benchmark compares, each run as a fresh process:

    python bench/programs.py sdk|floor|handler --endpoint URL --proxy ID [--warm N]

sdk      the bare official SDK: build a client, call OpenProxies
floor    the bare SDK plus importing pydantic and validating one small model: the floor the
         mandated dependencies set
handler  gaap-opener: import index, call main_handler with a direct event

Each makes one call (the cold start ends there); with --warm N it then makes N more and prints
the CPU time per call of those (time.process_time), as JSON on stdout.
"""

from __future__ import annotations

import json
import sys
import time
import uuid


def main() -> None:
    kind, endpoint, proxy_id = sys.argv[1], sys.argv[sys.argv.index("--endpoint") + 1], \
        sys.argv[sys.argv.index("--proxy") + 1]
    warm = int(sys.argv[sys.argv.index("--warm") + 1]) if "--warm" in sys.argv else 0

    if kind == "handler":
        import index

        context = {"request_id": "bench", "function_name": "gaap-opener", "time_limit_in_ms": 60000}

        def call() -> None:
            index.main_handler({"ProxyIds": [proxy_id], "EventId": uuid.uuid4().hex}, context)
    else:
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.gaap.v20180529 import gaap_client, models

        scheme, _, host = endpoint.partition("://")
        client = gaap_client.GaapClient(Credential("AKIDbench", "bench-key"), "",
                                        ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=host)))
        validate = None
        if kind == "floor":
            from pydantic import BaseModel

            class Payload(BaseModel):
                ProxyIds: list[str]
                EventId: str

            validate = Payload.model_validate

        def call() -> None:
            event = {"ProxyIds": [proxy_id], "EventId": uuid.uuid4().hex}
            if validate is not None:
                validate(event)
            request = models.OpenProxiesRequest()
            request.ProxyIds = event["ProxyIds"]
            request.ClientToken = event["EventId"]
            client.OpenProxies(request)

    call()
    report: dict[str, float] = {}
    if warm:
        started = time.process_time()
        for _ in range(warm):
            call()
        report["warm_cpu_per_call_ms"] = (time.process_time() - started) / warm * 1000
    print("BENCH " + json.dumps(report), file=sys.__stdout__, flush=True)


if __name__ == "__main__":
    main()
