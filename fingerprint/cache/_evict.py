"""Keeping the cache under its cap: least recently used entries go first, never those of a
film being analysed, one eviction at a time over the whole cache."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ._size import ENTRIES, scan
from ._uploads import UPLOADS

if TYPE_CHECKING:
    from ._cache import Cache


def evict(cache: Cache, target: int, *, clear: bool) -> int:
    """Sweep stale temporary files, then evict the least recently used entries until the
    cache holds at most ``target`` bytes (``clear``: every film not in use). Returns the
    bytes freed."""
    try:
        with _pruning(cache.root):
            items, total, emptied = scan(
                cache._film_dirs(), cache.root / UPLOADS, cache.root, sweep=True
            )
            start, busy = total, set()
            for item in sorted(items, key=lambda i: i.used):
                if total <= target:
                    break
                if item.key in busy:
                    continue
                with cache._try_lock(item.key) as free:
                    if not free:
                        busy.add(item.key)
                        continue
                    for path in item.paths:
                        with contextlib.suppress(OSError):
                            path.rmdir() if path.is_dir() else path.unlink()
                    total -= item.bytes
                    emptied.add(item.key)
            films = {p.name for p in cache._film_dirs()} if clear else emptied - busy
            for key in films:
                total -= _drop_film_if_empty(cache, key, clear=clear)
            return start - total
    except OSError:
        return 0  # a read-only cache: nothing could be saved to evict

@contextlib.contextmanager
def _pruning(root: Path) -> Iterator[None]:
    """One eviction at a time over the whole cache (it never waits on a film)."""
    with open(root / ".prune.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield

def _drop_film_if_empty(cache: Cache, key: str, *, clear: bool) -> int:
    """Remove a film's folder (info.json, lock) once it holds no frames, shots or results:
    its library entry goes with them. Returns the bytes freed."""
    folder = cache._dir(key)
    with cache._try_lock(key) as free:
        try:
            names = [p.name for p in folder.iterdir()]
        except OSError:
            return 0
        if not free or any(n.startswith(ENTRIES) for n in names):
            return 0
        if not clear and (cache.root / UPLOADS / key).exists():
            return 0  # its upload is still here: keep its library entry
        freed = 0
        for name in names:
            with contextlib.suppress(OSError):
                freed += (folder / name).stat().st_size
                (folder / name).unlink()
        with contextlib.suppress(OSError):
            folder.rmdir()
        return freed
