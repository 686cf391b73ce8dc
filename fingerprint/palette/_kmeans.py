"""k-means, batched: the palette of every frame at once, and share-weighted whole-film palettes.

One Lloyd k-means with greedy k-means++ seeding serves both. It solves many small problems
in one batch (one per frame, times the restarts), because fitting one estimator per frame
costs more in Python overhead than in maths. Points are ``(n, 4, m)`` homogeneous
coordinates (colour, then 1), so squared distances and the centres' sums and counts are
batched matrix products. A weighted problem (each point a colour with its share of the
film) multiplies the coordinates by the weights for the sums, and the potentials of the
seeding by the weights.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import InvalidParameterError
from ._color import check_frames, lab_to_rgb, rgb_to_lab

__all__ = ["palettes", "weighted_kmeans"]

# Palette search tuning, measured with bench/colour_bench.py (speed) and bench/accuracy.py
# (against scikit-learn on full-resolution frames of the shared clips; docs/benchmarks.md).
# 16 restarts on their own 512-pixel slices, the best 2 refined on all 16384 pixels: mean
# 0.64 ΔE2000 over twelve seeds, p90 0.90, against 0.73 / 1.01 for 4 restarts each refined
# on 8192 pixels, at less CPU. The best 2 race 3 iterations and only the leader converges:
# on point-scaled samples 0.63 / 0.93 over seeds 0-7, as refining both (0.62 / 0.92), at
# 4.4-4.7 s CPU for k = 7 on 1000 frames against 5.5-6.5 s; half the pixels or half the
# restarts cost 0.1 ΔE2000 (docs/benchmarks.md, third round).
_SAMPLES = 16384  # pixels per frame: the centres are fitted on them and count shares
_N_INIT = 16  # restarts
_COARSE_SAMPLES = 512  # pixels of each restart's own slice, on which it first converges
_REFINED = 2  # restarts of lowest error on all the pixels, which then race on all of them
_WEIGHTED_N_INIT = 4  # restarts of a weighted problem, each on all its points
_MAX_ITER = 100
_RACE_ITER = 3  # iterations of the best restarts on all the pixels before choosing one
_TOL = 1e-4  # as scikit-learn: centre shift, relative to the frame's mean colour variance
# Frames per batch: keeps the (chunk x restarts, k, samples) distance block in cache (4
# against 8: 10-15 % less CPU at k = 7, and 30 MB less of the peak with two threads).
_CHUNK = 4
_MAX_THREADS = 8


def palettes(
    frames: np.ndarray, *, k: int = 5, color_space: str = "lab", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Dominant colours of each frame by k-means, batched over all frames.

    Returns ``colors`` ``(N, k, 3)`` uint8 sRGB and ``shares`` ``(N, k)`` float64, each row
    sorted by share, largest first, summing to 1. ``color_space="lab"`` clusters in CIELAB,
    where distance follows perceived difference; ``"rgb"`` clusters sRGB codes. Clusters
    left empty (a flat frame has fewer than ``k`` colours) get share 0 and come last.

    Centres are fitted and shares counted on a jittered grid of about 16384 pixels per frame
    (every pixel of a frame of up to twice that): greedy k-means++ seeding, 16 restarts
    each on its own slice of the grid, the 2 of lowest inertia on the whole grid run a few
    iterations on it and the lower then refined to convergence. The grid and the seeding
    come from ``seed``, so results are reproducible.
    """
    frames = check_frames(frames)
    _check_k(k)
    if color_space not in ("lab", "rgb"):
        raise InvalidParameterError(f"color_space must be 'lab' or 'rgb', not {color_space!r}.")
    n, h, w, _ = frames.shape
    if h * w == 0:
        raise InvalidParameterError("frames must have at least one pixel.")
    if n == 0:
        return np.zeros((0, k, 3), np.uint8), np.zeros((0, k))

    rng = np.random.default_rng(seed)
    # A sample of more than half the frame saves little, and its noise alone can decide
    # between near-equal minima that the whole frame tells apart: small frames use it all.
    grid = _jittered_grid(h, w, h * w if h * w <= 2 * _SAMPLES else _SAMPLES, rng)
    # In random order, so every slice of it is spread over the whole frame.
    order = rng.permutation(len(grid[0]))
    grid = grid[0][order], grid[1][order]
    starts = range(0, n, _CHUNK)
    chunk_rngs = rng.spawn(len(starts))

    def run(job: tuple[int, np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
        start, chunk_rng = job
        xta = _points(frames[start : start + _CHUNK], grid, color_space)
        centres = _kmeans(xta, k, chunk_rng)
        return centres, _nearest_counts(xta, centres)

    # numpy releases the GIL in its loops, so threads over chunks use every core; each
    # chunk has its own generator, so the result does not depend on scheduling. Each thread
    # holds about 20 MB, and memory bandwidth, not cores, limits beyond a few threads.
    workers = min(len(starts), os.cpu_count() or 1, _MAX_THREADS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, zip(starts, chunk_rngs, strict=True)))
    centres = np.concatenate([c for c, _ in results])
    counts = np.concatenate([s for _, s in results])

    order = np.argsort(-counts, axis=1, kind="stable")
    centres = np.take_along_axis(centres, order[:, :, None], axis=1)
    shares = np.take_along_axis(counts, order, axis=1) / len(grid[0])
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
    centres = _kmeans(xta, k, np.random.default_rng(seed), weights=scaled)
    mass = _nearest_counts(xta, centres, weights=weights[None])[0]
    keep = mass > 0
    return centres[0, keep].astype(np.float64), mass[keep]


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


def _points(
    frames: np.ndarray, grid: tuple[np.ndarray, np.ndarray], color_space: str
) -> np.ndarray:
    """The grid's pixels of each frame as ``(n, 4, m)`` homogeneous coordinates."""
    pixels = frames[:, grid[0], grid[1]]
    return _homogeneous(rgb_to_lab(pixels) if color_space == "lab" else pixels)


def _kmeans(
    xta: np.ndarray, k: int, rng: np.random.Generator, *, weights: np.ndarray | None = None
) -> np.ndarray:
    """Lloyd k-means, one problem per row of ``(n, 4, m)`` points, best of restarts.

    Unweighted, each restart is seeded and run to convergence on its own slice of the
    points (in random order, so each slice is spread over the frame), stacked as extra
    problems of one batch; the restarts are ranked by their error on all points, the best
    few race a few iterations on all points, and the lowest is refined to convergence there.
    Weighted problems run every
    restart on all points: a slice would ignore the weights.
    """
    n, _, m = xta.shape
    restarts = _N_INIT if weights is None else _WEIGHTED_N_INIT
    if weights is None:
        tol = _TOL * xta[:, :3].var(axis=2).mean(axis=1)
        size = min(m, _COARSE_SAMPLES)
        take = (np.arange(restarts)[:, None] * size + np.arange(size)) % m
        coarse = xta[:, :, take].transpose(0, 2, 1, 3).reshape(n * restarts, 4, size)
        coarse_weights = None
    else:
        mean = (xta[:, :3] * weights[:, None]).sum(axis=2) / weights.sum(axis=1)[:, None]
        spread = ((xta[:, :3] - mean[:, :, None]) ** 2 * weights[:, None]).sum(axis=2)
        tol = _TOL * spread.mean(axis=1) / weights.sum(axis=1)
        coarse = np.repeat(xta, restarts, axis=0)
        coarse_weights = np.repeat(weights, restarts, axis=0)
    sq_norms = (coarse[:, :3] ** 2).sum(axis=1)
    centres = _kmeans_plus_plus(coarse, sq_norms, k, rng, weights=coarse_weights)
    centres, inertia = _lloyd(coarse, centres, np.repeat(tol, restarts), weights=coarse_weights)
    centres = centres.reshape(n, restarts, k, 3)
    rows = np.arange(n)[:, None]
    if weights is None:
        # Restarts converged on 512 pixels rank near-equal minima unreliably (issue 8), so
        # the best few by their error on all pixels race a few iterations there; only the
        # leader then runs to convergence (the race decides as well as full refinement of
        # each did, at a third less CPU for k = 7: docs/benchmarks.md).
        kept = min(_REFINED, restarts)
        best = np.argsort(_inertia(xta, centres), axis=1)[:, :kept]
        raced, inertia = _lloyd(
            np.repeat(xta, kept, axis=0),
            centres[rows, best].reshape(n * kept, k, 3),
            np.repeat(tol, kept),
            max_iter=_RACE_ITER,
        )
        lead = inertia.reshape(n, kept).argmin(axis=1)
        return _lloyd(xta, raced.reshape(n, kept, k, 3)[rows[:, 0], lead], tol)[0]
    return centres[rows[:, 0], inertia.reshape(n, restarts).argmin(axis=1)]


def _inertia(xta: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """``(n, r)`` error of each of ``r`` centre sets ``(n, r, k, 3)`` on its problem's
    points, up to a per-problem constant (enough to rank them). One set at a time keeps
    the distance block at ``(n, k, m)``."""
    return np.stack(
        [
            (_augment(centres[:, j]) @ xta).min(axis=1).sum(axis=1)
            for j in range(centres.shape[1])
        ],
        axis=1,
    )


def _kmeans_plus_plus(
    xta: np.ndarray, sq_norms: np.ndarray, k: int, rng: np.random.Generator, *,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy k-means++ seeding (as scikit-learn's), batched over problems; with
    ``weights`` (n, m), a point's potential is its weight times its squared distance."""
    n, _, m = xta.shape
    rows = np.arange(n)
    trials = 2 + int(np.log(k))
    centres = np.empty((n, k, 3), np.float32)
    first = rng.integers(m, size=n) if weights is None else _draw(weights, 1, rng)[:, 0]
    centres[:, 0] = xta[rows, :3, first]
    closest = np.maximum(_augment(centres[:, :1]) @ xta + sq_norms[:, None], 0)[:, 0]
    for j in range(1, k):
        potential = closest if weights is None else closest * weights
        # A flat frame has no potential anywhere and simply repeats a centre.
        candidates = xta[rows[:, None], :3, _draw(potential, trials, rng)]
        dist = _augment(candidates) @ xta
        dist += sq_norms[:, None]
        np.minimum(dist, closest[:, None], out=dist)
        cost = dist if weights is None else dist * weights[:, None]
        winner = cost.sum(axis=2).argmin(axis=1)
        centres[:, j] = candidates[rows, winner]
        # Rounding can leave tiny negative distances; potentials must not be negative.
        closest = np.maximum(dist[rows, winner], 0)
    return centres


def _draw(potential: np.ndarray, trials: int, rng: np.random.Generator) -> np.ndarray:
    """``trials`` point indices per problem, drawn with probability proportional to the
    potentials (n, m): one sorted search over all problems' cumulative potentials laid
    end to end."""
    n, m = potential.shape
    rows = np.arange(n)
    cumulative = np.cumsum(potential, axis=1, dtype=np.float64)
    cumulative += np.concatenate([[0.0], np.cumsum(cumulative[:-1, -1])])[:, None]
    low = cumulative[:, 0] - potential[:, 0]
    targets = low[:, None] + rng.random((n, trials)) * (cumulative[:, -1] - low)[:, None]
    picks = np.searchsorted(cumulative.ravel(), targets, side="right") - rows[:, None] * m
    return np.clip(picks, 0, m - 1)


def _lloyd(
    xta: np.ndarray, centres: np.ndarray, tol: np.ndarray, *, weights: np.ndarray | None = None,
    max_iter: int = _MAX_ITER,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations until each problem's centres stop moving; converged ones drop out.

    Returns the centres and each problem's inertia up to a per-problem constant, which is
    enough to rank restarts.
    """
    centres = centres.copy()
    inertia = np.empty(len(centres))
    active = np.arange(len(centres))
    # Weighted coordinates: the product below then sums weight x colour, and weight. Points
    # along the rows, so that product reads both operands contiguously (10 % faster).
    sums_of = np.ascontiguousarray(
        (xta if weights is None else xta * weights[:, None]).transpose(0, 2, 1)
    )
    for _ in range(max_iter):
        c = centres[active]
        dist = _augment(c) @ xta
        nearest = dist.min(axis=1)
        # float32 pairwise sums: within 1e-6 of float64, far finer than the 0.3 % between
        # the near-equal minima they rank, at half the cost.
        inertia[active] = (nearest if weights is None else nearest * weights).sum(axis=1)
        # One-hot membership written over the distances; a point equidistant from two
        # centres pulls on both, which only matters for duplicates and leaves them equal.
        member = np.equal(dist, nearest[:, None], out=dist, casting="unsafe")
        sums = member @ sums_of
        counts = sums[:, :, 3:]
        new = np.where(counts > 0, sums[:, :, :3] / np.where(counts > 0, counts, 1), c)
        centres[active] = new
        moving = ((new - c) ** 2).sum(axis=(1, 2)) > tol[active]
        if not moving.any():
            break
        if not moving.all():
            active, xta, sums_of = active[moving], xta[moving], sums_of[moving]
            if weights is not None:
                weights = weights[moving]
    return centres, inertia


def _nearest_counts(
    xta: np.ndarray, centres: np.ndarray, *, weights: np.ndarray | None = None
) -> np.ndarray:
    """How many of each problem's points (or how much of their ``weights``) fall nearest
    to each centre, ties to the first."""
    dist = _augment(centres) @ xta
    nearest = dist.min(axis=1)
    counts = np.empty(centres.shape[:2], np.int64 if weights is None else np.float64)
    taken = np.zeros(nearest.shape, bool)
    for j in range(centres.shape[1]):
        hit = dist[:, j] == nearest
        hit &= ~taken
        if weights is None:
            counts[:, j] = np.count_nonzero(hit, axis=1)
        else:
            counts[:, j] = np.where(hit, weights, 0.0).sum(axis=1)
        taken |= hit
    return counts


def _augment(centres: np.ndarray) -> np.ndarray:
    """``(n, k, 3)`` centres to ``(n, k, 4)`` rows [-2c, |c|^2] for distances via a product."""
    sq = np.einsum("nkd,nkd->nk", centres, centres)[:, :, None]
    return np.concatenate([-2 * centres, sq], axis=2).astype(np.float32)


def _jittered_grid(
    h: int, w: int, target: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """About ``target`` pixel coordinates, one random pixel per cell of an even grid.

    Jitter avoids aliasing with regular patterns (stripes, dithering); the whole frame is
    returned when it has fewer pixels than ``target``.
    """
    step = np.sqrt(h * w / target)
    ny = int(np.clip(round(h / step), 1, h))
    nx = int(np.clip(round(w / step), 1, w))
    y_edges = np.arange(ny + 1) * h // ny
    x_edges = np.arange(nx + 1) * w // nx
    ys = y_edges[:-1, None] + (rng.random((ny, nx)) * np.diff(y_edges)[:, None]).astype(int)
    xs = x_edges[None, :-1] + (rng.random((ny, nx)) * np.diff(x_edges)[None, :]).astype(int)
    return ys.ravel(), xs.ravel()
