"""Build dist/function.zip (the contents of handler/) and dist/layer.zip (the pinned run-time
dependencies, for SCF's Python on x86-64 Linux), byte-for-byte reproducible.

    python layers/build.py [--python-version 3.10] [--dist dist] [--only function|layer]

Same inputs, same bytes: entries are sorted, every timestamp is the zip epoch, every mode is
0644, nothing machine-specific (install paths, shebangs) is kept.

Byte code: SCF's /var/user and /opt may not be writable, and compiling the SDK and pydantic from
source costs a cold start about 0.8 s, so both zips carry .pyc files compiled by an interpreter of
the target version (the running one, python3.X on PATH, or a pyenv install), as checked-hash pycs
(Python still verifies each against its source, so an edit in the SCF console is never shadowed)
with the paths the files will have on SCF (/var/user, /opt). Without such an interpreter the zips
are built without byte code, and the build says so. "Same inputs" also
means the same zlib: another zlib may compress differently, so the deploy compares the zips'
*contents* (see deploy/packages.py), never their bytes.

Exits non-zero, naming the file and the limit, when a zip is over its size budget or when pip
installed a distribution that layers/requirements.txt does not pin.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "layers" / "requirements.txt"
PLATFORM = "manylinux2014_x86_64"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch
FILE_MODE = 0o100644  # a regular file, rw-r--r--; SCF needs no exec bit to import a .so

# Budgets: the code package stays small enough to read in the console; the layer leaves room
# under SCF's limits (a 50 MB layer zip; 10 MB for a whole API request, base64 included).
FUNCTION_BUDGET = 256 * 1024
LAYER_BUDGET = 10 * 1024 * 1024

# Never packaged, anywhere: byte code, caches, editor and OS litter.
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".swp", ".orig", ".rej"}
# Dropped from the layer only: what pip writes about *this* install (absolute paths, the
# installer's name) rather than about the package, and what is never imported at run time.
INSTALL_RECORDS = ("RECORD", "INSTALLER", "direct_url.json", "REQUESTED")
NESTED_TEST_DIRS = {"tests", "test"}  # test suites shipped inside a package (certifi/tests)
LAYER_SKIP_SUFFIXES = {".pyi"}  # type stubs: read by type checkers, never by the interpreter


class BuildError(Exception):
    """A build that must not produce a zip; the message says why."""


def packaged_files(source: Path, *, layer: bool = False, bytecode: bool = False) -> list[Path]:
    """The files below ``source`` that go into its zip, sorted by their path inside the zip.

    ``bytecode``: keep the .pyc files in __pycache__ (a staging copy this build compiled itself).
    """
    chosen = []
    for path in source.rglob("*"):
        if not path.is_file():
            continue
        parts = path.relative_to(source).parts
        compiled = bytecode and path.suffix == ".pyc" and parts[-2:-1] == ("__pycache__",)
        if not compiled and (SKIP_DIRS.intersection(parts) or path.suffix in SKIP_SUFFIXES):
            continue
        if any(part.startswith(".") for part in parts) or path.name.endswith("~"):
            continue
        if layer and (path.suffix in LAYER_SKIP_SUFFIXES or NESTED_TEST_DIRS.intersection(parts[1:-1])):
            continue
        chosen.append(path)
    return sorted(chosen, key=lambda path: path.relative_to(source).as_posix())


def deterministic_zip(source: Path, target: Path, *, layer: bool = False, bytecode: bool = False) -> int:
    """Zip the packaged files below ``source`` (sorted, fixed times and modes) into ``target``; return its size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in packaged_files(source, layer=layer, bytecode=bytecode):
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), FIXED_TIME)
            info.create_system = 3  # Unix, wherever the zip is built
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return target.stat().st_size


def pinned_requirements(path: Path = REQUIREMENTS) -> dict[str, str]:
    """Normalised distribution name -> pinned version, from ``name==version`` lines."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;]+)", line)
        if match is None:
            raise BuildError(f"{path.name}: {line!r} is not pinned as name==version")
        pins[_normalise(match.group(1))] = match.group(2)
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def install_layer(python_version: str, target: Path) -> None:
    """pip-install the pinned requirements as wheels for SCF's platform into ``target``, then drop
    what is specific to this install."""
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--platform", PLATFORM, "--only-binary=:all:", "--python-version", python_version,
         "--implementation", "cp", "--target", str(target), "-r", str(REQUIREMENTS)],
        check=True,
    )
    check_only_pinned(target)
    for info in target.glob("*.dist-info"):
        for name in INSTALL_RECORDS:
            (info / name).unlink(missing_ok=True)
    shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts, with this machine's shebang


def check_only_pinned(target: Path) -> None:
    """Fail if pip pulled in a distribution (or a version) that requirements.txt does not pin: the
    layer would then change whenever that dependency releases."""
    pins = pinned_requirements()
    for info in sorted(target.glob("*.dist-info")):
        name, _, version = info.name[: -len(".dist-info")].rpartition("-")
        if pins.get(_normalise(name)) != version:
            raise BuildError(
                f"pip installed {name}=={version}, which {REQUIREMENTS.relative_to(ROOT)} does not pin: "
                f"add it (name==version) so the layer stays reproducible"
            )


def check_budget(zip_path: Path, size: int, budget: int) -> None:
    """Remove ``zip_path`` and fail when it is over ``budget`` bytes, so nobody deploys it."""
    if size >= budget:
        zip_path.unlink(missing_ok=True)
        raise BuildError(f"{zip_path.name} is {size:,} bytes, over its budget of {budget:,} bytes; not written")


def find_interpreter(python_version: str) -> str | None:
    """An interpreter of exactly ``python_version`` (e.g. "3.10") to compile byte code with, or None."""
    candidates = [sys.executable, f"python{python_version}"]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pattern = f"versions/{python_version}.*/bin/python{python_version}"
    candidates += [str(path) for path in sorted(pyenv_root.glob(pattern))]
    for candidate in candidates:
        found = candidate if Path(candidate).is_absolute() else shutil.which(candidate)
        if not found:
            continue
        probe = subprocess.run(  # noqa: S603 - an interpreter we looked up, a fixed one-liner
            [found, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == python_version:
            return found
    return None


def compile_bytecode(directory: Path, python: str, installed_at: str) -> None:
    """Compile every .py below ``directory`` into __pycache__, as the files will sit at ``installed_at``."""
    subprocess.run(  # noqa: S603 - an interpreter we looked up, fixed arguments
        [python, "-m", "compileall", "-q", "-f", "--invalidation-mode", "checked-hash",
         "-s", str(directory), "-p", installed_at, str(directory)],
        check=True, env={**os.environ, "PYTHONHASHSEED": "0"}, stdout=subprocess.DEVNULL,
    )


def build_function(dist: Path, python_version: str = "3.10") -> int:
    """dist/function.zip: handler/ exactly, index.py at the root, with its byte code when it can be made."""
    target = dist / "function.zip"
    python = find_interpreter(python_version)
    with tempfile.TemporaryDirectory() as work:
        staging = Path(work) / "code"
        for path in packaged_files(ROOT / "handler"):
            copy = staging / path.relative_to(ROOT / "handler")
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        if python:
            compile_bytecode(staging, python, "/var/user")
        size = deterministic_zip(staging, target, bytecode=True)
    check_budget(target, size, FUNCTION_BUDGET)
    note = _bytecode_note(python_version, python)
    print(f"{target}  {size / 1024:8.1f} KiB  (budget {FUNCTION_BUDGET // 1024} KiB)  {note}")
    return size


def _bytecode_note(python_version: str, python: str | None) -> str:
    if python:
        return f"byte code for Python {python_version}"
    return f"NO byte code: no Python {python_version} here, so SCF compiles it at each cold start"


def build_layer(dist: Path, python_version: str) -> int:
    """dist/layer.zip: the pinned run-time dependencies at the zip's root (SCF unzips layers into /opt)."""
    target = dist / "layer.zip"
    python = find_interpreter(python_version)
    with tempfile.TemporaryDirectory() as work:
        layer = Path(work) / "layer"
        install_layer(python_version, layer)
        if python:
            compile_bytecode(layer, python, "/opt")
        size = deterministic_zip(layer, target, layer=True, bytecode=True)
    check_budget(target, size, LAYER_BUDGET)
    print(f"{target}  {size / 1024 / 1024:8.2f} MiB  (budget {LAYER_BUDGET // 1024 // 1024} MiB; "
          f"Python {python_version}, {PLATFORM})  {_bytecode_note(python_version, python)}")
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--python-version", default="3.10", help="the layer's Python (SCF runtime), e.g. 3.10")
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="where the zips go")
    parser.add_argument("--only", choices=("function", "layer"), help="build just one of the two zips")
    args = parser.parse_args(argv)
    dist = Path(args.dist)
    try:
        if args.only in (None, "function"):
            build_function(dist, args.python_version)
        if args.only in (None, "layer"):
            build_layer(dist, args.python_version)
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"build failed: pip exited with status {error.returncode} (see its output above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
