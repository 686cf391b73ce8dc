"""What clustering needs of decoded samples, made once: `summarise_samples` to a
`palette.ColorSummary` (bars, then each cropped frame's average colour and histogram).

Frames held compressed (`decode.HeldFrames`, what a run decodes) are unpacked a batch
at a time: a run never holds all its frames unpacked (70 MB less at its peak,
docs/benchmarks.md, "Fast mode: where the seconds go"). The bars' line counts come
from the decoders (`frame_lines`), which count them on each frame as they keep it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from ._memory import release_free_memory
from ._progress import ProgressCallback, scaled_progress
from .decode._frames import DecodedFrames, HeldFrames
from .errors import Cancelled
from .palette._bars import bar_lines, bars_from_lines, crop_frames
from .palette._color import average_color
from .palette._histogram import Histograms, color_histograms, extend
from .palette._summary import ColorSummary
from .params import Params

__all__ = ["summarise_samples"]

# Frames unpacked and measured at a time: how often the summary reports progress and
# checks for a cancel, and a bound on the memory each batch holds (17 MB at 320 px).
BATCH = 100
_THREADS = 2
# The bars' share of the summary's time (their pass is the lighter one).
_BARS_SHARE = 0.2

_T = TypeVar("_T")


def summarise_samples(
    samples: DecodedFrames | HeldFrames,
    *,
    params: Params,
    lines: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ColorSummary:
    """What clustering needs of the samples whatever k or the colour space: their bars
    (with ``params.crop``), and of the cropped frames each one's average colour and colour
    histogram, a batch of frames at a time. ``lines``: the frames' `bar_lines` in order
    (in parts along their frames' axis), when they were counted already (`frame_lines`,
    which the decoders run on each frame they keep).

    Setting ``cancel`` stops it between batches with `Cancelled`."""
    n = len(samples)
    height, width, _ = samples.frame_shape
    bars = (0, 0, 0, 0)
    if params.crop:
        if lines is None:
            lines = list(_batches(samples, bar_lines, on_progress=scaled_progress(
                on_progress, 0.0, _BARS_SHARE), what="finding bars", cancel=cancel))
        bars = bars_from_lines(np.concatenate([r for r, _ in lines], axis=1),
                               np.concatenate([c for _, c in lines], axis=1)) \
            if n else (0, 0, 0, 0)

    def measure(frames: np.ndarray) -> tuple[np.ndarray, Histograms]:
        content = crop_frames(frames, bars)
        return average_color(content), color_histograms(content)

    averages, histograms = [], None
    for average, part in _batches(samples, measure, what="measuring colours", cancel=cancel,
                                  on_progress=scaled_progress(on_progress, _BARS_SHARE, 1.0)):
        averages.append(average)
        histograms = extend(histograms, part)
    if not n:  # the arrays' shapes, from no frames
        average, histograms = measure(samples.batch(0, 0))
        averages = [average]
    return ColorSummary(
        times=np.asarray(samples.times, np.float64),
        targets=np.asarray(samples.targets, np.float64),
        ended_at=samples.ended_at,
        height=height,
        width=width,
        bars=bars,
        average=np.concatenate(averages),
        histograms=histograms,
    )


def frame_lines(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One frame's `bar_lines` (H, W, 3): what the decoders measure of each frame they
    keep, for `summarise_samples`' ``lines``."""
    return bar_lines(frame[None])


def _batches(
    samples: DecodedFrames | HeldFrames, work: Callable[[np.ndarray], _T], *, what: str,
    on_progress: ProgressCallback | None, cancel: threading.Event | None,
) -> Iterator[_T]:
    """``work`` of each batch of frames, in order, on `_THREADS` threads: numpy's sorts
    and lookups and Zstandard release the GIL (two threads take 55 % of one's wall time,
    docs/benchmarks.md)."""
    n = len(samples)
    local = threading.local()  # each thread's room to unpack a batch into

    def run(lo: int) -> _T:
        if cancel is not None and cancel.is_set():
            raise Cancelled
        if not hasattr(local, "scratch"):
            local.scratch = np.empty((BATCH, *samples.frame_shape), np.uint8) \
                if isinstance(samples, HeldFrames) else None
        done = work(samples.batch(lo, lo + BATCH, local.scratch))
        # Each batch's temporaries land wherever decoding left holes in the heap: give
        # them back, or the batches together touch every page of it (fingerprint._memory).
        release_free_memory()
        return done

    starts = range(0, n, BATCH)
    with ThreadPoolExecutor(_THREADS) as pool:
        try:
            for lo, done in zip(starts, pool.map(run, starts), strict=True):
                yield done
                hi = min(n, lo + BATCH)
                if on_progress:
                    on_progress(hi / n, f"{what}: {hi}/{n} frames")
        except BaseException:
            pool.shutdown(cancel_futures=True)  # a cancel or a progress callback's error
            raise
