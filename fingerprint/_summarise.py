"""What clustering needs of decoded samples, made once: `summarise_samples` to a
`palette.ColorSummary` (bars, then each cropped frame's average colour and histogram).

Frames held compressed (`decode.HeldFrames`, what a run decodes) are unpacked a batch
at a time: a run never holds all its frames unpacked (70 MB less at its peak,
docs/benchmarks.md, "Fast mode: where the seconds go"). The bars' line counts come
from the decoders (`frame_lines`), which count them on each frame as they keep it. The
batches run in the k-means' worker pool (`palette._workers`), forked processes on Linux.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
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
from .palette._workers import cluster_pool
from .params import Params

__all__ = ["summarise_samples"]

# Frames unpacked and measured at a time: how often the summary reports progress and
# checks for a cancel, and a bound on the memory each batch holds (17 MB at 320 px).
BATCH = 100
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
    """``work`` of each batch of frames, in order, in `cluster_pool`'s workers: forked
    processes on Linux, which share ``samples`` with this one (`_WORK`). Two threads
    overlapped 1.3 x on two cores (between numpy's calls the GIL is held); two processes
    nearly 2 x (docs/benchmarks.md, "Fast mode: where the seconds go")."""
    n = len(samples)
    token = next(_TOKENS)
    _WORK[token] = (samples, work)  # before the pool forks its workers
    starts = range(0, n, BATCH)
    try:
        with cluster_pool(n) as pool:
            try:
                done = pool.map(_batch, [(token, lo) for lo in starts])
                for lo, result in zip(starts, done, strict=True):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled
                    yield result
                    hi = min(n, lo + BATCH)
                    if on_progress:
                        on_progress(hi / n, f"{what}: {hi}/{n} frames")
            finally:  # a cancel or a progress callback's error: drop what has not started
                pool.shutdown(cancel_futures=True)
    finally:
        del _WORK[token]


# Batches' frames and work, by token (`_batches`): what forked workers inherit.
_WORK: dict[int, tuple[DecodedFrames | HeldFrames, Callable[[np.ndarray], object]]] = {}
_TOKENS = itertools.count()
_SCRATCH = threading.local()  # each worker's room to unpack a batch into


def _batch(job: tuple[int, int]) -> object:
    """One batch's work (in a worker: module level, pickled)."""
    token, lo = job
    samples, work = _WORK[token]
    scratch = None
    if isinstance(samples, HeldFrames):
        shape = (BATCH, *samples.frame_shape)
        scratch = getattr(_SCRATCH, "frames", None)
        if scratch is None or scratch.shape != shape:
            scratch = _SCRATCH.frames = np.empty(shape, np.uint8)
    done = work(samples.batch(lo, lo + BATCH, scratch))
    # Each batch's temporaries land wherever decoding left holes in the heap: give them
    # back, or the batches together touch every page of it (fingerprint._memory).
    release_free_memory()
    return done
