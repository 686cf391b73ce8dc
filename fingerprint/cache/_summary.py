"""The cache's colour summaries: what another k or colour space reclusters, without frames.

A magic line, a JSON header line (times, targets, end, frame size, bars, bin count), then
Zstandard (with its checksum) over each frame's average colour, each frame's number of
bins, each bin's pixel count and its mean colour (`fingerprint.palette._histogram`). Every
read is checked like a file from outside: anything unreadable or inconsistent with the
decode options reads as missing, and the caller summarises the frames again.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

import numpy as np
import zstandard

from ..decode._frames import working_size
from ..model import VideoInfo, is_number
from ..palette._histogram import MEAN_SCALE, Histograms
from ..palette._summary import ColorSummary
from ..params import Params
from ._frames import read_compressed

# Bumped whenever what a summary holds changes (how bins are cut, what a mean is), so a
# summary made before is never read as one of today's.
SUMMARY_VERSION = 1
_MAGIC = b"movie-color-fingerprint colours 1\n"
# Level 3: a quarter smaller than level 1 on the benchmark film's summary, read as fast.
_LEVEL = 3
_HEADER_LIMIT = 16 * 1024 * 1024  # 3000 samples' times take about 0.1 MB
_MAX_CODE = 256 * MEAN_SCALE  # a bin's mean is below it


def read_summary(
    path: str | os.PathLike[str], *, params: Params, info: VideoInfo
) -> ColorSummary | None:
    """The summary in ``path``, or None if missing or not right for these options and
    this film (count, working size, crop, bins)."""
    try:
        with open(path, "rb") as fh:
            if fh.readline(len(_MAGIC)) != _MAGIC:
                return None
            header = json.loads(fh.readline(_HEADER_LIMIT))
            n, bins, height, width, bars = _check_header(header, params, info)
            # Read straight into the arrays: slicing one buffer into them copied 35 MB for
            # the 2-hour film (20 ms of every other k, docs/benchmarks.md, issue 18 §3).
            average, per_frame = np.empty((n, 3), np.uint8), np.empty(n, np.uint32)
            counts, means = np.empty(bins, np.uint32), np.empty((bins, 3), np.uint16)
            parts = (average, per_frame, counts, means)
            if not read_compressed(fh, *(memoryview(a).cast("B") for a in parts)):
                return None  # truncated, or more than the header says
        offsets = np.concatenate([[0], np.cumsum(per_frame, dtype=np.int64)])
        pixels = (height - bars[0] - bars[1]) * (width - bars[2] - bars[3])
        if offsets[-1] != bins or (per_frame < 1).any() or (counts < 1).any():
            return None
        if means.max(initial=0) >= _MAX_CODE:
            return None
        if (np.add.reduceat(counts.astype(np.int64), offsets[:-1]) != pixels).any():
            return None  # each frame's bins hold every pixel of its picture
    except (OSError, ValueError, KeyError, TypeError, zstandard.ZstdError):
        return None  # missing, truncated or foreign: rebuilt by the caller
    ended = header["ended_at"]
    return ColorSummary(
        times=np.array(header["times"], np.float64),
        targets=np.array(header["targets"], np.float64),
        ended_at=None if ended is None else float(ended),
        height=height,
        width=width,
        bars=bars,
        average=average,
        histograms=Histograms(offsets=offsets, counts=counts, means=means, pixels=pixels),
    )


def _check_header(
    header: Any, params: Params, info: VideoInfo
) -> tuple[int, int, int, int, tuple[int, int, int, int]]:
    """Frames, bins, height, width and bars of a summary, or ValueError if they do not fit
    each other or the options (checked before anything is allocated)."""
    n, bins = header["frames"], header["bins"]
    height, width = header["height"], header["width"]
    bars = tuple(header["bars"])
    if not all(isinstance(v, int) for v in (n, bins, height, width, *bars)):
        raise ValueError("bad sizes")
    if (width, height) != working_size(info, params.size) or not 1 <= n <= params.samples:
        raise ValueError("summary does not match the decode options")
    if len(bars) != 4 or min(bars) < 0 or bars[0] + bars[1] >= height \
            or bars[2] + bars[3] >= width or (any(bars) and not params.crop):
        raise ValueError("bad bars")
    if not n <= bins <= n * (height - bars[0] - bars[1]) * (width - bars[2] - bars[3]):
        raise ValueError("bad bin count")
    times = np.array(header["times"], np.float64)
    targets = np.array(header["targets"], np.float64)
    if times.shape != (n,) or targets.shape != (n,) or not (
        np.isfinite(times).all() and np.isfinite(targets).all()
    ):
        raise ValueError("times do not match the frames")
    ended = header["ended_at"]
    if not (ended is None or is_number(ended)):
        raise ValueError("bad end time")
    return n, bins, height, width, (bars[0], bars[1], bars[2], bars[3])


def write_summary(fh: IO[bytes], summary: ColorSummary) -> None:
    """Write ``summary`` to ``fh``."""
    hist = summary.histograms
    header = {
        "frames": len(summary),
        "bins": int(hist.offsets[-1]),
        "height": summary.height,
        "width": summary.width,
        "bars": [int(b) for b in summary.bars],
        "times": summary.times.tolist(),
        "targets": summary.targets.tolist(),
        "ended_at": summary.ended_at,
    }
    fh.write(_MAGIC + json.dumps(header).encode() + b"\n")
    packer = zstandard.ZstdCompressor(level=_LEVEL, write_checksum=True, threads=-1)
    with packer.stream_writer(fh, closefd=False) as out:
        out.write(np.ascontiguousarray(summary.average, np.uint8).data)
        out.write(np.diff(hist.offsets).astype(np.uint32).data)
        out.write(np.ascontiguousarray(hist.counts, np.uint32).data)
        out.write(np.ascontiguousarray(hist.means, np.uint16).data)
