"""One decoder over its part of the span: every frame decoded at the detectors' size and
streamed through `Boundaries`, a few pixels of each drawn for its shot's reservoir."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import av
import numpy as np

from ..decode._video import demux_only, learn_palette, open_video, seek_to
from ..model import VideoInfo
from ._boundaries import Boundaries
from ._decoders import decode_all
from ._frames import crop_box, small_rgb
from ._pixels import Reservoirs
from ._tuning import DRAWS, PER_FRAME, SIZE


@dataclass
class _Part:
    """What one decoder found over its part of the span."""

    boundaries: list[float]
    starts: list[float]
    pools: list[np.ndarray]
    seen: list[int]


def _draw(
    rng: np.random.Generator, shape: tuple[int, ...], rows: slice, cols: slice
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of `PER_FRAME` random pixels inside the crop box of a frame of
    ``shape``, for each of `DRAWS` frames."""
    down, across = range(shape[0])[rows], range(shape[1])[cols]
    flat = rng.integers(0, len(down) * len(across), (DRAWS, PER_FRAME))
    return down.start + flat // len(across), across.start + flat % len(across)


def scan(
    path: str,
    info: VideoInfo,
    *,
    lo: float,
    hi: float,
    last_part: bool,
    crop,
    seed: int,
    counter: list[int],
    lock: threading.Lock,
    cancel: threading.Event | None,
) -> _Part:
    """Decode every frame of [lo, hi) (and a little around it, for the detectors' memory)
    and find its boundaries and its shots' pixels."""
    fps = info.fps or 25.0
    detector = Boundaries(fps)
    warm = (detector.latency + 2) / fps
    rng = np.random.default_rng([seed, round(lo * 1000)])
    pools = Reservoirs(detector.latency, rng)
    scale = min(1.0, SIZE / max(info.width, info.height))
    width, height = max(2, round(info.width * scale)), max(2, round(info.height * scale))
    rows, cols = crop_box(height, width, crop)
    picks, drawn = (np.empty(0), np.empty(0)), DRAWS
    with open_video(path) as container:
        stream = container.streams[info.stream_index]
        demux_only(container, stream)
        cc = stream.codec_context
        cc.thread_type = "NONE"
        # The loop filter is skipped on non-reference frames (most B-frames: half of the
        # benchmark film's): nothing is predicted from them, so nothing drifts; 5-8 % less
        # decode time (docs/benchmarks.md, "Shots' cost, cut"); `decode_all` skips it on
        # more B-frames where it can tell nothing after them uses them. Skipping it on all
        # frames, as fast mode does for its lone keyframes, makes the undeblocked
        # references drift until the next keyframe snaps them back, which reads as a
        # dissolve (it put one at 25.4 s in bbb_30s_720p_vp8.webm).
        cc.options = {"skip_loop_filter": "noref"}
        if lo - warm > 0:
            learn_palette(container, stream)
            seek_to(container, stream, lo - warm, start=info.start_time)
        try:
            for frame in decode_all(container, stream):
                if cancel is not None and cancel.is_set():
                    break
                if frame.time is None:
                    continue
                t = frame.time - info.start_time
                if t < lo - warm:
                    continue
                if t >= hi + (0 if last_part else warm):
                    break
                rgb = small_rgb(frame, width, height)
                if info.rotation:
                    rgb = np.rot90(rgb, k=-(info.rotation // 90))
                # BGR for OpenCV: a copy only where `_small_rgb` did not read the planes.
                detector.feed(t, np.ascontiguousarray(rgb[..., ::-1]))
                if lo <= t < hi:
                    if drawn == DRAWS:
                        picks, drawn = _draw(rng, rgb.shape, rows, cols), 0
                    pools.add(t, rgb[picks[0][drawn], picks[1][drawn]], detector.found)
                    drawn += 1
                    with lock:
                        counter[0] += 1
        except (av.FFmpegError, EOFError):
            pass  # a damaged tail: keep what decoded
    detector.end_run()
    pools.flush(detector.found)
    # A cut exactly on the seam belongs to the later part, which sees it at its start;
    # `find_shots` drops one at the span's start.
    found = [b for b in detector.found if lo <= b < hi]
    return _Part(found, pools.starts, pools.pools, pools.seen)
