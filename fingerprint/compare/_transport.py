"""Earth mover's distance between palettes, solved exactly by the transportation simplex.

The distance between two palettes is the least total ΔE2000 × share needed to turn one
into the other: CIEDE2000 is the ground distance and the shares are the masses. It is in
ΔE2000 units (about 2 is just noticeable, 10 clearly different, 50+ opposite colours), it
compares palettes whatever their sizes or orders, and a colour split into two clusters in
one palette and one in the other costs next to nothing, unlike a colour-by-colour
matching. ΔE2000 is not quite a metric (its triangle inequality can fail by a fraction of
a unit), which an EMD does not need.

The transport problem is solved *exactly*, batched over all problems at once
(`transport`): least-cost-method start, potentials and pivot cycles from small batched
linear solves on the basis-tree incidence matrices. 1000 bins of 5 against 5 colours take
about 20 ms (32 against 32, the most, about 5 s); there is no entropic blur (Sinkhorn) and
no per-problem LP call.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ..palette._color import as_rgb, delta_e2000, rgb_to_lab

__all__ = ["normalised", "palette_distance", "transport"]


def transport(
    cost: np.ndarray, supply: np.ndarray, demand: np.ndarray, *, max_iter: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact minimum-cost transport, batched: ``cost`` (B, m, n), ``supply`` (B, m) and
    ``demand`` (B, n) non-negative masses (each row rescaled to sum 1).

    Returns the total costs (B,) and the plans (B, m, n). The transportation simplex runs on
    every problem at once: a least-cost-method basis, then pivots on the most negative
    reduced cost; a problem drops out when it is optimal. The basis is a spanning tree of
    the m + n nodes, so its incidence matrix less one row is square and invertible; one
    batched solve gives the dual potentials, another the pivot cycle (entries -1, 0, +1).
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 3:
        raise InvalidParameterError(f"cost must be (B, m, n), not {cost.shape}.")
    count, m, n = cost.shape
    a = normalised(np.asarray(supply, dtype=np.float64).reshape(count, m))
    b = normalised(np.asarray(demand, dtype=np.float64).reshape(count, n))
    rows, cols, flow = _least_cost(cost, a, b)
    edges = m + n - 1
    if max_iter is None:
        max_iter = 20 * (m + n) + 50
    tol = 1e-9 * max(1.0, float(np.abs(cost).max(initial=0.0)))
    active = np.arange(count) if edges > 1 else np.arange(0)
    for _ in range(max_iter):
        if not active.size:
            break
        r, c, f = rows[active], cols[active], flow[active]
        here = np.arange(len(active))[:, None]
        incidence = np.zeros((len(active), m + n, edges))
        incidence[here, r, np.arange(edges)] = 1.0
        incidence[here, m + c, np.arange(edges)] = 1.0
        reduced = incidence[:, 1:, :]  # node 0's equation is implied by the others
        basis_cost = cost[active[:, None], r, c]
        potential = np.linalg.solve(reduced.transpose(0, 2, 1), basis_cost[..., None])[..., 0]
        potential = np.concatenate([np.zeros((len(active), 1)), potential], axis=1)
        slack = cost[active] - potential[:, :m, None] - potential[:, None, m:]
        slack = slack.reshape(len(active), -1)
        enter = slack.argmin(axis=1)
        go = slack[np.arange(len(active)), enter] < -tol
        if not go.any():
            break
        active, reduced, r, c, f, enter = active[go], reduced[go], r[go], c[go], f[go], enter[go]
        here = np.arange(len(active))
        ei, ej = np.divmod(enter, n)
        # Change along the basis that keeps every row and column sum when the entering
        # cell gets one unit: incidence @ d = -(unit at row ei and at column ej).
        rhs = np.zeros((len(active), m + n))
        rhs[here, ei] -= 1.0
        rhs[here, m + ej] -= 1.0
        d = np.rint(np.linalg.solve(reduced, rhs[:, 1:, None])[..., 0])
        ratio = np.where(d < 0, f, np.inf)
        leave = ratio.argmin(axis=1)
        theta = ratio[here, leave]
        f = np.maximum(f + theta[:, None] * d, 0.0)
        f[here, leave] = theta
        r[here, leave], c[here, leave] = ei, ej
        rows[active], cols[active], flow[active] = r, c, f
    plan = np.zeros((count, m, n))
    np.add.at(plan, (np.arange(count)[:, None], rows, cols), flow)
    return (plan * cost).sum(axis=(1, 2)), plan


def _least_cost(cost: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """Least-cost-method basic feasible solution, batched: m + n - 1 steps, each sending
    what it can through the cheapest cell of the rows and columns still open, then closing
    exactly one of its row and column (both only at the last step), so the cells form a
    spanning tree of the m + n nodes (some may carry zero flow). Starting near the optimum
    leaves few pivots."""
    count, m, n = cost.shape
    edges = m + n - 1
    rows = np.empty((count, edges), np.int64)
    cols = np.empty((count, edges), np.int64)
    flow = np.empty((count, edges))
    left_a, left_b = a.copy(), b.copy()
    open_rows = np.ones((count, m), bool)
    open_cols = np.ones((count, n), bool)
    every = np.arange(count)
    for e in range(edges):
        masked = np.where(open_rows[:, :, None] & open_cols[:, None, :], cost, np.inf)
        i, j = np.divmod(masked.reshape(count, -1).argmin(axis=1), n)
        f = np.minimum(left_a[every, i], left_b[every, j])
        rows[:, e], cols[:, e], flow[:, e] = i, j, f
        left_a[every, i] -= f
        left_b[every, j] -= f
        rows_open = open_rows.sum(axis=1)
        cols_open = open_cols.sum(axis=1)
        close_row = (cols_open == 1) | ((rows_open > 1) & (left_a[every, i] <= left_b[every, j]))
        open_rows[every[close_row], i[close_row]] = False
        open_cols[every[~close_row], j[~close_row]] = False
    return rows, cols, flow


def palette_distance(
    colors_a: np.ndarray, shares_a: np.ndarray, colors_b: np.ndarray, shares_b: np.ndarray
) -> np.ndarray:
    """Earth mover's distance in ΔE2000 between palettes: colors (..., k, 3) uint8 sRGB with
    shares (..., k), batched over the leading axes (k may differ between the two sides).
    A single pair of palettes gives a 0-d array."""
    colors_a, colors_b = as_rgb(colors_a), as_rgb(colors_b)
    lead = np.broadcast_shapes(colors_a.shape[:-2], colors_b.shape[:-2])
    ka, kb = colors_a.shape[-2], colors_b.shape[-2]
    ca = np.broadcast_to(colors_a, (*lead, ka, 3)).reshape(-1, ka, 3)
    cb = np.broadcast_to(colors_b, (*lead, kb, 3)).reshape(-1, kb, 3)
    sa = np.broadcast_to(np.asarray(shares_a, dtype=np.float64), (*lead, ka)).reshape(-1, ka)
    sb = np.broadcast_to(np.asarray(shares_b, dtype=np.float64), (*lead, kb)).reshape(-1, kb)
    lab_a = rgb_to_lab(ca).astype(np.float64)
    lab_b = rgb_to_lab(cb).astype(np.float64)
    cost = delta_e2000(lab_a[:, :, None, :], lab_b[:, None, :, :])
    total, _ = transport(cost, sa, sb)
    return total.reshape(lead)


def normalised(masses: np.ndarray) -> np.ndarray:
    """Masses (palette shares) rescaled to sum 1 along the last axis, negatives as 0; a
    row of zeros becomes uniform."""
    masses = np.maximum(np.asarray(masses, dtype=np.float64), 0.0)
    total = masses.sum(axis=-1, keepdims=True)
    uniform = np.full_like(masses, 1.0 / max(masses.shape[-1], 1))
    return np.where(total > 0, masses / np.where(total > 0, total, 1.0), uniform)
