"""Frames held compressed: `hold` and `HeldFrames.unpack` give back every byte."""

from __future__ import annotations

import numpy as np

from fingerprint.decode._frames import DecodedFrames
from tests.support.held_frames import held


def test_held_frames_unpack_exactly_and_let_go_of_their_blobs():
    """Random frames (no row difference helps them) and smooth ones, an odd count so the
    two unpacking threads' halves differ."""
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (7, 18, 32, 3), dtype=np.uint8)
    frames[3] = np.arange(32, dtype=np.uint8)[None, :, None] * 8  # wraps past 255
    samples = DecodedFrames(frames=frames, times=np.arange(7.0), targets=np.arange(7.0) + 0.5,
                            ended_at=6.0)
    kept = held(samples)
    assert kept.frame_shape == (18, 32, 3) and len(kept.blobs) == 7
    back = kept.unpack()
    np.testing.assert_array_equal(back.frames, frames)
    np.testing.assert_array_equal(back.times, samples.times)
    np.testing.assert_array_equal(back.targets, samples.targets)
    assert back.ended_at == 6.0
    assert kept.blobs == [None] * 7


def test_a_flat_frame_holds_in_a_few_bytes():
    """Each row's differences of a flat frame are zeros after its first pixel."""
    frames = np.full((1, 180, 320, 3), 77, np.uint8)
    kept = held(DecodedFrames(frames=frames, times=np.zeros(1), targets=np.zeros(1)))
    assert len(kept.blobs[0]) < 200
    np.testing.assert_array_equal(kept.unpack().frames, frames)
