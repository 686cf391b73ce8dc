"""Open a video file and describe it: which stream is the film, how long, how big, in
which colours (`probe`), with every way that can fail turned into our exceptions.

Also the container-level pieces the frame readers, the shots scanner and the sound print
share: opening (`open_video`, `demux_only`), timestamps, seeking to a time (`seek_to`),
a palette learnt before the first seek (`learn_palette`), decoding packets in order
(`decode_frames`).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import av

from .._files import check_file
from .._memory import release_free_memory
from ..errors import (
    Cancelled,
    DecodeError,
    NotAVideoError,
    NoVideoStreamError,
    UnreadableFileError,
)
from ..model import VideoInfo
from ._hdr import hdr_kind, primaries_name, transfer_name
from ._matrices import matrix_name

# Far past the end of any film: seeking there lands on the last keyframe.
_END_OF_TIME = 10**12

# FFmpeg demuxers that draw text files (.txt, .nfo, ANSI art) as a "video" stream.
_TEXT_FORMATS = {"tty", "bin", "xbin", "adf", "idf"}

# MPEG program and transport streams (.mpg, .vob, .ts, .m2ts) state no duration: FFmpeg
# estimates one per stream from the timestamps it finds near the end, which for a stream
# that stamps few of its packets can fall far short (H.264 in a .vob: 0.05 s of 6 s), and
# one for the whole file from every stream's.
_NO_DURATION_FORMATS = {"mpeg", "mpegts"}


def open_video(path: str | os.PathLike[str]) -> av.container.InputContainer:
    """Open ``path`` for reading, turning every way that can fail into our exceptions."""
    p = check_file(path)
    try:
        # Absolute: FFmpeg reads "Alien: Covenant.mp4" as a URL of protocol "Alien".
        container = av.open(str(p.absolute()), metadata_errors="ignore")
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


def demux_only(container: av.container.InputContainer, stream: av.stream.Stream) -> None:
    """Have the demuxer skip every other stream's packets rather than read and drop them:
    for a decoder that reads one stream straight through (every frame for shots, the
    sound print's windows), the others are most of an interleaved file's bytes."""
    for other in container.streams:
        if other.index != stream.index:
            other.discard = av.stream.Discard.all


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


def learn_palette(container: av.container.InputContainer, stream: av.VideoStream) -> None:
    """Decode a palettized stream's first packet, before any seek: an AVI gives the
    palette with that packet only, and a decoder that never saw it draws every frame
    after a seek black. Nothing for other streams."""
    if stream.codec_context.pix_fmt != "pal8":
        return
    with contextlib.suppress(av.FFmpegError):
        for packet in container.demux(stream):
            if packet.size:
                stream.decode(packet)
                return


def seek_to(
    container: av.container.InputContainer, stream: av.stream.Stream, seconds: float,
    *, start: float,
) -> None:
    """Seek ``stream`` back to ``seconds`` from the film's first frame, which is at
    ``start`` seconds on the stream's clock; never before the earliest time worth aiming
    at: 0, or a second before a first frame stamped below zero (an MPEG-TS recording whose
    26.5-hour clock wrapped: FFmpeg counts the part before the wrap below zero)."""
    ts = int((seconds + start) / stream.time_base)
    earliest = 0 if start >= 0 else int((start - 1) / stream.time_base)
    container.seek(max(ts, earliest), stream=stream, backward=True)


def timestamp_seconds(value: int | None, time_base) -> float | None:
    return None if value is None or time_base is None else float(value * time_base)


def frame_time(frame: av.VideoFrame | av.Packet, stream: av.VideoStream) -> float | None:
    """When ``frame`` (or a packet) is shown, in seconds on ``stream``'s clock."""
    ts = frame.pts if frame.pts is not None else frame.dts
    return timestamp_seconds(ts, stream.time_base)


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


def decode_frames(
    container: av.container.InputContainer,
    stream: av.VideoStream | av.AudioStream,
    skip_before: Callable[[], float] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Iterator[av.VideoFrame | av.AudioFrame]:
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
                t = timestamp_seconds(ts + (packet.duration or 0), stream.time_base)
                end = t if end is None else max(end, t)
    except av.FFmpegError:
        pass
    return end


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Describe the film's video stream, decoding its first frame to be sure it decodes.

    Raises `VideoNotFoundError`, `UnreadableFileError`, `NotAVideoError`,
    `NoVideoStreamError` or `DecodeError` with a message a user can act on.
    """
    try:
        return _probe(path)
    finally:
        # The container's index (36 MB for a 2-hour MP4) is freed but stays resident.
        release_free_memory()


def _probe(path: str | os.PathLike[str]) -> VideoInfo:
    name = Path(path).name
    with open_video(path) as container:
        stream = _video_stream(container, name)
        cc = stream.codec_context
        first = next(decode_frames(container, stream), None)
        if first is None:
            raise DecodeError(f"{name}: its video stream ({cc.name}) has no frame that decodes.")
        rotation = int(-round(first.rotation or 0)) % 360
        rotation = min((0, 90, 180, 270, 360), key=lambda r: abs(r - rotation)) % 360
        start = frame_time(first, stream)
        if start is None:
            start = timestamp_seconds(stream.start_time, stream.time_base) or 0.0
        end = None
        if stream.duration:
            end = timestamp_seconds((stream.start_time or 0) + stream.duration, stream.time_base)
            if container.format.name in _NO_DURATION_FORMATS and container.duration:
                end = max(end, (container.start_time or 0) / av.time_base
                          + container.duration / av.time_base)
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
