"""Where batched k-means runs (`fingerprint.palette._workers`): processes on Linux for a
film's worth of frames, threads for a few, the same palettes whichever runs them, and
workers that leave a Ctrl-C to their parent."""

from __future__ import annotations

import signal
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from fingerprint.palette._histogram import color_histograms
from fingerprint.palette._kmeans import histogram_palettes
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


def test_the_palettes_do_not_depend_on_what_runs_them():
    hist = color_histograms(_frames(200))
    args = (hist.offsets, hist.counts, hist.means)
    with ThreadPoolExecutor(1) as one_thread:
        expected = histogram_palettes(*args, k=4, seed=3, pool=one_thread)
    with cluster_pool(1000) as pool:  # processes on Linux
        got = histogram_palettes(*args, k=4, seed=3, pool=pool)
    by_default = histogram_palettes(*args, k=4, seed=3)
    for result in (got, by_default):
        np.testing.assert_array_equal(result[0], expected[0])
        np.testing.assert_array_equal(result[1], expected[1])
