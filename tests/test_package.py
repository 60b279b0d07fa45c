"""The packages carry everything: build dist/function.zip and dist/layer.zip (for the Python running
the tests) with layers/build.py, check their budgets, contents and reproducibility, then unzip them
as SCF does (/var/user and /opt) and invoke the function in a bare interpreter that can see nothing
else: not the repository, not the virtual environment."""

from __future__ import annotations

import json
import marshal
import os
import platform
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAKE_ENV

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "layers" / "build.py"
LOCAL_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
FUNCTION_BUDGET = 256 * 1024
LAYER_BUDGET = 10 * 1024 * 1024
PROXY_IDS = ["link-1a2b3c4d", "link-5e6f7a8b"]

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() != "x86_64",
    reason="the layer holds manylinux x86-64 wheels: it only runs on x86-64 Linux",
)


def build(dist: Path, *only: str) -> subprocess.CompletedProcess[str]:
    """Run layers/build.py for the local Python into ``dist``; fail the test with its output if it fails."""
    args = [sys.executable, str(BUILD), "--python-version", LOCAL_PYTHON, "--dist", str(dist)]
    if only:
        args += ["--only", *only]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"build failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Both zips, built once for this module."""
    target = tmp_path_factory.mktemp("dist")
    done = build(target)
    assert "function.zip" in done.stdout and "layer.zip" in done.stdout  # it prints both sizes
    yield target


def handler_files() -> set[str]:
    """What handler/ holds, seen independently of the build: every file but byte code, caches and
    hidden or editor files."""
    files = set()
    for path in (ROOT / "handler").rglob("*"):
        relative = path.relative_to(ROOT / "handler")
        if not path.is_file() or "__pycache__" in relative.parts or path.suffix in (".pyc", ".swp"):
            continue
        if any(part.startswith(".") for part in relative.parts) or path.name.endswith("~"):
            continue
        files.add(relative.as_posix())
    return files


def test_both_zips_are_under_their_budgets(dist: Path) -> None:
    assert (dist / "function.zip").stat().st_size < FUNCTION_BUDGET
    assert (dist / "layer.zip").stat().st_size < LAYER_BUDGET


def bytecode_name(source: str, tag: str) -> str:
    folder, _, file = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"


def test_function_zip_holds_exactly_the_handler_directory(dist: Path) -> None:
    with zipfile.ZipFile(dist / "function.zip") as archive:
        names = archive.namelist()
    assert "index.py" in names  # at the root: SCF's handler is index.main_handler
    assert "gaap_opener/app.py" in names
    sources = {name for name in names if not name.endswith(".pyc")}
    assert sources == handler_files()
    assert not [name for name in names if "tests/" in name]
    # byte code for exactly the sources, for the target Python, compiled as the files sit on SCF
    tag = sys.implementation.cache_tag
    expected = {bytecode_name(name, tag) for name in sources if name.endswith(".py")}
    assert {name for name in names if name.endswith(".pyc")} == expected
    with zipfile.ZipFile(dist / "function.zip") as archive:
        header = archive.read(bytecode_name("index.py", tag))[:16]
        code = marshal.loads(archive.read(bytecode_name("gaap_opener/app.py", tag))[16:])  # noqa: S302 - ours
    assert int.from_bytes(header[4:8], "little") == 0b11  # checked-hash: verified against its source
    assert code.co_filename == "/var/user/gaap_opener/app.py"


def test_layer_zip_has_its_packages_at_the_root_and_no_install_leftovers(dist: Path) -> None:
    with zipfile.ZipFile(dist / "layer.zip") as archive:
        names = archive.namelist()
        infos = archive.infolist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {"tencentcloud", "pydantic", "pydantic_core", "requests", "urllib3"} <= tops
    assert not [name for name in names if name.startswith("bin/") or name.endswith("/RECORD")]
    tag = sys.implementation.cache_tag
    assert not [name for name in names if name.endswith(".pyc") and f".{tag}." not in name]
    assert bytecode_name("pydantic/main.py", tag) in names and bytecode_name("requests/api.py", tag) in names
    assert not [name for name in names if name.startswith("tencentcloud/") and "/gaap/" not in name
                and "/common/" not in name and name != "tencentcloud/__init__.py"
                and not name.startswith("tencentcloud/__pycache__/__init__.")]  # no umbrella SDK
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert names == sorted(names)


def test_function_zip_is_reproducible(dist: Path, tmp_path: Path) -> None:
    build(tmp_path, "function")
    assert (tmp_path / "function.zip").read_bytes() == (dist / "function.zip").read_bytes()


def test_layer_zip_is_reproducible(dist: Path, tmp_path: Path) -> None:
    build(tmp_path, "layer")
    assert (tmp_path / "layer.zip").read_bytes() == (dist / "layer.zip").read_bytes()


def test_an_oversize_package_fails_the_build_loudly(tmp_path: Path) -> None:
    # Run build.py's own functions with a tiny budget: the message names the file and the limit.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import build; from pathlib import Path;"
        "build.FUNCTION_BUDGET = 1000; sys.exit(build.main(['--only', 'function', '--dist', sys.argv[2]]))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(BUILD.parent), str(tmp_path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "function.zip" in done.stderr and "over its budget of 1,000 bytes" in done.stderr
    assert not (tmp_path / "function.zip").exists()  # nothing left behind to deploy by mistake


# The probe runs in `python -I -S`: no site-packages, no PYTHONPATH, no user site, no current
# directory on sys.path. Only the two unzipped folders are added, as SCF's PYTHONPATH does.
PROBE = """
import json, sys
user, opt, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [user, opt]
import index
context = {"request_id": "req-package-test", "function_name": "gaap-opener", "function_version": "$LATEST",
           "namespace": "default", "memory_limit_in_mb": 64, "time_limit_in_ms": 30000}
result = index.main_handler(event, context)
import gaap_opener, pydantic, pydantic_core, requests, tencentcloud
files = sorted({getattr(m, "__file__", None) or "" for m in list(sys.modules.values())} - {""})
print(json.dumps({"result": result, "files": files, "gaap_opener": gaap_opener.__file__,
                  "tencentcloud": tencentcloud.__file__, "pydantic_core": pydantic_core.__file__}))
"""


def test_the_unzipped_packages_alone_open_proxies(dist: Path, tmp_path: Path) -> None:
    from fakegaap import GaapBackend, serve_in_thread

    user, opt = tmp_path / "var" / "user", tmp_path / "opt"
    with zipfile.ZipFile(dist / "function.zip") as archive:
        archive.extractall(user)
    with zipfile.ZipFile(dist / "layer.zip") as archive:
        archive.extractall(opt)

    backend = GaapBackend()
    for proxy_id in PROXY_IDS:
        backend.add_proxy(proxy_id, status="CLOSED")
    event = {"ProxyIds": PROXY_IDS, "EventId": "package-test-1"}
    with serve_in_thread(backend) as url:
        env = {
            "TENCENTCLOUD_SECRETID": FAKE_ENV["TENCENTCLOUD_SECRETID"],
            "TENCENTCLOUD_SECRETKEY": FAKE_ENV["TENCENTCLOUD_SECRETKEY"],
            "TENCENTCLOUD_SESSIONTOKEN": FAKE_ENV["TENCENTCLOUD_SESSIONTOKEN"],
            "GAAP_OPENER_ENDPOINT": url,
            "TENCENTCLOUD_RUNENV": "SCF",
        }
        if "SYSTEMROOT" in os.environ:  # pragma: no cover - Windows only
            env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", PROBE, str(user), str(opt), json.dumps(event)],
            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False,
        )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])

    assert probe["result"]["status"] == "succeeded", probe["result"]
    assert probe["result"]["opened"] == PROXY_IDS
    opens = backend.calls("OpenProxies")
    assert [sorted(call.params["ProxyIds"]) for call in opens] == [PROXY_IDS]

    # Everything imported came from the unzipped packages or the standard library, nothing
    # from the repository or the virtual environment.
    assert probe["gaap_opener"].startswith(str(user))
    assert probe["tencentcloud"].startswith(str(opt))
    assert probe["pydantic_core"].startswith(str(opt))
    stdlib = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    strays = [f for f in probe["files"]
              if not f.startswith((str(user), str(opt), *stdlib)) or f.startswith(str(ROOT))]
    assert strays == []
