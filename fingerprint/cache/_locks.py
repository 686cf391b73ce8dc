"""Per-film locks for the cache: an exclusive `flock` on the film's lock file, across
threads and processes, so two sessions analysing one film do the work once, and eviction
never removes what a film being analysed needs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def acquire(path: Path) -> int | None:
    """The lock on ``path``, waiting for it: the open file descriptor (closing it
    releases the lock), or None where no lock file can be made (a read-only cache)."""
    while True:
        fd = _open_lock(path)
        if fd is None:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # Eviction may have removed the film's folder, lock file included, while
            # we waited: then this lock guards nothing, so take the new one.
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                return fd
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _open_lock(path: Path) -> int | None:
    for _ in range(100):  # the folder can vanish between mkdir and open (eviction)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except FileNotFoundError:
            continue
        except OSError:
            try:
                return os.open(path, os.O_RDONLY)  # flock needs no write access
            except OSError:
                return None
    return None


@contextlib.contextmanager
def try_lock(path: Path) -> Iterator[bool]:
    """The film's lock if nobody holds it, without waiting: True when taken. The lock
    file is made if missing, so that whoever comes next waits on this one."""
    fd = _open_lock(path)
    if fd is None:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            taken = os.fstat(fd).st_ino == os.stat(path).st_ino
        except OSError:
            taken = False
        yield taken
    finally:
        os.close(fd)
