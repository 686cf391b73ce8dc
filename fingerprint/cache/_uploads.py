"""Uploaded films in the cache: ``uploads/<key>/<name>``, copied in streamed (never whole
in memory), one copy per content however many names it arrives under (hard links)."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .._atomic import UMASK
from ._errors import NOT_STORED, writing
from ._keys import content_key

if TYPE_CHECKING:
    from ._cache import Cache

UPLOADS = "uploads"  # a folder beside the films' folders, never a film key


def store_upload(cache: Cache, data: IO[bytes], name: str) -> Path:
    """Copy an uploaded file into the cache (streamed, never whole in memory) and
    return its path, ``uploads/<key>/<name>``. The same content under another name is
    a hard link to the copy already there: stored once."""
    uploads = cache.root / UPLOADS
    name = Path(name).name
    if name in ("", ".", "..") or len(name.encode()) > 200:
        name = "upload" + Path(name).suffix[:16]
    with writing(NOT_STORED):
        uploads.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=uploads, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                fcntl.flock(out, fcntl.LOCK_EX)  # being written: the sweeper keeps it
                shutil.copyfileobj(data, out, 1024 * 1024)
                out.flush()
                key = content_key(tmp)
                fd = cache._acquire(key)  # not lock(): its prune could evict the upload
                try:
                    final = _place_upload(Path(tmp), uploads / key, name)
                    cache.prune()
                finally:
                    if fd is not None:
                        os.close(fd)
        finally:
            Path(tmp).unlink(missing_ok=True)
    return final


def _place_upload(tmp: Path, folder: Path, name: str) -> Path:
    final = folder / name
    folder.mkdir(exist_ok=True)
    stored = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    if final in stored:
        os.utime(folder)
        return final
    if stored:
        link = folder / f".{name}.link.tmp"
        link.unlink(missing_ok=True)
        try:
            os.link(stored[0], link)
        except OSError:
            return stored[0]  # no hard links here: the first name serves every upload
        os.replace(link, final)
    else:
        os.chmod(tmp, 0o666 & ~UMASK)
        os.replace(tmp, final)
    os.utime(folder)
    return final
