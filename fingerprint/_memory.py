"""Keeping the C heap's freed memory from counting against a run's peak (glibc only).

FFmpeg frees and reallocates its decoder's tables and picture pools at every seek, and
fast mode seeks once a sample, from two decoder threads. glibc gives each thread its own
arena and keeps what they free, so holes left between longer-lived blocks (the next
packet, a converted frame) pile up: 100-130 MB of freed but resident memory by the end of
a 45-minute episode's 1000 samples (docs/benchmarks.md, "Peak memory with the cache on").

- `limit_arenas` makes every thread allocate from one arena, where one decoder's holes
  are the other's next blocks. It changes the whole process, so the command line and the
  app call it at start-up, not the library; the CPU time did not change measurably.
- `release_free_memory` hands whole free pages back to the system. The engine calls it
  between stages (after the probe, after decoding), where the next stage would otherwise
  grow on top of what the last one left behind.

Elsewhere (macOS, Windows, musl) both do nothing.
"""

from __future__ import annotations

import ctypes
import functools
import sys

__all__ = ["limit_arenas", "release_free_memory"]

_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The process's own symbols, libc's among them: `ctypes.util.find_library` cost
        # every command 13-23 ms (its import, and a subprocess to ask ldconfig).
        libc = ctypes.CDLL(None)
        libc.malloc_trim  # noqa: B018 - absent from musl: then do nothing
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(count: int = 1) -> bool:
    """Let at most ``count`` malloc arenas exist from now on; True if glibc took it."""
    libc = _glibc()
    return bool(libc and libc.mallopt(_M_ARENA_MAX, count))


def release_free_memory() -> None:
    """Return the free pages of every malloc arena to the system (a few milliseconds)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
