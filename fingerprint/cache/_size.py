"""The cache's size: the cap (``$FINGERPRINT_CACHE_MAX_BYTES``, as bytes or a size like
``2G``), and a scan of what the cache holds that counts the bytes on disk, lists what
eviction may remove with when each was last used (least recently used goes first), and
sweeps temporary files left by kills. `Cache` evicts from the scan under its locks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidParameterError

MAX_BYTES_VAR = "FINGERPRINT_CACHE_MAX_BYTES"
# 2 GB: a small host's disk (a hosted demo has a few GB) still has room for the films and
# the app, and it holds about 35 sets of 1000 frames at 320 px (56 KB per frame stored),
# or one uploaded feature film and its frames.
DEFAULT_MAX_BYTES = 2 * 1000**3
# A temporary file untouched this long, and not locked by its writer, was left by a kill.
STALE_SECONDS = 10 * 60

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*", re.IGNORECASE)

# What a film's folder holds besides info.json and its lock, by file name: the entries
# the cap counts and evicts.
ENTRIES = ("frames-", "colours-", "result-", "shots-", "loudness-", "thumbs-")


def parse_size(text: str) -> int:
    """Bytes from ``"2G"``, ``"500 MB"``, ``"1.5GiB"`` or ``"2000000"`` (K, M, G, T are
    powers of 1000; with an ``i`` powers of 1024)."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise InvalidParameterError(
            f"cache size {text!r} is not a size: write it like 2G, 500M or 2000000000."
        )
    number, unit, binary = match.groups()
    base = 1024 if binary else 1000
    return int(float(number) * base ** " kmgt".index(unit.lower() or " "))


@dataclass(frozen=True)
class Item:
    """Something eviction can remove: a frames, colours, shots, loudness, result or
    thumbnails file, or an upload's folder."""

    key: str
    kind: str  # "frames", "colours", "shots", "loudness", "result", "thumbs" or "upload"
    paths: tuple[Path, ...]  # removed in this order (an upload's folder last)
    bytes: int
    used: float


def _files(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []


def _dirs(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return []


def _is_temporary(name: str) -> bool:
    return (name.startswith(".") and name.endswith(".tmp")) or name.endswith(".part")


def _remove_unless_locked(path: Path) -> bool:
    """Remove a temporary file unless its writer still holds its lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def scan(
    film_dirs: list[Path], uploads: Path, root: Path, *, sweep: bool
) -> tuple[list[Item], int, set[str]]:
    """Evictable items, bytes on disk in all, and the films with nothing evictable
    left, over the films' folders, the uploads folder and the files at the cache's
    ``root``. With ``sweep``, stale temporary files are removed on the way."""
    items: list[Item] = []
    total, empty, now = 0, set(), time.time()
    seen: set[int] = set()  # inodes: hard-linked uploads count once

    def size(path: Path) -> tuple[int, float] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        stale = sweep and _is_temporary(path.name) and now - st.st_mtime > STALE_SECONDS
        if stale and _remove_unless_locked(path):
            return None
        if st.st_ino in seen:
            return 0, st.st_mtime
        seen.add(st.st_ino)
        return st.st_size, st.st_mtime

    for folder in film_dirs:
        key, found = folder.name, False
        for path in _files(folder):
            stat = size(path)
            if stat is None:
                continue
            total += stat[0]
            if path.name.startswith(ENTRIES):
                kind = path.name.split("-")[0]
                items.append(Item(key, kind, (path,), stat[0], stat[1]))
                found = True
        if not found:
            empty.add(key)
    for path in _files(uploads):
        stat = size(path)  # sweeps uploads/*.part
        total += stat[0] if stat else 0
    for folder in _dirs(uploads):
        if not folder.name.isalnum():
            continue
        paths, nbytes = [], 0
        for path in _files(folder):
            stat = size(path)
            if stat is not None:
                paths.append(path)
                nbytes += stat[0]
        with contextlib.suppress(OSError):
            used = folder.stat().st_mtime
            items.append(Item(folder.name, "upload", (*paths, folder), nbytes, used))
        total += nbytes
    for path in _files(root):
        stat = size(path)
        total += stat[0] if stat else 0
    return items, total, empty
