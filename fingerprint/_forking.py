"""Work in forked child processes: where the system forks, and how a child ignores Ctrl-C.

Two threads of one process share its interpreter lock; a forked child has its own and
inherits the loaded modules, so it starts in milliseconds. The k-means workers
(`palette._workers`) and the sound print beside the frames' decoders (`sound._forked`)
run so on Linux; elsewhere (macOS and Windows default to spawning, which re-imports
everything) they run in threads. Children are made inside `forking`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import signal
import sys
from collections.abc import Iterator

__all__ = ["can_fork", "forking", "ignore_interrupts"]


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def ignore_interrupts() -> None:
    """A Ctrl-C reaches the whole process group: the parent cancels; its children must
    not die of it mid-work (the parent would see a broken child, not a cancel)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Fork children inside this block: the parent's objects are frozen for the garbage
    collector meanwhile, so a child never collects garbage the parent left, which can own
    threads that exist only in the parent (a sound-print child hung in
    `pthread_cond_destroy`, freeing an inherited PyAV resampler's filter graph). Python's
    documented way (`gc.freeze`); the parent's objects are unfrozen once it has forked."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
