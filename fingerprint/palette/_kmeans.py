"""k-means, batched: the palette of every frame at once, and share-weighted whole-film palettes.

Both run the weighted Lloyd k-means of `._lloyd` (greedy k-means++ seeding, restarts)
over many small problems in one batch, because fitting one estimator per frame costs more
in Python overhead than in maths. A frame's points are the bins of its colour histogram
(`._histogram`), each weighted by its pixels: every pixel of the frame counts, in a few
thousand points instead of tens of thousands.

This is our own k-means, not a library's: scikit-learn fits one problem per call, and
a thousand frames' calls cost more than the clustering (issue 8). Its search is tuned
against scikit-learn's on full-resolution frames (bench/accuracy.py, docs/benchmarks.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import numpy as np

from ..errors import InvalidParameterError
from ._color import check_frames, lab_to_rgb
from ._histogram import cell_starts, color_histograms, histogram_points
from ._lloyd import (
    BLOCK,
    best_restart,
    homogeneous,
    lloyd,
    nearest_counts,
    run_restarts,
    tolerance,
)
from ._workers import cluster_pool

__all__ = ["histogram_palettes", "palettes", "palettes_in_parts", "weighted_kmeans"]

# Palette search, measured with bench/accuracy.py (tuning set, seeds 0-7, against
# scikit-learn on full-resolution frames) and bench/recluster.py (speed); docs/benchmarks.md,
# "Fourth round: colour histograms". 16 restarts converge on the bins merged into at most
# 1024 cells (mean ΔE2000 0.63, worst inertia ratio 1.004; 12 restarts: 0.71 and 1.022,
# 10: 0.70 and 1.040; 512 cells: 0.70-0.88), the best 3 by their error there race 3
# iterations on the fine bins (the best 2: 0.66), and only the leader converges.
_N_INIT = 16  # restarts
_COARSE_CELLS = 1024  # the cells a frame's bins are merged into, at most, for the restarts
_REFINED = 3  # restarts of lowest error, which then race on the fine bins
_RACE_ITER = 3  # iterations of the race before choosing its leader
# Restarts stop at 10 x the tolerance (the leader converges at 1 x on the fine bins after
# them): the same accuracy, 12 % fewer iterations; at 100 x, 0.67 mean ΔE2000.
_RESTART_TOL = 10
_WEIGHTED_N_INIT = 4  # restarts of `weighted_kmeans`, each on all its points
# Frames per batch: on two threads, at k = 7, batches of 4 took 2.06-2.08 s of wall time
# per 1000 frames, of 8 1.68-1.69 s (16: 1.64-1.71 s, more CPU). Load average 3.4-3.9,
# the same process alternating them. (Workers are now processes: `._workers`.)
_CHUNK = 8


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
    offsets, counts, means, _ = color_histograms(frames)
    return histogram_palettes(offsets, counts, means, k=k, color_space=color_space, seed=seed)


def histogram_palettes(
    offsets: np.ndarray, counts: np.ndarray, means: np.ndarray, *, k: int = 5,
    color_space: str = "lab", seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """`palettes` of frames given by their colour histograms (`color_histograms`): frame
    ``i``'s bins are ``offsets[i]:offsets[i + 1]``, each with its pixel ``counts`` and
    ``means`` (sRGB codes times `MEAN_SCALE`). Shares are of the frame's pixels.

    Greedy k-means++ seeding, 16 restarts each converged on the frame's bins merged into
    at most 1024 cells of a coarser grid, the 3 of lowest error race a few iterations on
    the bins and the lowest is then refined to convergence there.
    """
    return next(palettes_in_parts([(offsets, counts, means)], k=k, color_space=color_space,
                                  seed=seed))


def palettes_in_parts(
    parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], *, k: int = 5,
    color_space: str = "lab", seed: int = 0,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """`histogram_palettes` of each part (its ``offsets, counts, means``) in turn, each
    the same as on its own. Every part's batches are queued at once on one `cluster_pool`,
    so no worker waits for the last batch of a part before the next (a caller reporting
    progress part by part lost 0.1-0.3 s that way on 1000 frames); closing the iterator
    early cancels what has not started.

    A batch's job names its frames only: each worker gathers their bins from the parts,
    which forked workers share with this process (`_PARTS`), so the gathering runs in
    parallel and nothing is pickled but the names (0.07 s of one core for 1000 frames
    at k = 7 before, docs/benchmarks.md)."""
    _check_options(k, color_space)
    parts = [_checked(*part) for part in parts]
    plans = [_plan(part[0], seed=seed) for part in parts]
    token = next(_TOKENS)
    _PARTS[token] = parts  # before the pool forks its workers
    try:
        with cluster_pool(sum(len(frames) for frames in plans)) as pool:
            jobs = [(token, i, chunk, color_space, k, rng) for i, chunks in enumerate(plans)
                    for chunk, rng in chunks]
            results = pool.map(_chunk_palettes, jobs)
            try:
                for chunks in plans:
                    n = sum(len(chunk) for chunk, _ in chunks)
                    centres = np.empty((n, k, 3), np.float32)
                    mass = np.empty((n, k))
                    for frames, _ in chunks:
                        centres[frames], mass[frames] = next(results)
                    yield _sorted_palettes(centres, mass, color_space)
            finally:  # closed early (a cancel) or failed: drop the batches not started
                pool.shutdown(cancel_futures=True)
    finally:
        del _PARTS[token]


# Parts being clustered, by token (`palettes_in_parts`): what forked workers inherit.
_PARTS: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
_TOKENS = itertools.count()


def _checked(
    offsets: np.ndarray, counts: np.ndarray, means: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    offsets = np.asarray(offsets, np.int64)
    counts = np.asarray(counts)
    means = np.asarray(means)
    n = len(offsets) - 1
    if n < 0 or means.shape != (len(counts), 3) or offsets[-1] != len(counts) or (
        n and (np.diff(offsets) < 1).any()
    ):
        raise InvalidParameterError("histograms must give each frame at least one bin.")
    return offsets, counts, means


def _plan(offsets: np.ndarray, *, seed: int) -> list[tuple[np.ndarray, np.random.Generator]]:
    """One part's batches of frames, each with its own generator."""
    rng = np.random.default_rng(seed)
    # Frames of similar bin counts batched together, each batch with its own generator
    # (padded to its largest frame, a batch of consecutive frames did 25 % more work on
    # the benchmark film), the largest first, so no worker is left alone with a large
    # batch at the end. Each batch's own generator makes the result independent of
    # scheduling.
    sizes = np.diff(offsets)
    by_size = np.argsort(-sizes, kind="stable")
    chunks = [by_size[lo : lo + _CHUNK] for lo in range(0, len(sizes), _CHUNK)]
    return list(zip(chunks, rng.spawn(len(chunks)), strict=True))


def _sorted_palettes(
    centres: np.ndarray, mass: np.ndarray, color_space: str
) -> tuple[np.ndarray, np.ndarray]:
    """Centres ``(n, k, 3)`` and their pixels to sRGB colours and shares, largest first."""
    order = np.argsort(-mass, axis=1, kind="stable")
    centres = np.take_along_axis(centres, order[:, :, None], axis=1)
    mass = np.take_along_axis(mass, order, axis=1)
    shares = mass / mass.sum(axis=1, keepdims=True)
    if color_space == "lab":
        return lab_to_rgb(centres), shares
    return np.rint(np.clip(centres, 0, 255)).astype(np.uint8), shares


def _chunk_palettes(
    job: tuple[int, int, np.ndarray, str, int, np.random.Generator],
) -> tuple[np.ndarray, np.ndarray]:
    """One batch's centres and their pixel counts (in a worker: module level, pickled):
    the batch's frames of part ``part`` of the parts under ``token``."""
    token, part, frames, color_space, k, rng = job
    offsets, counts, means = _PARTS[token][part]
    sizes = np.diff(offsets)[frames]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    take = np.repeat(offsets[frames] - bounds[:-1], sizes) + np.arange(bounds[-1])
    fine, fine_counts, coarse, coarse_counts = _problems(bounds, counts[take], means[take],
                                                         color_space)
    centres = _search(fine, _unit(fine_counts), coarse, _unit(coarse_counts), k, rng)
    return centres, nearest_counts(fine, centres, weights=fine_counts)


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
    xta = homogeneous(points[None])
    # Weights of mean 1 keep float32 sums well scaled whatever the caller's units.
    scaled = (weights / weights.mean()).astype(np.float32)[None]
    centres = best_restart(xta, scaled, k=k, count=_WEIGHTED_N_INIT,
                           rng=np.random.default_rng(seed))
    mass = nearest_counts(xta, centres, weights=weights[None])[0]
    keep = mass > 0
    return centres[0, keep].astype(np.float64), mass[keep]


def _check_options(k: int, color_space: str) -> None:
    _check_k(k)
    if color_space not in ("lab", "rgb"):
        raise InvalidParameterError(f"color_space must be 'lab' or 'rgb', not {color_space!r}.")


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(f"k must be a positive integer, not {k!r}.")


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
    `BLOCK`s by repeating each frame's last point with weight 0."""
    sizes = np.diff(bounds)
    step = np.arange(-(-sizes.max() // BLOCK) * BLOCK)  # whole blocks for `draw`
    take = bounds[:-1, None] + np.minimum(step, sizes[:, None] - 1)
    return homogeneous(points[take]), np.where(step < sizes[:, None], weights[take], 0.0)


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


def _search(
    fine: np.ndarray, fine_weights: np.ndarray, coarse: np.ndarray, coarse_weights: np.ndarray,
    k: int, rng: np.random.Generator,
) -> np.ndarray:
    """Each problem's centres ``(n, k, 3)``: restarts seeded and converged on the coarse
    points, the best few by their error there race a few iterations on the fine points,
    and the lowest is refined to convergence."""
    n = len(fine)
    rows = np.arange(n)[:, None]
    tol = tolerance(fine, fine_weights)
    centres, inertia = run_restarts(coarse, coarse_weights, k=k, count=_N_INIT, rng=rng,
                                    tol=tol * _RESTART_TOL)
    best = np.argsort(inertia, axis=1)[:, : min(_REFINED, _N_INIT)]
    raced, inertia = lloyd(
        fine, centres[rows, best], tol, weights=fine_weights, max_iter=_RACE_ITER
    )
    chosen = raced[rows, inertia.argmin(axis=1)[:, None]]
    return lloyd(fine, chosen, tol, weights=fine_weights)[0][:, 0]


