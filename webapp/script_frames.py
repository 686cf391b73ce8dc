"""The colour script's frames for a poster the app builds. Pure, no Streamlit.

Each shot's middle frame is decoded as a job of the server's queue (`webapp.jobs`): shared
by every session that asks for the same film, shots and size, weighed by its memory, and
cancelled when nobody waits for it any more. The engine keeps the frames in the film
cache (`fingerprint.script_frames`), so a second poster, in any session, reads them from
disk without a job (`stored_frames`).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np

from fingerprint import Cache, Fingerprint, script_frames
from fingerprint._outputs import Poster
from fingerprint.cache._thumbnails import load_shot_frames
from fingerprint.shots import shot_middles

from .budget import ANALYSIS_BASE_MB, DECODER_MB_PER_MEGAPIXEL, MB
from .jobs import Work

# One decoder walks the film, where an analysis keeps two busy: half an analysis's weight.
FRAMES_WEIGHT = 0.5
# A shot costs a seek and up to a keyframe interval of decoding: on a feature film cut
# every few seconds that is minutes, so a walk over more shots than this is long work
# (`webapp.jobs.job_size`), which never fills the queue.
LONG_SHOTS = 300


def frames_mb(fp: Fingerprint, size: int) -> float:
    """What decoding ``fp``'s shot frames at ``size`` px adds to the server's memory: one
    decoder's pictures at the film's size (`webapp.budget`), and the thumbnails twice
    (the frames, and their copy while they are stored)."""
    megapixels = fp.video.width * fp.video.height / 1e6
    thumbnails = len(fp.shots or ()) * size * size * 3 / MB  # the long side, squared: high
    return ANALYSIS_BASE_MB + DECODER_MB_PER_MEGAPIXEL * megapixels + 2 * thumbnails


def _decode(
    cache: Cache, path: Path, fp: Fingerprint, size: int, cancel: threading.Event,
    on_progress: Callable[[float, str], None],
) -> np.ndarray:
    return script_frames(path, fp, size=size, cache=cache, on_progress=on_progress,
                         cancel=cancel).frames


def frames_job(
    cache: Cache, key: str, path: str | os.PathLike[str], fp: Fingerprint, size: int
) -> tuple[Hashable, Work, float, bool, float]:
    """What `Jobs.waiting` takes to decode the middle frame of each of ``fp``'s shots in
    the film ``key`` at ``path``, at ``size`` px: one job per film, shots and size."""
    middles = shot_middles(fp.shots or ())
    job_key = ("script frames", key, size, middles.tobytes())
    work = functools.partial(_decode, cache, Path(path), fp, size)
    return job_key, work, FRAMES_WEIGHT, len(middles) > LONG_SHOTS, frames_mb(fp, size)


def stored_frames(cache: Cache, key: str, fp: Fingerprint, size: int) -> np.ndarray | None:
    """The frames the cache holds for ``fp``'s shots at ``size`` (None: a job decodes
    them): read in milliseconds, never queued."""
    found = load_shot_frames(cache, key, shot_middles(fp.shots or ()), size)
    return None if found is None else found.frames


def shows_frames(kind: str, panels: str) -> bool:
    """Whether a poster of ``kind`` whose colour script panels are ``panels``
    (`poster.SCRIPT_PANELS`) shows frames of the film, as the command line decides it."""
    return Poster(kind=kind, script=panels).shows_frames  # type: ignore[arg-type]


def poster_name(stem: str, kind: str, panels: str, width: int, height: int,
                cvd: str | None) -> str:
    """The poster's file name without its suffix: the film, the kind (and ``-frames`` for
    a colour script that shows them), the size and the colour vision it is seen with."""
    frames = "-frames" if shows_frames(kind, panels) else ""
    return f"{stem}-{kind}{frames}-{width}x{height}" + (f"-{cvd}" if cvd else "")
