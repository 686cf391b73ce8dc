"""Probe a video and decode frames at chosen times, straight from the file.

Frames come out as RGB at a small working size with the display aspect ratio and the
rotation metadata applied. Nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from .errors import (
    Cancelled,
    DecodeError,
    InvalidParameterError,
    NotAVideoError,
    NoVideoStreamError,
    UnreadableFileError,
    VideoNotFoundError,
)
from .hdr import hdr_kind, matrix_name, needs_conversion, primaries_name, to_sdr, transfer_name
from .model import Mode, VideoInfo

ProgressCallback = Callable[[float, str], None]

# Far past the end of any film: seeking there lands on the last keyframe.
_END_OF_TIME = 10**12

# FFmpeg demuxers that draw text files (.txt, .nfo, ANSI art) as a "video" stream.
_TEXT_FORMATS = {"tty", "bin", "xbin", "adf", "idf"}

# A frame this close to a slot's upper edge belongs to the next slot: a frame exactly on
# the edge must not be taken by both slots, and Matroska/WebM round times to the
# millisecond (frame 11 at 24 fps is at 0.458 s, not 0.45833), so a frame that belongs on
# an edge can be stamped up to 1 ms before it. Otherwise fast mode, which never repeats a
# frame, took two frames for one slot and none for the next one (the demo film at one
# sample per frame lost 2 of 720).
_EDGE = 1e-3

# Fast mode's decode budget, in decoded frames: each sample adds this many, and a reader
# starts with (and banks at most) the frames of `_FAST_START_PIXELS`, about a second of
# decoding at any resolution, so short clips are sampled at their targets as before.
# Where keyframes are sparser than the samples (an episode at 1000 samples), decoding
# forward to every target cost up to a full decode (45 min: 52.8 s against 7.2 s for the
# 2-hour film); with the budget spent, a sample takes the newest frame decoded so far,
# with its true time. bench/scaling.py set both: CPU time within 1.4x the 2-hour film's
# at any length from 10 min to 3 h (docs/benchmarks.md).
_FAST_FRAMES_PER_SAMPLE = 1
_FAST_START_PIXELS = 5e8  # 240 frames of 1080p, 540 of 720p
# ...but a fast-mode frame never trails its target by more than this, whatever the budget:
# the longest keyframe interval common encoders use by default (keyint 250 at 25 fps).
# Only a film with rarer keyframes (a single one, say) decodes forward past the budget.
_FAST_MAX_LAG = 10.0

# Decoder threads are named so, for callers and tests that check none is left running.
DECODER_THREAD = "fingerprint-decoder"

# swscale names for the colour matrices FFmpeg tags (AVColorSpace values).
_MATRIX = {1: "itu709", 5: "itu601", 6: "smpte170m", 7: "smpte240m", 9: "bt2020", 10: "bt2020"}


@dataclass(frozen=True, eq=False)
class DecodedFrames:
    """Decoded samples: ``frames`` (N, H, W, 3) uint8 at working size, ``times`` (N,) the
    actual presentation time of each frame in seconds from the film's start, ``targets``
    (N,) the times asked for. ``ended_at`` is set when the video stopped decoding before
    the end of the span: the time of the last frame that decoded."""

    frames: np.ndarray
    times: np.ndarray
    targets: np.ndarray
    ended_at: float | None = None


def check_file(path: str | os.PathLike[str]) -> Path:
    """Raise our exception if ``path`` is missing, a folder, unreadable or empty."""
    p = Path(path)
    if not p.exists():
        raise VideoNotFoundError(f"no such file: {p}.")
    if p.is_dir():
        raise UnreadableFileError(f"{p} is a folder, not a video file.")
    if not os.access(p, os.R_OK):
        raise UnreadableFileError(f"cannot read {p}: permission denied.")
    if p.stat().st_size == 0:
        raise NotAVideoError(f"{p.name} is empty (0 bytes).")
    return p


def _open(path: str | os.PathLike[str]) -> av.container.InputContainer:
    """Open ``path`` for reading, turning every way that can fail into our exceptions."""
    p = check_file(path)
    try:
        container = av.open(str(p), metadata_errors="ignore")
    except PermissionError as exc:
        raise UnreadableFileError(f"cannot read {p}: permission denied.") from exc
    except (av.FFmpegError, UnicodeDecodeError, OSError) as exc:
        raise NotAVideoError(
            f"{p.name} is not a video FFmpeg can read ({_reason(exc)})."
        ) from exc
    if container.format.name in _TEXT_FORMATS:
        container.close()
        raise NotAVideoError(f"{p.name} is a text file, not a video.")
    return container


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _video_stream(container: av.container.InputContainer, name: str) -> av.VideoStream:
    """The film's picture: the largest video stream that is not cover art. Never stream 0
    by assumption: some files put audio first."""
    streams = [
        s
        for s in container.streams.video
        if not (s.disposition & av.stream.Disposition.attached_pic)
    ]
    if not streams:
        # Any video stream left here is cover art: "no video stream (it holds video)"
        # would contradict itself.
        kinds = sorted(
            {"cover art" if s.type == "video" else s.type for s in container.streams}
        ) or ["nothing"]
        raise NoVideoStreamError(
            f"{name} has no video stream (it holds {', '.join(kinds)}); choose a video file."
        )
    return max(streams, key=lambda s: (s.codec_context.width * s.codec_context.height, -s.index))


def _seconds(value: int | None, time_base) -> float | None:
    return None if value is None or time_base is None else float(value * time_base)


def _frame_time(frame: av.VideoFrame, stream: av.VideoStream) -> float | None:
    ts = frame.pts if frame.pts is not None else frame.dts
    return _seconds(ts, stream.time_base)


def _display_size(stream: av.VideoStream, rotation: int) -> tuple[int, int]:
    cc = stream.codec_context
    width, height = cc.width, cc.height
    sar = stream.sample_aspect_ratio or cc.sample_aspect_ratio
    if sar and sar > 0 and sar != 1:
        width = max(1, round(width * float(sar)))
    return (height, width) if rotation in (90, 270) else (width, height)


# Sample entries of Dolby Vision streams whose base layer is not a standard picture
# (profile 5's IPTPQc2; profiles with a compatible base use hvc1/hev1/avc1/av01).
_DOLBY_VISION_ONLY = {"dvh1", "dvhe", "dvav", "dva1", "dav1"}


def _color_description(
    frame: av.VideoFrame, stream: av.VideoStream
) -> tuple[str | None, str | None, str | None]:
    """(transfer, primaries, matrix) in FFmpeg's names: the first frame's, else the
    stream's. A Dolby Vision picture with no standard colour description (profile 5) is
    reported as its IPTPQc2 signal, "ipt-c2" in PQ over BT.2020, which `color_warning`
    flags."""
    cc = stream.codec_context
    transfer = transfer_name(frame.color_trc) or transfer_name(cc.color_trc)
    primaries = primaries_name(frame.color_primaries) or primaries_name(cc.color_primaries)
    matrix = matrix_name(frame.colorspace) or matrix_name(cc.colorspace)
    dolby = (stream.codec_tag or "").lower() in _DOLBY_VISION_ONLY or any(
        sd.type.name.startswith("DOVI") for sd in frame.side_data
    )
    if matrix == "ipt-c2" or (dolby and matrix is None):
        return "smpte2084", "bt2020", "ipt-c2"
    return transfer, primaries, matrix


def _decode_frames(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    skip_before: Callable[[], float] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Iterator[av.VideoFrame]:
    """Frames in order from the current position. A damaged or truncated file ends the
    iteration instead of raising: we keep what decoded. ``stop()`` true raises
    `Cancelled`, checked before every packet.

    ``skip_before()`` (seconds, stream clock) is the time the caller wants the frame on
    screen at. The decoder drops a non-reference frame when a packet already read is shown
    after it and still by that time: nobody will look at it, and nothing depends on it.
    A fixed margin before the time is not enough: in variable-frame-rate video the frame
    on screen can be far older than a frame interval.
    """
    cc = stream.codec_context
    tb = float(stream.time_base)
    latest = -math.inf  # the latest time shown by the target, among packets read so far
    try:
        for packet in container.demux(stream):
            if stop is not None and stop():
                raise Cancelled
            if skip_before is not None:
                target = skip_before()
                pts = None if packet.pts is None else packet.pts * tb
                early = pts is not None and pts < latest <= target
                if pts is not None and latest < pts <= target:
                    latest = pts
                cc.skip_frame = "NONREF" if early else "DEFAULT"
            try:
                yield from stream.decode(packet)
            except av.error.InvalidDataError:
                continue  # one corrupt packet; the decoder resyncs at the next keyframe
    except (av.FFmpegError, EOFError):
        return


def _last_timestamp(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    """The end of the stream, read from the last packets (for files whose container does
    not say how long they are)."""
    try:
        container.seek(_END_OF_TIME, stream=stream, backward=True)
    except av.FFmpegError:
        # Formats that cannot seek by time (raw elementary streams) cannot seek back to 0
        # either: read on from where probing left off.
        with contextlib.suppress(av.FFmpegError):
            container.seek(0, stream=stream)
    end = None
    try:
        for packet in container.demux(stream):
            ts = packet.pts if packet.pts is not None else packet.dts
            if ts is not None:
                t = _seconds(ts + (packet.duration or 0), stream.time_base)
                end = t if end is None else max(end, t)
    except av.FFmpegError:
        pass
    return end


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Describe the film's video stream, decoding its first frame to be sure it decodes.

    Raises `VideoNotFoundError`, `UnreadableFileError`, `NotAVideoError`,
    `NoVideoStreamError` or `DecodeError` with a message a user can act on.
    """
    name = Path(path).name
    with _open(path) as container:
        stream = _video_stream(container, name)
        cc = stream.codec_context
        first = next(_decode_frames(container, stream), None)
        if first is None:
            raise DecodeError(f"{name}: its video stream ({cc.name}) has no frame that decodes.")
        rotation = int(-round(first.rotation or 0)) % 360
        rotation = min((0, 90, 180, 270, 360), key=lambda r: abs(r - rotation)) % 360
        start = _frame_time(first, stream)
        if start is None:
            start = _seconds(stream.start_time, stream.time_base) or 0.0
        end = None
        if stream.duration:
            end = _seconds((stream.start_time or 0) + stream.duration, stream.time_base)
        elif container.duration:
            end = (container.start_time or 0) / av.time_base + container.duration / av.time_base
            if container.start_time:
                # Matroska counts its duration from timestamp 0, other formats from the
                # first frame: with a start offset only the last timestamps tell the end.
                end = _last_timestamp(container, stream) or end
        estimated = end is None
        if estimated:
            end = _last_timestamp(container, stream)
            if end is None:
                # A raw stream (.h264, .hevc) has no timestamps at all: nothing to place
                # samples by, and its decoder cannot seek.
                raise DecodeError(
                    f"{name} has no timestamps (a raw {cc.name} stream); put it in a "
                    f"container first, e.g. ffmpeg -i {name} -c copy film.mkv."
                )
        duration = max(0.0, (end or start) - start)
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else None
        width, height = _display_size(stream, rotation)
        transfer, primaries, matrix = _color_description(first, stream)
        return VideoInfo(
            name=name,
            duration=duration,
            fps=fps,
            frame_count=stream.frames or None,
            width=width,
            height=height,
            codec=cc.name,
            pix_fmt=cc.pix_fmt or first.format.name,
            rotation=rotation,
            stream_index=stream.index,
            start_time=start,
            duration_estimated=estimated,
            transfer=transfer,
            primaries=primaries,
            matrix=matrix,
            hdr=hdr_kind(transfer),
        )


def sample_times(
    info: VideoInfo, *, count: int, start: float | None = None, end: float | None = None
) -> tuple[np.ndarray, float]:
    """``count`` target times (seconds from the film's start), one at the middle of each of
    ``count`` equal slots over [start, end]; also returns the slot width.

    Middles rather than edges, so a film's first and last frames (often black) are skipped.
    """
    if count < 1:
        raise InvalidParameterError(f"samples must be at least 1, not {count}.")
    lo = 0.0 if start is None else float(start)
    hi = info.duration if end is None else min(float(end), info.duration)
    if lo >= info.duration:
        raise InvalidParameterError(
            f"start ({lo:g} s) is past the end of {info.name} ({info.duration:.1f} s)."
        )
    if hi <= lo:
        raise InvalidParameterError(f"end ({hi:g} s) must come after start ({lo:g} s).")
    slot = (hi - lo) / count
    return lo + (np.arange(count) + 0.5) * slot, slot


def working_size(info: VideoInfo, size: int) -> tuple[int, int]:
    """(width, height) of frames at ``size`` px on the long side, never upscaled."""
    long_side = max(info.width, info.height)
    scale = min(1.0, size / long_side)
    return max(1, round(info.width * scale)), max(1, round(info.height * scale))


class _Reader:
    """One decoder walking forward through a film, seeking only when that is cheaper.

    Where the container indexes its keyframes, it seeks exactly when a keyframe lies
    between the decoder and the target. Without an index it falls back on a lower bound of
    the keyframe interval (GOP) seen so far: a target less than one GOP ahead is reached by
    decoding forward, since a seek would likely land no later than where we already are.
    """

    def __init__(
        self,
        path: str,
        info: VideoInfo,
        *,
        mode: Mode,
        width: int,
        height: int,
        stop: Callable[[], bool] | None = None,
        after: float = -math.inf,
    ) -> None:
        self.container = _open(path)
        self.stream = self.container.streams[info.stream_index]
        cc = self.stream.codec_context
        # One single-threaded decoder per core beats one multi-threaded decoder.
        cc.thread_type = "NONE"
        cc.thread_count = 1
        if mode == "fast":
            # bench/loop_filter.py: 12-18 % less decode time, average colours move < 0.7 ΔE.
            cc.options = {"skip_loop_filter": "all"}
        self.mode = mode
        self.info = info
        self.rotation = info.rotation
        self.out_size = (height, width) if info.rotation in (90, 270) else (width, height)
        self.frames: Iterator[av.VideoFrame] | None = None  # None: must seek first
        self.lookahead: av.VideoFrame | None = None
        self.prev: av.VideoFrame | None = None
        self.last_key = -math.inf
        self.gop = 0.0
        self.keys: np.ndarray | None = None
        self.seeks = 0
        self.skip_until = -math.inf
        self.stop = stop
        # Fast mode's budget (frames it may still decode) and the last sample's time: the
        # budget never makes a sample repeat the one before, nor reach back before
        # ``after`` (where the previous decoder's part of the film ends).
        self.bank = _FAST_START_PIXELS / (info.width * info.height)
        self.credits = self.bank
        self.last_sample = after
        self.exhausted = False  # the stream ended while decoding forward

    def close(self) -> None:
        self.container.close()

    def _skip_before(self) -> float:
        return self.skip_until

    def _time(self, frame: av.VideoFrame) -> float:
        t = _frame_time(frame, self.stream)
        return (t if t is not None else self.info.start_time) - self.info.start_time

    def _seek(self, t: float) -> None:
        ts = int((t + self.info.start_time) / self.stream.time_base)
        self.container.seek(max(ts, 0), stream=self.stream, backward=True)
        # A drained decoder stays at end-of-stream until flushed.
        self.stream.codec_context.flush_buffers()
        self.seeks += 1
        self.exhausted = False
        self.frames = None
        self.lookahead = None
        self.prev = None

    def _next_packet(self) -> av.Packet | None:
        try:
            for packet in self.container.demux(self.stream):
                if packet.size:
                    return packet
        except av.FFmpegError:
            pass
        return None

    def _keyframe(self, packet: av.Packet) -> av.VideoFrame | None:
        """Decode just this keyframe packet (skipping everything else the decoder holds)."""
        cc = self.stream.codec_context
        cc.skip_frame = "NONKEY"
        try:
            frames = self.stream.decode(packet) or self.stream.decode(None)
        except av.FFmpegError:
            frames = []
        finally:
            cc.skip_frame = "DEFAULT"
        self.frames = None  # the decoder was drained: the next target seeks again
        return frames[0] if frames else None

    def _spent(self, best: av.VideoFrame | None, t: float) -> bool:
        """Fast mode only: the budget is spent and ``best`` may stand for ``t``."""
        if self.mode != "fast" or self.credits > 0 or best is None:
            return False
        bt = self._time(best)
        return bt > self.last_sample + 1e-6 and t - bt <= _FAST_MAX_LAG

    def _forward(self, t: float) -> av.VideoFrame | None:
        """The frame on screen at ``t``: the last frame whose time is <= t (in fast mode,
        an earlier one once the decode budget is spent)."""
        if self.frames is None:
            self.frames = _decode_frames(
                self.container, self.stream, self._skip_before, self.stop
            )
        self.skip_until = t + self.info.start_time + 1e-6
        best = self.prev
        while True:
            frame, self.lookahead = self.lookahead, None
            if frame is None:
                if self._spent(best, t):
                    return best
                frame = next(self.frames, None)
                self.credits -= 1
            if frame is None:
                self.exhausted = True
                return best
            ft = self._time(frame)
            if self.last_key > -math.inf:
                self.gop = max(self.gop, ft - self.last_key)
            if frame.key_frame:
                self.last_key = ft
            if ft > t + 1e-6:
                self.lookahead = frame
                return best if best is not None else frame
            best = self.prev = frame

    def _keys(self) -> np.ndarray:
        """Keyframe times the container's index knows (empty when it has none). MP4 indexes
        every frame up front; Matroska loads its cues at the first seek."""
        if self.keys is None or (len(self.keys) < 2 and self.seeks == 1):
            entries = self.stream.index_entries
            tb = float(self.stream.time_base)
            self.keys = np.array(
                [e.timestamp for e in entries if e.is_keyframe], dtype=np.float64
            ) * tb - self.info.start_time
        return self.keys

    def _should_seek(self, here: float | None, t: float, seek_to: float) -> bool:
        """Seek when a keyframe lies between where the decoder is and where it must go;
        otherwise decoding forward does strictly less work."""
        if self.frames is None or here is None or here > t:
            return True
        keys = self._keys()
        if len(keys) > 1:
            before = keys[np.searchsorted(keys, seek_to, side="right") - 1 :][:1]
            return bool(len(before)) and before[0] > here + 1e-3
        return t - here > self.gop

    def _key_ahead(self, lo: float, hi: float) -> bool:
        """Whether a keyframe (likely) lies in [lo, hi): from the index where the container
        has one, else from the keyframe interval seen so far."""
        keys = self._keys()
        if len(keys) > 1:
            i = np.searchsorted(keys, lo - 1e-3)
            return bool(i < len(keys) and keys[i] < hi)
        return hi - lo >= self.gop

    def read(self, t: float, slot: float) -> av.VideoFrame | None:
        """The frame for target ``t`` whose slot is [t - slot/2, t + slot/2)."""
        if self.stop is not None and self.stop():
            raise Cancelled
        frame = self._read(t, slot)
        if frame is not None:
            self.last_sample = self._time(frame)
        return frame

    def _read(self, t: float, slot: float) -> av.VideoFrame | None:
        here = self._time(self.prev) if self.prev is not None else None
        lo, hi = t - slot / 2 - _EDGE, t + slot / 2 - _EDGE
        # Banked, but never more than the start: a film's later part gets its share.
        self.credits = min(self.credits + _FAST_FRAMES_PER_SAMPLE, self.bank)
        seek_to = hi if self.mode == "fast" else t
        if not self._should_seek(here, t, seek_to):
            return self._forward_in_slot(t, lo, hi)
        # Indexes hold decode times, so a seek can land on a keyframe shown after ``t``;
        # then step back until the keyframe is usable.
        for back in (0.0, 1.0, 4.0, 16.0, math.inf):
            self._seek(max(seek_to - back, 0.0))
            packet = self._next_packet()
            if packet is None:
                return None
            ts = packet.pts if packet.pts is not None else packet.dts
            kt = (_seconds(ts, self.stream.time_base) or 0.0) - self.info.start_time
            if kt <= t or (self.mode == "fast" and kt < hi):
                break
        self.gop = max(self.gop, seek_to - kt)
        if self.mode == "fast" and packet.is_keyframe and lo <= kt < hi:
            self.last_key = kt
            if self._key_ahead(hi, hi + slot):
                return self._keyframe(packet)
            # The next sample has no keyframe of its own and will walk on from this one:
            # keep the decoder going rather than decode this keyframe again.
            t = kt
        # The keyframe is before this slot (or is this sample): decode forward from it.
        self.frames = _chain_packet(
            packet, self.container, self.stream, self._skip_before, self.stop
        )
        return self._forward_in_slot(t, lo, hi)

    def _forward_in_slot(self, t: float, lo: float, hi: float) -> av.VideoFrame | None:
        """`_forward`, except that fast mode never returns a frame shown before its slot
        while one inside it exists: that earlier frame may be the previous sample's, and
        every sample must be a distinct moment."""
        frame = self._forward(t)
        if self.mode == "fast" and frame is not None and self._time(frame) < lo:
            following = self.lookahead
            if following is not None and self._time(following) < hi:
                self.lookahead = None
                frame = self.prev = following
        return frame

    def to_rgb(self, frame: av.VideoFrame) -> np.ndarray:
        return frame_to_rgb(frame, width=self.out_size[0], height=self.out_size[1],
                            rotation=self.rotation)


def _chain_packet(
    packet: av.Packet,
    container: av.container.InputContainer,
    stream: av.VideoStream,
    skip_before: Callable[[], float],
    stop: Callable[[], bool] | None,
) -> Iterator[av.VideoFrame]:
    """Frames decoded from an already-demuxed packet, then the rest of the stream."""
    with contextlib.suppress(av.FFmpegError):
        yield from stream.decode(packet)
    yield from _decode_frames(container, stream, skip_before, stop)


def frame_to_rgb(
    frame: av.VideoFrame, *, width: int, height: int, rotation: int = 0
) -> np.ndarray:
    """Scale and convert to RGB with the frame's own colour matrix and range, then rotate.

    Untagged video gets the matrix players assume: BT.709 for HD, BT.601 below. HDR and
    wide-gamut frames are scaled to 16-bit RGB in their own primaries and transfer, then
    converted to SDR (`hdr.to_sdr`), so every caller sees the same SDR colours.
    """
    matrix = _MATRIX.get(int(frame.colorspace or 2))
    if matrix is None:
        matrix = "itu709" if frame.height >= 720 or frame.width >= 1280 else "itu601"
    full_range = int(frame.color_range or 0) == 2 or frame.format.name.startswith("yuvj")
    transfer = transfer_name(frame.color_trc)
    primaries = primaries_name(frame.color_primaries)
    wide = needs_conversion(transfer=transfer, primaries=primaries)
    rgb = frame.reformat(
        width=width,
        height=height,
        format="rgb48le" if wide else "rgb24",
        src_colorspace=matrix,
        src_color_range="JPEG" if full_range else "MPEG",
        dst_color_range="JPEG",
        interpolation="AREA",
        threads=1,
    ).to_ndarray()
    if wide:
        rgb = to_sdr(rgb, transfer=transfer, primaries=primaries)
    if rotation:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=-(rotation // 90)))
    return rgb


def sample(
    path: str | os.PathLike[str],
    *,
    count: int = 1000,
    mode: Mode = "fast",
    start: float | None = None,
    end: float | None = None,
    size: int = 320,
    workers: int = 2,
    info: VideoInfo | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> DecodedFrames:
    """Decode ``count`` frames evenly spread over [start, end] at ``size`` px long side.

    ``mode="fast"``: each sample is a keyframe inside its own slot, decoded alone; where
    keyframes are sparser than the samples it decodes forward towards the sample time
    within a budget of a few frames per sample, and takes the newest frame decoded (never
    more than `_FAST_MAX_LAG` before its target), so the cost stays near one keyframe per
    sample at any film length. Every sample is a distinct moment with its true time:
    where fewer distinct frames are reachable, fewer samples come back.
    ``mode="exact"``: the frame on screen at each target time. ``workers`` decoders split
    the span in contiguous parts.

    Setting ``cancel`` (from any thread) stops every decoder within a frame and raises
    `Cancelled`; so does an exception from ``on_progress``, which it then re-raises.
    """
    if mode not in ("fast", "exact"):
        raise InvalidParameterError(f"mode must be 'fast' or 'exact', not {mode!r}.")
    info = info or probe(path)
    targets, slot = sample_times(info, count=count, start=start, end=end)
    width, height = working_size(info, size)
    # Each decoder fills rows from the start of its part, so frames that are never kept
    # (fast mode's repeats) are never written: unwritten rows take no memory.
    frames = np.empty((count, height, width, 3), np.uint8)
    times = np.full(count, np.nan)
    asked = np.full(count, np.nan)
    filled: dict[int, int] = {}  # a part's first row: the rows its decoder wrote
    ended = threading.Event()  # some target lies past the last frame that decodes
    done = [0]
    lock = threading.Lock()
    halt = threading.Event()  # set when this call gives up: every decoder stops

    def stop() -> bool:
        return halt.is_set() or (cancel is not None and cancel.is_set())

    # A frame this far before its target means the file ended early.
    late = max(2 * slot, 3 / (info.fps or 10), 0.5)

    def work(indices: range) -> None:
        first = float(targets[indices[0]]) - slot / 2 - 2 * _EDGE
        reader = _Reader(
            str(path), info, mode=mode, width=width, height=height, stop=stop, after=first
        )
        row, last = indices.start, -math.inf
        try:
            for i in indices:
                frame = reader.read(float(targets[i]), slot)
                ft = None if frame is None else reader._time(frame)
                # Fast mode may trail its target by design, unless the stream ran out.
                if ft is None or (
                    targets[i] - ft > late and (mode == "exact" or reader.exhausted)
                ):
                    ended.set()
                elif mode == "exact" or ft > last:  # fast mode drops repeats
                    frames[row] = reader.to_rgb(frame)
                    times[row] = last = ft
                    asked[row] = targets[i]
                    row += 1
                with lock:
                    done[0] += 1
        finally:
            filled[indices.start] = row - indices.start
            reader.close()

    workers = max(1, min(workers, count))
    bounds = np.linspace(0, count, workers + 1).round().astype(int)
    parts = [range(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    with ThreadPoolExecutor(len(parts), thread_name_prefix=DECODER_THREAD) as pool:
        futures = [pool.submit(work, part) for part in parts]
        try:
            # Report from the calling thread: UI callbacks must not run on worker threads.
            while not all(f.done() for f in futures):
                # Wakes as soon as the work is done: a plain sleep cost every call 0.1 s.
                wait(futures, timeout=0.1)
                if on_progress and not stop():
                    on_progress(done[0] / count, f"decoding frames: {done[0]}/{count}")
        except BaseException:
            halt.set()  # the callback raised, or Ctrl-C: the decoders must not run on
            raise
        for f in futures:
            f.result()
    if cancel is not None and cancel.is_set():
        raise Cancelled
    # Close the gaps between the parts, in place: a boolean-index copy would double the
    # peak memory. Where two parts meet, fast mode drops a frame that does not come after
    # the one before.
    n = 0
    for first in sorted(filled):
        for src in range(first, first + filled[first]):
            if mode == "fast" and n and times[src] <= times[n - 1]:
                continue
            if src != n:
                frames[n], times[n], asked[n] = frames[src], times[src], asked[src]
            n += 1
    if n == 0:
        raise DecodeError(f"{info.name}: no frame between the chosen start and end decodes.")
    frames, times, asked = frames[:n], times[:n].copy(), asked[:n].copy()
    ended_at = float(times.max()) if ended.is_set() else None
    if on_progress:
        on_progress(1.0, "decoded")
    return DecodedFrames(frames=frames, times=times, targets=asked, ended_at=ended_at)


def frame_at(
    path: str | os.PathLike[str], time: float, *, size: int = 960, info: VideoInfo | None = None
) -> np.ndarray:
    """The frame on screen at ``time`` (seconds from the film's start), as displayed, at
    ``size`` px on the long side: for showing one moment at screen size."""
    info = info or probe(path)
    width, height = working_size(info, size)
    reader = _Reader(str(path), info, mode="exact", width=width, height=height)
    try:
        frame = reader.read(float(time), 0.0)
        if frame is None:
            raise DecodeError(f"{info.name}: no frame decodes at {time:.2f} s.")
        return reader.to_rgb(frame)
    finally:
        reader.close()
