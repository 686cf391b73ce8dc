"""Colour maths: sRGB transfer function, CIELAB (D65), CIEDE2000, mean colours and palettes.

Everything is a pure function on numpy arrays. Colours are ``(..., 3)`` arrays; frames are
``(N, H, W, 3)`` uint8 sRGB stacks. The palette search is a k-means batched over all frames
at once, because fitting one estimator per frame costs more in Python overhead than in maths.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .errors import InvalidParameterError

__all__ = [
    "average_colour",
    "delta_e2000",
    "lab_to_rgb",
    "linear_to_srgb",
    "palettes",
    "rgb_to_lab",
    "srgb_to_linear",
]

# sRGB primaries to CIE XYZ (IEC 61966-2-1, D65). Each row is divided by its sum, the D65
# white point implied by the matrix itself, so that sRGB white lands exactly on L=100, a=b=0.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_RGB_TO_XYZN = _RGB_TO_XYZ / _RGB_TO_XYZ.sum(axis=1, keepdims=True)
_XYZN_TO_RGB = np.linalg.inv(_RGB_TO_XYZN)
# (L + 16, a, b) to (fx, fy, fz), the cube-rooted coordinates CIELAB is linear in.
_LAB_TO_F = np.linalg.inv([[0.0, 116.0, 0.0], [500.0, -500.0, 0.0], [0.0, 200.0, -200.0]])
_DELTA = 6.0 / 29.0
_LAB_BLOCK = 32768  # pixels per pass of rgb_to_lab

# Palette search tuning, measured with bench/colour_bench.py (see its docstring).
_FIT_SAMPLES = 4096  # pixels per frame the centres are fitted on
_SHARE_SAMPLES = 16384  # pixels per frame assigned to the final centres to count shares
_N_INIT = 4
_COARSE_SAMPLES = 1024  # of those, pixels the restarts run on before refining the best
_MAX_ITER = 100
_TOL = 1e-4  # as scikit-learn: centre shift, relative to the frame's mean colour variance
_CHUNK = 16  # frames per batch: keeps the (chunk, k, samples) distance block in cache
_MAX_THREADS = 8


def _as_float(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """Decode sRGB values in [0, 1] to linear light (IEC 61966-2-1 piecewise curve)."""
    x = _as_float(x)
    # The max() keeps the power away from negative bases; those values take the other branch.
    return np.where(x <= 0.04045, x / 12.92, ((np.maximum(x, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: np.ndarray) -> np.ndarray:
    """Encode linear light in [0, 1] with the sRGB transfer curve (IEC 61966-2-1)."""
    x = _as_float(x)
    return np.where(
        x <= 0.0031308, x * 12.92, 1.055 * np.maximum(x, 0.0031308) ** (1 / 2.4) - 0.055
    )


_LINEAR_LUT = srgb_to_linear(np.arange(256) / 255.0)
# Per channel, each code's contribution to normalised XYZ: a pixel's XYZ is three lookups
# and two sums. Large BLAS products with 3 columns run erratically (thread hand-offs), so
# the per-pixel path avoids them.
_XYZN_LUT = np.ascontiguousarray(
    (_LINEAR_LUT[None, :, None] * _RGB_TO_XYZN.T[:, None, :]).astype(np.float32)
)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB ``(..., 3)`` (uint8, or float in [0, 1]) to float32 CIELAB under D65.

    uint8 input is linearised through 256-entry tables: this is the per-pixel hot path.
    """
    rgb = np.asarray(rgb)
    _check_triplets(rgb, "rgb")
    if rgb.dtype != np.uint8 and not np.issubdtype(rgb.dtype, np.floating):
        raise InvalidParameterError(f"rgb must be uint8 or float in [0, 1], not {rgb.dtype}.")
    flat = rgb.reshape(-1, 3)
    lab = np.empty(flat.shape, np.float32)
    # Blocks keep the temporaries in cache; whole-array passes would be memory bound.
    for start in range(0, len(flat), _LAB_BLOCK):
        block = slice(start, start + _LAB_BLOCK)
        _block_to_lab(flat[block], lab[block])
    return lab.reshape(rgb.shape)


def _block_to_lab(rgb: np.ndarray, out: np.ndarray) -> None:
    if rgb.dtype == np.uint8:
        xyzn = np.take(_XYZN_LUT[0], rgb[:, 0], axis=0)
        xyzn += np.take(_XYZN_LUT[1], rgb[:, 1], axis=0)
        xyzn += np.take(_XYZN_LUT[2], rgb[:, 2], axis=0)
    else:
        xyzn = (srgb_to_linear(rgb) @ _RGB_TO_XYZN.T).astype(np.float32)
    # CIE's linear segment below (6/29)^3 is the tangent of the cube root there, so clamping
    # then adding the tangent's correction equals the piecewise curve, without a select.
    f = np.cbrt(np.maximum(xyzn, _DELTA**3))
    np.minimum(xyzn - _DELTA**3, 0, out=xyzn)
    xyzn *= 1 / (3 * _DELTA**2)
    f += xyzn
    fx, fy, fz = f[:, 0], f[:, 1], f[:, 2]
    np.multiply(fy, 116, out=out[:, 0])
    out[:, 0] -= 16
    np.subtract(fx, fy, out=out[:, 1])
    out[:, 1] *= 500
    np.subtract(fy, fz, out=out[:, 2])
    out[:, 2] *= 200


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIELAB (D65) ``(..., 3)`` to uint8 sRGB, rounded, out-of-gamut colours clipped."""
    lab = np.asarray(lab, dtype=np.float64)
    _check_triplets(lab, "lab")
    f = (lab + np.array([16.0, 0.0, 0.0])) @ _LAB_TO_F.T
    xyzn = np.where(f > _DELTA, f**3, 3 * _DELTA**2 * (f - 4 / 29))
    linear = np.clip(xyzn @ _XYZN_TO_RGB.T, 0.0, 1.0)
    return np.rint(linear_to_srgb(linear) * 255).astype(np.uint8)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (kL = kC = kH = 1) between broadcastable Lab arrays.

    Follows Sharma, Wu and Dalal (2005), including their hue-angle conventions, so it
    reproduces their published test data.
    """
    lab1 = np.asarray(lab1, dtype=np.float64)
    lab2 = np.asarray(lab2, dtype=np.float64)
    _check_triplets(lab1, "lab1")
    _check_triplets(lab2, "lab2")
    l1, a1, b1 = np.moveaxis(lab1, -1, 0)
    l2, a2, b2 = np.moveaxis(lab2, -1, 0)

    c_mean7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c_mean7 / (c_mean7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    achromatic = c1p * c2p == 0

    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(achromatic, 0.0, dh)
    d_hue = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)

    # Mean hue across the 0/360 wrap: average the short way round the circle.
    h_sum = h1p + h2p
    h_mean = np.where(
        np.abs(h1p - h2p) <= 180,
        h_sum / 2,
        np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2),
    )
    h_mean = np.where(achromatic, h_sum, h_mean)

    l_mean = (l1 + l2) / 2
    c_mean_p = (c1p + c2p) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean_p
    s_h = 1 + 0.015 * c_mean_p * t
    r_c = 2 * np.sqrt(c_mean_p**7 / (c_mean_p**7 + 25.0**7))
    r_t = -np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c

    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_hue / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def average_colour(frames: np.ndarray) -> np.ndarray:
    """Gamma-correct mean colour of each frame: ``(N, H, W, 3)`` uint8 to ``(N, 3)`` uint8.

    Averaging sRGB codes directly darkens mixtures (black + white gives 128, not 188).
    Per-channel histograms make the linear-light mean exact without float copies of the stack.
    """
    frames = _check_frames(frames)
    n, h, w, _ = frames.shape
    if h * w == 0:
        raise InvalidParameterError("frames must have at least one pixel.")
    counts = np.empty((n, 3, 256), dtype=np.int64)
    for i, frame in enumerate(frames):
        for c in range(3):
            counts[i, c] = np.bincount(frame[:, :, c].ravel(), minlength=256)
    linear_mean = counts @ _LINEAR_LUT / (h * w)
    return np.rint(linear_to_srgb(linear_mean) * 255).astype(np.uint8)


def palettes(
    frames: np.ndarray, *, k: int = 5, color_space: str = "lab", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Dominant colours of each frame by k-means, batched over all frames.

    Returns ``colors`` ``(N, k, 3)`` uint8 sRGB and ``shares`` ``(N, k)`` float64, each row
    sorted by share, largest first, summing to 1. ``color_space="lab"`` clusters in CIELAB,
    where distance follows perceived difference; ``"rgb"`` clusters sRGB codes. Clusters
    left empty (a flat frame has fewer than ``k`` colours) get share 0 and come last.

    Centres are fitted on a jittered grid of about 4096 pixels per frame (greedy k-means++
    seeding, four restarts, the lowest inertia kept) and shares are counted on a denser grid
    of about 16384; the grids and the seeding come from ``seed``, so results are reproducible.
    """
    frames = _check_frames(frames)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidParameterError(f"k must be a positive integer, not {k!r}.")
    if color_space not in ("lab", "rgb"):
        raise InvalidParameterError(f"color_space must be 'lab' or 'rgb', not {color_space!r}.")
    n, h, w, _ = frames.shape
    if h * w == 0:
        raise InvalidParameterError("frames must have at least one pixel.")
    if n == 0:
        return np.zeros((0, k, 3), np.uint8), np.zeros((0, k))

    rng = np.random.default_rng(seed)
    fit_grid = _jittered_grid(h, w, _FIT_SAMPLES, rng)
    share_grid = _jittered_grid(h, w, _SHARE_SAMPLES, rng)
    starts = range(0, n, _CHUNK)
    chunk_rngs = rng.spawn(len(starts))

    def run(job: tuple[int, np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
        start, chunk_rng = job
        chunk = frames[start : start + _CHUNK]
        centres = _kmeans(_points(chunk, fit_grid, color_space), k, chunk_rng)
        return centres, _nearest_counts(_points(chunk, share_grid, color_space), centres)

    # numpy releases the GIL in its loops, so threads over chunks use every core; each
    # chunk has its own generator, so the result does not depend on scheduling. Each thread
    # holds about 12 MB, and memory bandwidth, not cores, limits beyond a few threads.
    workers = min(len(starts), os.cpu_count() or 1, _MAX_THREADS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, zip(starts, chunk_rngs, strict=True)))
    centres = np.concatenate([c for c, _ in results])
    counts = np.concatenate([s for _, s in results])

    order = np.argsort(-counts, axis=1, kind="stable")
    centres = np.take_along_axis(centres, order[:, :, None], axis=1)
    shares = np.take_along_axis(counts, order, axis=1) / len(share_grid[0])
    if color_space == "lab":
        colors = lab_to_rgb(centres)
    else:
        colors = np.rint(np.clip(centres, 0, 255)).astype(np.uint8)
    return colors, shares


def _points(
    frames: np.ndarray, grid: tuple[np.ndarray, np.ndarray], color_space: str
) -> np.ndarray:
    """The grid's pixels as ``(n, 4, m)`` homogeneous coordinates (colour, then 1).

    Coordinates along the last axis keep every reduction contiguous, and the row of ones
    turns squared distances and the centres' sums plus counts into batched matrix products.
    """
    pixels = frames[:, grid[0], grid[1]]
    xta = np.empty((len(pixels), 4, pixels.shape[1]), np.float32)
    xta[:, :3] = (rgb_to_lab(pixels) if color_space == "lab" else pixels).transpose(0, 2, 1)
    xta[:, 3] = 1
    return xta


def _kmeans(xta: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Lloyd k-means, one problem per frame of ``(n, 4, m)`` points, best of restarts.

    The restarts are seeded and run to convergence on a coarse subset of the points, stacked
    as extra problems of one batch; only each frame's best is then refined on all points,
    which moves its centres a little and takes a few iterations.
    """
    n, _, m = xta.shape
    tol = _TOL * xta[:, :3].var(axis=2).mean(axis=1)
    coarse = np.repeat(xta[:, :, :: max(1, m // _COARSE_SAMPLES)], _N_INIT, axis=0)
    sq_norms = (coarse[:, :3] ** 2).sum(axis=1)
    centres = _kmeans_plus_plus(coarse, sq_norms, k, rng)
    centres, inertia = _lloyd(coarse, centres, np.repeat(tol, _N_INIT))
    best = inertia.reshape(n, _N_INIT).argmin(axis=1)
    centres = centres.reshape(n, _N_INIT, k, 3)[np.arange(n), best]
    return _lloyd(xta, centres, tol)[0]


def _kmeans_plus_plus(
    xta: np.ndarray, sq_norms: np.ndarray, k: int, rng: np.random.Generator
) -> np.ndarray:
    """Greedy k-means++ seeding (as scikit-learn's), batched over problems."""
    n, _, m = xta.shape
    rows = np.arange(n)
    trials = 2 + int(np.log(k))
    centres = np.empty((n, k, 3), np.float32)
    centres[:, 0] = xta[rows, :3, rng.integers(m, size=n)]
    closest = np.maximum(_augment(centres[:, :1]) @ xta + sq_norms[:, None], 0)[:, 0]
    for j in range(1, k):
        # Draw points with probability proportional to their potential: one sorted search
        # over all problems' cumulative potentials laid end to end.
        cumulative = np.cumsum(closest, axis=1, dtype=np.float64)
        cumulative += np.concatenate([[0.0], np.cumsum(cumulative[:-1, -1])])[:, None]
        low = cumulative[:, 0] - closest[:, 0]
        targets = low[:, None] + rng.random((n, trials)) * (cumulative[:, -1] - low)[:, None]
        picks = np.searchsorted(cumulative.ravel(), targets, side="right") - rows[:, None] * m
        # A flat frame has no potential anywhere and simply repeats a centre.
        candidates = xta[rows[:, None], :3, np.clip(picks, 0, m - 1)]
        dist = _augment(candidates) @ xta
        dist += sq_norms[:, None]
        np.minimum(dist, closest[:, None], out=dist)
        winner = dist.sum(axis=2).argmin(axis=1)
        centres[:, j] = candidates[rows, winner]
        # Rounding can leave tiny negative distances; potentials must not be negative.
        closest = np.maximum(dist[rows, winner], 0)
    return centres


def _lloyd(xta: np.ndarray, centres: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd iterations until each problem's centres stop moving; converged ones drop out.

    Returns the centres and each problem's inertia up to a per-problem constant, which is
    enough to rank restarts.
    """
    centres = centres.copy()
    inertia = np.empty(len(centres))
    active = np.arange(len(centres))
    for _ in range(_MAX_ITER):
        c = centres[active]
        dist = _augment(c) @ xta
        nearest = dist.min(axis=1)
        # One-hot membership written over the distances; a point equidistant from two
        # centres pulls on both, which only matters for duplicates and leaves them equal.
        member = np.equal(dist, nearest[:, None], out=dist, casting="unsafe")
        sums = (xta @ member.transpose(0, 2, 1)).transpose(0, 2, 1)
        counts = sums[:, :, 3:]
        new = np.where(counts > 0, sums[:, :, :3] / np.maximum(counts, 1), c)
        centres[active] = new
        inertia[active] = nearest.sum(axis=1, dtype=np.float64)
        moving = ((new - c) ** 2).sum(axis=(1, 2)) > tol[active]
        if not moving.any():
            break
        if not moving.all():
            active, xta = active[moving], xta[moving]
    return centres, inertia


def _nearest_counts(xta: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """How many of each frame's points fall nearest to each centre, ties to the first."""
    dist = _augment(centres) @ xta
    nearest = dist.min(axis=1)
    counts = np.empty(centres.shape[:2], np.int64)
    taken = np.zeros(nearest.shape, bool)
    for j in range(centres.shape[1]):
        hit = dist[:, j] == nearest
        hit &= ~taken
        counts[:, j] = np.count_nonzero(hit, axis=1)
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


def _check_triplets(x: np.ndarray, name: str) -> None:
    if x.ndim < 1 or x.shape[-1] != 3:
        raise InvalidParameterError(f"{name} must have shape (..., 3), not {x.shape}.")


def _check_frames(frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise InvalidParameterError(
            f"frames must be an (N, H, W, 3) uint8 array, not {frames.dtype} {frames.shape}."
        )
    return frames
