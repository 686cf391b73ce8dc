"""The sound print: a film's loudness at the fingerprint's sample times, in LUFS.

Loudness is EBU R128 / ITU-R BS.1770: each channel K-weighted (a high shelf for the head's
effect, a high-pass for the ear's deafness to rumble), its mean square weighted by
position (surrounds x1.41, LFE left out), summed, and ``-0.691 + 10 log10``. K-weighting
is applied in the frequency domain: by Parseval the mean square of the filtered window is
the window's power spectrum weighted by the filters' squared magnitude, so one FFT per
window and channel replaces a sample-by-sample IIR loop (which NumPy cannot batch). It
differs from filtering in time only by the filters' start-up transient, a few ms of a
window of seconds.

``mode="fast"`` measures R128's short-term loudness, a 3 s window around each sample
(narrowed to the column's slot when columns are closer than 3 s, so neighbours do not
blur into each other), seeking to each window and decoding only it. ``mode="exact"``
measures each column's whole slot, so every moment of the sound counts once: it decodes
the track once, straight through, its halves in two decoders, as `sampling.sample`
splits the samples; fast mode uses one decoder (see `_WORKERS`).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import av
import numpy as np

from .errors import Cancelled
from .model import VideoInfo
from .params import Mode
from .workers import wait_reporting

ProgressCallback = Callable[[float, str], None]

# Decoder threads are named so, for tests that check none is left running.
SOUND_THREAD = "fingerprint-sound"
# R128's short-term window, seconds.
SHORT_TERM = 3.0
# R128's absolute gate: anything quieter (silence reads as -inf) is reported at this floor,
# so a silent column has a level a chart and a JSON file can hold.
FLOOR = -70.0
# Decoded before each window after a seek: AAC and other MDCT codecs need the previous
# frame to rebuild the first samples exactly.
_PREROLL = 0.1
# A gap to the next window shorter than this is decoded through rather than sought over:
# a seek costs about as much as decoding this much audio (bench/sound_shots.py).
_SEEK_GAP = 1.0

# Samples per FFT block: bins of 5.4 Hz at 44.1 kHz, fine enough for the K-weighting's
# gentlest slope: tones above 100 Hz read within 0.01 dB of the standard's filters; at
# 30-45 Hz, on the high-pass's slope, within 0.8 dB.
_BLOCK = 8192
# Blocks per batched FFT: bounds the spectra held at once to a few MB however long the
# window (exact mode's slot of a long film with few samples may span minutes).
_CHUNK = 32

# Decoders per mode. PyAV lets go of the GIL for each packet's read and decode, but a
# frame's Python takes it back: two threads hand it to and fro at every packet.
# Fast mode (1000 windows, 2-hour film, docs/benchmarks.md): one decoder 3.0-3.3 s of
# wall and CPU; two 2.7-3.7 s of wall for 4.2-5.3 s of CPU and 28-32 MB more. Exact mode
# decodes on without seeking, where the second decoder pays.
_WORKERS = {"fast": 1, "exact": 2}

# Frame timestamps off by more than this from the samples counted so far mark a hole in
# the sound; less is jitter (muxers round audio timestamps by up to a video frame).
_HOLE = 0.2

# BS.1770 K-weighting as analogue prototypes, so it applies at any sample rate (the
# standard gives coefficients for 48 kHz only; these reproduce them: libebur128's values).
_SHELF = (3.999843853973347, 0.7071752369554196, 1681.974450955533)  # gain dB, Q, Hz
_HIGH_PASS = (0.5003270373238773, 38.13547087602444)  # Q, Hz

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


def _biquad_gain(b: tuple, a: tuple, w: np.ndarray) -> np.ndarray:
    """|H(e^jw)|² of a biquad."""
    z = np.exp(-1j * w)
    return np.abs(np.polyval(b[::-1], z) / np.polyval(a[::-1], z)) ** 2


@functools.lru_cache(maxsize=8)
def k_weighting(rate: int, n: int) -> np.ndarray:
    """K-weighting's squared magnitude at the ``n // 2 + 1`` bins of an n-point rfft, mirror
    images counted: ``|rfft(x, n)|² @ k_weighting(rate, n) / n`` is the filtered sum of squares."""
    w = 2 * np.pi * np.fft.rfftfreq(n, 1 / rate) / rate
    gain_db, q, fc = _SHELF
    k = np.tan(np.pi * fc / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    shelf = _biquad_gain(
        (vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k),
        (1 + k / q + k * k, 2 * (k * k - 1), 1 - k / q + k * k),
        w,
    )
    q, fc = _HIGH_PASS
    k = np.tan(np.pi * fc / rate)
    a0 = 1 + k / q + k * k
    # The standard leaves this numerator unnormalised (a passband gain of +0.04 dB).
    high_pass = _biquad_gain((1, -2, 1), (1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), w)
    gain = shelf * high_pass
    # Each bin but DC and Nyquist stands for itself and its mirror image.
    gain[1 : (n + 1) // 2] *= 2
    gain.flags.writeable = False  # shared by the cache
    return gain


def channel_weights(names: list[str]) -> np.ndarray:
    """BS.1770's weight of each channel by its position: surrounds 1.41, LFE 0, others 1."""
    surround = {"SL", "SR", "BL", "BR", "SIDE_LEFT", "SIDE_RIGHT", "BACK_LEFT", "BACK_RIGHT"}
    return np.array(
        [0.0 if "LFE" in n else 1.41 if n in surround else 1.0 for n in names]
    )


def lufs(samples: np.ndarray, *, rate: int, weights: np.ndarray | None = None) -> float:
    """Loudness (LUFS) of ``samples`` ``(channels, n)`` float, full scale ±1: a sine of
    peak 10^(L/20) in every channel of a stereo pair reads L at 1 kHz. Silence reads
    `FLOOR`; an empty window reads NaN."""
    channels, n = samples.shape
    if n == 0:
        return math.nan
    weights = np.ones(channels) if weights is None else weights
    gain = k_weighting(rate, _BLOCK)
    # Parseval block by block: blocks of _BLOCK samples (the last zero-padded, which adds
    # no energy) share one cached filter response, and short FFTs batched over blocks
    # cost a third of one long FFT of the window. Whole blocks go _CHUNK at a time, so a
    # long window needs no padded copy and its spectra take a bounded amount of memory.
    # In double precision: NumPy's FFT of such a batch takes 0.65 ms in float64 against
    # 2.8 ms in float32 (3 s of stereo at 44.1 kHz; exact mode spent half its time
    # there). SciPy's float32 FFT takes 0.4 ms, but importing scipy.fft costs 26 MB.
    energy = np.zeros(channels)
    for lo in range(0, n, _CHUNK * _BLOCK):
        chunk = samples[:, lo : lo + _CHUNK * _BLOCK].astype(np.float64)
        blocks, rest = divmod(chunk.shape[1], _BLOCK)
        if blocks:
            whole = chunk[:, : blocks * _BLOCK].reshape(channels, blocks, _BLOCK)
            energy += (np.abs(np.fft.rfft(whole, axis=2)) ** 2).sum(axis=1) @ gain
        if rest:
            energy += np.abs(np.fft.rfft(chunk[:, blocks * _BLOCK :], n=_BLOCK)) ** 2 @ gain
    power = float(weights @ energy) / (_BLOCK * n)
    return max(FLOOR, -0.691 + 10 * math.log10(power)) if power > 0 else FLOOR


class _Track:
    """One decoder walking forward through the sound, keeping the audio not yet measured
    in one float array (channels, samples) that grows as a window needs."""

    def __init__(self, path: str, info: VideoInfo) -> None:
        self.container = av.open(path, metadata_errors="ignore")
        stream = audio_stream(self.container)
        assert stream is not None  # the caller checked
        self.stream = stream
        self.stream.codec_context.thread_type = "NONE"
        # The demuxer skips the picture's packets instead of reading and dropping them:
        # in an interleaved file they are most of the bytes (bench/sound_shots.py).
        for other in self.container.streams:
            if other.index != stream.index:
                other.discard = av.stream.Discard.all
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

    def close(self) -> None:
        self.container.close()

    def _seek(self, t: float) -> None:
        ts = int((t + self.offset) / self.stream.time_base)
        with contextlib.suppress(av.FFmpegError):
            self.container.seek(max(ts, 0), stream=self.stream, backward=True)
        self.stream.codec_context.flush_buffers()
        self.frames = self.container.decode(self.stream)
        self.filled, self.start = 0, math.nan
        self.ended = False

    def _planes(self, frame: av.AudioFrame) -> list[np.ndarray]:
        """The frame's counted channels as float arrays: viewed in place when the decoder
        gives the stream's own layout in planar float (AAC, Vorbis, Opus, MP3, AC-3 do:
        no conversion), else converted to it."""
        planes = frame.planes
        if (frame.format.name == "fltp" and len(planes) == self.channels
                and frame.sample_rate == self.rate):
            n = frame.samples
            return [np.frombuffer(planes[c], np.float32, n) for c in self.counted]
        if self.resampler is None:
            self.resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=self.rate)
        frames = self.resampler.resample(frame)
        if not frames:
            return [np.zeros(0, np.float32)] * len(self.counted)
        return list(np.concatenate([f.to_ndarray() for f in frames], axis=1)[self.counted])

    def _decode_to(self, hi: float) -> None:
        """Decode on until the audio held reaches ``hi`` or the sound ends."""
        frames, rate, offset = self.frames, self.rate, self.offset
        while not self.filled or self.start + self.filled / rate < hi:
            try:
                frame = next(frames, None)
            except (av.FFmpegError, EOFError):
                frame = None
            if frame is None:
                self.ended = True
                return
            planes = self._planes(frame)
            n = len(planes[0])
            end = self.start + self.filled / rate
            t = frame.time - offset if frame.time is not None else end
            if not self.filled or abs(t - end) > _HOLE:
                # The first frame, or a hole in the sound: start afresh here.
                self.filled, self.start = 0, t
            filled = self.filled
            if filled + n > self.audio.shape[1]:
                grown = np.empty((len(planes), 2 * (filled + n)), np.float32)
                grown[:, :filled] = self.audio[:, :filled]
                self.audio = grown
            for channel, plane in zip(self.audio, planes, strict=True):
                channel[filled : filled + n] = plane
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
            self.filled -= a
        return level


def has_sound(path: str | os.PathLike[str]) -> str | None:
    """None when the film has a sound track that decodes; else the sentence that says why
    there is no sound print."""
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
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
    ended. Call `has_sound` first: this assumes a decodable track. ``workers``: decoders
    (by default `_WORKERS` for the mode). Raises `Cancelled` when ``cancel`` is set.
    """
    times = np.asarray(times, np.float64)
    count = len(times)
    if count == 0:
        return np.zeros(0)
    half = slot / 2 if mode == "exact" else min(SHORT_TERM, slot) / 2
    levels = np.full(count, math.nan)
    done = [0]
    lock = threading.Lock()

    halt = threading.Event()  # set when this call gives up: every decoder stops

    def work(indices: range, track: _Track) -> None:
        for i in indices:
            if halt.is_set() or (cancel is not None and cancel.is_set()):
                return
            t = float(times[i])
            levels[i] = track.measure(max(0.0, t - half), t + half)
            with lock:
                done[0] += 1

    workers = max(1, min(workers or _WORKERS[mode], count))
    bounds = np.linspace(0, count, workers + 1).round().astype(int)
    parts = [range(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    if on_progress:  # the stage starts now, not at the first report from the decoders
        on_progress(0.0, f"measuring sound: 0/{count}")
    with contextlib.ExitStack() as tracks:
        # Opened here, not in the workers: glibc gives each new thread a malloc arena of
        # its own, where each container's sample index (about 20 MB for a 2-hour film)
        # took fresh memory instead of what the frames' decoders had freed. Two decoders
        # opened in the workers rose 40 MB above analyze's earlier peak; opened here,
        # 18-19 MB; fast mode's one decoder, 2-4 MB (bench/sound_shots.py).
        opened = [tracks.enter_context(contextlib.closing(_Track(str(path), info)))
                  for _ in parts]
        with ThreadPoolExecutor(len(parts), thread_name_prefix=SOUND_THREAD) as pool:
            futures = [
                pool.submit(work, part, track)
                for part, track in zip(parts, opened, strict=True)
            ]

            def report() -> None:
                if on_progress:
                    on_progress(done[0] / count, f"measuring sound: {done[0]}/{count}")

            wait_reporting(futures, report=report, halt=halt)
    if cancel is not None and cancel.is_set():
        raise Cancelled
    return levels
