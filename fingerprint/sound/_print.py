"""The sound print: a film's loudness at the fingerprint's sample times, in LUFS.

Loudness is EBU R128 / ITU-R BS.1770's (`loudness.lufs`); this module finds the film's
main sound, decodes the windows it needs and measures them.

``mode="fast"`` measures R128's short-term loudness, a 3 s window around each sample
(narrowed to the column's slot when columns are closer than 3 s, so neighbours do not
blur into each other), seeking to each window and decoding only it. ``mode="exact"``
measures each column's whole slot, so every moment of the sound counts once: it decodes
the track once, straight through, its halves in two decoders, as `sampling.sample`
splits the samples; fast mode uses one decoder (see `_WORKERS`). Either way the
measuring can start while the frames decode (`SoundPrint`).
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import math
import os
import statistics
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import av
import numpy as np

from .._progress import ProgressCallback, wait_reporting
from ..decode._video import decode_frames, demux_only, open_video, seek_to
from ..errors import Cancelled, DecodeError
from ..model import VideoInfo
from ..params import Mode
from ._loudness import channel_weights, lufs

# Decoder threads are named so, for tests that check none is left running.
SOUND_THREAD = "fingerprint-sound"
# R128's short-term window, seconds.
SHORT_TERM = 3.0
# Decoded before each window after a seek: AAC and other MDCT codecs need the previous
# frame to rebuild the first samples exactly.
_PREROLL = 0.1
# A gap to the next window shorter than this is decoded through rather than sought over:
# a seek costs about as much as decoding this much audio (bench/sound_shots.py).
_SEEK_GAP = 1.0

# Decoders per mode. PyAV lets go of the GIL for each packet's read and decode, but a
# frame's Python takes it back: two threads hand it to and fro at every packet.
# Fast mode (1000 windows, 2-hour film, docs/benchmarks.md): one decoder 3.0-3.3 s of
# wall and CPU; two 2.7-3.7 s of wall for 4.2-5.3 s of CPU and 28-32 MB more. Exact mode
# decodes on without seeking, where the second decoder pays.
_WORKERS = {"fast": 1, "exact": 2}

# Frame timestamps off by more than this from the samples counted so far mark a hole in
# the sound; less is jitter (muxers round audio timestamps by up to a video frame).
_HOLE = 0.2
# Frames after a seek whose times place the audio held: a frame can be stamped off its
# samples (Vorbis in WebM, where the block size changes: 9.8 ms late), and placed by the
# first frame alone, a 0.1 s window's level moved by up to 3.5 LU. The median of the
# first frames' places is right (docs/benchmarks.md, "The sound print after a seek").
_STAMPS = 16

# Titles that mark a track that is not the film's own sound.
_NOT_MAIN = ("commentary", "description", "descriptive", "audio description")


def audio_stream(container: av.container.InputContainer) -> av.AudioStream | None:
    """The film's main sound: among audio streams that are not commentary or audio
    description (by disposition flags and by title), the default one, then the one with
    most channels, then the first. None when the film has no audio."""
    streams = list(container.streams.audio)
    if not streams:
        return None
    D = av.stream.Disposition

    def secondary(s: av.AudioStream) -> bool:
        title = (s.metadata.get("title") or s.metadata.get("handler_name") or "").lower()
        flags = D.comment | D.visual_impaired | D.descriptions | D.hearing_impaired
        return bool(s.disposition & flags) or any(w in title for w in _NOT_MAIN)

    main = [s for s in streams if not secondary(s)] or streams
    return max(
        main,
        key=lambda s: (bool(s.disposition & D.default), s.codec_context.channels, -s.index),
    )


class _Track:
    """One decoder walking forward through the sound, keeping the audio not yet measured
    in one float array (channels, samples) that grows as a window needs."""

    def __init__(self, path: str, info: VideoInfo) -> None:
        self.container = open_video(path)
        stream = audio_stream(self.container)
        assert stream is not None  # the caller checked
        self.stream = stream
        self.stream.codec_context.thread_type = "NONE"
        demux_only(self.container, stream)  # the picture is most of the bytes
        self.offset = info.start_time
        self.frames = None
        self.rate = stream.codec_context.sample_rate or stream.rate
        self.layout = stream.layout
        weights = channel_weights([c.name for c in stream.layout.channels])
        self.channels = len(weights)
        # Only channels that count are kept and K-weighted: the LFE's weight is 0, so a
        # 5.1 track costs five channels' FFTs, not six.
        self.counted = np.flatnonzero(weights) if weights.any() else np.arange(len(weights))
        self.weights = weights[self.counted]
        self.audio = np.empty((len(self.counted), 0), np.float32)
        self.start = math.nan  # seconds from the film's start of audio[:, 0]
        self.filled = 0  # samples held in audio
        self.resampler: av.AudioResampler | None = None
        self.ended = False
        self.stamps: list[float] = []  # where the first frames held place audio[:, 0]

    def close(self) -> None:
        self.container.close()

    def _seek(self, t: float) -> None:
        with contextlib.suppress(av.FFmpegError):
            seek_to(self.container, self.stream, t, start=self.offset)
        self.stream.codec_context.flush_buffers()
        # Packet by packet: after a seek in MPEG-PS (a DVD's .vob) the first AC-3 or MP2
        # packet is the tail of a frame, which does not decode; the next ones do.
        self.frames = decode_frames(self.container, self.stream)
        self.filled, self.start = 0, math.nan
        self.ended = False
        self.stamps: list[float] = []

    def _converted(self, frame: av.AudioFrame) -> list[np.ndarray]:
        """The frame's counted channels, converted to the stream's own layout and rate in
        planar float (for decoders that give another format)."""
        if self.resampler is None:
            self.resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=self.rate)
        frames = self.resampler.resample(frame)
        if not frames:
            return [np.zeros(0, np.float32)] * len(self.counted)
        return list(np.concatenate([f.to_ndarray() for f in frames], axis=1)[self.counted])

    def _decode_to(self, hi: float) -> None:
        """Decode on until the audio held reaches ``hi`` or the sound ends.

        Runs once for each of the 135,000 frames a 2-hour film's sound print decodes, so
        it keeps to locals and views: a frame in the stream's own planar float layout (AAC,
        Vorbis, Opus, MP3, AC-3 give it) is copied straight from its planes."""
        frames, rate, offset, counted = self.frames, self.rate, self.offset, self.counted
        while not self.filled or self.start + self.filled / rate < hi:
            try:
                frame = next(frames, None)
            except (av.FFmpegError, EOFError):
                frame = None
            if frame is None:
                self.ended = True
                return
            filled = self.filled
            end = self.start + filled / rate
            t = end if frame.time is None else frame.time - offset
            if not filled or abs(t - end) > _HOLE:
                # The first frame, or a hole in the sound: start afresh here.
                filled, self.start, self.stamps = 0, t, []
            if len(self.stamps) < _STAMPS:
                self.stamps.append(t - filled / rate)
                self.start = statistics.median(self.stamps)
            planes = frame.planes
            if (frame.format.name == "fltp" and len(planes) == self.channels
                    and frame.sample_rate == rate):
                n = frame.samples
                planes = [np.frombuffer(planes[c], np.float32, n) for c in counted]
            else:
                planes = self._converted(frame)
                n = len(planes[0])
            if filled + n > self.audio.shape[1]:
                grown = np.empty((len(counted), 2 * (filled + n)), np.float32)
                grown[:, :filled] = self.audio[:, :filled]
                self.audio = grown
            audio = self.audio
            for row, plane in enumerate(planes):
                audio[row, filled : filled + n] = plane
            self.filled = filled + n

    def measure(self, lo: float, hi: float) -> float:
        """Loudness of [lo, hi) seconds from the film's start."""
        # Decode on from where the decoder is when it holds the window's start or is at
        # most a short gap before it; otherwise seek.
        onward = (
            self.frames is not None
            and self.filled > 0
            and self.start <= lo + 1 / self.rate
            and self.start + self.filled / self.rate >= lo - _SEEK_GAP
        )
        if not onward:
            self._seek(lo - _PREROLL)
        if not self.ended:
            self._decode_to(hi)
        if not self.filled:
            return math.nan
        a = min(self.filled, max(0, round((lo - self.start) * self.rate)))
        b = min(self.filled, max(a, round((hi - self.start) * self.rate)))
        level = lufs(self.audio[:, a:b], rate=self.rate, weights=self.weights)
        if a:  # keep what the next window may need (they come in time order)
            self.audio[:, : self.filled - a] = self.audio[:, a : self.filled]
            self.start += a / self.rate
            self.stamps = [stamp + a / self.rate for stamp in self.stamps]
            self.filled -= a
        return level


def has_sound(path: str | os.PathLike[str]) -> str | None:
    """None when the film has a sound track that decodes; else the sentence that says why
    there is no sound print."""
    try:
        with open_video(path) as container:
            stream = audio_stream(container)
            if stream is None:
                return "The film has no sound track, so there is no sound print."
            for frame in container.decode(stream):
                if frame.samples:
                    return None
    except (av.FFmpegError, EOFError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return f"The film's sound track does not decode ({reason}), so there is no sound print."
    return "The film's sound track holds no sound, so there is no sound print."


class _Meter:
    """One sound decoder in a thread of its own, measuring ``half`` seconds either side of
    each time handed to it, as the times come. It takes the nearest time after the last
    one it measured, so windows in order decode onward rather than seek."""

    def __init__(self, track: _Track, *, half: float, stop: Callable[[], bool]) -> None:
        self.track, self.half, self.stop = track, half, stop
        self.pending: list[float] = []  # sorted
        self.levels: dict[float, float] = {}
        self.last = -math.inf  # the time measured last, or being measured
        self.finished = False  # no more times will come
        self.wake = threading.Condition()

    def add(self, times: list[float]) -> None:
        with self.wake:
            for t in times:
                if t not in self.levels:
                    bisect.insort(self.pending, t)
            self.wake.notify()

    def handed(self) -> set[float]:
        """The times handed over so far, measured or not."""
        with self.wake:
            return self.levels.keys() | set(self.pending) | {self.last}

    def finish(self) -> None:
        with self.wake:
            self.finished = True
            self.wake.notify()

    def _next(self) -> float | None:
        with self.wake:
            # The timeout: a stop (a cancel, another thread's failure) does not notify.
            while not (self.pending or self.finished or self.stop()):
                self.wake.wait(0.05)
            if self.stop() or not self.pending:
                return None
            i = bisect.bisect_left(self.pending, self.last)
            self.last = self.pending.pop(i if i < len(self.pending) else 0)
            return self.last

    def run(self) -> None:
        while (t := self._next()) is not None:
            level = self.track.measure(max(0.0, t - self.half), t + self.half)
            with self.wake:
                self.levels[t] = level


class SoundPrint:
    """A sound print being measured, by `_WORKERS` sound decoders for the mode, each in a
    thread of its own, from the moment it is made.

    Times may be handed over as they become known (`add`): fast mode's sample times are
    those of the frames the sampler finds, and measuring each as it is found puts the
    sound's work beside the frames' decoding, which leaves part of the cores idle, rather
    than after it (docs/benchmarks.md, "The sound print measured while the frames
    decode"). `levels` hands over the rest and waits. ``mode``, ``slot``: as `loudness`.
    ``missing`` is the sentence that says why there is no sound print (`has_sound`), or
    None. Use it as a context manager: leaving it stops the decoders.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        info: VideoInfo,
        slot: float,
        mode: Mode = "fast",
        workers: int | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        half = slot / 2 if mode == "exact" else min(SHORT_TERM, slot) / 2
        self.missing = has_sound(path)
        self._cancel = cancel
        self._halt = threading.Event()  # set when this gives up: every decoder stops
        self._tracks = contextlib.ExitStack()
        # Opened here, not in the decoders' threads: glibc gives each new thread a malloc
        # arena of its own, where each container's sample index (about 20 MB for a 2-hour
        # film) took fresh memory instead of what the frames' decoders had freed. Two
        # decoders opened in their threads rose 40 MB above analyze's earlier peak; opened
        # here, 18-19 MB; fast mode's one decoder, 2-4 MB (bench/sound_shots.py).
        with self._tracks:
            self._meters = [
                _Meter(self._tracks.enter_context(contextlib.closing(_Track(str(path), info))),
                       half=half, stop=self._stopped)
                for _ in range(0 if self.missing else max(1, workers or _WORKERS[mode]))
            ]
            self._tracks = self._tracks.pop_all()
        self._pool = ThreadPoolExecutor(max(1, len(self._meters)), thread_name_prefix=SOUND_THREAD)
        self._futures = [self._pool.submit(meter.run) for meter in self._meters]

    def _stopped(self) -> bool:
        return self._halt.is_set() or (self._cancel is not None and self._cancel.is_set())

    def add(self, t: float) -> None:
        """Measure around ``t`` (seconds from the film's start) as soon as a decoder is
        free. Safe from any thread."""
        if self._meters:
            self._meters[0].add([float(t)])

    def levels(
        self, times: np.ndarray, *, on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """The loudness around each of ``times`` (ascending), once measured: those not
        handed over yet are split between the decoders in contiguous parts. Raises
        `Cancelled` when ``cancel`` is set, `DecodeError` when the sound is ``missing``."""
        if self.missing:
            raise DecodeError(self.missing)
        times = np.asarray(times, np.float64)
        count = len(times)
        if on_progress:  # the stage starts now, not at the first report from the decoders
            on_progress(0.0, f"measuring sound: 0/{count}")
        known: set[float] = set()
        for meter in self._meters:
            known |= meter.handed()
        rest = [float(t) for t in times if float(t) not in known]
        bounds = np.linspace(0, len(rest), len(self._meters) + 1).round().astype(int)
        for meter, (a, b) in zip(self._meters, itertools.pairwise(bounds), strict=True):
            meter.add(rest[a:b])
            meter.finish()

        def report() -> None:
            if on_progress:
                done = min(count, sum(len(m.levels) for m in self._meters))
                on_progress(done / count, f"measuring sound: {done}/{count}")

        wait_reporting(self._futures, report=report, halt=self._halt)
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled
        found: dict[float, float] = {}
        for meter in self._meters:
            found.update(meter.levels)
        return np.array([found.get(float(t), math.nan) for t in times])

    def close(self) -> None:
        self._halt.set()
        self._pool.shutdown(wait=True)
        self._tracks.close()

    def __enter__(self) -> SoundPrint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def loudness(
    path: str | os.PathLike[str],
    *,
    info: VideoInfo,
    times: np.ndarray,
    slot: float,
    mode: Mode = "fast",
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Loudness (LUFS) around each of ``times`` (seconds from the film's start, ascending).

    ``mode="fast"``: the short-term loudness (3 s, or ``slot`` if shorter) centred on each
    time. ``mode="exact"``: the loudness of each time's whole slot. NaN where the sound has
    ended. ``workers``: decoders (by default `_WORKERS` for the mode). Raises `Cancelled`
    when ``cancel`` is set, `DecodeError` when the film has no sound that decodes
    (`has_sound` says why).
    """
    if len(times) == 0:
        return np.zeros(0)
    workers = min(workers or _WORKERS[mode], len(times))
    with SoundPrint(path, info=info, slot=slot, mode=mode, workers=workers,
                    cancel=cancel) as sound:
        return sound.levels(times, on_progress=on_progress)
