"""Analyses shared by every session, a few at a time. Pure, no Streamlit.

One `Job` per (film, options), run in its own thread however many sessions wait for it.
Jobs run while their weights (an analysis of the app's default size weighs 1; memory
grows with the samples) fit in ``slots`` (`Queue`), and one runs alone whatever its
weight; the others wait in arrival order and know how many are ahead, so a visitor sees a
place in the queue rather than a frozen page, and a link asking for the most samples
cannot run beside others. Long jobs (`job_size`: shots, exact mode; minutes on a feature
film where fast mode takes seconds) take at most all slots but one, so quick analyses
never wait for them: a quick job passes long ones that wait for that reason only. With a
`Budget`, a job also holds its memory cost (`webapp.budget.analysis_mb`: an 8K film's
job weighs what its decoders' frames take) and waits until that fits beside the others;
one that could never fit is refused (`OverBudget`) instead of run. A
job counts the sessions waiting for it: when the last one leaves (it changed a setting,
opened another film or closed the tab) and none comes back within ``grace`` seconds, the
job is cancelled, so nobody's abandoned work holds a slot or memory.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from fingerprint.errors import Cancelled
from fingerprint.params import Params

from .budget import Budget, OverBudget

# How often a queued job looks at its cancel event while it waits for a slot.
_QUEUE_POLL_S = 0.2

Work = Callable[[threading.Event, Callable[[float, str], None]], Any]


def job_size(
    params: Params, *, frames_stored: bool = False, shots_stored: bool = False
) -> tuple[float, bool]:
    """An analysis's weight in the queue, and whether it is long.

    The weight follows memory, which grows with the samples: 3000 weigh three default
    analyses. Shots and exact mode need no more of it on a small host, nor more cores
    (every analysis keeps its two decoders busy: fast mode 13.5 s of CPU in 7.9 s on the
    2-hour film, exact 184 s in 94.7 s, docs/benchmarks.md; exact mode has one per core,
    and `budget.analysis_mb` counts them), but they decode every frame of the span, so
    they hold their slot for minutes: long, they may not fill the queue. Unless the cache
    holds what they decode (``frames_stored``: exact mode's samples; ``shots_stored``:
    the shots): another k then takes seconds.
    """
    long = (params.mode == "exact" and not frames_stored) or (params.shots and not shots_stored)
    return params.samples / Params().samples, long


def waiting_text(title: str, ahead: int, slots: float) -> str:
    """What a visitor whose analysis waits in the server's queue reads."""
    films = "1 other film" if ahead == 1 else f"{ahead} other films"
    place = "yours is next" if ahead == 0 else f"waiting for {films} ahead of yours"
    return (f"Queued {title}: this server fingerprints {slots:g} film"
            f"{'s' if slots != 1 else ''} at a time, {place}…")


_Entry = tuple[object, float, bool, float]  # ticket, weight, long, memory (MB)


class Queue:
    """A weighted semaphore of ``slots`` that serves waiters in arrival order and says
    where each one stands. Long work holds at most all slots but one (`job_size`); a
    waiter passes long ones ahead of it that wait for that limit alone. With a ``budget``,
    work also holds its memory there while it runs, and starts only when that fits."""

    def __init__(self, slots: float, budget: Budget | None = None) -> None:
        if slots < 1:
            raise ValueError("an analysis queue needs at least one slot")
        self.slots = slots
        self.budget = budget
        self._running = 0
        self._load = 0.0
        self._long_load = 0.0
        self._waiting: collections.deque[_Entry] = collections.deque()
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def slot(
        self, ticket: object, cancel: threading.Event, weight: float = 1.0, long: bool = False,
        mb: float = 0.0,
    ) -> Iterator[None]:
        """Hold ``weight`` of the slots and ``mb`` of the budget for ``ticket``'s work,
        once its turn comes and that fits (or nothing runs); raises Cancelled if
        ``cancel`` is set while it still waits (it then never started), OverBudget at
        once if ``mb`` could never fit."""
        if self.budget is not None and (why := self.budget.too_large(mb)):
            raise OverBudget(why)
        entry = (ticket, weight, long, mb)
        with self._changed:
            self._waiting.append(entry)
            try:
                while not self._turn(entry):
                    if cancel.is_set():
                        raise Cancelled("The analysis was cancelled before it started.")
                    self._changed.wait(_QUEUE_POLL_S)
            finally:
                self._waiting.remove(entry)
                self._changed.notify_all()
            self._running += 1
            self._load += weight
            self._long_load += weight if long else 0.0
            if self.budget is not None:
                self.budget.hold(mb)
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._load -= weight
                self._long_load -= weight if long else 0.0
                if self.budget is not None:
                    self.budget.release(mb)
                self._changed.notify_all()

    def _turn(self, entry: _Entry) -> bool:
        """Whether ``entry`` starts now: it fits, and everyone ahead of it is long work
        held back by the long limit (which it, being quick, passes)."""
        _, weight, long, mb = entry
        for ahead in self._waiting:
            if ahead is entry:
                return self._fits(weight, long, mb)
            _, their_weight, their_long, their_mb = ahead
            held = (their_long and self._fits(their_weight, False, their_mb)
                    and not self._fits(their_weight, True, their_mb))
            if long or not held:
                return False
        return False

    def _fits(self, weight: float, long: bool, mb: float) -> bool:
        if self._running == 0:
            return True  # within the budget: `slot` refused what could never fit
        # Long work leaves one slot (of two or more) to quick analyses.
        room = max(1.0, self.slots - 1) if long else self.slots
        return (
            (self._long_load if long else self._load) + weight <= room + 1e-9
            and self._load + weight <= self.slots + 1e-9
            and (self.budget is None or self.budget.fits(mb))
        )

    def ahead(self, ticket: object) -> int | None:
        """How many waiters are ahead of ``ticket``, or None when it is not waiting."""
        with self._changed:
            for place, (waiting, *_) in enumerate(self._waiting):
                if waiting is ticket:
                    return place
            return None

    @property
    def running(self) -> int:
        return self._running


class Job:
    """One analysis: its progress as last reported, then its result or its error."""

    def __init__(
        self, key: Hashable, weight: float = 1.0, long: bool = False, mb: float = 0.0
    ) -> None:
        self.key = key
        self.weight = weight
        self.long = long
        self.mb = mb  # its memory cost, held in the budget while it runs
        self.cancel = threading.Event()
        self.done = threading.Event()
        self.waiters = 0
        self.fraction = 0.0
        self.message = ""
        self.started: float | None = None  # when it left the queue (time.monotonic)
        self.result: Any = None
        self.error: BaseException | None = None

    def report(self, fraction: float, message: str) -> None:
        """The engine's ``on_progress``: kept for the sessions to draw (never Streamlit
        calls here: this runs on the job's thread)."""
        self.fraction, self.message = fraction, message


class Jobs:
    """The server's analyses by key, run through one `Queue`."""

    def __init__(self, *, slots: float, grace: float, budget: Budget | None = None) -> None:
        self.queue = Queue(slots, budget)
        self.grace = grace
        self._jobs: dict[Hashable, Job] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def waiting(
        self, key: Hashable, work: Work, weight: float = 1.0, long: bool = False,
        mb: float = 0.0,
    ) -> Iterator[Job]:
        """The job for ``key``, started with ``work(cancel, report)`` unless one runs
        already, held for as long as the caller waits: leaving (normally, or through
        an exception such as Streamlit's rerun and stop) lets it go (`leave`)."""
        job = self.join(key, work, weight, long, mb)
        try:
            yield job
        finally:
            self.leave(job)

    def join(
        self, key: Hashable, work: Work, weight: float = 1.0, long: bool = False,
        mb: float = 0.0,
    ) -> Job:
        with self._lock:
            job = self._jobs.get(key)
            if job is None or job.cancel.is_set():  # a cancelled job is on its way out
                job = self._jobs[key] = Job(key, weight, long, mb)
                threading.Thread(
                    target=self._run, args=(job, work), name=f"analysis {key}", daemon=True
                ).start()
            job.waiters += 1
            return job

    def leave(self, job: Job) -> None:
        with self._lock:
            job.waiters -= 1
            if job.waiters > 0 or job.done.is_set():
                return
        if self.grace <= 0:
            self._expire(job)
        else:
            # A rerun leaves and rejoins within milliseconds: it must not restart the work.
            timer = threading.Timer(self.grace, self._expire, args=(job,))
            timer.daemon = True
            timer.start()

    def _expire(self, job: Job) -> None:
        with self._lock:
            if job.waiters == 0 and not job.done.is_set():
                job.cancel.set()

    def ahead(self, job: Job) -> int | None:
        """Analyses queued ahead of ``job``, or None once it runs."""
        return self.queue.ahead(job)

    def active(self) -> list[Job]:
        """Jobs queued or running."""
        with self._lock:
            return list(self._jobs.values())

    def _run(self, job: Job, work: Work) -> None:
        try:
            with self.queue.slot(job, job.cancel, job.weight, job.long, job.mb):
                job.started = time.monotonic()
                job.result = work(job.cancel, job.report)
        except BaseException as exc:  # handed to every session waiting for it
            job.error = exc
        finally:
            with self._lock:
                if self._jobs.get(job.key) is job:
                    del self._jobs[job.key]
            job.done.set()
