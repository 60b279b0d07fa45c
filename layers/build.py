"""Build dist/function.zip (the contents of handler/) and dist/layer.zip (the pinned run-time
dependencies, for SCF's Python on x86-64 Linux), byte-for-byte reproducible.

    python layers/build.py [--python-version 3.10] [--dist dist]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's epoch: the same inputs give the same bytes
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", "tests"}
SKIP_SUFFIXES = {".pyc", ".pyo"}


def deterministic_zip(source: Path, target: Path) -> int:
    """Zip every file below ``source`` (sorted, fixed times and modes) into ``target``; return its size."""
    files = sorted(
        path for path in source.rglob("*")
        if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(source).parts)
        and path.suffix not in SKIP_SUFFIXES
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return target.stat().st_size


def install_layer(python_version: str, target: Path) -> None:
    """pip-install the pinned requirements as wheels for the target platform into ``target``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--platform", "manylinux2014_x86_64", "--only-binary=:all:", "--python-version", python_version,
         "--implementation", "cp", "--target", str(target), "-r", str(ROOT / "layers" / "requirements.txt")],
        check=True,
    )
    for info in target.glob("*.dist-info"):  # RECORD lists install paths: drop the machine-specific parts
        for name in ("RECORD", "INSTALLER", "direct_url.json", "REQUESTED"):
            (info / name).unlink(missing_ok=True)
    shutil.rmtree(target / "bin", ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python-version", default="3.10")
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    args = parser.parse_args()
    dist = Path(args.dist)
    function_size = deterministic_zip(ROOT / "handler", dist / "function.zip")
    with tempfile.TemporaryDirectory() as work:
        layer = Path(work) / "layer"
        install_layer(args.python_version, layer)
        layer_size = deterministic_zip(layer, dist / "layer.zip")
    print(f"dist/function.zip  {function_size / 1024:8.1f} KiB")
    print(f"dist/layer.zip     {layer_size / 1024 / 1024:8.2f} MiB  (Python {args.python_version}, manylinux2014_x86_64)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
