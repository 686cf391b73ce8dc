"""Where batched k-means and the frames' summary run: worker processes where the system
forks, threads elsewhere.

The k-means of a batch of frames is many mid-sized numpy operations, and between them
Python holds the interpreter lock: two threads overlapped 1.1 x on two cores (1.35 s of
wall time for the 2-hour film's 1000 frames at k = 5, against 1.51 s on one thread),
while two processes overlap fully (docs/benchmarks.md, "Fast mode: where the seconds
go"). Forked workers inherit the loaded modules, so they start in milliseconds; each pool
lives for one clustering call and its workers exit with it, so no process keeps a stale
copy of a server's memory. Where forking is not offered (macOS and Windows default to
spawning, which re-imports everything), or the work is a few batches, threads do it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from .._cores import usable_cores
from .._forking import can_fork, forking, ignore_interrupts

__all__ = ["cluster_pool"]

# Frames below which starting processes costs more than it saves (a fork of a 300 MB
# process and its worker: a few milliseconds each; 128 frames cluster in about 0.2 s).
_PROCESS_MIN_FRAMES = 128
_MAX_WORKERS = 8


def cluster_pool(frames: int) -> contextlib.AbstractContextManager[Executor]:
    """An executor for work on ``frames`` frames (clustering them, summarising them), shut
    down (its workers gone) when the block ends."""
    workers = max(1, min(frames, usable_cores(), _MAX_WORKERS))
    if workers > 1 and frames >= _PROCESS_MIN_FRAMES and can_fork():
        return _processes(workers)
    return ThreadPoolExecutor(max_workers=workers)


@contextlib.contextmanager
def _processes(workers: int) -> Iterator[Executor]:
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=ignore_interrupts) as pool:
        with forking():  # a fork-context pool starts every worker at its first submit
            pool.submit(int)
        yield pool
