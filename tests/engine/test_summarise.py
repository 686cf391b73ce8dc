"""The colour summary of decoded samples: the same from frames held compressed, a batch
at a time, as from the frames in hand."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from fingerprint import Params
from fingerprint._summarise import BATCH, frame_lines, summarise_samples
from fingerprint.decode._frames import DecodedFrames
from fingerprint.errors import Cancelled
from tests.support.held_frames import held


def letterboxed(n: int) -> DecodedFrames:
    """``n`` 40x24 frames with black bars of 3 rows above, 5 below and 2 columns left,
    the picture between them a colour of its own per frame."""
    rng = np.random.default_rng(1)
    frames = np.zeros((n, 24, 40, 3), np.uint8)
    frames[:, 3:19, 2:] = rng.integers(60, 256, (n, 1, 1, 3), dtype=np.uint8)
    times = np.arange(n, dtype=np.float64)
    return DecodedFrames(frames=frames, times=times, targets=times + 0.5)


def test_held_frames_summarise_as_the_frames_do():
    """Three batches and a part; the bars are found across all of them."""
    samples = letterboxed(2 * BATCH + 37)
    params = Params(samples=len(samples.frames))
    direct = summarise_samples(samples, params=params)
    from_held = summarise_samples(held(samples), params=params)
    assert direct.bars == from_held.bars == (3, 5, 2, 0)
    np.testing.assert_array_equal(from_held.average, samples.frames[:, 10, 20])
    np.testing.assert_array_equal(from_held.average, direct.average)
    for got, want in zip(from_held.histograms, direct.histograms, strict=True):
        np.testing.assert_array_equal(got, want)
    assert (from_held.height, from_held.width) == (24, 40)
    np.testing.assert_array_equal(from_held.targets, samples.targets)


def test_lines_counted_frame_by_frame_find_the_same_bars():
    """The decoders' way: each frame's lines counted as it is kept."""
    samples = letterboxed(BATCH + 3)
    lines = [frame_lines(frame) for frame in samples.frames]
    summary = summarise_samples(held(samples), params=Params(samples=BATCH + 3), lines=lines)
    assert summary.bars == (3, 5, 2, 0)
    np.testing.assert_array_equal(summary.average, samples.frames[:, 10, 20])


def test_a_cancel_stops_the_summary_between_batches():
    """Set at the first progress report (a batch of the bars' pass): no batch of the
    colours' pass reports."""
    cancel = threading.Event()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        cancel.set()

    with pytest.raises(Cancelled):
        summarise_samples(held(letterboxed(5 * BATCH)), params=Params(samples=500),
                          on_progress=progress, cancel=cancel)
    assert seen and not [m for m in seen if m.startswith("measuring colours")]
