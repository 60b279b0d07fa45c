"""`python -m fakegaap`: a real process the SDK talks to, as `make run --emulator` uses it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.gaap.v20180529 import gaap_client, models

ROOT = Path(__file__).resolve().parent.parent
A, B = "link-1234abcd", "link-5678efgh"


class Fake:
    """A running `python -m fakegaap`: its process and the URL from its first line."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fakegaap", "--port", "0", *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout=10)
        match = re.fullmatch(r"fakegaap listening on (http://127\.0\.0\.1:(\d+))\n", lines[0] if lines else "")
        if match is None:
            self.process.kill()
            pytest.fail(f"no listening line from fakegaap: {lines!r}, stderr: {self.process.stderr.read()!r}")  # type: ignore[union-attr]
        self.url = match[1]

    def client(self, secret_id: str = "AKIDfake", secret_key: str = "fakekey") -> Any:  # noqa: S107
        profile = ClientProfile(httpProfile=HttpProfile(endpoint=self.url, reqTimeout=5))
        return gaap_client.GaapClient(credential.Credential(secret_id, secret_key), "", profile)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and what it logged to stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=10)
        return self.process.returncode, stderr


@pytest.fixture
def start() -> Iterator[Any]:
    started: list[Fake] = []

    def _start(*args: str) -> Fake:
        started.append(Fake(*args))
        return started[-1]

    yield _start
    for fake in started:
        if fake.process.poll() is None:
            fake.process.kill()
            fake.process.communicate()


def open_req(*ids: str) -> Any:
    req = models.OpenProxiesRequest()
    req.ProxyIds = list(ids)
    return req


def test_cli_serves_seeded_proxies_to_the_sdk_and_exits_cleanly_on_sigterm(start: Any) -> None:
    fake = start("--proxy", f"{A}=CLOSED", "--proxy", f"{B}=RUNNING")
    answer = fake.client().OpenProxies(open_req(A, B))
    assert answer.InvalidStatusInstanceSet == [B]
    req = models.DescribeProxiesStatusRequest()
    req.ProxyIds = [A]
    assert fake.client().DescribeProxiesStatus(req).InstanceStatusSet[0].Status == "RUNNING"
    returncode, stderr = fake.stop()
    assert returncode == 0
    assert "OpenProxies -> 200" in stderr


def test_cli_with_credentials_checks_signatures(start: Any) -> None:
    fake = start("--proxy", A, "--secret-id", "AKIDcli", "--secret-key", "cli-key", "--quiet")
    with pytest.raises(TencentCloudSDKException) as caught:
        fake.client("AKIDcli", "wrong-key").OpenProxies(open_req(A))
    assert caught.value.code == "AuthFailure.SignatureFailure"
    with pytest.raises(TencentCloudSDKException) as caught:
        fake.client("AKIDother", "cli-key").OpenProxies(open_req(A))
    assert caught.value.code == "AuthFailure.SecretIdNotFound"
    assert fake.client("AKIDcli", "cli-key").OpenProxies(open_req(A)).InvalidStatusInstanceSet == []
    returncode, stderr = fake.stop()
    assert (returncode, stderr) == (0, "")


def test_cli_rate_limit_and_open_fails_options(start: Any) -> None:
    fake = start("--proxy", A, "--open-fails", B, "--rate-limit", "1", "--quiet")
    assert fake.client().OpenProxies(open_req(A, B)).OperationFailedInstanceSet == [B]
    with pytest.raises(TencentCloudSDKException) as caught:
        fake.client().OpenProxies(open_req(A))
    assert caught.value.code == "RequestLimitExceeded"
    assert fake.stop()[0] == 0


def test_cli_refuses_a_malformed_proxy_seed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fakegaap", "--proxy", f"{A}=OPEN"],
        cwd=ROOT, capture_output=True, text=True, timeout=10, check=False,
    )
    assert result.returncode == 2
    assert "STATUS" in result.stderr
    assert result.stdout == ""
