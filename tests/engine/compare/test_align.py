"""Films on the shared time axis: positions, bins, resampling and curves."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.compare._align import align, analysed_span, curves, positions, resample
from tests.support.fingerprints import make_fingerprint


def test_each_bin_shows_the_sample_nearest_its_centre():
    fp = make_fingerprint(np.zeros((4, 1, 3)), duration=8.0)  # samples at 1, 3, 5, 7 s
    np.testing.assert_allclose(positions(fp), [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_array_equal(align(fp, bins=8).index, [0, 0, 1, 1, 2, 2, 3, 3])
    np.testing.assert_array_equal(align(fp, bins=2).index, [0, 2])
    np.testing.assert_array_equal(align(fp, bins=1).index, [1])
    np.testing.assert_allclose(align(fp, bins=8).times, [1, 1, 3, 3, 5, 5, 7, 7])


def test_alignment_uses_the_analysed_span():
    # 40-80 s of a 100 s film: its samples fill 0-100 % of the shared axis.
    fp = make_fingerprint(np.zeros((4, 1, 3)), duration=100.0, start=40.0, end=80.0)
    assert analysed_span(fp) == (40.0, 80.0)
    np.testing.assert_allclose(positions(fp), [0.125, 0.375, 0.625, 0.875])
    # A film that stopped decoding early: the span ends at its last sample's slot.
    cut = make_fingerprint(np.zeros((5, 1, 3)), duration=100.0, samples=10)
    assert analysed_span(cut) == pytest.approx((0.0, 50.0))
    np.testing.assert_allclose(positions(cut)[-1], 0.9)


def test_curves_are_averaged_within_bins_and_interpolated_between():
    where = np.array([0.1, 0.2, 0.6])
    np.testing.assert_allclose(resample(np.array([1.0, 3.0, 10.0]), where, bins=2), [2.0, 10.0])
    # 4 bins: centres 0.125, 0.375 (empty: interpolated), 0.625, 0.875 (past the end).
    got = resample(np.array([1.0, 3.0, 10.0]), where, bins=4)
    np.testing.assert_allclose(got, [2.0, 3 + 7 * (0.375 - 0.2) / 0.4, 10.0, 10.0])


def test_curve_values():
    colors = np.array([[[255, 255, 255]], [[128, 128, 128]], [[255, 140, 0]], [[30, 80, 220]]])
    lightness, chroma, warmth = curves(colors, np.ones((4, 1)))
    assert lightness[0] == pytest.approx(100, abs=0.01)
    assert chroma[:2] == pytest.approx([0, 0], abs=0.01)
    assert warmth[:2] == pytest.approx([0, 0], abs=0.01)
    assert warmth[2] > 50 and warmth[3] < -30
    # Half orange, half blue: warmth is the share-weighted balance.
    _, _, mixed = curves(colors[None, 2:, 0], np.array([[0.5, 0.5]]))
    assert mixed[0] == pytest.approx((warmth[2] + warmth[3]) / 2, abs=1e-3)
