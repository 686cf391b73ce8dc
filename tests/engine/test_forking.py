"""Forked children and the parent's garbage (fingerprint/_forking.py)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import subprocess
import sys

import pytest

from fingerprint._forking import can_fork, forking
from tests.support import DEMO, ROOT

pytestmark = pytest.mark.skipif(not can_fork(), reason="children are threads here")


def _can_fork_here(answers) -> None:
    answers.put(can_fork())


def test_a_daemonic_process_has_no_children_of_its_own():
    """multiprocessing forbids a daemonic process (a Dask worker, a pool's worker) to
    start children: the work that would fork runs in threads there."""
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    for daemon in (True, False):
        child = context.Process(target=_can_fork_here, args=(answers,), daemon=daemon)
        child.start()
        child.join()
        assert answers.get(timeout=10) is not daemon


def test_children_never_collect_the_parents_garbage():
    """A PyAV resampler left in an unreachable cycle owns its filter graph's threads; a
    child that collected it waited for them forever (the sound print's child, a k-means
    worker). With each child freezing what it inherits before any code of its own runs,
    the sound print and the k-means come back, each child collecting garbage first thing."""
    script = ROOT / "tests" / "support" / "forked_garbage.py"
    run = subprocess.Popen([sys.executable, str(script), str(DEMO / "flower_5s_540p_h264.mp4")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           stdin=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
    try:
        out, err = run.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)  # the script and its stuck children
        run.communicate()
        pytest.fail("a forked child hung collecting the parent's garbage")
    assert run.returncode == 0, err
    assert out.split() == ["ok", "6"]


def test_a_child_freezes_what_it_inherits_and_the_parent_keeps_its_own_freeze():
    """The app freezes what its server loaded (webapp.warmup) so that Streamlit's
    collection after each script run skips it; forking the k-means workers or the sound
    print must not undo that, and each child must freeze all it inherits."""
    enabled = gc.isenabled()
    gc.enable()
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        young = [[] for _ in range(5000)]  # tracked, not frozen in the parent
        with forking():
            pid = os.fork()
            if pid == 0:  # the child: exits at once, its status the answer
                # Frozen objects are not among `get_objects`: the child's, all it inherited.
                os._exit(2 if not gc.isenabled() else 1 if len(gc.get_objects()) >= len(young)
                         else 0)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) != 1, "the child left what it inherited unfrozen"
        assert os.waitstatus_to_exitcode(status) != 2, "the child's collector stayed off"
        assert os.waitstatus_to_exitcode(status) == 0
        assert gc.get_freeze_count() >= frozen // 2  # 0 once unfrozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        if not enabled:
            gc.disable()
