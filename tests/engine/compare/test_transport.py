"""The exact transport against a linear-programming solver, and the palette distance."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from fingerprint.compare._transport import palette_distance, transport


def _linprog_emd(cost: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    m, n = cost.shape
    rows = np.kron(np.eye(m), np.ones(n))
    cols = np.tile(np.eye(n), m)
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.r_[a, b], method="highs")
    return float(res.fun)


@pytest.mark.parametrize("m, n", [(5, 5), (1, 4), (6, 1), (3, 8), (9, 9)])
def test_transport_is_exact(m, n):
    rng = np.random.default_rng(m * 10 + n)
    count = 120
    cost = rng.random((count, m, n)) * 80
    cost[:30] = np.round(cost[:30] / 20) * 20  # ties everywhere: degenerate pivots
    a = rng.random((count, m))
    b = rng.random((count, n))
    if m > 2:
        a[30:60, -2:] = 0  # trailing zero shares, as palettes have
    b[60:90] = np.round(b[60:90] * 2) + (np.arange(n) == 0)  # equal masses: degenerate
    a /= a.sum(axis=1, keepdims=True)
    b /= b.sum(axis=1, keepdims=True)
    total, plan = transport(cost, a, b)
    expected = [_linprog_emd(cost[i], a[i], b[i]) for i in range(count)]
    np.testing.assert_allclose(total, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(plan.sum(axis=2), a, atol=1e-12)
    np.testing.assert_allclose(plan.sum(axis=1), b, atol=1e-12)
    assert plan.min() >= 0


def test_palette_distance_properties():
    rng = np.random.default_rng(3)
    colors = rng.integers(0, 256, (50, 5, 3), dtype=np.uint8)
    shares = rng.dirichlet(np.ones(5), 50)
    other = rng.integers(0, 256, (50, 4, 3), dtype=np.uint8)
    other_shares = rng.dirichlet(np.ones(4), 50)
    assert np.all(palette_distance(colors, shares, colors, shares) == 0)
    ab = palette_distance(colors, shares, other, other_shares)
    ba = palette_distance(other, other_shares, colors, shares)
    np.testing.assert_allclose(ab, ba, atol=1e-9)
    assert np.all(ab > 0)
    # The order of a palette's colours does not matter ...
    perm = rng.permutation(5)
    np.testing.assert_allclose(
        palette_distance(colors[:, perm], shares[:, perm], other, other_shares), ab, atol=1e-9
    )
    # ... nor does a colour split in two clusters.
    split = np.concatenate([colors, colors[:, :1]], axis=1)
    split_shares = np.concatenate([shares, shares[:, :1] / 2], axis=1)
    split_shares[:, 0] /= 2
    assert np.all(palette_distance(split, split_shares, colors, shares) < 1e-9)
    # One pair of palettes gives a scalar; a pure red against a pure blue is far.
    red_blue = palette_distance([[255, 0, 0]], [1.0], [[0, 0, 255]], [1.0])
    assert red_blue.shape == () and float(red_blue) > 50
