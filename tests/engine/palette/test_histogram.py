"""Known answers for the colour histograms and k-means on them: frames of known colours
give exactly those colours and shares, and every bin holds exactly its pixels."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.errors import InvalidParameterError
from fingerprint.palette import _histogram as histogram
from fingerprint.palette._histogram import (
    BIN_BUDGET,
    MEAN_SCALE,
    cell_starts,
    colour_histograms,
    extend,
    frames_of,
    histogram_points,
)
from fingerprint.palette._kmeans import histogram_palettes, palettes

RED, TEAL, NAVY, GOLD = (200, 30, 40), (20, 140, 130), (25, 30, 90), (250, 200, 0)


def bands(colours: list[tuple[int, int, int]], widths: list[int], height: int = 30) -> np.ndarray:
    """A frame of vertical bands: ``colours[i]`` over ``widths[i]`` columns."""
    return np.repeat(np.array(colours, np.uint8)[None], height, axis=0).repeat(widths, axis=1)


def brute_force(frame: np.ndarray) -> tuple[int, list[tuple[tuple[float, ...], int]]]:
    """The bins of ``frame`` as `colour_histograms` should cut them, worked out pixel by
    pixel: the finest level (bits a channel, 8 down to 5) with fewer than BIN_BUDGET
    bins, else 5; each bin's exact mean colour and count, in no particular order."""
    pixels = frame.reshape(-1, 3).astype(np.int64)
    for bits in range(8, 4, -1):
        cells, inverse, counts = np.unique(
            pixels >> (8 - bits), axis=0, return_inverse=True, return_counts=True
        )
        if len(cells) < BIN_BUDGET or bits == 5:
            break
    inverse = inverse.ravel()
    sums = np.stack([np.bincount(inverse, pixels[:, c]) for c in range(3)], axis=1)
    return bits, [(tuple(s / n), int(n)) for s, n in zip(sums, counts, strict=True)]


def as_found(hist, i: int) -> list[tuple[tuple[float, ...], int]]:
    lo, hi = hist.offsets[i], hist.offsets[i + 1]
    return [(tuple(m / MEAN_SCALE), int(n))
            for m, n in zip(hist.means[lo:hi], hist.counts[lo:hi], strict=True)]


def same_bins(found, expected, bits: int) -> None:
    """Equal bins: the same cells (by where their means lie), counts exact, means within
    the 1/64 code that fixed point rounds them by."""
    def key(b):
        return tuple(int(v) >> (8 - bits) for v in b[0])

    found, expected = sorted(found, key=key), sorted(expected, key=key)
    assert [key(b) for b in found] == [key(b) for b in expected]
    assert [n for _, n in found] == [n for _, n in expected]
    np.testing.assert_allclose([m for m, _ in found], [m for m, _ in expected],
                               atol=0.5 / MEAN_SCALE + 1e-9)


def test_solid_colours_are_their_own_bins_exactly() -> None:
    frame = bands([RED, TEAL, NAVY], [10, 25, 5])
    hist = colour_histograms(frame[None])
    assert list(hist.offsets) == [0, 3]
    assert hist.pixels == 30 * 40
    found = {tuple(m // MEAN_SCALE): int(n) for m, n in zip(hist.means, hist.counts, strict=True)}
    assert found == {RED: 300, TEAL: 750, NAVY: 150}
    assert (hist.means % MEAN_SCALE == 0).all()  # exact codes, no rounding


@pytest.mark.parametrize("seed", [0, 1])
def test_bins_hold_exactly_their_pixels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    few = rng.integers(0, 256, (40, 3))  # a frame of 40 colours: binned exactly
    frames = np.stack([
        few[rng.integers(0, 40, (120, 160))].astype(np.uint8),
        rng.integers(0, 256, (120, 160, 3), dtype=np.uint8),  # noise: 8-code bins
        np.clip(rng.normal(128, 6, (120, 160, 3)), 0, 255).astype(np.uint8),  # a grey blur
    ])
    hist = colour_histograms(frames[:, 3:, 5:])  # a view, as cropping gives
    levels = []
    for i, frame in enumerate(frames[:, 3:, 5:]):
        bits, expected = brute_force(frame)
        same_bins(as_found(hist, i), expected, bits)
        levels.append(bits)
    assert levels[0] == 8 and levels[1] == 5


def test_a_large_frame_sums_each_channel_apart(monkeypatch) -> None:
    # Past 299,593 pixels the packed sums could overflow: the same bins another way.
    rng = np.random.default_rng(2)
    frame = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    packed = colour_histograms(frame[None])
    monkeypatch.setattr(histogram, "_PACKED_PIXELS", 10)
    apart = colour_histograms(frame[None])
    for a, b in zip(packed, apart, strict=True):
        np.testing.assert_array_equal(a, b)


def test_histograms_of_batches_join_and_split() -> None:
    rng = np.random.default_rng(4)
    frames = rng.integers(0, 256, (7, 20, 30, 3), dtype=np.uint8)
    whole = colour_histograms(frames)
    joined = extend(extend(None, colour_histograms(frames[:3])), colour_histograms(frames[3:]))
    for a, b in zip(whole, joined, strict=True):
        np.testing.assert_array_equal(a, b)
    part = frames_of(whole, 2, 5)
    for a, b in zip(part, colour_histograms(frames[2:5]), strict=True):
        np.testing.assert_array_equal(a, b)


def test_points_are_the_bins_colours() -> None:
    from fingerprint.palette._color import rgb_to_lab

    means = np.array([[c * MEAN_SCALE for c in RED], [0, 0, 0], [8160, 8160, 8160]], np.uint16)
    np.testing.assert_allclose(histogram_points(means, "lab"),
                               rgb_to_lab(np.array([RED, (0, 0, 0), (255, 255, 255)], np.uint8)),
                               atol=1e-3)
    np.testing.assert_array_equal(histogram_points(means, "rgb"), [RED, (0, 0, 0), (255,) * 3])


@pytest.mark.parametrize("budget", [1, 8, 64, 1000])
def test_cells_are_the_finest_grid_within_budget(budget: int) -> None:
    rng = np.random.default_rng(5)
    frames = rng.integers(0, 256, (3, 30, 40, 3), dtype=np.uint8)
    frames[1] = 77  # one colour: one bin, one cell
    hist = colour_histograms(frames)
    starts = cell_starts(hist.means, hist.offsets, budget)
    assert set(hist.offsets[:-1]) <= set(starts)  # every frame starts a cell
    codes = (hist.means // MEAN_SCALE).astype(np.intp)
    keys = histogram._KEY[0][codes[:, 0]] | histogram._KEY[1][codes[:, 1]] \
        | histogram._KEY[2][codes[:, 2]]
    for i in range(3):
        lo, hi = hist.offsets[i], hist.offsets[i + 1]
        begins = np.isin(np.arange(lo, hi), starts)
        # The grid of 2**t cells (the keys' top t bits) that makes exactly these cells.
        grids = [t for t in range(25)
                 if np.array_equal(begins[1:], np.diff(keys[lo:hi] >> (24 - t)) != 0)]
        assert grids, f"frame {i}: the cells are no grid's"
        cells = begins.sum()
        assert cells <= budget
        finer = len(np.unique(keys[lo:hi] >> (24 - min(grids[-1] + 1, 24))))
        assert grids[-1] == 24 or finer > budget  # the finest grid within the budget


def test_histogram_palettes_of_solid_colours_are_those_colours_and_shares() -> None:
    frames = np.stack([
        bands([RED, TEAL, NAVY], [20, 12, 8]),
        bands([GOLD, NAVY], [30, 10]),
        bands([TEAL], [40]),
    ])
    for space in ("lab", "rgb"):
        hist = colour_histograms(frames)
        colors, shares = histogram_palettes(hist.offsets, hist.counts, hist.means, k=3,
                                            color_space=space)
        np.testing.assert_array_equal(colors[0], [RED, TEAL, NAVY])
        np.testing.assert_array_equal(shares[0], [0.5, 0.3, 0.2])
        np.testing.assert_array_equal(colors[1, :2], [GOLD, NAVY])
        np.testing.assert_array_equal(shares[1], [0.75, 0.25, 0.0])
        np.testing.assert_array_equal(colors[2, 0], TEAL)
        np.testing.assert_array_equal(shares[2], [1.0, 0.0, 0.0])
        # `palettes` is the same thing from the frames.
        direct = palettes(frames, k=3, color_space=space)
        np.testing.assert_array_equal(direct[0], colors)
        np.testing.assert_array_equal(direct[1], shares)


def test_histogram_palettes_reject_bad_histograms() -> None:
    with pytest.raises(InvalidParameterError):
        histogram_palettes(np.array([0, 0]), np.zeros(0), np.zeros((0, 3), np.uint16), k=2)
    with pytest.raises(InvalidParameterError):
        histogram_palettes(np.array([0, 2]), np.ones(1), np.zeros((1, 3), np.uint16), k=2)
    with pytest.raises(InvalidParameterError):
        histogram_palettes(np.array([0, 1]), np.ones(1), np.zeros((1, 3), np.uint16), k=0)
    colors, shares = histogram_palettes(np.array([0]), np.zeros(0), np.zeros((0, 3)), k=2)
    assert colors.shape == (0, 2, 3) and shares.shape == (0, 2)
