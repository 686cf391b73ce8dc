"""Shots: where a film cuts (`find_shots`), and the palette of each shot (`detect_shots`).

Every frame of the span is decoded at a small size (two decoders, each over its half, as
`decode.sample` splits its samples) and streamed through the detectors (`_boundaries`),
so memory does not grow with the film's length. Each shot's palette is k-means
(`palette.palettes`) over pixels drawn from all its frames: a reservoir of `_pixels.POOL`
pixels per shot, a few random pixels from every frame.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from .._files import check_file
from .._progress import ProgressCallback, wait_reporting
from ..errors import Cancelled, DecodeError
from ..model import Shot, VideoInfo
from . import _tuning
from ._pixels import POOL, ShotPixels, merge_segments, shot_palettes
from ._tuning import MIN_SHOT_FRAMES

if TYPE_CHECKING:
    from ..params import Params


def shot_options(
    params: Params, crop: tuple[float, float, float, float] | None
) -> dict[str, Any]:
    """What finding a film's shots depends on besides the film and this module: the span
    and the seed of ``params``, and ``crop``, its black bars (None: none, or crop off).
    `find_shots` and `shots_key` take these, so the cache's key follows the call."""
    return {"start": params.start, "end": params.end, "seed": params.seed,
            "crop": crop if params.crop else None}


def shots_key(
    *, start: float | None, end: float | None, seed: int,
    crop: tuple[float, float, float, float] | None, workers: int = 2,
) -> dict[str, Any]:
    """Everything that changes what `find_shots` finds, as the cache keys it: the span,
    the crop, the seed and the decoders' split (the reservoirs' draws), and this module's
    tuning, every upper-case number of `_tuning` (so a retuned detector, or a bumped
    `DETECTOR_VERSION`, is never served an older entry)."""
    tuning = {name: value for name, value in sorted(vars(_tuning).items())
              if name.isupper() and isinstance(value, int | float)}
    return {"start": start, "end": end, "seed": seed,
            "crop": None if crop is None else [float(c) for c in crop],
            "workers": max(1, workers), "pool": POOL, "tuning": tuning}


def detect_shots(
    path: str | os.PathLike[str],
    *,
    info: VideoInfo,
    start: float | None = None,
    end: float | None = None,
    k: int = 5,
    color_space: str = "lab",
    seed: int = 0,
    crop: tuple[float, float, float, float] | None = None,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Shot, ...]:
    """The shots of [start, end] (seconds from the film's start; None: the whole film),
    each with its palette of ``k`` colours clustered in ``color_space``; ``crop`` (top,
    bottom, left, right fractions) leaves black bars out of the palettes.

    Raises `DecodeError` when no frame decodes, `Cancelled` when ``cancel`` is set.
    """
    found = find_shots(path, info=info, start=start, end=end, seed=seed, crop=crop,
                       workers=workers, on_progress=on_progress, cancel=cancel)
    return shot_palettes(found, k=k, color_space=color_space, seed=seed)


def find_shots(
    path: str | os.PathLike[str],
    *,
    info: VideoInfo,
    start: float | None = None,
    end: float | None = None,
    seed: int = 0,
    crop: tuple[float, float, float, float] | None = None,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ShotPixels:
    """The shots of [start, end] and each one's pixels (`detect_shots` without the
    palettes: the part that decodes every frame).

    Raises `DecodeError` when no frame decodes, `Cancelled` when ``cancel`` is set.
    """
    from ._scan import scan  # the decoders (PyAV): the cache needs only `shots_key` here

    check_file(path)
    lo = 0.0 if start is None else float(start)
    hi = info.duration if end is None else min(float(end), info.duration)
    fps = info.fps or 25.0
    expected = max(1, round((hi - lo) * fps))
    bounds = np.linspace(lo, hi, max(1, workers) + 1)
    counter, lock = [0], threading.Lock()
    halt = threading.Event()  # what the decoders poll: set on a cancel or a failed report
    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        futures = [
            pool.submit(scan, str(path), info, lo=float(a), hi=float(b),
                        last_part=i == len(bounds) - 2, crop=crop, seed=seed,
                        counter=counter, lock=lock, cancel=halt)
            for i, (a, b) in enumerate(itertools.pairwise(bounds))
        ]

        def report() -> None:
            if cancel is not None and cancel.is_set():
                halt.set()
            elif on_progress:
                done = min(counter[0], expected)
                on_progress(0.95 * done / expected, f"finding shots: frame {done}/{expected}")

        wait_reporting(futures, report=report, halt=halt)
        parts = [f.result() for f in futures]
    if cancel is not None and cancel.is_set():
        raise Cancelled
    if not any(p.starts for p in parts):
        raise DecodeError(f"{info.name}: no frame between the chosen start and end decodes.")
    # A boundary closer to either end than the shortest shot is the film fading in from
    # (or out to) black, not a shot of its own.
    margin = MIN_SHOT_FRAMES / fps
    found = sorted(b for p in parts for b in p.boundaries if lo + margin < b < hi - margin)
    # Two detectors can mark one transition (a cut to black, then the fade from it):
    # the shortest shot applies across detectors too, the first boundary stands.
    boundaries: list[float] = []
    for b in found:
        if not boundaries or b - boundaries[-1] >= margin:
            boundaries.append(b)
    edges = [lo, *boundaries, hi]
    segments = [seg for p in parts for seg in zip(p.starts, p.pools, p.seen, strict=True)]
    grid = merge_segments(segments, boundaries, seed=seed)
    if on_progress:
        on_progress(1.0, f"found {len(grid)} shots")
    return ShotPixels(edges=np.array(edges, np.float64), pixels=grid)
