"""Letterbox and pillarbox detection: the black bars a film keeps for its whole length.

A row or column is a bar only if it is dark in nearly every frame that has any picture at
all, so a night scene or a fade to black cannot crop the film, while codec noise and the
soft blended edge of a bar do not stop a real bar from being found.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..errors import InvalidParameterError
from ._color import check_frames

__all__ = ["bar_lines", "bars_from_lines", "crop_frames", "detect_bars"]

# A line is dark in a frame when at most this fraction of its pixels reach the threshold:
# its 98th-percentile luma is below it, so a few noisy or ringing pixels do not count.
_BRIGHT_FRACTION = 0.02
# A line is a bar when it is dark in at least this fraction of the frames with a picture.
_PERSISTENCE = 0.9
# Scaling and codecs blend the last bar line with the picture; up to this many lines next
# to a bar are cropped too when they stay below twice the threshold.
_SOFT_EDGE = 2
# Never crop more than this fraction of the frame from any one side.
_MAX_SIDE = 0.45
_CHUNK = 32  # frames per luma pass: bounds the uint16 working copy
_THREADS = 2


def detect_bars(frames: np.ndarray, *, threshold: int = 24) -> tuple[int, int, int, int]:
    """Widths in pixels ``(top, bottom, left, right)`` of the bars persisting across a film.

    ``frames`` is ``(N, H, W, 3)`` uint8, sampled over the whole film. ``threshold`` is the
    luma (0-255) a line's brightest pixels stay under to count as black. Frames that are
    dark all over (fades, night) are ignored; a film with no picture gives no bars.
    """
    frames = check_frames(frames)
    _check_threshold(threshold)
    n = len(frames)
    rows = np.empty((2, n, frames.shape[1]), np.int32)
    cols = np.empty((2, n, frames.shape[2]), np.int32)

    def count(start: int) -> None:
        chunk = slice(start, start + _CHUNK)
        rows[:, chunk], cols[:, chunk] = bar_lines(frames[chunk], threshold=threshold)

    # numpy releases the GIL in these loops: the chunks share the cores.
    with ThreadPoolExecutor(_THREADS) as pool:
        list(pool.map(count, range(0, n, _CHUNK)))
    return bars_from_lines(rows, cols)


def bar_lines(frames: np.ndarray, *, threshold: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """What `detect_bars` decides from, frame by frame, so that it can be counted a batch
    of frames at a time: each frame's bright pixels per row ``(2, N, H)`` and per column
    ``(2, N, W)`` int32, at ``threshold`` and at twice it (the soft edge). Concatenated
    along N, batches give `bars_from_lines` the whole film."""
    frames = check_frames(frames)
    _check_threshold(threshold)
    n, h, w, _ = frames.shape
    rows = np.empty((2, n, h), np.int32)
    cols = np.empty((2, n, w), np.int32)
    for start in range(0, n, _CHUNK):
        luma = _luma256(frames[start : start + _CHUNK])
        for i, level in enumerate((threshold, 2 * threshold)):
            bright = luma >= 256 * level
            rows[i, start : start + len(luma)] = np.count_nonzero(bright, axis=2)
            cols[i, start : start + len(luma)] = np.count_nonzero(bright, axis=1)
    return rows, cols


def bars_from_lines(rows: np.ndarray, cols: np.ndarray) -> tuple[int, int, int, int]:
    """`detect_bars` of the frames whose `bar_lines` are ``rows`` and ``cols``."""
    h, w = rows.shape[2], cols.shape[2]
    picture = rows[0].sum(axis=1) > _BRIGHT_FRACTION * h * w
    if not picture.any():
        return (0, 0, 0, 0)
    row_dark = _persistently_dark(rows[:, picture], w)
    col_dark = _persistently_dark(cols[:, picture], h)
    top = _bar_width(row_dark, h)
    bottom = _bar_width(row_dark[:, ::-1], h)
    left = _bar_width(col_dark, w)
    right = _bar_width(col_dark[:, ::-1], w)
    return (top, bottom, left, right)


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)):
        raise InvalidParameterError(f"threshold must be an integer, not {threshold!r}.")
    if not 1 <= threshold <= 127:
        raise InvalidParameterError(f"threshold must be between 1 and 127, not {threshold}.")


def crop_frames(frames: np.ndarray, bars: tuple[int, int, int, int]) -> np.ndarray:
    """The frames without their bars, as a view: ``bars`` is ``(top, bottom, left, right)``."""
    frames = np.asarray(frames)
    if frames.ndim < 3:
        raise InvalidParameterError(f"frames must be (..., H, W, C), not {frames.shape}.")
    h, w = frames.shape[-3:-1]
    if len(bars) != 4 or any(int(b) != b or b < 0 for b in bars):
        raise InvalidParameterError(f"bars must be four non-negative integers, not {bars!r}.")
    top, bottom, left, right = (int(b) for b in bars)
    if top + bottom >= h or left + right >= w:
        raise InvalidParameterError(f"bars {bars!r} leave nothing of a {w}x{h} frame.")
    return frames[..., top : h - bottom, left : w - right, :]


def _luma256(frames: np.ndarray) -> np.ndarray:
    """BT.601 luma times 256, in uint16: floats would quadruple the memory traffic."""
    luma = np.multiply(frames[..., 0], 77, dtype=np.uint16)
    luma += np.multiply(frames[..., 1], 150, dtype=np.uint16)
    luma += np.multiply(frames[..., 2], 29, dtype=np.uint16)
    return luma


def _persistently_dark(bright: np.ndarray, length: int) -> np.ndarray:
    """``(2, n, lines)`` bright counts to ``(2, lines)``: dark in nearly all ``n`` frames."""
    dark = bright <= _BRIGHT_FRACTION * length
    return dark.mean(axis=1) >= _PERSISTENCE


def _bar_width(dark: np.ndarray, size: int) -> int:
    """Length of the dark run from the edge (``dark[0]``), plus a soft edge (``dark[1]``)."""
    limit = int(_MAX_SIDE * size)
    width = _leading_run(dark[0])
    if width:
        width += min(_leading_run(dark[1, width:]), _SOFT_EDGE)
    return min(width, limit)


def _leading_run(flags: np.ndarray) -> int:
    return int(np.argmin(flags)) if not flags.all() else len(flags)
