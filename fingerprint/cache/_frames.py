"""The cache's frames files: decoded frames stored losslessly and compactly.

A magic line, a JSON header line (shape, times, targets, end), then the frames as the
decoders held them (`decode._frames.hold`: each row replaced by the difference of
neighbouring pixels, mod 256, each frame a Zstandard frame of its own), end to end; a
file of one Zstandard frame holding them all reads the same. Every read is checked like
a file from outside: anything unreadable or inconsistent with the decode options reads
as missing, and the caller decodes again.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

import numpy as np
import zstandard

from ..decode._frames import DecodedFrames, HeldFrames, working_size
from ..model import VideoInfo, is_number
from ..params import Params

_FRAMES_MAGIC = b"movie-color-fingerprint frames 1\n"
_HEADER_LIMIT = 16 * 1024 * 1024  # 3000 samples' times take about 0.1 MB


def read_frames(
    path: str | os.PathLike[str], *, params: Params, info: VideoInfo
) -> DecodedFrames | None:
    """The frames in ``path``, or None if missing or not right for these decode options
    and this film (count, working size, times)."""
    try:
        with open(path, "rb") as fh:
            if fh.readline(len(_FRAMES_MAGIC)) != _FRAMES_MAGIC:
                return None
            header = json.loads(fh.readline(_HEADER_LIMIT))
            shape, times, targets, ended = _check_header(header, params, info)
            frames = np.empty(shape, np.uint8)
            if not read_compressed(fh, memoryview(frames).cast("B")):
                return None  # truncated, or more frames than the header says
    except (OSError, ValueError, KeyError, TypeError, zstandard.ZstdError):
        return None  # missing, truncated or foreign: rebuilt by the caller
    np.add.accumulate(frames, axis=2, out=frames)  # undo the row differences
    return DecodedFrames(frames=frames, times=times, targets=targets, ended_at=ended)


def _check_header(
    header: Any, params: Params, info: VideoInfo
) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray, float | None]:
    """Shape, times, targets and end of a frames file, or ValueError if they do not
    fit each other or the decode options (checked before anything is allocated)."""
    shape = tuple(header["shape"])
    if len(shape) != 4 or not all(isinstance(n, int) and n >= 1 for n in shape):
        raise ValueError("bad shape")
    n, height, width, channels = shape
    expected = working_size(info, params.size)
    if channels != 3 or n > params.samples or (width, height) != expected:
        raise ValueError("frames do not match the decode options")
    times = np.array(header["times"], dtype=np.float64)
    targets = np.array(header["targets"], dtype=np.float64)
    if times.shape != (n,) or targets.shape != (n,):
        raise ValueError("times do not match the frames")
    if not (np.isfinite(times).all() and np.isfinite(targets).all()):
        raise ValueError("times are not finite")
    ended = header["ended_at"]
    if not (ended is None or is_number(ended)):
        raise ValueError("bad end time")
    return (n, height, width, 3), times, targets, None if ended is None else float(ended)


def write_frames(fh: IO[bytes], held: HeldFrames) -> None:
    """Write the held frames to ``fh`` as they are held: no frame is unpacked or
    compressed again."""
    header = {
        "shape": [len(held), *held.frame_shape],
        "times": np.asarray(held.times, dtype=np.float64).tolist(),
        "targets": np.asarray(held.targets, dtype=np.float64).tolist(),
        "ended_at": held.ended_at,
    }
    fh.write(_FRAMES_MAGIC + json.dumps(header).encode() + b"\n")
    for blob in held.blobs:
        fh.write(blob)


def read_compressed(fh: IO[bytes], *into: memoryview) -> bool:
    """Fill each of ``into`` in turn from the Zstandard stream at ``fh``'s position: False
    when the stream holds fewer bytes (truncated) or more (not what its header says)."""
    with zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True) as stream:
        for buffer in into:
            done = 0
            while done < len(buffer):
                got = stream.readinto(buffer[done:])
                if not got:
                    return False
                done += got
        return not stream.read(1)
