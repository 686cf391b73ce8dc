"""From a film to its `Fingerprint`: probe, sample, crop bars, cluster, with the cache."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._files import check_file
from ._memory import release_free_memory
from ._progress import ProgressCallback, scaled_progress
from ._summarise import frame_lines, summarise_samples
from .cache._cache import Cache
from .decode._frames import DecodedFrames, HeldFrames
from .decode._hdr import color_warning
from .errors import CacheWriteError, Cancelled
from .model import Fingerprint, VideoInfo
from .palette._histogram import frames_of
from .palette._kmeans import palettes_in_parts
from .palette._summary import ColorSummary
from .params import Params
from .shots._find import find_shots, shot_options, shots_key
from .shots._pixels import ShotPixels, shot_palettes
from .timecodes import timecode

if TYPE_CHECKING:
    from .sound._forked import ForkedSoundPrint
    from .sound._print import SoundPrint

# The decoders (PyAV, and what samples or hears a film) are imported where a film is
# opened (`_probe`, `_sample`, `_sound_print`): another k from the cache opens none, and
# the command line then starts 35 ms sooner (docs/benchmarks.md, issue 18 §3).

# Frames clustered per call: how often clustering reports progress and checks for a
# cancel.
_BATCH = 100
# The share of the colours' progress that summarising the frames takes when they were
# decoded or loaded (the rest is clustering): about their shares of the CPU at k = 5.
_SUMMARY_SHARE = 0.4


def fingerprint_samples(
    samples: DecodedFrames,
    *,
    info: VideoInfo,
    params: Params,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Fingerprint:
    """Cluster decoded samples into a `Fingerprint` (no video access).

    Setting ``cancel`` stops it between batches of frames with `Cancelled`."""
    summary = summarise_samples(samples, params=params,
                                on_progress=scaled_progress(on_progress, 0.0, _SUMMARY_SHARE),
                                cancel=cancel)
    return fingerprint_summary(summary, info=info, params=params,
                               on_progress=scaled_progress(on_progress, _SUMMARY_SHARE, 1.0),
                               cancel=cancel)


def fingerprint_summary(
    summary: ColorSummary,
    *,
    info: VideoInfo,
    params: Params,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Fingerprint:
    """Cluster samples' `ColorSummary` into a `Fingerprint`: what runs again when only k or
    the colour space change (no frames needed).

    Setting ``cancel`` stops it between batches of frames with `Cancelled`."""
    n, height, width = len(summary), summary.height, summary.width
    bars = summary.bars
    crop = (bars[0] / height, bars[1] / height, bars[2] / width, bars[3] / width)
    colors = np.empty((n, params.clusters, 3), np.uint8)
    shares = np.empty((n, params.clusters))
    starts = range(0, n, _BATCH)
    parts = [frames_of(summary.histograms, lo, min(n, lo + _BATCH)) for lo in starts]
    found = palettes_in_parts([(p.offsets, p.counts, p.means) for p in parts],
                              k=params.clusters, color_space=params.color_space, seed=params.seed)
    with contextlib.closing(found):  # a cancel stops the batches not started
        for lo, (batch_colors, batch_shares) in zip(starts, found, strict=True):
            _check(cancel)
            hi = min(n, lo + _BATCH)
            colors[lo:hi], shares[lo:hi] = batch_colors, batch_shares
            release_free_memory()  # as in `summarise_samples`
            if on_progress:
                on_progress(hi / n, f"finding colours: {hi}/{n} frames")
    warnings = list(filter(None, [color_warning(info)]))  # colours not reconstructible
    if summary.ended_at is not None:
        warnings.append(
            f"The video stops decoding at {timecode(summary.ended_at)} although it claims "
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
        times=summary.times,
        colors=colors,
        shares=shares,
        average=summary.average,
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
        info = _probe(path)
        params, notes = params.fitted(info)
        run = _run(path, info, params, on_progress=on_progress, cancel=cancel)
        return replace(run.fingerprint, warnings=notes + run.fingerprint.warnings)
    key = cache.key(check_file(path))
    entry = cache.entry(key)
    info = entry.info if entry else _probe(path)
    params, notes = params.fitted(info)
    found = cache.load_result(key, params)
    if found is not None:
        return found
    unsaved: list[str] = []  # the cache is optional: one that cannot be written costs
    try:  # the next run only, and the result says so
        with cache.lock(key), contextlib.ExitStack() as kept:
            found = cache.load_result(key, params)  # another session may have just made it
            if found is not None:
                return found

            def keep_frames(held: HeldFrames) -> None:
                try:  # written now, as they are held; kept if the run ends
                    kept.enter_context(cache.saving_samples(key, params, held))
                except CacheWriteError as exc:
                    unsaved.append(str(exc))

            summary = cache.load_summary(key, params)
            run = _run(
                path, info, params, summary=summary,
                samples=None if summary is not None else cache.load_samples(key, params),
                keep_frames=keep_frames,
                cached_loudness=lambda times: cache.load_loudness(key, params, times),
                cached_shots=lambda request: cache.load_shots(key, request),
                shots_cached=cache.has_shots(key, params), on_progress=on_progress,
                cancel=cancel,
            )
            _check(cancel)
            fp = replace(run.fingerprint, warnings=notes + run.fingerprint.warnings)
            try:
                cache.save_info(key, info, source=Path(path).resolve())  # frames check it
                if run.summarised is not None:
                    cache.save_summary(key, params, run.summarised)
                if run.heard is not None:
                    cache.save_loudness(key, params, *run.heard)
                if run.found_shots is not None:
                    cache.save_shots(key, run.shots_request, run.found_shots)
                cache.save_result(key, fp)
            except CacheWriteError as exc:
                unsaved.append(str(exc))
    except CacheWriteError as exc:  # the frames' file, renamed into place as `kept` closes
        unsaved.append(str(exc))
    return replace(fp, warnings=(*fp.warnings, unsaved[0])) if unsaved else fp


@dataclass(frozen=True)
class _Run:
    """A fingerprint made, and what of its making the cache keeps: the frames' colour
    summary if it was made, the sound print if it was measured (times, levels), the shots
    if they were found (with the key they are found by). The frames, if they were decoded,
    went to `_run`'s ``keep_frames``."""

    fingerprint: Fingerprint
    summarised: ColorSummary | None
    heard: tuple[np.ndarray, np.ndarray] | None
    found_shots: ShotPixels | None
    shots_request: dict[str, Any] | None


def _run(
    path: str | os.PathLike[str],
    info: VideoInfo,
    params: Params,
    *,
    samples: DecodedFrames | None = None,
    summary: ColorSummary | None = None,
    keep_frames: Callable[[HeldFrames], None] | None = None,
    cached_loudness: Callable[[np.ndarray], np.ndarray | None] | None = None,
    cached_shots: Callable[[dict[str, Any]], ShotPixels | None] | None = None,
    shots_cached: bool = False,
    on_progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> _Run:
    """Decode (unless ``samples`` or their ``summary`` are given), summarise the frames'
    colours (unless ``summary`` is given), measure the sound (unless ``cached_loudness``
    has it for the samples' times), cluster, find the shots (unless ``cached_shots`` has
    them for their key, `shots_key`); ``shots_cached`` says beforehand whether it will
    (for the progress bar's parts). Frames it decoded, held compressed, are handed to
    ``keep_frames`` and dropped once summarised, before clustering."""
    colors, layers = _split(on_progress, params, shots_decode=params.shots and not shots_cached)
    decoded = samples is None and summary is None
    made = samples if summary is None else summary  # what gives the samples' times
    loudness = None
    if params.sound and made is not None and cached_loudness is not None:
        loudness = cached_loudness(_sound_times(made, params))
    sound = _sound_print(path, info, params, cancel, streamed=decoded) \
        if params.sound and loudness is None else None
    # The colours' share of the bar: decoding up to `heard`, the sound print's rest up to
    # `clustering`, then clustering.
    if decoded:
        heard, clustering = (0.8, 0.9) if sound else (0.9, 0.9)
    else:
        heard, clustering = (0.0, 0.5) if sound else (0.0, 0.0)
    with sound or contextlib.nullcontext():
        if decoded:
            samples = made = _sample(path, info, params, scaled_progress(colors, 0.0, heard),
                                     cancel, sound)
            if keep_frames is not None:
                keep_frames(samples)
        # Waited for before clustering, which makes the run's peak memory: the sound's
        # decoders are closed by then (25-30 MB less, docs/benchmarks.md).
        if sound is not None and not sound.missing:
            loudness = sound.levels(_sound_times(made, params),
                                    on_progress=scaled_progress(colors, heard, clustering))
    if sound is not None:
        release_free_memory()  # the sound decoders' containers, before clustering
    summarised = None
    if summary is None:
        summarising = clustering + _SUMMARY_SHARE * (1.0 - clustering)
        summary = summarised = summarise_samples(
            samples, params=params, lines=samples.measured if decoded else None,
            on_progress=scaled_progress(colors, clustering, summarising), cancel=cancel)
        clustering = summarising
        samples = made = None  # the frames (64 MB held, 173 MB loaded), before clustering
        release_free_memory()
    fp = fingerprint_summary(summary, info=info, params=params,
                             on_progress=scaled_progress(colors, clustering, 1.0), cancel=cancel)
    if sound is not None and sound.missing:
        fp = replace(fp, warnings=(*fp.warnings, sound.missing))
    fp = replace(fp, loudness=loudness)
    heard = None if sound is None or sound.missing else (_sound_times(summary, params), loudness)
    if not params.shots:
        return _Run(fp, summarised, heard, None, None)
    request = shots_key(**shot_options(params, fp.crop))
    shots = cached_shots(request) if cached_shots else None
    found = None
    if shots is None:
        shots = found = find_shots(path, info=info, **shot_options(params, fp.crop),
                                   on_progress=layers, cancel=cancel)
    _check(cancel)
    fp = replace(fp, shots=shot_palettes(shots, k=params.clusters,
                                         color_space=params.color_space, seed=params.seed))
    return _Run(fp, summarised, heard, found, request)


def _sound_print(
    path: str | os.PathLike[str], info: VideoInfo, params: Params,
    cancel: threading.Event | None, *, streamed: bool,
) -> SoundPrint | ForkedSoundPrint:
    """The sound print's decoders, started before the frames decode (see `_sample`), in
    a child process where the system forks (`sound._forked`).
    ``streamed``: the frames' decoders hand over every time as they find it, all to one
    sound decoder, so a second would only hold its container's index (about 20 MB for a
    2-hour film; exact mode on the command line peaked 33 MB higher with it)."""
    from .decode._sampling import sample_times
    from .sound._forked import start_sound_print

    _, slot = sample_times(info, count=params.samples, start=params.start, end=params.end)
    return start_sound_print(path, info=info, slot=slot, mode=params.mode, cancel=cancel,
                             workers=1 if streamed else None)


def _sound_times(
    samples: DecodedFrames | HeldFrames | ColorSummary, params: Params
) -> np.ndarray:
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
    sound: SoundPrint | ForkedSoundPrint | None,
) -> HeldFrames:
    """Decode the samples; the sound print is handed each one's time as it is found, so
    it is measured while the frames decode, and the bars' lines are counted on each
    frame while it is at hand."""
    from .decode._sampling import sample_held

    return sample_held(
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
        measure=frame_lines if params.crop else None,
        cancel=cancel,
    )


def _probe(path: str | os.PathLike[str]) -> VideoInfo:
    from .decode._video import probe

    return probe(path)


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
    return (scaled_progress(on_progress, 0.0, colors_part),
            scaled_progress(on_progress, colors_part, 1.0))
