"""Known answers for the batched k-means: palettes of frames whose dominant colours are
known, and share-weighted whole-film clustering."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.errors import InvalidParameterError
from fingerprint.palette import _lloyd
from fingerprint.palette._color import delta_e2000, rgb_to_lab
from fingerprint.palette._histogram import color_histograms
from fingerprint.palette._kmeans import palettes, weighted_kmeans
from tests.support.fingerprints import split_frame

RED, TEAL, NAVY = (200, 30, 40), (20, 140, 130), (25, 30, 90)


def assert_same_color(actual: np.ndarray, expected: tuple[int, int, int]) -> None:
    de = float(
        delta_e2000(
            rgb_to_lab(np.asarray(actual, np.uint8)), rgb_to_lab(np.array(expected, np.uint8))
        )
    )
    assert de < 1, f"{actual} is {de:.2f} ΔE2000 from {expected}"


def test_palette_of_a_four_to_one_split() -> None:
    frame = split_frame(RED, TEAL, left_fraction=0.8)
    colors, shares = palettes(frame[None], k=5)
    assert_same_color(colors[0, 0], RED)
    assert_same_color(colors[0, 1], TEAL)
    np.testing.assert_allclose(shares[0, :2], [0.8, 0.2], atol=0.01)
    np.testing.assert_array_equal(shares[0, 2:], 0.0)


def test_palette_of_a_solid_frame() -> None:
    frame = np.full((1, 50, 80, 3), NAVY, np.uint8)
    colors, shares = palettes(frame, k=5)
    np.testing.assert_array_equal(shares[0], [1.0, 0, 0, 0, 0])
    for colour in colors[0]:  # empty clusters still carry a real colour
        assert_same_color(colour, NAVY)


def test_palette_of_three_noisy_regions() -> None:
    rng = np.random.default_rng(3)
    frame = np.empty((120, 200, 3))
    frame[:, :100] = RED
    frame[:, 100:160] = TEAL
    frame[:, 160:] = NAVY
    frame = np.clip(frame + rng.normal(0, 2, frame.shape), 0, 255).astype(np.uint8)
    colors, shares = palettes(frame[None], k=3)
    for colour, expected in zip(colors[0], (RED, TEAL, NAVY), strict=True):
        assert_same_color(colour, expected)
    np.testing.assert_allclose(shares[0], [0.5, 0.3, 0.2], atol=0.01)


def test_palettes_contract_over_many_frames() -> None:
    # More frames than one internal batch, each with its own known answer.
    rng = np.random.default_rng(0)
    n = 40
    fractions = rng.uniform(0.55, 0.95, n)
    firsts = rng.integers(0, 256, (n, 3))
    frames = np.stack(
        [
            split_frame(tuple(first), tuple(255 - first), left_fraction=fraction)
            for first, fraction in zip(firsts, fractions, strict=True)
        ]
    )
    colors, shares = palettes(frames, k=4)
    assert colors.shape == (n, 4, 3) and colors.dtype == np.uint8
    assert shares.shape == (n, 4) and shares.dtype == np.float64
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (np.diff(shares, axis=1) <= 0).all()
    expected = np.round(fractions * 160) / 160
    np.testing.assert_allclose(shares[:, 0], expected, atol=0.01)
    for i in (0, 17, 39):
        assert_same_color(colors[i, 0], tuple(firsts[i]))
        assert_same_color(colors[i, 1], tuple(255 - firsts[i]))


def test_palettes_are_deterministic_and_accept_views() -> None:
    rng = np.random.default_rng(1)
    frames = rng.integers(0, 256, (6, 60, 90, 3), dtype=np.uint8)
    first = palettes(frames[:, 5:-5, 10:], k=5, seed=7)
    again = palettes(np.ascontiguousarray(frames[:, 5:-5, 10:]), k=5, seed=7)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])


def test_palettes_in_rgb() -> None:
    frame = split_frame(RED, TEAL, left_fraction=0.8)
    colors, shares = palettes(frame[None], k=3, color_space="rgb")
    np.testing.assert_array_equal(colors[0, :2], [RED, TEAL])
    np.testing.assert_allclose(shares[0], [0.8, 0.2, 0.0], atol=0.01)


def test_palettes_of_no_frames() -> None:
    colors, shares = palettes(np.zeros((0, 10, 10, 3), np.uint8), k=3)
    assert colors.shape == (0, 3, 3) and shares.shape == (0, 3)


@pytest.mark.parametrize(
    ("frames", "options"),
    [
        (np.zeros((1, 8, 8, 3), np.uint8), {"k": 0}),
        (np.zeros((1, 8, 8, 3), np.uint8), {"color_space": "hsv"}),
        (np.zeros((8, 8, 3), np.uint8), {}),
        (np.zeros((1, 8, 8, 3), np.float32), {}),
        (np.zeros((1, 0, 8, 3), np.uint8), {}),
    ],
)
def test_palettes_reject_bad_arguments(frames: np.ndarray, options: dict) -> None:
    with pytest.raises(InvalidParameterError):
        palettes(frames, **options)


def test_weighted_kmeans_counts_a_heavy_point_as_many() -> None:
    # Two tight groups; the light group's far outlier would pull an unweighted centre.
    points = np.array([[10.0, 0, 0], [11, 0, 0], [60, 0, 0], [61, 0, 0], [90, 0, 0]])
    weights = np.array([1.0, 1.0, 5.0, 5.0, 0.001])
    centres, mass = weighted_kmeans(points, weights, k=2, seed=0)
    order = np.argsort(centres[:, 0])
    np.testing.assert_allclose(centres[order, 0], [10.5, (60 * 5 + 61 * 5 + 90 * 0.001) / 10.001],
                               atol=1e-3)
    np.testing.assert_allclose(mass[order], [2.0, 10.001])
    # Deterministic for a seed; empty clusters are dropped (two distinct points, k=4).
    again = weighted_kmeans(points, weights, k=2, seed=0)
    np.testing.assert_array_equal(centres, again[0])
    few, few_mass = weighted_kmeans(points[:2], weights[:2], k=4)
    assert len(few) <= 2 and few_mass.sum() == pytest.approx(2.0)
    with pytest.raises(InvalidParameterError):
        weighted_kmeans(points, -weights, k=2)


def _five_regions_one_small() -> tuple[np.ndarray, np.ndarray]:
    """A noisy frame of four large regions and one small (2 %) distinct region, and its
    five colours in Lab: the minimum keeps the small region as its own cluster."""
    rng = np.random.default_rng(5)
    colours = np.array([RED, TEAL, NAVY, (230, 220, 200), (250, 200, 0)], np.uint8)
    widths = [70, 60, 40, 26, 4]  # columns of a 200-wide frame: the yellow is 2 %
    frame = np.repeat(np.repeat(colours, widths, axis=0)[None], 120, axis=0).astype(float)
    frame = np.clip(frame + rng.normal(0, 3, frame.shape), 0, 255).astype(np.uint8)
    return frame, rgb_to_lab(colours)


def test_palette_finds_a_small_distinct_cluster_that_naive_seeding_misses() -> None:

    frame, expected = _five_regions_one_small()
    colors, _ = palettes(frame[None], k=5)
    found = rgb_to_lab(colors[0])
    de = delta_e2000(found[:, None], expected[None]).min(axis=0)
    assert de.max() < 2, f"known colours missed by {de.round(1)} ΔE2000"

    # Naive seeding (k pixels drawn uniformly) followed by the same Lloyd iterations
    # settles with no centre on the small region: a worse local minimum.
    xta = _lloyd.homogeneous(rgb_to_lab(frame.reshape(1, -1, 3)))
    seeds = np.random.default_rng(0).choice(xta.shape[2], 5, replace=False)
    ones = np.ones(xta.shape[::2], np.float32)
    naive, naive_inertia = _lloyd.lloyd(
        xta, xta[:, None, :3, seeds].transpose(0, 1, 3, 2), np.zeros(1), weights=ones
    )
    ours_inertia = _lloyd.lloyd(xta, found[None, None], np.zeros(1), weights=ones)[1]
    naive_de = delta_e2000(naive[0, 0][:, None], expected[None]).min(axis=0)
    assert naive_de.max() > 10
    assert ours_inertia[0, 0] < naive_inertia[0, 0]


def test_palettes_are_deterministic_across_batches_and_seeds() -> None:
    frame, _ = _five_regions_one_small()
    frames = np.stack([frame, frame[:, ::-1], frame[::-1]] * 7)  # several internal chunks
    first = palettes(frames, k=5, seed=3)
    again = palettes(frames, k=5, seed=3)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])


def test_a_small_frame_is_clustered_on_every_pixel() -> None:
    # 150 x 200 = 30,000 pixels, under twice the sample: no sampling, so the shares are
    # exact fractions of the frame (a jittered sample would be off by a few pixels).
    frame = np.empty((150, 200, 3), np.uint8)
    frame[:] = NAVY
    frame[:, :57] = RED
    frame[:, 57:60] = (250, 200, 0)  # a stripe of 3 columns: 1.5 %
    colors, shares = palettes(frame[None], k=3)
    np.testing.assert_array_equal(shares[0], [140 / 200, 57 / 200, 3 / 200])
    assert_same_color(colors[0, 2], (250, 200, 0))


def test_palette_keeps_a_rare_highlight_among_close_greys() -> None:
    # As in a grey street scene with a few lit windows: four close greys and a white patch
    # of 0.3 % of the frame. The white is far from everything, so the minimum gives it a
    # cluster of its own; a restart whose pixels miss the patch cannot see it.
    rng = np.random.default_rng(11)
    frame = np.empty((180, 320, 3))
    for i, grey in enumerate((95, 110, 125, 140)):
        frame[:, i * 80 : (i + 1) * 80] = grey
    frame[100:112, 200:214] = 245  # 168 pixels
    frame = np.clip(frame + rng.normal(0, 4, frame.shape), 0, 255).astype(np.uint8)
    white = rgb_to_lab(np.array([245, 245, 245], np.uint8))
    for seed in range(4):
        colors, _ = palettes(frame[None], k=5, seed=seed)
        de = delta_e2000(rgb_to_lab(colors[0]), white).min()
        assert de < 2, f"seed {seed}: the white patch is {de:.1f} ΔE2000 from every colour"


def test_the_chosen_restart_is_refined_to_convergence() -> None:
    # The best restarts race only a few iterations on the fine histogram; the leader must
    # then run until its centres stop moving. A smooth gradient converges slowly, so
    # centres taken from the race would still move.
    from fingerprint.palette import _kmeans as kmeans

    y, x = np.mgrid[0:120, 0:200]
    frame = np.stack([x * 255 // 199, y * 255 // 119, (x + y) * 255 // 318], axis=2)
    hist = color_histograms(frame.astype(np.uint8)[None])
    fine, counts, coarse, coarse_counts = kmeans._problems(
        hist.offsets, hist.counts, hist.means, "lab"
    )
    weights = kmeans._unit(counts)
    for seed in range(3):
        centres = kmeans._search(
            fine, weights, coarse, kmeans._unit(coarse_counts), 5, np.random.default_rng(seed)
        )
        dist = _lloyd.augment(centres) @ fine
        member = (dist == dist.min(axis=1, keepdims=True)) * weights[:, None]
        sums = member[0].astype(np.float64) @ fine[0].T.astype(np.float64)
        shift = ((sums[:, :3] / sums[:, 3:] - centres[0]) ** 2).sum()
        tol = _lloyd.tolerance(fine, weights)[0]
        assert shift <= tol, f"seed {seed}: one more iteration moves the centres by {shift}"


def test_lloyd_in_pieces_gives_the_whole_batchs_results(monkeypatch) -> None:
    # Problems of different sizes whose restarts stop at different iterations, so the
    # moving sets are regathered part-way: computing the iterations problem by problem
    # (`_PIECE`) must change nothing, centres nor errors.
    rng = np.random.default_rng(5)
    frames = rng.integers(0, 256, (5, 40, 60, 3), dtype=np.uint8)
    frames[1, :, :30] = (200, 30, 30)  # a half-flat frame converges sooner
    hist = color_histograms(frames)
    from fingerprint.palette import _kmeans as kmeans

    fine, counts, _, _ = kmeans._problems(hist.offsets, hist.counts, hist.means, "lab")
    weights = kmeans._unit(counts)
    seeds = _lloyd.kmeans_plus_plus(fine, (fine[:, :3] ** 2).sum(axis=1), k=6, count=9,
                                    rng=np.random.default_rng(1), weights=weights)
    tol = _lloyd.tolerance(fine, weights)
    monkeypatch.setattr(_lloyd, "_PIECE", 10**9)
    whole = _lloyd.lloyd(fine, seeds, tol, weights=weights)
    assert not np.array_equal(whole[0], seeds)  # the centres did move
    # One problem at a time, then two (the last piece short), then the batch whole.
    for piece in (1, 2 * seeds[0].size // 3 * fine.shape[2]):
        monkeypatch.setattr(_lloyd, "_PIECE", piece)
        centres, inertia = _lloyd.lloyd(fine, seeds, tol, weights=weights)
        np.testing.assert_array_equal(centres, whole[0])
        np.testing.assert_array_equal(inertia, whole[1])
