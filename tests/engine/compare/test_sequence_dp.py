"""Needleman-Wunsch and Smith-Waterman with affine gaps, row by row, against the plain
cell-by-cell recurrences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fingerprint.compare._sequence_dp import global_alignment, local_alignment, path_cost
from fingerprint.errors import InvalidParameterError


def _plain_global(cost: np.ndarray, gap: float, gap_open: float) -> float:
    n, m = cost.shape
    inf = math.inf
    pair = np.full((n + 1, m + 1), inf)
    up, left = pair.copy(), pair.copy()
    pair[0, 0] = 0
    left[0, 1:] = gap_open + gap * np.arange(1, m + 1)
    up[1:, 0] = gap_open + gap * np.arange(1, n + 1)

    def best(i: int, j: int) -> float:
        return min(pair[i, j], up[i, j], left[i, j])

    for i in range(1, n + 1):
        for j in range(1, m + 1):
            pair[i, j] = best(i - 1, j - 1) + cost[i - 1, j - 1]
            up[i, j] = min(up[i - 1, j] + gap, best(i - 1, j) + gap_open + gap)
            left[i, j] = min(left[i, j - 1] + gap, best(i, j - 1) + gap_open + gap)
    return best(n, m)


def _plain_local(cost: np.ndarray, gap: float, gap_open: float, threshold: float) -> float:
    n, m = cost.shape
    pair = np.full((n + 1, m + 1), -math.inf)
    up, left, best = pair.copy(), pair.copy(), np.zeros((n + 1, m + 1))
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            pair[i, j] = best[i - 1, j - 1] + threshold - cost[i - 1, j - 1]
            up[i, j] = max(up[i - 1, j] - gap, best[i - 1, j] - gap_open - gap)
            left[i, j] = max(left[i, j - 1] - gap, best[i, j - 1] - gap_open - gap)
            best[i, j] = max(0.0, pair[i, j], up[i, j], left[i, j])
    return float(best.max())


def test_dynamic_programmes_match_plain_loops():
    rng = np.random.default_rng(5)
    for _ in range(150):
        n, m = rng.integers(1, 9, 2)
        # Rounded costs make ties, where the row-wise shortcuts could go wrong.
        cost = np.round(rng.uniform(0, 10, (n, m)), int(rng.integers(0, 2)))
        gap, gap_open = float(rng.uniform(0.5, 5)), float(rng.choice([0.0, 3.0, 7.5]))
        threshold = float(rng.uniform(0.5, 2 * gap))
        total, path = global_alignment(cost, gap=gap, gap_open=gap_open)
        assert total == pytest.approx(_plain_global(cost, gap, gap_open), abs=1e-9)
        assert sorted(path[path[:, 0] >= 0, 0]) == list(range(n))
        assert sorted(path[path[:, 1] >= 0, 1]) == list(range(m))
        score, stretch = local_alignment(cost, gap=gap, gap_open=gap_open,
                                         threshold=threshold)
        assert score == pytest.approx(_plain_local(cost, gap, gap_open, threshold), abs=1e-9)
        if len(stretch):  # a stretch starts and ends with a pair
            assert min(stretch[0]) >= 0 and min(stretch[-1]) >= 0


def test_no_stretch_when_nothing_is_close():
    score, path = local_alignment(np.full((4, 5), 50.0), gap=2.5, threshold=5.0)
    assert score == 0.0 and path.shape == (0, 2)




def test_a_cut_in_a_still_shot_is_one_run():
    """Inside a still shot, pairing a moment or its neighbour costs the same up to noise:
    with a cost per moment alone the gap comes out in pieces, with an opening cost in one.
    """
    rng = np.random.default_rng(0)
    cost = np.full((12, 8), 30.0)
    cost[[0, 1, 10, 11], [0, 1, 6, 7]] = 0.0
    cost[2:10, 2:6] = rng.uniform(0, 2, (8, 4))  # the shot the cut falls in
    _, path = global_alignment(cost, gap=5.0)
    assert np.any(np.diff(path[path[:, 1] < 0, 0]) > 1)
    _, path = global_alignment(cost, gap=5.0, gap_open=10.0)
    unpaired = path[path[:, 1] < 0, 0]
    assert len(unpaired) == 4 and np.all(np.diff(unpaired) == 1)


def test_path_cost_counts_runs():
    cost = np.zeros((3, 3))
    path = np.array([(0, -1), (-1, 0), (1, 1), (2, -1), (-1, 2)])
    # Four runs: a gap in b then one in a, a pair, and again (a run after a run is new).
    assert path_cost(cost, path, gap=1.0, gap_open=10.0) == 4 * 1.0 + 4 * 10.0


@pytest.mark.parametrize("bad", [{"cost": np.ones(3)}, {"cost": np.array([[1.0, math.inf]])},
                                 {"gap": 0.0}, {"gap": math.nan}, {"gap_open": -1.0}])
def test_bad_input_is_refused(bad):
    options = {"cost": np.ones((2, 2)), "gap": 1.0, "gap_open": 0.0, **bad}
    with pytest.raises(InvalidParameterError):
        global_alignment(options.pop("cost"), **options)
