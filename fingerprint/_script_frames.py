"""The colour script's frames: each shot's middle frame, from the cache when it holds them,
else decoded (one walk through the film) and stored beside the film's other entries."""

from __future__ import annotations

import contextlib
import os
import threading

from ._files import check_file
from ._progress import ProgressCallback
from .cache._cache import Cache
from .cache._thumbnails import load_shot_frames, save_shot_frames
from .errors import CacheWriteError, ShotsNeededError
from .model import Fingerprint
from .shots._thumbnails import ShotFrames, shot_frames, shot_middles

__all__ = ["script_frames"]


def script_frames(
    path: str | os.PathLike[str],
    fp: Fingerprint,
    *,
    size: int = 256,
    cache: Cache | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ShotFrames:
    """The middle frame of each of ``fp``'s shots in ``path`` (the film ``fp`` was made
    from), at ``size`` px on the long side: what `poster` draws in the colour script's
    frames panels (``frames=``; `poster.script_frame_size` gives the size a poster needs).

    A cache that holds them returns them without opening the film; otherwise they are
    decoded and stored there (a cache that cannot be written is passed over: the frames
    are returned all the same). Raises `ShotsNeededError` for a fingerprint without
    shots, `Cancelled` when ``cancel`` is set, and the errors of opening the film.
    """
    if not fp.shots:
        raise ShotsNeededError(
            "the colour script's frames need shots: add --shots (Params(shots=True))."
        )
    times = shot_middles(fp.shots)

    def decode() -> ShotFrames:
        return shot_frames(path, times, info=fp.video, size=size, on_progress=on_progress,
                           cancel=cancel)

    if cache is None:
        return decode()
    key = cache.key(check_file(path))
    found = load_shot_frames(cache, key, times, size)
    if found is not None:
        return found
    with cache.lock(key):  # two sessions asking at once decode once
        found = load_shot_frames(cache, key, times, size)
        if found is None:
            found = decode()
            # The cache is optional: one that cannot be written costs the next poster only.
            with contextlib.suppress(CacheWriteError):
                save_shot_frames(cache, key, times, size, found)
    if on_progress:
        on_progress(1.0, "shot frames: done")
    return found
