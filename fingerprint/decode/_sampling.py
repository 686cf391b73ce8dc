"""Sample a film: frames decoded at evenly spread times, straight from the file.

Frames come out as RGB at a small working size with the display aspect ratio and the
rotation metadata applied. Nothing is written to disk. Each decoder is a `FrameReader`
(`reader.py`); opening the file and choosing its stream is `video.py`'s.
"""

from __future__ import annotations

import gc
import itertools
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._cores import usable_cores
from .._memory import release_free_memory
from .._progress import ProgressCallback, wait_reporting
from ..errors import Cancelled, DecodeError, InvalidParameterError
from ..model import VideoInfo
from ..params import Mode
from ._frames import DecodedFrames, HeldFrames, compressor, hold, working_size
from ._reader import SLOT_EDGE, FrameReader
from ._rgb import Interpolation
from ._video import probe

# Decoder threads are named so, for callers and tests that check none is left running.
DECODER_THREAD = "fingerprint-decoder"

# Decoders at once by default. Fast mode's frames depend on how the samples are split (each
# decoder spends its own budget), so it keeps two on every machine: a film's result must
# not change with the machine's cores. Exact mode's frames do not (a test checks), and its
# time is decoding (docs/benchmarks.md, "Seventh round: exact mode decodes nothing past
# the sample"), which FFmpeg's full decode spreads over every core: one decoder per core,
# at most eight, as each holds the container's index and its pictures (56-58 MB each for
# the 2-hour 1080p film: "Exact mode on every core").
_FAST_DECODERS = 2
_MAX_EXACT_DECODERS = 8


def decoder_count(mode: Mode) -> int:
    """How many decoders `sample` runs at once unless told: two in fast mode; one per core
    in exact mode, at least two and at most `_MAX_EXACT_DECODERS`."""
    if mode == "exact":
        return max(_FAST_DECODERS, min(usable_cores(), _MAX_EXACT_DECODERS))
    return _FAST_DECODERS


def sample_times(
    info: VideoInfo, *, count: int, start: float | None = None, end: float | None = None
) -> tuple[np.ndarray, float]:
    """``count`` target times (seconds from the film's start), one at the middle of each of
    ``count`` equal slots over [start, end]; also returns the slot width.

    Middles rather than edges, so a film's first and last frames (often black) are skipped.
    """
    if count < 1:
        raise InvalidParameterError(f"samples must be at least 1, not {count}.")
    lo = 0.0 if start is None else float(start)
    hi = info.duration if end is None else min(float(end), info.duration)
    if lo >= info.duration:
        raise InvalidParameterError(
            f"start ({lo:g} s) is past the end of {info.name} ({info.duration:.1f} s)."
        )
    if hi <= lo:
        raise InvalidParameterError(f"end ({hi:g} s) must come after start ({lo:g} s).")
    slot = (hi - lo) / count
    return lo + (np.arange(count) + 0.5) * slot, slot


def sample(
    path: str | os.PathLike[str],
    *,
    count: int = 1000,
    mode: Mode = "fast",
    start: float | None = None,
    end: float | None = None,
    size: int = 320,
    workers: int | None = None,
    info: VideoInfo | None = None,
    on_progress: ProgressCallback | None = None,
    on_sample: Callable[[float, float], None] | None = None,
    cancel: threading.Event | None = None,
    interpolation: Interpolation = "POINT",
) -> DecodedFrames:
    """Decode ``count`` frames evenly spread over [start, end] at ``size`` px long side.

    ``mode="fast"``: each sample is a keyframe inside its own slot, decoded alone; where
    keyframes are sparser than the samples it decodes forward towards the sample time
    within a budget of a few frames per sample, and takes the newest frame decoded (never
    more than `reader._FAST_MAX_LAG` before its target), so the cost stays near one keyframe per
    sample at any film length. Every sample is a distinct moment with its true time:
    where fewer distinct frames are reachable, fewer samples come back.
    ``mode="exact"``: the frame on screen at each target time. ``workers`` decoders split
    the span in contiguous parts (None: `decoder_count(mode)`).

    ``interpolation``: samples are point-scaled, so their pixels are an unbiased subsample
    of the full frame's colours (see `reader.Interpolation`); `frame_at`, for showing, keeps
    area averaging.

    ``on_sample(time, target)`` is called from a decoder's thread as each sample is found,
    for work that needs the sample times and can start before the frames are all decoded
    (the sound print). A sample found twice where two decoders' parts meet is called twice,
    and only one is returned.

    Setting ``cancel`` (from any thread) stops every decoder within a frame and raises
    `Cancelled`; so does an exception from ``on_progress``, which it then re-raises.
    """
    return sample_held(
        path, count=count, mode=mode, start=start, end=end, size=size, workers=workers,
        info=info, on_progress=on_progress, on_sample=on_sample, cancel=cancel,
        interpolation=interpolation,
    ).unpack()


def sample_held(
    path: str | os.PathLike[str],
    *,
    count: int = 1000,
    mode: Mode = "fast",
    start: float | None = None,
    end: float | None = None,
    size: int = 320,
    workers: int | None = None,
    info: VideoInfo | None = None,
    on_progress: ProgressCallback | None = None,
    on_sample: Callable[[float, float], None] | None = None,
    cancel: threading.Event | None = None,
    interpolation: Interpolation = "POINT",
    measure: Callable[[np.ndarray], object] | None = None,
) -> HeldFrames:
    """`sample`, its frames held compressed as the decoders made them: what a run
    summarises a batch at a time and the cache stores as it is. ``measure(frame)`` is
    called in the decoder's thread with each frame kept, while it is at hand (the bars'
    line counts, which would otherwise take a pass of their own over the held frames);
    what it gives comes back in ``measured``, in the frames' order."""
    if mode not in ("fast", "exact"):
        raise InvalidParameterError(f"mode must be 'fast' or 'exact', not {mode!r}.")
    info = info or probe(path)
    targets, slot = sample_times(info, count=count, start=start, end=end)
    width, height = working_size(info, size)
    # Each decoder fills rows from the start of its part. Frames are held compressed
    # until the decoders are closed: their indexes and picture pools (about 95 MB for a
    # 3-hour film) and 1000 raw frames (173 MB at 320 px) no longer add up in the peak.
    blobs: list[bytes | None] = [None] * count
    measured: list[object] = [None] * count
    times = np.full(count, np.nan)
    asked = np.full(count, np.nan)
    filled: dict[int, int] = {}  # a part's first row: the rows its decoder wrote
    ended = threading.Event()  # some target lies past the last frame that decodes
    done = [0]
    lock = threading.Lock()
    halt = threading.Event()  # set when this call gives up: every decoder stops

    def stop() -> bool:
        return halt.is_set() or (cancel is not None and cancel.is_set())

    # A frame this far before its target means the file ended early.
    late = max(2 * slot, 3 / (info.fps or 10), 0.5)

    def work(indices: range) -> None:
        first = float(targets[indices[0]]) - slot / 2 - 2 * SLOT_EDGE
        reader = FrameReader(
            str(path), info, mode=mode, width=width, height=height, stop=stop, after=first,
            interpolation=interpolation,
        )
        row, last = indices.start, -math.inf
        packer = compressor()  # one per thread: not shared
        try:
            for i in indices:
                then = float(targets[i + 1]) if i + 1 < indices.stop else None
                frame = reader.read(float(targets[i]), slot, then=then)
                ft = None if frame is None else reader._time(frame)
                # Fast mode may trail its target by design, unless the stream ran out.
                if ft is None or (
                    targets[i] - ft > late and (mode == "exact" or reader.exhausted)
                ):
                    ended.set()
                elif mode == "exact" or ft > last:  # fast mode drops repeats
                    rgb = reader.to_rgb(frame)
                    blobs[row] = hold(rgb, packer)
                    if measure is not None:
                        measured[row] = measure(rgb)
                    times[row] = last = ft
                    asked[row] = targets[i]
                    row += 1
                    if on_sample is not None:
                        on_sample(ft, float(targets[i]))
                with lock:
                    done[0] += 1
        finally:
            filled[indices.start] = row - indices.start
            reader.close()

    workers = max(1, min(decoder_count(mode) if workers is None else workers, count))
    bounds = np.linspace(0, count, workers + 1).round().astype(int)
    parts = [range(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    with ThreadPoolExecutor(len(parts), thread_name_prefix=DECODER_THREAD) as pool:
        futures = [pool.submit(work, part) for part in parts]

        def report() -> None:
            if on_progress and not stop():
                on_progress(done[0] / count, f"decoding frames: {done[0]}/{count}")

        wait_reporting(futures, report=report, halt=halt)
    # The decoders' indexes and picture pools are freed but resident, and PyAV's objects
    # hold reference cycles that keep 60 MB more until the collector runs: the frames
    # would grow on top of them.
    gc.collect()
    release_free_memory()
    if cancel is not None and cancel.is_set():
        raise Cancelled
    # Close the gaps between the parts. Where two parts meet, fast mode drops a frame that
    # does not come after the one before.
    n = 0
    for first in sorted(filled):
        for src in range(first, first + filled[first]):
            if mode == "fast" and n and times[src] <= times[n - 1]:
                continue
            if src != n:
                blobs[n], measured[n] = blobs[src], measured[src]
                times[n], asked[n] = times[src], asked[src]
            n += 1
    if n == 0:
        raise DecodeError(f"{info.name}: no frame between the chosen start and end decodes.")
    del blobs[n:], measured[n:]
    if on_progress:
        on_progress(1.0, "decoded")
    return HeldFrames(blobs=blobs, frame_shape=(height, width, 3), times=times[:n].copy(),
                      targets=asked[:n].copy(),
                      ended_at=float(times[:n].max()) if ended.is_set() else None,
                      measured=measured if measure is not None else None)


def frame_at(
    path: str | os.PathLike[str], time: float, *, size: int = 960, info: VideoInfo | None = None
) -> np.ndarray:
    """The frame on screen at ``time`` (seconds from the film's start), as displayed, at
    ``size`` px on the long side: for showing one moment at screen size."""
    info = info or probe(path)
    width, height = working_size(info, size)
    reader = FrameReader(str(path), info, mode="exact", width=width, height=height)
    try:
        frame = reader.read(float(time), 0.0)
        if frame is None:
            raise DecodeError(f"{info.name}: no frame decodes at {time:.2f} s.")
        return reader.to_rgb(frame)
    finally:
        reader.close()
