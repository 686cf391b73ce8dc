"""Weighted Lloyd k-means, batched: the machinery `._kmeans` searches palettes with.

Many small problems are solved in one batch (one per frame), each with ``r`` centre sets
(its restarts) that share its points. Points are ``(n, 4, m)`` homogeneous coordinates
(colour, then 1), so squared distances and the centres' sums and counts are batched
matrix products; each point has a weight (``(n, m)``), which multiplies its coordinates
for the sums and its squared distance for the seeding's potentials and the error. Points
of weight 0 pad a batch's problems to one size. Pure functions on numpy arrays.
"""

from __future__ import annotations

import numpy as np

_MAX_ITER = 100
_TOL = 1e-4  # as scikit-learn: centre shift, relative to the frame's mean colour variance
# Sets still moving are regathered when at most this share of the sets computed (`lloyd`).
_REGATHER = 0.75
BLOCK = 32  # points whose potentials are summed at a time when seeding (`draw`)
# Distances computed at a time in a Lloyd iteration (float32, 512 KB): a batch's all at
# once (8 frames x 16 restarts x 7 centres x 1024 points, 3.7 MB) outgrew a core's L2
# cache, so each of the iteration's passes over them read memory. One problem at a time
# at that size, an iteration takes 0.66 ms instead of 0.91 and the k-means 17 % less CPU,
# the same sums (docs/benchmarks.md, §3's fifth round).
_PIECE = 2**17


def homogeneous(coords: np.ndarray) -> np.ndarray:
    """``(n, m, 3)`` colours to ``(n, 4, m)`` float32 homogeneous coordinates (colour, then 1).

    Coordinates along the last axis keep every reduction contiguous, and the row of ones
    turns squared distances and the centres' sums plus counts into batched matrix products.
    """
    xta = np.empty((len(coords), 4, coords.shape[1]), np.float32)
    xta[:, :3] = coords.transpose(0, 2, 1)
    xta[:, 3] = 1
    return xta


def tolerance(xta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`_TOL` times each problem's weighted mean colour variance."""
    total = weights.sum(axis=1)
    mean = (xta[:, :3] * weights[:, None]).sum(axis=2) / total[:, None]
    spread = ((xta[:, :3] - mean[:, :, None]) ** 2 * weights[:, None]).sum(axis=2)
    return _TOL * spread.mean(axis=1) / total


def run_restarts(
    xta: np.ndarray, weights: np.ndarray, *, k: int, count: int, rng: np.random.Generator,
    tol: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` seedings of each problem, each run to convergence on all its points:
    centres ``(n, count, k, 3)`` and errors ``(n, count)``."""
    sq_norms = (xta[:, :3] ** 2).sum(axis=1)
    seeds = kmeans_plus_plus(xta, sq_norms, k=k, count=count, rng=rng, weights=weights)
    return lloyd(xta, seeds, tol, weights=weights)


def best_restart(
    xta: np.ndarray, weights: np.ndarray, *, k: int, count: int, rng: np.random.Generator
) -> np.ndarray:
    """The restart of lowest error of each problem, all run on all its points."""
    centres, inertia = run_restarts(xta, weights, k=k, count=count, rng=rng,
                                    tol=tolerance(xta, weights))
    return centres[np.arange(len(xta)), inertia.argmin(axis=1)]


def kmeans_plus_plus(
    xta: np.ndarray, sq_norms: np.ndarray, *, k: int, count: int, rng: np.random.Generator,
    weights: np.ndarray,
) -> np.ndarray:
    """Greedy k-means++ seeding (as scikit-learn's), ``count`` times for each problem:
    centres ``(n, count, k, 3)``. A point's potential is its weight (``weights``
    (n, m)) times its squared distance to the nearest centre so far; each problem's
    seedings share one product with its points."""
    n, _, m = xta.shape
    rows = np.arange(n)[:, None]
    runs = np.arange(count)[None, :]
    trials = 2 + int(np.log(k))
    centres = np.empty((n, count, k, 3), np.float32)
    first = draw(weights, count, rng)
    centres[:, :, 0] = xta[rows, :3, first]
    closest = np.maximum(augment(centres[:, :, 0]) @ xta + sq_norms[:, None], 0)
    for j in range(1, k):
        # A flat frame has no potential anywhere and simply repeats a centre.
        potential = (closest * weights[:, None]).reshape(n * count, m)
        picks = draw(potential, trials, rng).reshape(n, count * trials)
        candidates = xta[rows, :3, picks]  # (n, count x trials, 3)
        dist = augment(candidates) @ xta
        dist += sq_norms[:, None]
        dist = dist.reshape(n, count, trials, m)
        np.minimum(dist, closest[:, :, None], out=dist)
        winner = np.einsum("nrtm,nm->nrt", dist, weights).argmin(axis=2)
        centres[:, :, j] = candidates.reshape(n, count, trials, 3)[rows, runs, winner]
        # Rounding can leave tiny negative distances; potentials must not be negative.
        closest = np.maximum(dist[rows, runs, winner], 0)
    return centres


def draw(potential: np.ndarray, trials: int, rng: np.random.Generator) -> np.ndarray:
    """``trials`` point indices per problem, drawn with probability proportional to the
    potentials (n, m): a block of `BLOCK` points is drawn by its summed potential (one
    sorted search over all problems' blocks laid end to end), then a point within it.
    A running sum is sequential, so it only runs over the block sums and the drawn
    blocks; summing the blocks is vectorised (the whole rows' running sums took most of
    the seeding's time)."""
    n, m = potential.shape
    if m % BLOCK:
        potential = np.pad(potential, ((0, 0), (0, BLOCK - m % BLOCK)))
    blocks = potential.reshape(n, -1, BLOCK)
    per_row = blocks.shape[1]
    # A block's sum in float32 (pairwise, 32 terms); the running sum over blocks in float64.
    block_sums = blocks.sum(axis=2).astype(np.float64).ravel()
    cumulative = np.cumsum(block_sums)
    ends = cumulative[per_row - 1 :: per_row]
    starts = np.concatenate([[0.0], ends[:-1]])
    targets = starts[:, None] + rng.random((n, trials)) * (ends - starts)[:, None]
    first = np.arange(n)[:, None] * per_row
    block = np.clip(np.searchsorted(cumulative, targets, side="right"), first, first + per_row - 1)
    left = targets - (cumulative[block] - block_sums[block])
    inside = np.cumsum(blocks.reshape(-1, BLOCK)[block], axis=-1, dtype=np.float64)
    within = np.minimum((inside <= left[..., None]).sum(axis=-1), BLOCK - 1)
    return np.minimum((block - first) * BLOCK + within, m - 1)


def lloyd(
    xta: np.ndarray, centres: np.ndarray, tol: np.ndarray, *, weights: np.ndarray,
    max_iter: int = _MAX_ITER,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations of ``r`` centre sets ``(n, r, k, 3)`` of each problem on its points
    until they stop moving. Each problem's sets share one product with its points (one
    larger matrix product rather than many tiny ones); a set that stopped stays, and the
    sets still moving are regathered, as many per problem as the busiest needs, whenever
    that is at most `_REGATHER` of the sets computed (a problem with none drops out).

    Returns the centres and each set's inertia ``(n, r)`` up to a per-problem constant,
    which is enough to rank restarts.
    """
    n, r, k, _ = centres.shape
    centres = centres.astype(np.float32)  # a copy
    inertia = np.empty((n, r))
    moving = np.ones((n, r), bool)
    # Weighted coordinates: the product below then sums weight x colour, and weight. Points
    # along the rows, so that product reads both operands contiguously (10 % faster).
    sums_of = np.ascontiguousarray((xta * weights[:, None]).transpose(0, 2, 1))
    frames = np.arange(n)[:, None]  # the problems computed, and their sets
    sets = np.broadcast_to(np.arange(r), (n, r))
    for _ in range(max_iter):
        a, s = sets.shape
        c = centres[frames, sets]
        rows = augment(c.reshape(a, s * k, 3))
        sums = np.empty((a, s * k, 4), np.float32)
        step = max(1, _PIECE // (s * k * xta.shape[2]))
        for lo in range(0, a, step):
            part = slice(lo, lo + step)
            dist = rows[part] @ xta[part]
            by_set = dist.reshape(len(dist), s, k, -1)
            nearest = by_set.min(axis=2)
            # float32 sums: within 1e-6 of float64, far finer than the 0.3 % between the
            # near-equal minima they rank, at half the cost.
            inertia[frames[part], sets[part]] = np.einsum("asm,am->as", nearest, weights[part])
            # One-hot membership written over the distances; a point equidistant from two
            # centres pulls on both, which only matters for duplicates and leaves them equal.
            np.equal(by_set, nearest[:, :, None], out=by_set, casting="unsafe")
            np.matmul(dist, sums_of[part], out=sums[part])
        sums = sums.reshape(a, s, k, 4)
        counts = sums[..., 3:]
        new = np.where(counts > 0, sums[..., :3] / np.where(counts > 0, counts, 1), c)
        still = moving[frames, sets]
        new = np.where(still[:, :, None, None], new, c)  # a set that stopped stays
        centres[frames, sets] = new
        still &= ((new - c) ** 2).sum(axis=(2, 3)) > tol[frames]
        moving[frames, sets] = still
        busy = still.sum(axis=1)
        if not busy.any():
            break
        if busy.max() * a <= _REGATHER * still.size:
            keep = busy > 0
            # Each problem's moving sets first, then stopped ones to fill the row.
            order = np.argsort(~still[keep], axis=1, kind="stable")[:, : busy.max()]
            sets = np.take_along_axis(sets[keep], order, axis=1)
            frames, xta, sums_of, weights = frames[keep], xta[keep], sums_of[keep], weights[keep]
    return centres, inertia


def nearest_counts(xta: np.ndarray, centres: np.ndarray, *, weights: np.ndarray) -> np.ndarray:
    """How much of each problem's points' ``weights`` falls nearest to each centre, ties
    to the first (float64)."""
    dist = augment(centres) @ xta
    nearest = dist.min(axis=1)
    counts = np.empty(centres.shape[:2])
    taken = np.zeros(nearest.shape, bool)
    for j in range(centres.shape[1]):
        hit = dist[:, j] == nearest
        hit &= ~taken
        counts[:, j] = np.where(hit, weights, 0.0).sum(axis=1)
        taken |= hit
    return counts


def augment(centres: np.ndarray) -> np.ndarray:
    """``(n, k, 3)`` centres to ``(n, k, 4)`` rows [-2c, |c|^2] for distances via a product."""
    sq = np.einsum("nkd,nkd->nk", centres, centres)[:, :, None]
    return np.concatenate([-2 * centres, sq], axis=2).astype(np.float32)
