"""From a film to its `Fingerprint`: probe, sample, crop bars, cluster, with the cache."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._memory import release_free_memory
from .cache._cache import Cache
from .decode._hdr import color_warning
from .decode._sampling import DecodedFrames, ProgressCallback, sample, sample_times
from .decode._video import check_file, probe
from .errors import CacheWriteError, Cancelled
from .model import Fingerprint, VideoInfo
from .palette._bars import crop_frames, detect_bars
from .palette._color import average_color
from .palette._kmeans import palettes
from .params import Params
from .shots._find import find_shots, shot_options, shots_key
from .shots._pixels import ShotPixels, shot_palettes
from .sound._print import SoundPrint
from .timecodes import timecode

# Frames clustered per call: how often clustering reports progress and checks for a
# cancel, and a bound on the memory clustering holds beyond the frames.
_BATCH = 100


def fingerprint_samples(
    samples: DecodedFrames,
    *,
    info: VideoInfo,
    params: Params,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Fingerprint:
    """Cluster decoded samples into a `Fingerprint` (no video access: this is what runs
    again when only k, the colour space or the crop change).

    Setting ``cancel`` stops it between batches of frames with `Cancelled`."""
    frames = samples.frames
    n, height, width = frames.shape[:3]
    bars = detect_bars(frames) if params.crop else (0, 0, 0, 0)
    crop = (bars[0] / height, bars[1] / height, bars[2] / width, bars[3] / width)
    content = crop_frames(frames, bars)
    colors = np.empty((n, params.clusters, 3), np.uint8)
    shares = np.empty((n, params.clusters))
    for lo in range(0, n, _BATCH):
        _check(cancel)
        hi = min(n, lo + _BATCH)
        colors[lo:hi], shares[lo:hi] = palettes(
            content[lo:hi], k=params.clusters, color_space=params.color_space, seed=params.seed
        )
        # Each batch's temporaries land wherever decoding left holes in the heap: give
        # them back, or the batches together touch every page of it (fingerprint._memory).
        release_free_memory()
        if on_progress:
            on_progress(hi / n, f"finding colours: {hi}/{n} frames")
    warnings = list(filter(None, [color_warning(info)]))  # colours not reconstructible
    if samples.ended_at is not None:
        warnings.append(
            f"The video stops decoding at {timecode(samples.ended_at)} although it claims "
            f"{timecode(info.duration)}: the sampled span ended early, so the fingerprint "
            f"covers {n} of {params.samples} samples."
        )
    elif n < params.samples:
        # Fast mode never repeats a frame: the span has fewer distinct frames it can reach.
        warnings.append(
            f"The span has only {n} distinct frames to sample in {params.mode} mode, so the "
            f"fingerprint has {n} samples, not {params.samples}."
        )
    return Fingerprint(
        video=info,
        params=params,
        times=samples.times,
        colors=colors,
        shares=shares,
        average=average_color(content),
        crop=crop if any(bars) else None,
        warnings=tuple(warnings),
    )


def analyze(
    path: str | os.PathLike[str],
    *,
    params: Params | None = None,
    cache: Cache | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Fingerprint:
    """Fingerprint a film, reusing whatever the cache holds.

    ``params`` are first fitted to the film (`Params.fitted`): the result's own params
    say what was analysed, and its warnings say what was changed. A cached result returns
    without opening the video; cached frames with other clustering options are
    re-clustered without decoding, and so are cached shots (their boundaries and pixels).
    With ``cache=None`` nothing is read or written.

    ``cancel``: a `threading.Event` the caller may set from any thread (a Ctrl-C handler,
    a web session that went away). Decoding and clustering stop within a frame or a batch,
    their threads finished, and `Cancelled` is raised; nothing of the run is cached. An
    exception raised by ``on_progress`` stops the work the same way, then propagates.
    """
    params = params or Params()
    if cache is None:
        info = probe(path)
        params, notes = params.fitted(info)
        run = _run(path, info, params, on_progress=on_progress, cancel=cancel)
        return replace(run.fingerprint, warnings=notes + run.fingerprint.warnings)
    key = cache.key(check_file(path))
    entry = cache.entry(key)
    info = entry.info if entry else probe(path)
    params, notes = params.fitted(info)
    found = cache.load_result(key, params)
    if found is not None:
        return found
    with cache.lock(key):
        found = cache.load_result(key, params)  # another session may have just made it
        if found is not None:
            return found
        run = _run(
            path, info, params, samples=cache.load_samples(key, params),
            cached_loudness=lambda times: cache.load_loudness(key, params, times),
            cached_shots=lambda request: cache.load_shots(key, request),
            shots_cached=cache.has_shots(key, params), on_progress=on_progress, cancel=cancel,
        )
        _check(cancel)
        fp = replace(run.fingerprint, warnings=notes + run.fingerprint.warnings)
        try:  # the cache is optional: one that cannot be written costs the next run only
            cache.save_info(key, info, source=Path(path).resolve())  # frames are checked by it
            if run.decoded is not None:
                cache.save_samples(key, params, run.decoded)
            if run.heard is not None:
                cache.save_loudness(key, params, *run.heard)
            if run.found_shots is not None:
                cache.save_shots(key, run.shots_request, run.found_shots)
            cache.save_result(key, fp)
        except CacheWriteError as exc:
            return replace(fp, warnings=(*fp.warnings, str(exc)))
    return fp


@dataclass(frozen=True)
class _Run:
    """A fingerprint made, and what of its making the cache keeps: the frames if they
    were decoded, the sound print if it was measured (times, levels), the shots if they
    were found (with the key they are found by)."""

    fingerprint: Fingerprint
    decoded: DecodedFrames | None
    heard: tuple[np.ndarray, np.ndarray] | None
    found_shots: ShotPixels | None
    shots_request: dict[str, Any] | None


def _run(
    path: str | os.PathLike[str],
    info: VideoInfo,
    params: Params,
    *,
    samples: DecodedFrames | None = None,
    cached_loudness: Callable[[np.ndarray], np.ndarray | None] | None = None,
    cached_shots: Callable[[dict[str, Any]], ShotPixels | None] | None = None,
    shots_cached: bool = False,
    on_progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> _Run:
    """Decode (unless ``samples`` are given), measure the sound (unless ``cached_loudness``
    has it for the samples' times), cluster, find the shots (unless ``cached_shots`` has
    them for their key, `shots_key`); ``shots_cached`` says beforehand whether it will
    (for the progress bar's parts)."""
    colors, layers = _split(on_progress, params, shots_decode=params.shots and not shots_cached)
    decoded = samples is None
    loudness = None
    if params.sound and samples is not None and cached_loudness is not None:
        loudness = cached_loudness(_sound_times(samples, params))
    sound = _sound_print(path, info, params, cancel, streamed=decoded) \
        if params.sound and loudness is None else None
    # The colours' share of the bar: decoding up to `heard`, the sound print's rest up to
    # `clustering`, then clustering.
    if decoded:
        heard, clustering = (0.8, 0.9) if sound else (0.9, 0.9)
    else:
        heard, clustering = (0.0, 0.5) if sound else (0.0, 0.0)
    with sound or contextlib.nullcontext():
        if samples is None:
            samples = _sample(path, info, params, _scaled(colors, 0.0, heard), cancel, sound)
        # Waited for before clustering, which makes the run's peak memory: the sound's
        # decoders are closed by then (25-30 MB less, docs/benchmarks.md).
        if sound is not None and not sound.missing:
            loudness = sound.levels(_sound_times(samples, params),
                                    on_progress=_scaled(colors, heard, clustering))
    if sound is not None:
        release_free_memory()  # the sound decoders' containers, before clustering
    fp = fingerprint_samples(samples, info=info, params=params,
                             on_progress=_scaled(colors, clustering, 1.0), cancel=cancel)
    if sound is not None and sound.missing:
        fp = replace(fp, warnings=(*fp.warnings, sound.missing))
    fp = replace(fp, loudness=loudness)
    kept = samples if decoded else None
    heard = None if sound is None or sound.missing else (_sound_times(samples, params), loudness)
    if not params.shots:
        return _Run(fp, kept, heard, None, None)
    request = shots_key(**shot_options(params, fp.crop))
    shots = cached_shots(request) if cached_shots else None
    found = None
    if shots is None:
        shots = found = find_shots(path, info=info, **shot_options(params, fp.crop),
                                   on_progress=layers, cancel=cancel)
    _check(cancel)
    fp = replace(fp, shots=shot_palettes(shots, k=params.clusters,
                                         color_space=params.color_space, seed=params.seed))
    return _Run(fp, kept, heard, found, request)


def _sound_print(
    path: str | os.PathLike[str], info: VideoInfo, params: Params,
    cancel: threading.Event | None, *, streamed: bool,
) -> SoundPrint:
    """The sound print's decoders, started before the frames decode (see `_sample`).
    ``streamed``: the frames' decoders hand over every time as they find it, all to one
    sound decoder, so a second would only hold its container's index (about 20 MB for a
    2-hour film; exact mode on the command line peaked 33 MB higher with it)."""
    _, slot = sample_times(info, count=params.samples, start=params.start, end=params.end)
    return SoundPrint(path, info=info, slot=slot, mode=params.mode, cancel=cancel,
                      workers=1 if streamed else None)


def _sound_times(samples: DecodedFrames, params: Params) -> np.ndarray:
    """Where the sound print measures, at each sample (`_sound_time`)."""
    return _sound_time(params, samples.times, samples.targets)


def _sound_time(
    params: Params, time: float | np.ndarray, target: float | np.ndarray
) -> float | np.ndarray:
    """Where the sound print measures a sample: at its frame in fast mode, whose frames
    stand for their slots wherever they fall in them; at its slot's middle in exact mode.
    Elementwise: times, or arrays of them."""
    return time if params.mode == "fast" else target


def _sample(
    path: str | os.PathLike[str],
    info: VideoInfo,
    params: Params,
    on_progress: ProgressCallback | None,
    cancel: threading.Event | None,
    sound: SoundPrint | None,
) -> DecodedFrames:
    """Decode the samples; the sound print is handed each one's time as it is found, so
    it is measured while the frames decode."""
    return sample(
        path,
        count=params.samples,
        mode=params.mode,
        start=params.start,
        end=params.end,
        size=params.size,
        info=info,
        on_progress=on_progress,
        on_sample=None if sound is None
        else lambda time, target: sound.add(_sound_time(params, time, target)),
        cancel=cancel,
    )


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


def _split(
    on_progress: ProgressCallback | None, params: Params, *, shots_decode: bool
) -> tuple[ProgressCallback | None, ProgressCallback | None]:
    """The progress bar's parts: the colours' (with the sound print, measured while the
    frames decode), then the shots'. Finding shots decodes every frame, so it takes most
    of the bar, unless the cache holds them."""
    colors_part = 0.3 if shots_decode else 0.9 if params.shots else 1.0
    return _scaled(on_progress, 0.0, colors_part), _scaled(on_progress, colors_part, 1.0)


def _scaled(on_progress: ProgressCallback | None, lo: float, hi: float) -> ProgressCallback | None:
    """Map a stage's 0-1 progress into its part of the whole run."""
    if on_progress is None:
        return None
    return lambda fraction, message: on_progress(lo + (hi - lo) * fraction, message)
