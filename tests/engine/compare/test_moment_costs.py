"""Palette distances in bulk: the float32 CIEDE2000 grid, the relaxed lower bound, and
the exact distance, which is Compare's."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.compare import palette_distance
from fingerprint.compare._moment_costs import delta_e2000_grid, exact_distance, relaxed_distance
from fingerprint.errors import InvalidParameterError
from fingerprint.palette import delta_e2000, rgb_to_lab
from tests.engine.palette.test_color import SHARMA


def test_the_grid_reproduces_sharmas_data():
    lab1 = np.array([pair[0] for pair in SHARMA])
    lab2 = np.array([pair[1] for pair in SHARMA])
    expected = np.array([pair[2] for pair in SHARMA])
    grid = delta_e2000_grid(lab1, lab2)
    np.testing.assert_allclose(np.diag(grid), expected, atol=1e-4)
    np.testing.assert_allclose(np.diag(delta_e2000_grid(lab2, lab1)), expected, atol=1e-4)


def test_relaxed_distance_is_a_lower_bound():
    rng = np.random.default_rng(3)
    colors_a = rng.integers(0, 256, (30, 5, 3), dtype=np.uint8)
    colors_b = rng.integers(0, 256, (20, 4, 3), dtype=np.uint8)
    colors_b[:5, :3] = colors_a[:5, :3]  # some shared colours
    shares_a, shares_b = rng.dirichlet(np.ones(5), 30), rng.dirichlet(np.ones(4), 20)
    bound = relaxed_distance(colors_a, shares_a, colors_b, shares_b)
    rows, cols = np.divmod(np.arange(600), 20)
    exact = exact_distance(colors_a, shares_a, colors_b, shares_b, rows=rows, cols=cols)
    assert np.all(bound.ravel() <= exact + 1e-9)
    assert np.median(bound.ravel() / exact) > 0.5  # and not a useless one
    same = relaxed_distance(colors_a, shares_a, colors_a, shares_a)
    np.testing.assert_array_equal(np.diag(same), 0.0)


def test_the_float32_grid_is_ciede2000():
    rng = np.random.default_rng(4)
    lab_a = rng.uniform([0, -90, -90], [100, 90, 90], (300, 3))
    lab_b = rng.uniform([0, -90, -90], [100, 90, 90], (200, 3))
    lab_a[:20, 1:] = 0  # greys: zero chroma takes other branches
    lab_b[:10, 2] = 0
    grid = delta_e2000_grid(lab_a, lab_b)
    np.testing.assert_allclose(grid, delta_e2000(lab_a[:, None], lab_b[None]), atol=2e-3)
    colours = rng.integers(0, 256, (50, 3), dtype=np.uint8)
    lab = rgb_to_lab(colours)
    np.testing.assert_allclose(delta_e2000_grid(lab, lab),
                               delta_e2000(lab[:, None], lab[None]), atol=2e-3)




def test_exact_distance_is_compares_palette_distance():
    rng = np.random.default_rng(6)
    colors_a = rng.integers(0, 256, (8, 5, 3), dtype=np.uint8)
    colors_b = rng.integers(0, 256, (6, 3, 3), dtype=np.uint8)
    shares_a, shares_b = rng.dirichlet(np.ones(5), 8), rng.dirichlet(np.ones(3), 6)
    rows, cols = np.array([0, 7, 3, 3]), np.array([5, 0, 2, 2])
    got = exact_distance(colors_a, shares_a, colors_b, shares_b, rows=rows, cols=cols)
    expected = palette_distance(colors_a[rows], shares_a[rows], colors_b[cols], shares_b[cols])
    np.testing.assert_allclose(got, np.maximum(expected, 0), atol=1e-12)
    assert exact_distance(colors_a, shares_a, colors_b, shares_b, rows=rows[:0],
                          cols=cols[:0]).shape == (0,)


def test_mismatched_shapes_are_refused():
    colors = np.zeros((4, 3, 3), np.uint8)
    with pytest.raises(InvalidParameterError, match="shares"):
        relaxed_distance(colors, np.ones((4, 2)), colors, np.ones((4, 3)))
    with pytest.raises(InvalidParameterError, match="same length"):
        exact_distance(colors, np.ones((4, 3)), colors, np.ones((4, 3)), rows=np.arange(2),
                       cols=np.arange(3))
