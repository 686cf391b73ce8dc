"""Each shot's middle frame, small: what the colour script's frames panels show.

One decoder walks the film once, in order (`decode.FrameReader`, exact mode): it seeks to a
shot's middle only where a keyframe lies between it and the one before, so a film's shots
cost at most one seek each, and shots closer than a keyframe interval none.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np

from .._progress import ProgressCallback
from ..decode._frames import working_size
from ..decode._reader import FrameReader
from ..decode._video import probe
from ..errors import Cancelled, DecodeError, InvalidParameterError
from ..model import Shot, VideoInfo

__all__ = ["ShotFrames", "shot_frames", "shot_middles"]


@dataclass(frozen=True, eq=False)
class ShotFrames:
    """Thumbnails: ``frames`` (N, H, W, 3) uint8, one per time asked, as displayed (aspect
    and rotation applied) at one size; ``times`` (N,) the time of each frame shown, in
    seconds from the film's start (the frame on screen at the time asked)."""

    frames: np.ndarray
    times: np.ndarray

    def __len__(self) -> int:
        return len(self.frames)


def shot_middles(shots: tuple[Shot, ...] | list[Shot]) -> np.ndarray:
    """The middle of each shot, in seconds from the film's start: where its thumbnail is
    taken (the start is often a cut's blur or a fade, the middle the shot itself)."""
    return np.array([s.middle for s in shots], np.float64)


def shot_frames(
    path: str | os.PathLike[str],
    times: np.ndarray,
    *,
    info: VideoInfo | None = None,
    size: int = 256,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ShotFrames:
    """The frame on screen at each of ``times`` (seconds from the film's start, in any
    order), at ``size`` px on the long side (never upscaled), area-averaged for showing.

    Raises `DecodeError` when a time has no frame that decodes, `Cancelled` when
    ``cancel`` is set (checked before every packet), and the errors of opening the film
    (`decode.open_video`).
    """
    times = np.asarray(times, np.float64)
    if times.ndim != 1 or not np.isfinite(times).all():
        raise InvalidParameterError("shot times must be a list of finite seconds.")
    if size < 1:
        raise InvalidParameterError(f"a thumbnail's size must be at least 1 pixel, not {size}.")
    info = info or probe(path)
    width, height = working_size(info, size)
    frames = np.empty((len(times), height, width, 3), np.uint8)  # as displayed: rotated
    shown = np.empty(len(times))

    def stop() -> bool:
        return cancel is not None and cancel.is_set()

    # In time order, so the decoder only ever walks forward (shots come sorted; this is
    # for any other caller).
    order = np.argsort(times, kind="stable")
    reader = FrameReader(str(path), info, mode="exact", width=width, height=height, stop=stop)
    try:
        for done, i in enumerate(order, 1):
            if stop():
                raise Cancelled
            then = float(times[order[done]]) if done < len(order) else None
            frame = reader.read(float(times[i]), 0.0, then=then)
            if frame is None:
                raise DecodeError(f"{info.name}: no frame decodes at {times[i]:.2f} s.")
            frames[i] = reader.to_rgb(frame)
            shown[i] = reader._time(frame)
            if on_progress:
                on_progress(done / len(times), f"shot frames: {done}/{len(times)}")
    finally:
        reader.close()
    return ShotFrames(frames=frames, times=shown)
