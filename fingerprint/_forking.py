"""Work in forked child processes: where the system forks, and how a child ignores Ctrl-C.

Two threads of one process share its interpreter lock; a forked child has its own and
inherits the loaded modules, so it starts in milliseconds. The k-means workers
(`palette._workers`) and the sound print beside the frames' decoders (`sound._forked`)
run so on Linux; elsewhere (macOS and Windows default to spawning, which re-imports
everything) they run in threads.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys

__all__ = ["can_fork", "ignore_interrupts"]


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def ignore_interrupts() -> None:
    """A Ctrl-C reaches the whole process group: the parent cancels; its children must
    not die of it mid-work (the parent would see a broken child, not a cancel)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
