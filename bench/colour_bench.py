"""Speed, memory and accuracy of `fingerprint.palette._kmeans.palettes` on synthetic film frames.

Run from the repository root: ``.venv/bin/python bench/colour_bench.py``. The frames are
blurred random blobs of colour with sensor noise, plus some flat and some near-black frames,
so the clustering sees the smooth gradients of real footage rather than uniform noise.

Accuracy is the mean over reference frames of the share-weighted CIEDE2000 between each of
our colours and the nearest centre of scikit-learn's ``KMeans(n_init=10)`` fitted on all of
the frame's pixels in the same colour space. Share error compares our shares, counted on a
subsample, with the shares every pixel of the frame gives to the same centres.

Timings on a shared machine vary with its load, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter
from sklearn.cluster import KMeans

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fingerprint.palette._color import average_color, delta_e2000, rgb_to_lab
from fingerprint.palette._kmeans import palettes


def synthetic_frames(n: int, *, height: int = 180, width: int = 320, seed: int = 1) -> np.ndarray:
    """``(n, height, width, 3)`` uint8 frames: soft colour blobs, 4% flat, 4% near-black."""
    rng = np.random.default_rng(seed)
    frames = np.empty((n, height, width, 3), np.uint8)
    yy, xx = np.mgrid[0:height, 0:width]
    for i in range(n):
        kind = rng.random()
        if kind < 0.04:
            frames[i] = rng.integers(0, 256, 3)
            continue
        canvas = np.empty((height, width, 3), np.float32)
        canvas[:] = _film_color(rng)
        for _ in range(rng.integers(2, 8)):
            cy, cx = rng.random(2) * (height, width)
            ry, rx = rng.uniform(10, 90, 2)
            canvas[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1] = _film_color(rng)
        canvas = gaussian_filter(canvas, sigma=(rng.uniform(2, 12),) * 2 + (0,))
        if kind < 0.08:
            canvas *= 0.08
        canvas += rng.normal(0, 2.5, canvas.shape)
        frames[i] = np.clip(canvas, 0, 255).astype(np.uint8)
    return frames


def _film_color(rng: np.random.Generator) -> np.ndarray:
    """A colour between grey and saturated, the way most film palettes sit."""
    grey = rng.uniform(10, 230)
    saturation = rng.uniform(0, 0.8)
    return grey * (1 - saturation) + saturation * rng.uniform(0, 255, 3)


def reference_error(
    frames: np.ndarray, colors: np.ndarray, shares: np.ndarray, color_space: str
) -> np.ndarray:
    """Per frame, share-weighted ΔE2000 from our colours to scikit-learn's nearest centre."""
    errors = np.empty(len(frames))
    for i, frame in enumerate(frames):
        pixels = frame.reshape(-1, 3)
        data = rgb_to_lab(pixels) if color_space == "lab" else pixels.astype(np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # flat frames have fewer than k distinct colours
            model = KMeans(n_clusters=colors.shape[1], n_init=10, random_state=0).fit(data)
        centres = model.cluster_centers_
        ref_lab = centres if color_space == "lab" else rgb_to_lab(centres / 255.0)
        de = delta_e2000(rgb_to_lab(colors[i])[:, None, :], ref_lab[None, :, :]).min(axis=1)
        errors[i] = float(de @ shares[i])
    return errors


def share_error(frames: np.ndarray, k: int, color_space: str) -> np.ndarray:
    """Per frame, largest |share - share over every pixel| for our colours: every pixel of
    the frame is assigned to the nearest of them (in the clustering's colour space). Our
    colours are rounded to 8 bits, which moves boundaries between close dark clusters."""
    colors, shares = palettes(frames, k=k, color_space=color_space)
    errors = np.empty(len(frames))
    for i, frame in enumerate(frames):
        pixels = frame.reshape(-1, 3)
        if color_space == "lab":
            data, centres = rgb_to_lab(pixels), rgb_to_lab(colors[i])
        else:
            data, centres = pixels.astype(np.float32), colors[i].astype(np.float32)
        nearest = ((data[:, None, :] - centres[None]) ** 2).sum(axis=2).argmin(axis=1)
        full = np.bincount(nearest, minlength=k) / len(pixels)
        # Duplicate colours (empty clusters) take their pixels to the first of them.
        errors[i] = np.abs(shares[i] - full).max()
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ref-every", type=int, default=10, help="reference on every n-th frame")
    parser.add_argument(
        "--timing-only", action="store_true", help="lab speed and memory only, no reference"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    frames = synthetic_frames(args.frames)
    print(
        f"{args.frames} synthetic frames {frames.shape[2]}x{frames.shape[1]} in "
        f"{time.perf_counter() - t0:.1f} s ({frames.nbytes / 1e6:.0f} MB); "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"
    )

    results = {}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for space in ("lab",) if args.timing_only else ("lab", "rgb"):
        walls, cpus = [], []
        for _ in range(args.repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            results[space] = palettes(frames, k=args.k, color_space=space, seed=0)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"palettes {space}, k={args.k}: wall best {min(walls):.2f} s, median "
            f"{np.median(walls):.2f} s; CPU best {min(cpus):.2f} s "
            f"({args.repeats} runs, load average now {os.getloadavg()[0]:.2f})"
        )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    tracemalloc.start()
    palettes(frames, k=args.k, color_space="lab", seed=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"palettes lab peak memory beyond the frames: {peak / 1e6:.0f} MB (tracemalloc); "
        f"max RSS {rss_after:.0f} MB, {rss_after - rss_before:+.0f} MB during the timed runs"
    )

    if args.timing_only:
        return
    walls = []
    for _ in range(args.repeats):
        wall = time.perf_counter()
        average_color(frames)
        walls.append(time.perf_counter() - wall)
    print(f"average_color: wall best {min(walls):.2f} s")

    picked = slice(None, None, args.ref_every)
    for space in ("lab", "rgb"):
        colors, shares = results[space]
        t0 = time.perf_counter()
        errors = reference_error(frames[picked], colors[picked], shares[picked], space)
        print(
            f"{space}: share-weighted ΔE2000 to sklearn KMeans(n_init=10) on all pixels: "
            f"mean {errors.mean():.3f}, median {np.median(errors):.3f}, "
            f"95th percentile {np.percentile(errors, 95):.3f}, max {errors.max():.3f} "
            f"({len(errors)} frames, reference took {time.perf_counter() - t0:.0f} s)"
        )
        errors = share_error(frames[picked], args.k, space)
        print(
            f"{space}: share error against counting every pixel: mean {errors.mean():.4f}, "
            f"99th percentile {np.percentile(errors, 99):.4f}, max {errors.max():.4f}"
        )


if __name__ == "__main__":
    main()
