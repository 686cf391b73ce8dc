"""Progress: the callback every long task takes (`ProgressCallback`), and waiting on worker
threads (the decoders) while reporting progress from the caller's (`wait_reporting`), and
a stage's share of a whole run's bar (`scaled_progress`).

Progress callbacks run in the calling thread, never a worker's: a UI's callback may touch
state only its own thread owns. If the callback raises, or Ctrl-C arrives, the workers are
told to stop and the exception propagates once they have.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait

__all__ = ["ProgressCallback", "scaled_progress", "wait_reporting"]

#: Called with the share done (0-1) and a line saying what is being done. Raising from it
#: (a visitor who left) stops the work.
ProgressCallback = Callable[[float, str], None]

# How often the caller reports; also how soon it notices the work is done, since `wait`
# returns at once when the last worker finishes (a plain sleep cost every call 0.1 s).
_PERIOD = 0.1


def wait_reporting(
    futures: Sequence[Future], *, report: Callable[[], None] | None, halt: threading.Event
) -> None:
    """Wait for ``futures``, calling ``report`` about every 0.1 s; on any exception from it
    (or a KeyboardInterrupt) set ``halt``, which the workers poll, and re-raise. Then
    re-raise the first worker's exception, if any."""
    try:
        while not all(f.done() for f in futures):
            wait(futures, timeout=_PERIOD)
            if report is not None:
                report()
    except BaseException:
        halt.set()
        raise
    for f in futures:
        f.result()


def scaled_progress(
    on_progress: ProgressCallback | None, lo: float, hi: float
) -> ProgressCallback | None:
    """Map a stage's 0-1 progress into its part [lo, hi] of the whole run's."""
    if on_progress is None:
        return None
    return lambda fraction, message: on_progress(lo + (hi - lo) * fraction, message)
