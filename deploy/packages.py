"""The two zips `make package` builds, and the content hash the deploy compares them by."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

# A zip goes to SCF inside the JSON body of one API call, base64-encoded, and an API 3.0 request
# signed with TC3-HMAC-SHA256 may be at most 10 MB. Bigger packages would need an upload to COS
# first (CosBucketName/CosObjectName), which this deploy does not do.
REQUEST_LIMIT = 10 * 1024 * 1024
REQUEST_ROOM = 64 * 1024  # the other parameters and the JSON around the payload


EXTENSION = re.compile(r"\.cpython-(\d)(\d+)-")  # pydantic_core/_pydantic_core.cpython-310-x86_64-linux-gnu.so


class PackageError(Exception):
    """A zip that is missing, broken, or too big to send."""


@dataclass(frozen=True)
class Package:
    """One built zip: where it is, how big, and the hash of what it holds."""

    path: Path
    size: int
    content_sha256: str

    def base64(self) -> str:
        """The zip as SCF's ZipFile parameter wants it."""
        return base64.b64encode(self.path.read_bytes()).decode("ascii")

    def describe(self) -> str:
        return f"{self.path}, {self.size / 1024:.1f} KiB, content sha256 {self.content_sha256[:12]}"


def content_sha256(path: Path) -> str:
    """SHA-256 over the zip's entries (names and bytes, in name order), not over the zip itself:
    the same files give the same hash whatever the compressor or timestamps did."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            digest.update(info.filename.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(archive.read(info)).digest())
    return digest.hexdigest()


def check_layer_runtime(package: Package, runtime: str) -> None:
    """Refuse a layer whose compiled extensions (pydantic-core's) were built for another Python
    than the function's runtime: they would fail to import on SCF."""
    with zipfile.ZipFile(package.path) as archive:
        names = archive.namelist()
    tags = {f"{m.group(1)}.{m.group(2)}" for name in names if (m := EXTENSION.search(name))}
    wanted = runtime.removeprefix("Python")
    if tags - {wanted}:
        raise PackageError(f"{package.path} holds extensions built for Python {', '.join(sorted(tags))}, but the "
                           f"function runs {runtime}: run `make package LAYER_PYTHON={wanted}`")


def read_package(path: Path) -> Package:
    """Check ``path`` is a zip small enough to upload inline, and hash its contents."""
    if not path.is_file():
        raise PackageError(f"{path} is missing: run `make package` first")
    size = path.stat().st_size
    encoded = 4 * ((size + 2) // 3)
    if encoded > REQUEST_LIMIT - REQUEST_ROOM:
        raise PackageError(f"{path} is {size:,} bytes: base64-encoded it no longer fits one 10 MB API request "
                           "(upload it to COS and deploy from there instead)")
    try:
        digest = content_sha256(path)
    except zipfile.BadZipFile as error:
        raise PackageError(f"{path} is not a zip file: {error}") from error
    return Package(path=path, size=size, content_sha256=digest)
