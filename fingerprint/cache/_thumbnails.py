"""The cache's thumbnails files: each shot's middle frame at one size (`shots.shot_frames`),
so a second colour script with frames, of any poster size in the same size bucket, never
opens the film again.

Named by the times asked and the size (``thumbs-<hash>.zst``, beside the film's other
entries, counted and evicted as they are: `_size.ENTRIES`). Stored as `_packed` files:
the header holds the times asked, the size, the times shown and the frames' shape, the
body the frames. Anything damaged, or made for other times or another size, reads as
missing, and the caller decodes again.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import write_atomic
from ..shots._thumbnails import ShotFrames
from ._cache import Cache, _hash
from ._errors import writing
from ._packed import packed, unpacked

_MAGIC = b"movie-color-fingerprint thumbnails 1\n"
# Photographs compress little; level 3 costs a few ms for a film's thumbnails.
_LEVEL = 3
# 1500 shots at 384 px are 330 MB raw: anything larger is foreign.
_LIMIT = 1024 * 1024 * 1024


def _request(times: np.ndarray, size: int) -> dict[str, Any]:
    # Rounded to the microsecond: the same shots found again give the same name.
    return {"thumbnails": 1, "size": int(size),
            "times": [round(float(t), 6) for t in np.asarray(times, np.float64)]}


def thumbnails_path(cache: Cache, key: str, times: np.ndarray, size: int) -> Path:
    """Where the thumbnails of ``times`` at ``size`` are stored for the film ``key``."""
    return cache._dir(key) / f"thumbs-{_hash(_request(times, size))}.zst"


def load_shot_frames(cache: Cache, key: str, times: np.ndarray, size: int) -> ShotFrames | None:
    """The thumbnails stored for ``times`` at ``size``, or None if missing, damaged or
    made for other times (the caller decodes them again)."""
    path = thumbnails_path(cache, key, times, size)
    found = unpacked(path, magic=_MAGIC, limit=_LIMIT)
    if found is None:
        return None
    header, body = found
    try:
        shown, shape = _check_header(header, _request(times, size))
    except (ValueError, KeyError, TypeError):
        return None  # made for other times, or foreign: decoded again by the caller
    if len(body) != math.prod(shape):
        return None
    cache._touch(key, path)
    return ShotFrames(frames=np.frombuffer(body, np.uint8).reshape(shape).copy(), times=shown)


def _check_header(header: Any, request: dict[str, Any]) -> tuple[np.ndarray, tuple[int, ...]]:
    """Times shown and frames' shape of a thumbnails file, or ValueError if it was made
    for another request or its parts do not fit each other."""
    if header["request"] != request:
        raise ValueError("thumbnails made for other times or another size")
    shape = tuple(header["shape"])
    if len(shape) != 4 or not all(isinstance(n, int) and n >= 1 for n in shape[1:]):
        raise ValueError("bad shape")
    if shape[0] != len(request["times"]) or shape[3] != 3:
        raise ValueError("frames do not match the times")
    shown = np.array(header["shown"], np.float64)
    if shown.shape != (shape[0],) or not np.isfinite(shown).all():
        raise ValueError("bad times")
    return shown, shape


def save_shot_frames(
    cache: Cache, key: str, times: np.ndarray, size: int, found: ShotFrames
) -> None:
    """Store ``found``, the thumbnails of ``times`` at ``size``; raises `CacheWriteError`
    when the cache cannot be written."""
    frames = np.ascontiguousarray(found.frames, np.uint8)
    header = {"request": _request(times, size), "shape": list(frames.shape),
              "shown": np.asarray(found.times, np.float64).tolist()}
    with writing():
        write_atomic(thumbnails_path(cache, key, times, size),
                     packed(_MAGIC, header, frames.tobytes(), level=_LEVEL))
    cache.prune()
