"""The server's analyses (webapp.jobs): a few at a time, in arrival order, shared by the
sessions that want the same one, cancelled when none waits any more (issue 12, 3 and 4).

Work here is a function that blocks on events the test sets, so every state is reached on
purpose; waits have generous bounds that only catch a hang.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from fingerprint.errors import Cancelled
from fingerprint.params import Params
from webapp.budget import SERVER_MB, UPLOAD_MB, UPLOADS_AT_ONCE, Budget, OverBudget
from webapp.jobs import Job, Jobs, Queue, job_size, waiting_text

HANG_S = 30


class Gate:
    """Work that reports it started, then blocks until released or cancelled."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.cancel: threading.Event | None = None

    def __call__(self, cancel: threading.Event, report: Callable[[float, str], None]) -> str:
        self.cancel = cancel
        self.started.set()
        report(0.5, "halfway")
        while not self.release.wait(0.01):
            if cancel.is_set():
                raise Cancelled("cancelled")
        return "done"


def _finish(job: Job) -> None:
    assert job.done.wait(HANG_S), "the job never ended"


def test_at_most_slots_run_and_the_rest_wait_in_arrival_order() -> None:
    jobs = Jobs(slots=2, grace=0)
    gates = [Gate() for _ in range(4)]
    held = [jobs.join(i, gate) for i, gate in enumerate(gates)]
    assert gates[0].started.wait(HANG_S) and gates[1].started.wait(HANG_S)
    # Queued jobs enter the queue from their own threads: wait until both are in it.
    for _ in range(HANG_S * 100):
        if jobs.ahead(held[2]) is not None and jobs.ahead(held[3]) is not None:
            break
        threading.Event().wait(0.01)
    assert (jobs.ahead(held[2]), jobs.ahead(held[3])) == (0, 1)
    assert jobs.ahead(held[0]) is None and jobs.queue.running == 2
    assert not gates[2].started.is_set() and not gates[3].started.is_set()
    gates[1].release.set()
    _finish(held[1])
    assert gates[2].started.wait(HANG_S)  # the first in line, not the last
    assert not gates[3].started.is_set() and jobs.ahead(held[3]) == 0
    for gate in gates:
        gate.release.set()
    for job in held:
        _finish(job)
        assert job.result == "done" and job.error is None
    assert jobs.active() == [] and jobs.queue.running == 0


def test_sessions_wanting_the_same_analysis_share_one_job() -> None:
    jobs = Jobs(slots=2, grace=0)
    gate, other = Gate(), Gate()
    with jobs.waiting("film", gate) as first, jobs.waiting("film", other) as second:
        assert first is second and first.waiters == 2
        assert gate.started.wait(HANG_S)
        gate.release.set()
        _finish(first)
    assert not other.started.is_set()  # never run: the first job's work served both
    assert first.result == "done" and first.fraction == 0.5 and first.message == "halfway"


def test_the_last_session_leaving_cancels_the_job() -> None:
    jobs = Jobs(slots=1, grace=0)
    gate = Gate()
    with jobs.waiting("film", gate) as job:
        with jobs.waiting("film", Gate()):
            assert gate.started.wait(HANG_S)
        assert not job.cancel.is_set()  # another session still waits for it
    _finish(job)
    assert job.cancel.is_set() and isinstance(job.error, Cancelled)
    assert jobs.active() == [] and jobs.queue.running == 0


def test_a_session_interrupted_by_an_exception_lets_its_job_go() -> None:
    """Streamlit interrupts a run with an exception (rerun, stop): it must leave too."""

    class Rerun(Exception):
        pass

    jobs = Jobs(slots=1, grace=0)
    gate = Gate()
    with pytest.raises(Rerun), jobs.waiting("film", gate) as job:
        assert gate.started.wait(HANG_S)
        raise Rerun
    _finish(job)
    assert isinstance(job.error, Cancelled)


def test_a_queued_job_nobody_waits_for_never_runs() -> None:
    jobs = Jobs(slots=1, grace=0)
    running, queued = Gate(), Gate()
    first = jobs.join("a", running)
    assert running.started.wait(HANG_S)
    with jobs.waiting("b", queued) as job:
        pass
    _finish(job)
    assert isinstance(job.error, Cancelled) and not queued.started.is_set()
    running.release.set()
    _finish(first)
    assert first.result == "done"


def test_a_session_back_within_the_grace_keeps_the_job_and_a_new_one_follows_a_cancel() -> None:
    jobs = Jobs(slots=1, grace=HANG_S)
    gate = Gate()
    job = jobs.join("film", gate)
    jobs.leave(job)  # a rerun: gone, and back at once
    assert jobs.join("film", Gate()) is job and not job.cancel.is_set()
    job.cancel.set()  # cancelled, not yet ended: whoever comes now gets a fresh job
    fresh = jobs.join("film", Gate())
    assert fresh is not job
    gate.release.set()
    _finish(job)
    fresh.cancel.set()
    _finish(fresh)
    assert jobs.active() == []


def test_grace_expires_into_a_cancel() -> None:
    jobs = Jobs(slots=1, grace=0.05)
    gate = Gate()
    with jobs.waiting("film", gate) as job:
        assert gate.started.wait(HANG_S)
    _finish(job)
    assert isinstance(job.error, Cancelled)


def test_errors_reach_every_waiting_session() -> None:
    def broken(cancel: threading.Event, report: Callable[[float, str], None]) -> None:
        raise MemoryError

    jobs = Jobs(slots=1, grace=0)
    with jobs.waiting("film", broken) as job:
        _finish(job)
    assert isinstance(job.error, MemoryError) and jobs.queue.running == 0


def test_queue_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        Queue(0)


def test_waiting_text_says_the_place_in_the_queue() -> None:
    assert "yours is next" in waiting_text("Flower", 0, 2)
    assert "waiting for 1 other film ahead of yours" in waiting_text("Flower", 1, 2)
    assert "waiting for 3 other films ahead of yours" in waiting_text("Flower", 3, 1)
    assert "1 film at a time" in waiting_text("Flower", 3, 1)


def test_a_heavy_analysis_runs_alone_and_light_ones_share() -> None:
    jobs = Jobs(slots=2, grace=0)
    heavy, light, lighter = Gate(), Gate(), Gate()
    first = jobs.join("heavy", heavy, 3.0)  # more than every slot: it runs, alone
    assert heavy.started.wait(HANG_S)
    second = jobs.join("light", light, 0.7)
    third = jobs.join("lighter", lighter, 0.7)
    for _ in range(HANG_S * 100):
        if jobs.ahead(third) is not None:
            break
        threading.Event().wait(0.01)
    assert not light.started.is_set() and jobs.ahead(second) == 0
    heavy.release.set()
    _finish(first)
    assert light.started.wait(HANG_S) and lighter.started.wait(HANG_S)  # 1.4 of 2 fits
    light.release.set()
    lighter.release.set()
    _finish(second)
    _finish(third)


def test_shots_and_exact_mode_are_long_jobs_of_their_samples_weight() -> None:
    assert job_size(Params()) == (1.0, False)
    assert job_size(Params(shots=True)) == (1.0, True)
    assert job_size(Params(mode="exact")) == (1.0, True)
    assert job_size(Params(samples=3000, sound=True)) == (3.0, False)
    # Unless the cache holds what they would decode at length.
    assert job_size(Params(shots=True), shots_stored=True) == (1.0, False)
    assert job_size(Params(shots=True), frames_stored=True) == (1.0, True)
    assert job_size(Params(mode="exact"), frames_stored=True) == (1.0, False)
    assert job_size(Params(mode="exact", shots=True), frames_stored=True) == (1.0, True)


def _queued(jobs: Jobs, job: Job) -> None:
    for _ in range(HANG_S * 100):
        if jobs.ahead(job) is not None:
            return
        threading.Event().wait(0.01)
    raise AssertionError("the job never queued")


def test_long_jobs_leave_a_slot_to_quick_ones_which_pass_them() -> None:
    jobs = Jobs(slots=2, grace=0)
    shots, more_shots, quick, later = Gate(), Gate(), Gate(), Gate()
    first = jobs.join("shots", shots, 1.0, True)
    assert shots.started.wait(HANG_S)
    second = jobs.join("more shots", more_shots, 1.0, True)  # would fill both slots: waits
    _queued(jobs, second)
    third = jobs.join("quick", quick, 1.0)  # behind it, but the last slot is the quick ones'
    assert quick.started.wait(HANG_S)
    assert not more_shots.started.is_set() and jobs.ahead(second) == 0
    fourth = jobs.join("later", later, 1.0)  # both slots taken: waits behind the long job
    _queued(jobs, fourth)
    quick.release.set()
    _finish(third)
    # A slot is free, but the long limit holds the long job back: the quick one passes.
    assert later.started.wait(HANG_S) and not more_shots.started.is_set()
    shots.release.set()
    _finish(first)
    assert more_shots.started.wait(HANG_S)
    more_shots.release.set()
    later.release.set()
    _finish(second)
    _finish(fourth)


def test_a_long_job_waiting_for_room_is_not_passed() -> None:
    """Quick jobs pass a long job only while the long limit holds it: once it waits for
    room like anyone, it keeps its place (a stream of quick jobs cannot starve it)."""
    jobs = Jobs(slots=2, grace=0)
    a, b, long, quick = Gate(), Gate(), Gate(), Gate()
    held = [jobs.join("a", a), jobs.join("b", b)]
    assert a.started.wait(HANG_S) and b.started.wait(HANG_S)
    waiting_long = jobs.join("long", long, 1.0, True)
    _queued(jobs, waiting_long)
    waiting_quick = jobs.join("quick", quick)
    _queued(jobs, waiting_quick)
    a.release.set()
    _finish(held[0])
    assert long.started.wait(HANG_S) and not quick.started.is_set()
    for gate in (b, long, quick):
        gate.release.set()
    for job in (held[1], waiting_long, waiting_quick):
        _finish(job)



# --- memory (issue 21) -------------------------------------------------------------------
def _budget(for_analyses_mb: float) -> Budget:
    return Budget(SERVER_MB + UPLOADS_AT_ONCE * UPLOAD_MB + for_analyses_mb)


def test_a_job_waits_for_memory_as_well_as_for_a_slot() -> None:
    """Two 8K analyses: a slot is free for the second, its memory is not."""
    budget = _budget(1000)
    jobs = Jobs(slots=2, grace=0, budget=budget)
    first_gate, second_gate = Gate(), Gate()
    first = jobs.join("8k", first_gate, 1.0, False, 700)
    assert first_gate.started.wait(HANG_S)
    second = jobs.join("another 8k", second_gate, 1.0, False, 700)
    _queued(jobs, second)
    assert jobs.ahead(second) == 0 and not second_gate.started.is_set()
    assert budget.analyses_mb == 700
    small = Gate()  # behind it in line: it waits its turn, even though it would fit
    third = jobs.join("1080p", small, 1.0, False, 100)
    _queued(jobs, third)
    assert not small.started.is_set()
    first_gate.release.set()
    _finish(first)
    assert second_gate.started.wait(HANG_S)
    assert small.started.wait(HANG_S)  # 700 + 100 fit together
    second_gate.release.set()
    small.release.set()
    _finish(second)
    _finish(third)
    assert budget.analyses_mb == 0 and jobs.queue.running == 0


def test_a_job_that_could_never_fit_is_refused_with_a_sentence() -> None:
    jobs = Jobs(slots=2, grace=0, budget=_budget(1000))
    gate = Gate()
    job = jobs.join("16k", gate, 1.0, False, 5000)
    _finish(job)
    assert isinstance(job.error, OverBudget) and not gate.started.is_set()
    assert "about 5.0 GB of memory" in str(job.error) and "fewer samples" in str(job.error)
    assert jobs.active() == [] and jobs.queue.budget.analyses_mb == 0
