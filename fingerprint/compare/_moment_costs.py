"""Palette distances between every moment of one film and every moment of another, in bulk.

- `delta_e2000_grid`: CIEDE2000 between every colour of one set and every colour of another.
- `relaxed_distance`: for every pair of moments, a lower bound of Compare's palette distance.
- `exact_distance`: Compare's palette distance itself, for chosen pairs of moments.

Compare measures two moments by the earth mover's distance between their palettes, in
ΔE2000 (`fingerprint.compare._transport.palette_distance`). Sequence alignment needs it for every
pair: 1000 × 1000 moments of 5 colours are a million transport problems over 25 million
colour pairs, about 28 s of CPU through `palette_distance`, and some 7 s for the ground
distances alone (`fingerprint.palette._color.delta_e2000`, float64 over whole arrays, ~275 ns a
pair). So the alignment works in two tiers (`fingerprint.compare._sequence`):

- **Bulk, a lower bound.** Every pair of *distinct* colours through `delta_e2000_grid`:
  the same formulas (Sharma, Wu and Dalal 2005) in float32, in blocks that stay in the
  CPU cache, without the slow steps (float32 ``**``, hypot, np.where; sin and exp near
  underflow); ~45 ns a pair, within 2e-4 of `delta_e2000`. From it, the *relaxed* earth
  mover's distance (Kusner et al. 2015, "From word embeddings to document distances"):
  each side's shares sent to their nearest colour on the other side, the larger of the
  two totals. Dropping one side's constraint can only lower the optimum, so it never
  exceeds the exact distance; it is 0 for identical palettes and 0.7-0.8 of the exact
  distance on real films. 1000 × 1000 moments: 1.0-1.2 s CPU when all 5000 colours are
  distinct, 0.2 s for people_139s (954 distinct colours).
- **Exact where it counts.** `exact_distance` solves the transport problems for the pairs
  the alignment actually uses, so every reported distance is Compare's.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidParameterError
from ..palette._color import as_rgb, rgb_to_lab
from ._transport import normalised, palette_distance

__all__ = ["delta_e2000_grid", "exact_distance", "relaxed_distance"]

# Elements per block of the colour grid: the ~20 float32 temporaries of a block stay in the
# CPU's level-2 cache; whole-array passes would be memory bound.
_BLOCK = 1 << 15
# float32 rounding of the grid (2e-4 measured), in ΔE2000, with a margin; subtracted so the
# bound stays a lower bound.
_SLACK = 1e-2
_POW7 = 25.0**7
_DEG = math.pi / 180


def _components(lab: np.ndarray) -> tuple[np.ndarray, ...]:
    lab = np.asarray(lab, dtype=np.float32).reshape(-1, 3)
    big_l, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    return big_l, a, b, np.sqrt(a * a + b * b)


def delta_e2000_grid(lab_a: np.ndarray, lab_b: np.ndarray) -> np.ndarray:
    """CIEDE2000 (kL = kC = kH = 1) between every colour of ``lab_a`` (P, 3) and every
    colour of ``lab_b`` (Q, 3) CIELAB: a (P, Q) float32 grid, Sharma's conventions."""
    one, two = _components(lab_a), _components(lab_b)
    out = np.empty((len(one[0]), len(two[0])), np.float32)
    rows = max(1, _BLOCK // max(out.shape[1], 1))
    for start in range(0, out.shape[0], rows):
        block = slice(start, start + rows)
        out[block] = _grid_block(*(c[block, None] for c in one), *(c[None, :] for c in two))
    return out


def _grid_block(*lab: np.ndarray) -> np.ndarray:
    """One block of `delta_e2000_grid`: ``lab`` is L, a, b, C of the first colours as a
    column, then of the second as a row; the result is their grid.

    Follows `fingerprint.palette._color.delta_e2000` step by step, in radians; the hue branches are
    arithmetic on masks rather than np.where, which is slow on float32."""
    l1, a1, b1, c1, l2, a2, b2, c2 = lab
    c7 = _seventh((c1 + c2) * 0.5)
    g = 1.5 - 0.5 * np.sqrt(c7 / (c7 + _POW7))  # 1 + G
    a1p, a2p = g * a1, g * a2
    c1p, c2p = np.sqrt(a1p * a1p + b1 * b1), np.sqrt(a2p * a2p + b2 * b2)
    h1, h2 = np.arctan2(b1, a1p), np.arctan2(b2, a2p)
    h1 += (h1 < 0) * np.float32(2 * math.pi)
    h2 += (h2 < 0) * np.float32(2 * math.pi)
    product = c1p * c2p
    dh = h2 - h1
    far = np.abs(dh) > math.pi
    # Hue difference the short way round: wrapping dh by 2π flips the sign of sin(dh/2).
    d_hue = 2 * np.sqrt(product) * np.sin(dh * 0.5)  # 0 when either colour is grey
    d_hue *= 1 - 2 * far.astype(np.float32)
    h_sum = h1 + h2
    # Mean hue the short way round; the sum itself when either colour is grey (Sharma).
    h_mean = 0.5 * h_sum + far * (np.float32(math.pi) - (h_sum >= 2 * math.pi) * np.float32(
        2 * math.pi))
    np.copyto(h_mean, h_sum, where=product == 0)
    t = (
        1
        - 0.17 * np.cos(h_mean - np.float32(30 * _DEG))
        + 0.24 * np.cos(2 * h_mean)
        + 0.32 * np.cos(3 * h_mean + np.float32(6 * _DEG))
        - 0.20 * np.cos(4 * h_mean - np.float32(63 * _DEG))
    )
    l_dev = (l1 + l2) * 0.5 - 50
    l_dev *= l_dev
    s_l = 1 + 0.015 * l_dev / np.sqrt(20 + l_dev)
    c_mean = (c1p + c2p) * 0.5
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    cm7 = _seventh(c_mean)
    r_c = 2 * np.sqrt(cm7 / (cm7 + _POW7))
    bump = (h_mean - np.float32(275 * _DEG)) * np.float32(1 / (25 * _DEG))
    # Capped at 20: far from 275° the rotation term is tiny, and float32 sin and exp run
    # a hundred times slower on values near underflow; exp(-20) = 2e-9 changes ΔE by less.
    bump = np.minimum(bump * bump, 20)
    r_t = -np.sin(np.float32(60 * _DEG) * np.exp(-bump)) * r_c
    x, y, z = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_hue / s_h
    return np.sqrt(np.maximum(x * x + y * y + z * z + r_t * y * z, 0))


def _seventh(x: np.ndarray) -> np.ndarray:
    """x**7 by multiplications: float32 ``**`` is a hundred times slower."""
    x2 = x * x
    out = x2 * x2
    out *= x2
    out *= x
    return out


def relaxed_distance(
    colors_a: np.ndarray, shares_a: np.ndarray, colors_b: np.ndarray, shares_b: np.ndarray
) -> np.ndarray:
    """For every moment i of a and j of b (colors (n, ka, 3) and (m, kb, 3) uint8 sRGB,
    shares (n, ka) and (m, kb)): a lower bound of ``palette_distance`` between palettes i
    and j, the relaxed earth mover's distance (module docstring). (n, m) float64.

    ΔE2000 is computed once per pair of *distinct* colours (films repeat colours: a
    fingerprint's 5000 colours are often 1000-3000 distinct ones), in blocks; from each
    block, every distinct colour's distance to the nearest colour of every moment of the
    other film. Memory stays at (distinct colours × moments)."""
    colors_a, wa = _palettes(colors_a, shares_a, "a")
    colors_b, wb = _palettes(colors_b, shares_b, "b")
    (n, ka), (m, kb) = wa.shape, wb.shape
    unique_a, inverse_a = np.unique(colors_a.reshape(-1, 3), axis=0, return_inverse=True)
    unique_b, inverse_b = np.unique(colors_b.reshape(-1, 3), axis=0, return_inverse=True)
    inverse_a, inverse_b = inverse_a.reshape(n, ka), inverse_b.reshape(m, kb)
    one = _components(rgb_to_lab(unique_a))
    two = tuple(c[None, :] for c in _components(rgb_to_lab(unique_b)))
    # near_b[u, j]: distinct colour u of a to the nearest colour of moment j of b;
    # near_a[v, i]: distinct colour v of b to the nearest colour of moment i of a.
    near_b = np.empty((len(unique_a), m), np.float32)
    near_a = np.full((len(unique_b), n), np.inf, np.float32)
    rows = max(1, _BLOCK // len(unique_b))
    for start in range(0, len(unique_a), rows):
        stop = min(start + rows, len(unique_a))
        grid = _grid_block(*(c[start:stop, None] for c in one), *two)
        near_b[start:stop] = grid[:, inverse_b].min(axis=2)
        for p in range(ka):
            here = np.flatnonzero((inverse_a[:, p] >= start) & (inverse_a[:, p] < stop))
            if len(here):
                seen = grid[inverse_a[here, p] - start].T
                near_a[:, here] = np.minimum(near_a[:, here], seen)
    # Each side's shares sent to their nearest colours on the other side; the larger total.
    sent_a = sum(wa[:, p, None] * near_b[inverse_a[:, p]] for p in range(ka))
    sent_b = sum(wb[:, q, None] * near_a[inverse_b[:, q]] for q in range(kb)).T
    return np.maximum(np.maximum(sent_a, sent_b).astype(np.float64) - _SLACK, 0.0)


def exact_distance(
    colors_a: np.ndarray,
    shares_a: np.ndarray,
    colors_b: np.ndarray,
    shares_b: np.ndarray,
    *,
    rows: np.ndarray,
    cols: np.ndarray,
) -> np.ndarray:
    """``palette_distance`` (Compare's, exact) between moment ``rows[p]`` of a and moment
    ``cols[p]`` of b, for each p: (len(rows),) float64, never negative."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    if rows.shape != cols.shape or rows.ndim != 1:
        raise InvalidParameterError("rows and cols must be 1-d arrays of the same length.")
    if not len(rows):
        return np.zeros(0)
    colors_a, colors_b = as_rgb(colors_a), as_rgb(colors_b)
    d = palette_distance(colors_a[rows], np.asarray(shares_a)[rows],
                         colors_b[cols], np.asarray(shares_b)[cols])
    return np.maximum(d, 0.0)


def _palettes(colors: np.ndarray, shares: np.ndarray, name: str) -> tuple[np.ndarray, ...]:
    """Colours (n, k, 3) uint8 and shares (n, k) normalised, float32; refused unless
    their shapes agree."""
    colors = as_rgb(colors)
    shares = np.asarray(shares, dtype=np.float64)
    if colors.ndim != 3 or colors.shape[-1] != 3 or shares.shape != colors.shape[:2]:
        raise InvalidParameterError(
            f"film {name}: colors must be (n, k, 3) and shares (n, k), not {colors.shape} "
            f"and {shares.shape}."
        )
    return colors, normalised(shares).astype(np.float32)
