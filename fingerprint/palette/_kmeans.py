"""k-means, batched: the palette of every frame at once, and share-weighted whole-film palettes.

One Lloyd k-means with greedy k-means++ seeding serves both. It solves many small problems
in one batch (one per frame, times the restarts), because fitting one estimator per frame
costs more in Python overhead than in maths. Points are ``(n, 4, m)`` homogeneous
coordinates (colour, then 1), so squared distances and the centres' sums and counts are
batched matrix products; each point has a weight, which multiplies its coordinates for the
sums and its squared distance for the seeding's potentials and the error.

A frame's points are the bins of its colour histogram (`._histogram`), each weighted by
its pixels: every pixel of the frame counts, in a few thousand points instead of tens of
thousands. Padding to a batch's largest frame adds points of weight 0.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import InvalidParameterError
from ._color import check_frames, lab_to_rgb
from ._histogram import cell_starts, colour_histograms, histogram_points

__all__ = ["histogram_palettes", "palettes", "weighted_kmeans"]

# Palette search tuning, measured with bench/accuracy.py (against scikit-learn on
# full-resolution frames; docs/benchmarks.md, "Fourth round: histograms") and
# bench/recluster.py (speed). Restarts run on a coarser histogram (the fine bins merged
# into 16 levels a channel), the best 2 by their error on the fine histogram race 3
# iterations on it, and only the leader converges.
_N_INIT = 16  # restarts
_COARSE_CELLS = 1024  # the restarts converge on each frame's bins merged into at most this
_REFINED = 3  # restarts of lowest error on the fine histogram, which then race on it
_WEIGHTED_N_INIT = 4  # restarts of `weighted_kmeans`, each on all its points
_MAX_ITER = 100
_RESTART_TOL = 10  # restarts stop at 10 x _TOL: the fine refinement converges after them
_RACE_ITER = 3  # iterations of the best restarts on the fine histogram before choosing one
_TOL = 1e-4  # as scikit-learn: centre shift, relative to the frame's mean colour variance
# Frames per batch: keeps the (chunk x restarts, k, bins) distance block in cache.
_CHUNK = 4
_MAX_THREADS = 8
# Sets still moving regathered when at most this share of the sets computed (`_lloyd`).
_REGATHER = 0.75
_BLOCK = 32  # points whose potentials are summed at a time when seeding (`_draw`)


def palettes(
    frames: np.ndarray, *, k: int = 5, color_space: str = "lab", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Dominant colours of each frame by k-means, batched over all frames.

    Returns ``colors`` ``(N, k, 3)`` uint8 sRGB and ``shares`` ``(N, k)`` float64, each row
    sorted by share, largest first, summing to 1. ``color_space="lab"`` clusters in CIELAB,
    where distance follows perceived difference; ``"rgb"`` clusters sRGB codes. Clusters
    left empty (a flat frame has fewer than ``k`` colours) get share 0 and come last.

    Every pixel counts, through the frame's colour histogram (`histogram_palettes`);
    the seeding comes from ``seed``, so results are reproducible.
    """
    frames = check_frames(frames)
    _check_options(k, color_space)
    if frames.shape[1] * frames.shape[2] == 0:
        raise InvalidParameterError("frames must have at least one pixel.")
    offsets, counts, means, _ = colour_histograms(frames)
    return histogram_palettes(offsets, counts, means, k=k, color_space=color_space, seed=seed)


def histogram_palettes(
    offsets: np.ndarray, counts: np.ndarray, means: np.ndarray, *, k: int = 5,
    color_space: str = "lab", seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """`palettes` of frames given by their colour histograms (`colour_histograms`): frame
    ``i``'s bins are ``offsets[i]:offsets[i + 1]``, each with its pixel ``counts`` and
    ``means`` (sRGB codes times `MEAN_SCALE`). Shares are of the frame's pixels.

    Greedy k-means++ seeding, 16 restarts each converged on the coarse histogram (bins of
    16 codes a channel), the 2 of lowest error on the fine histogram race a few iterations
    there and the lower is then refined to convergence.
    """
    _check_options(k, color_space)
    offsets = np.asarray(offsets, np.int64)
    counts = np.asarray(counts)
    means = np.asarray(means)
    n = len(offsets) - 1
    if n < 0 or means.shape != (len(counts), 3) or offsets[-1] != len(counts) or (
        n and (np.diff(offsets) < 1).any()
    ):
        raise InvalidParameterError("histograms must give each frame at least one bin.")
    if n == 0:
        return np.zeros((0, k, 3), np.uint8), np.zeros((0, k))
    rng = np.random.default_rng(seed)
    # Frames of similar bin counts batched together (a batch is padded to its largest),
    # the largest first, so no thread is left alone with a large batch at the end.
    sizes = np.diff(offsets)
    by_size = np.argsort(-sizes, kind="stable")
    chunks = [by_size[lo : lo + _CHUNK] for lo in range(0, n, _CHUNK)]
    chunk_rngs = rng.spawn(len(chunks))

    def run(job: tuple[np.ndarray, np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
        frames, chunk_rng = job
        bounds = np.concatenate([[0], np.cumsum(sizes[frames])])
        take = np.repeat(offsets[frames] - bounds[:-1], sizes[frames]) + np.arange(bounds[-1])
        fine, fine_counts, coarse, coarse_counts = _problems(
            bounds, counts[take], means[take], color_space
        )
        centres = _search(fine, _unit(fine_counts), coarse, _unit(coarse_counts), k, chunk_rng)
        return centres, _nearest_counts(fine, centres, weights=fine_counts)

    # numpy releases the GIL in its loops, so threads over chunks use every core; each
    # chunk has its own generator, so the result does not depend on scheduling.
    workers = min(len(chunks), os.cpu_count() or 1, _MAX_THREADS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, zip(chunks, chunk_rngs, strict=True)))
    centres = np.empty((n, k, 3), np.float32)
    mass = np.empty((n, k))
    for frames, (c, m) in zip(chunks, results, strict=True):
        centres[frames], mass[frames] = c, m

    order = np.argsort(-mass, axis=1, kind="stable")
    centres = np.take_along_axis(centres, order[:, :, None], axis=1)
    mass = np.take_along_axis(mass, order, axis=1)
    shares = mass / mass.sum(axis=1, keepdims=True)
    if color_space == "lab":
        colors = lab_to_rgb(centres)
    else:
        colors = np.rint(np.clip(centres, 0, 255)).astype(np.uint8)
    return colors, shares


def weighted_kmeans(
    points: np.ndarray, weights: np.ndarray, *, k: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted k-means of ``points`` (P, 3) with positive ``weights`` (P,): a point of
    weight 2 counts as two points. Best of four restarts on all points.

    Returns the centres (c, 3) float64 and the total weight of each cluster (c,), with
    empty clusters dropped (c <= k); the seeding comes from ``seed``.
    """
    _check_k(k)
    points = np.asarray(points, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 3 or weights.shape != points.shape[:1]:
        raise InvalidParameterError(
            f"points must be (P, 3) with weights (P,), not {points.shape} and {weights.shape}."
        )
    if not len(points) or not (weights > 0).all():
        raise InvalidParameterError("weighted k-means needs points, each of positive weight.")
    xta = _homogeneous(points[None])
    # Weights of mean 1 keep float32 sums well scaled whatever the caller's units.
    scaled = (weights / weights.mean()).astype(np.float32)[None]
    centres = _best_restart(xta, scaled, k, np.random.default_rng(seed), _WEIGHTED_N_INIT)
    mass = _nearest_counts(xta, centres, weights=weights[None])[0]
    keep = mass > 0
    return centres[0, keep].astype(np.float64), mass[keep]


def _check_options(k: int, color_space: str) -> None:
    _check_k(k)
    if color_space not in ("lab", "rgb"):
        raise InvalidParameterError(f"color_space must be 'lab' or 'rgb', not {color_space!r}.")


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(f"k must be a positive integer, not {k!r}.")


def _homogeneous(coords: np.ndarray) -> np.ndarray:
    """``(n, m, 3)`` colours to ``(n, 4, m)`` float32 homogeneous coordinates (colour, then 1).

    Coordinates along the last axis keep every reduction contiguous, and the row of ones
    turns squared distances and the centres' sums plus counts into batched matrix products.
    """
    xta = np.empty((len(coords), 4, coords.shape[1]), np.float32)
    xta[:, :3] = coords.transpose(0, 2, 1)
    xta[:, 3] = 1
    return xta


def _problems(
    bounds: np.ndarray, counts: np.ndarray, means: np.ndarray, color_space: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Frames' histograms (`histogram_palettes`' arguments, frame ``i`` at ``bounds[i]:
    bounds[i + 1]``) as batches of points and their pixel counts: the fine bins, and the
    coarse ones the restarts run on (`_COARSE_CELLS`)."""
    points = histogram_points(means, color_space)
    weights = counts.astype(np.float64)
    starts = cell_starts(means, bounds, _COARSE_CELLS)
    return (*_pad(points, weights, bounds), *_pad(*_merge(points, weights, starts, bounds)))


def _pad(
    points: np.ndarray, weights: np.ndarray, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Frames' points laid end to end (frame ``i`` is ``bounds[i]:bounds[i + 1]``) as one
    ``(n, 4, m)`` batch and ``(n, m)`` weights, padded past the largest frame to whole
    `_BLOCK`s by repeating each frame's last point with weight 0."""
    sizes = np.diff(bounds)
    step = np.arange(-(-sizes.max() // _BLOCK) * _BLOCK)  # whole blocks for `_draw`
    take = bounds[:-1, None] + np.minimum(step, sizes[:, None] - 1)
    return _homogeneous(points[take]), np.where(step < sizes[:, None], weights[take], 0.0)


def _merge(
    points: np.ndarray, weights: np.ndarray, starts: np.ndarray, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of points merged (each run from one of ``starts`` to the next, every frame's
    first point a start): a run's point is its points' weighted mean, its weight theirs
    summed. Returns points, weights and bounds as `_pad` takes them."""
    mass = np.add.reduceat(weights, starts)
    merged = np.add.reduceat(points * weights[:, None], starts) / mass[:, None]
    return merged.astype(np.float32), mass, np.searchsorted(starts, bounds)


def _unit(weights: np.ndarray) -> np.ndarray:
    """Each problem's weights scaled to sum to its number of points, in float32: sums of
    weighted coordinates then stay well scaled whatever the frame's size."""
    return (weights * (weights.shape[1] / weights.sum(axis=1, keepdims=True))).astype(np.float32)


def _tolerance(xta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`_TOL` times each problem's weighted mean colour variance."""
    total = weights.sum(axis=1)
    mean = (xta[:, :3] * weights[:, None]).sum(axis=2) / total[:, None]
    spread = ((xta[:, :3] - mean[:, :, None]) ** 2 * weights[:, None]).sum(axis=2)
    return _TOL * spread.mean(axis=1) / total


def _search(
    fine: np.ndarray, fine_weights: np.ndarray, coarse: np.ndarray, coarse_weights: np.ndarray,
    k: int, rng: np.random.Generator,
) -> np.ndarray:
    """Each problem's centres ``(n, k, 3)``: restarts seeded and converged on the coarse
    points, the best few by their error there race a few iterations on the fine points,
    and the lowest is refined to convergence."""
    n = len(fine)
    rows = np.arange(n)[:, None]
    tol = _tolerance(fine, fine_weights)
    centres, inertia = _restarts(coarse, coarse_weights, k, rng, _N_INIT, tol * _RESTART_TOL)
    best = np.argsort(inertia, axis=1)[:, : min(_REFINED, _N_INIT)]
    raced, inertia = _lloyd(
        fine, centres[rows, best], tol, weights=fine_weights, max_iter=_RACE_ITER
    )
    chosen = raced[rows, inertia.argmin(axis=1)[:, None]]
    return _lloyd(fine, chosen, tol, weights=fine_weights)[0][:, 0]


def _restarts(
    xta: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int,
    tol: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``restarts`` seedings of each problem, each run to convergence on all its points:
    centres ``(n, restarts, k, 3)`` and errors ``(n, restarts)``."""
    sq_norms = (xta[:, :3] ** 2).sum(axis=1)
    seeds = _kmeans_plus_plus(xta, sq_norms, k, restarts, rng, weights=weights)
    return _lloyd(xta, seeds, tol, weights=weights)


def _best_restart(
    xta: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator, restarts: int
) -> np.ndarray:
    """The restart of lowest error of each problem, all run on all its points."""
    centres, inertia = _restarts(xta, weights, k, rng, restarts, _tolerance(xta, weights))
    return centres[np.arange(len(xta)), inertia.argmin(axis=1)]


def _kmeans_plus_plus(
    xta: np.ndarray, sq_norms: np.ndarray, k: int, restarts: int, rng: np.random.Generator, *,
    weights: np.ndarray,
) -> np.ndarray:
    """Greedy k-means++ seeding (as scikit-learn's), ``restarts`` times for each problem:
    centres ``(n, restarts, k, 3)``. A point's potential is its weight (``weights``
    (n, m)) times its squared distance to the nearest centre so far; each problem's
    seedings share one product with its points."""
    n, _, m = xta.shape
    rows = np.arange(n)[:, None]
    runs = np.arange(restarts)[None, :]
    trials = 2 + int(np.log(k))
    centres = np.empty((n, restarts, k, 3), np.float32)
    first = _draw(weights, restarts, rng)
    centres[:, :, 0] = xta[rows, :3, first]
    closest = np.maximum(_augment(centres[:, :, 0]) @ xta + sq_norms[:, None], 0)
    for j in range(1, k):
        # A flat frame has no potential anywhere and simply repeats a centre.
        potential = (closest * weights[:, None]).reshape(n * restarts, m)
        picks = _draw(potential, trials, rng).reshape(n, restarts * trials)
        candidates = xta[rows, :3, picks]  # (n, restarts x trials, 3)
        dist = _augment(candidates) @ xta
        dist += sq_norms[:, None]
        dist = dist.reshape(n, restarts, trials, m)
        np.minimum(dist, closest[:, :, None], out=dist)
        winner = np.einsum("nrtm,nm->nrt", dist, weights).argmin(axis=2)
        centres[:, :, j] = candidates.reshape(n, restarts, trials, 3)[rows, runs, winner]
        # Rounding can leave tiny negative distances; potentials must not be negative.
        closest = np.maximum(dist[rows, runs, winner], 0)
    return centres


def _draw(potential: np.ndarray, trials: int, rng: np.random.Generator) -> np.ndarray:
    """``trials`` point indices per problem, drawn with probability proportional to the
    potentials (n, m): a block of `_BLOCK` points is drawn by its summed potential (one
    sorted search over all problems' blocks laid end to end), then a point within it.
    A running sum is sequential, so it only runs over the block sums and the drawn
    blocks; summing the blocks is vectorised (the whole rows' running sums took most of
    the seeding's time)."""
    n, m = potential.shape
    if m % _BLOCK:
        potential = np.pad(potential, ((0, 0), (0, _BLOCK - m % _BLOCK)))
    blocks = potential.reshape(n, -1, _BLOCK)
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
    inside = np.cumsum(blocks.reshape(-1, _BLOCK)[block], axis=-1, dtype=np.float64)
    within = np.minimum((inside <= left[..., None]).sum(axis=-1), _BLOCK - 1)
    return np.minimum((block - first) * _BLOCK + within, m - 1)


def _lloyd(
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
        dist = _augment(c.reshape(a, s * k, 3)) @ xta
        by_set = dist.reshape(a, s, k, -1)
        nearest = by_set.min(axis=2)
        # float32 sums: within 1e-6 of float64, far finer than the 0.3 % between the
        # near-equal minima they rank, at half the cost.
        inertia[frames, sets] = np.einsum("asm,am->as", nearest, weights)
        # One-hot membership written over the distances; a point equidistant from two
        # centres pulls on both, which only matters for duplicates and leaves them equal.
        np.equal(by_set, nearest[:, :, None], out=by_set, casting="unsafe")
        sums = (dist @ sums_of).reshape(a, s, k, 4)
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


def _nearest_counts(xta: np.ndarray, centres: np.ndarray, *, weights: np.ndarray) -> np.ndarray:
    """How much of each problem's points' ``weights`` falls nearest to each centre, ties
    to the first (float64)."""
    dist = _augment(centres) @ xta
    nearest = dist.min(axis=1)
    counts = np.empty(centres.shape[:2])
    taken = np.zeros(nearest.shape, bool)
    for j in range(centres.shape[1]):
        hit = dist[:, j] == nearest
        hit &= ~taken
        counts[:, j] = np.where(hit, weights, 0.0).sum(axis=1)
        taken |= hit
    return counts


def _augment(centres: np.ndarray) -> np.ndarray:
    """``(n, k, 3)`` centres to ``(n, k, 4)`` rows [-2c, |c|^2] for distances via a product."""
    sq = np.einsum("nkd,nkd->nk", centres, centres)[:, :, None]
    return np.concatenate([-2 * centres, sq], axis=2).astype(np.float32)
