"""Where batched k-means runs (`fingerprint.palette._workers`): processes on Linux for a
film's worth of frames, threads for a few, the same palettes whichever runs them, and
workers that leave a Ctrl-C to their parent."""

from __future__ import annotations

import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from fingerprint.palette._histogram import color_histograms, frames_of
from fingerprint.palette._kmeans import histogram_palettes, palettes_in_parts
from fingerprint.palette._workers import cluster_pool

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def _frames(n: int) -> np.ndarray:
    """``n`` small frames of a few noisy colour patches each, all different."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (n, 4, 3))
    frames = np.repeat(np.repeat(base.reshape(n, 2, 2, 3), 12, axis=1), 16, axis=2)
    noise = rng.integers(-6, 7, frames.shape)
    return np.clip(frames + noise, 0, 255).astype(np.uint8)


def _sigint_handler(_: int) -> object:
    return signal.getsignal(signal.SIGINT)


@linux
def test_a_film_s_frames_go_to_processes_and_a_few_to_threads():
    with cluster_pool(1000) as pool:
        assert isinstance(pool, ProcessPoolExecutor)
    with cluster_pool(20) as pool:
        assert isinstance(pool, ThreadPoolExecutor)


@linux
def test_workers_ignore_ctrl_c_which_their_parent_handles():
    with cluster_pool(1000) as pool:
        assert list(pool.map(_sigint_handler, [0, 1])) == [signal.SIG_IGN] * 2


def test_the_palettes_do_not_depend_on_what_runs_them_nor_on_parts(monkeypatch):
    """Processes (200 frames on Linux) and threads give the same palettes, and so do
    parts queued together and each part on its own."""
    from fingerprint.palette import _workers

    hist = color_histograms(_frames(200))
    parts = [frames_of(hist, 0, 150), frames_of(hist, 150, 200)]
    args = [(p.offsets, p.counts, p.means) for p in parts]
    together = list(palettes_in_parts(args, k=4, seed=3))
    monkeypatch.setattr(_workers, "can_fork", lambda: False)
    alone = [histogram_palettes(*a, k=4, seed=3) for a in args]
    for (colors, shares), (alone_colors, alone_shares) in zip(together, alone, strict=True):
        np.testing.assert_array_equal(colors, alone_colors)
        np.testing.assert_array_equal(shares, alone_shares)


def test_stopping_early_drops_the_batches_not_started(monkeypatch):
    """Closing the parts' iterator after the first part shuts the pool down: of the 50
    parts' batches, only those already running finish (on threads, to count them)."""
    from fingerprint.palette import _kmeans, _workers

    monkeypatch.setattr(_workers, "can_fork", lambda: False)
    ran = []
    chunk_palettes = _kmeans._chunk_palettes

    def counted(job):
        ran.append(1)
        threading.Event().wait(0.02)
        return chunk_palettes(job)

    monkeypatch.setattr(_kmeans, "_chunk_palettes", counted)
    hist = color_histograms(_frames(400))
    parts = [frames_of(hist, lo, lo + 8) for lo in range(0, 400, 8)]
    found = palettes_in_parts([(p.offsets, p.counts, p.means) for p in parts], k=3)
    next(found)
    found.close()
    assert len(ran) < 10
