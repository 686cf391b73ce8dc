"""Work in forked child processes: where the system forks (`can_fork`), how a child keeps
clear of the garbage its parent left (`forking`), and how it ignores Ctrl-C
(`ignore_interrupts`).

Two threads of one process share its interpreter lock; a forked child has its own and
inherits the loaded modules, so it starts in milliseconds. The k-means workers
(`palette._workers`) and the sound print beside the frames' decoders (`sound._forked`)
run so on Linux; elsewhere (macOS and Windows default to spawning, which re-imports
everything), and inside a daemonic process, they run in threads. Children are made
inside `forking`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator

__all__ = ["can_fork", "forking", "ignore_interrupts"]


def can_fork() -> bool:
    """Whether children may be forked here: on Linux, and not from a daemonic process (a
    Dask worker, a pool's worker), which multiprocessing forbids to have children."""
    return (sys.platform.startswith("linux")
            and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def ignore_interrupts() -> None:
    """A Ctrl-C reaches the whole process group: the parent cancels; its children must
    not die of it mid-work (the parent would see a broken child, not a cancel)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_lock = threading.Lock()
# Inside `forking`: whether the collector was on before it (inherited by the children forked
# there); None outside.
_collector_on: bool | None = None


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Fork children inside this block: each child freezes the objects it inherits for
    the garbage collector before any Python code of its own runs (`_freeze_inherited`),
    so it never collects garbage the parent left, which can own threads that exist only
    in the parent (a sound-print child hung in `pthread_cond_destroy`, freeing an
    inherited PyAV resampler's filter graph). The collector rests in the parent while it
    forks, so none runs in a child before that.

    The parent's own frozen objects stay frozen: the app freezes what its server loaded
    (`webapp.warmup`), and a freeze undone here would make each script run's collection
    a full pass again."""
    global _collector_on
    with _lock:
        _collector_on = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if _collector_on:
                gc.enable()
            _collector_on = None


def _freeze_inherited() -> None:
    """In a child forked inside `forking`: the inherited objects frozen (Python's
    documented way, `gc.freeze`), then the collector as the parent had it."""
    global _collector_on, _lock
    if _collector_on is not None:
        gc.freeze()
        if _collector_on:
            gc.enable()
        _collector_on, _lock = None, threading.Lock()  # the parent's, held at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_freeze_inherited)
