"""One decoder walking forward through a film: the fast and exact frame readers
(`FrameReader`); `_rgb` turns the frames they find into RGB at working size.

`sampling.py` spreads the samples over the film and runs several readers at once.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import av
import numpy as np

from .._memory import release_free_memory
from ..errors import Cancelled
from ..model import VideoInfo
from ..params import Mode
from ._h264 import References
from ._rgb import Interpolation, frame_to_rgb
from ._video import (
    decode_frames,
    frame_time,
    learn_palette,
    open_video,
    seek_to,
)

# A frame this close to a slot's upper edge belongs to the next slot: a frame exactly on
# the edge must not be taken by both slots, and Matroska/WebM round times to the
# millisecond (frame 11 at 24 fps is at 0.458 s, not 0.45833), so a frame that belongs on
# an edge can be stamped up to 1 ms before it. Otherwise fast mode, which never repeats a
# frame, took two frames for one slot and none for the next one (the demo film at one
# sample per frame lost 2 of 720).
SLOT_EDGE = 1e-3

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

# A drained decoder frees its tables and picture pool, and the next keyframe allocates
# them anew in blocks below glibc's mmap threshold: each drain left 1-3 MB of freed but
# resident holes in the heap (a first version peaked at 800 MB in exact mode on the 2-hour
# film, against 260 MB before). Their pages go back every few drains, at 0.3 ms a time
# (docs/benchmarks.md, "Seventh round: exact mode decodes nothing past the sample").
_TRIM_EVERY = 8


class FrameReader:
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
        interpolation: Interpolation = "AREA",
    ) -> None:
        self.container = open_video(path)
        self.stream = self.container.streams[info.stream_index]
        cc = self.stream.codec_context
        # One single-threaded decoder per core beats one multi-threaded decoder.
        cc.thread_type = "NONE"
        cc.thread_count = 1
        if mode == "fast":
            # bench/loop_filter.py: 12-18 % less decode time, average colours move < 0.7 ΔE.
            cc.options = {"skip_loop_filter": "all"}
        # Opened now, before `_keyframe` sets skip_frame: libdav1d (AV1) reads skip_frame
        # once, when it opens, and would then decode keyframes only for good.
        cc.open(strict=False)
        learn_palette(self.container, self.stream)
        # Exact mode reads H.264 slice headers to skip the reference B-frames no target uses.
        self.references = References.of(cc) if mode == "exact" else None
        self.mode = mode
        self.info = info
        self.rotation = info.rotation
        self.out_size = (height, width) if info.rotation in (90, 270) else (width, height)
        self.interpolation = interpolation
        self.frames: Iterator[av.VideoFrame] | None = None  # None: must seek first
        self.lookahead: av.VideoFrame | None = None
        self.prev: av.VideoFrame | None = None
        self.last_key = -math.inf
        self.gop = 0.0
        self.keys: np.ndarray | None = None
        self.seeks = 0
        self.drains = 0
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

    def _time(self, frame: av.VideoFrame | av.Packet) -> float:
        t = frame_time(frame, self.stream)
        return (t if t is not None else self.info.start_time) - self.info.start_time

    def _seek(self, t: float) -> None:
        # The first keyframe is decoded (dts) a frame or two before it is shown, and a
        # container without an index seeks by decode time: aimed at the first frame's
        # time it lands just past it. From the start, aim a second earlier.
        seek_to(self.container, self.stream, t - 1 if t <= 0 else t,
                start=self.info.start_time)
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

    def _landing(self, by: float | None) -> av.Packet | None:
        """The first keyframe packet after a seek, or None when the packets pass ``by``
        (seconds; None: the end) first. A container with an index (MP4, Matroska) lands
        on a keyframe; MPEG-TS and MPEG-PS have none and land on any packet, from which a
        decoder shows nothing until the next keyframe. Once a packet is shown after
        ``by``, so is every keyframe decoded after it."""
        while (packet := self._next_packet()) is not None:
            if packet.is_keyframe:
                return packet
            if by is not None and self._time(packet) > by:
                return None
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
            self.frames = decode_frames(
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
        between = self._key_between(here, seek_to)
        return t - here > self.gop if between is None else between

    def _key_between(self, here: float, to: float) -> bool | None:
        """Whether the container's index has a keyframe after ``here`` and by ``to``, the
        last one a seek to ``to`` can land on; None where it indexes none."""
        keys = self._keys()
        if len(keys) < 2:
            return None
        before = keys[np.searchsorted(keys, to, side="right") - 1 :][:1]
        return bool(len(before)) and before[0] > here + 1e-3

    def _key_ahead(self, lo: float, hi: float) -> bool:
        """Whether a keyframe (likely) lies in [lo, hi): from the index where the container
        has one, else from the keyframe interval seen so far."""
        keys = self._keys()
        if len(keys) > 1:
            i = np.searchsorted(keys, lo - 1e-3)
            return bool(i < len(keys) and keys[i] < hi)
        return hi - lo >= self.gop

    def read(self, t: float, slot: float, *, then: float | None = None) -> av.VideoFrame | None:
        """The frame for target ``t`` whose slot is [t - slot/2, t + slot/2). ``then``: the
        target this reader is asked for next (None: none), so that exact mode knows when
        it will seek again and need not decode a packet past ``t``'s frame."""
        if self.stop is not None and self.stop():
            raise Cancelled
        frame = self._read(t, slot, then)
        if frame is not None:
            self.last_sample = self._time(frame)
        return frame

    def _read(self, t: float, slot: float, then: float | None) -> av.VideoFrame | None:
        here = self._time(self.prev) if self.prev is not None else None
        lo, hi = t - slot / 2 - SLOT_EDGE, t + slot / 2 - SLOT_EDGE
        # Banked, but never more than the start: a film's later part gets its share.
        self.credits = min(self.credits + _FAST_FRAMES_PER_SAMPLE, self.bank)
        seek_to = hi if self.mode == "fast" else t
        if not self._should_seek(here, t, seek_to):
            return self._forward_in_slot(t, lo, hi)
        # Indexes hold decode times, so a seek can land on a keyframe shown after ``t``,
        # and a container without one lands before any keyframe: then step back until
        # the keyframe is usable.
        for back in (0.0, 1.0, 4.0, 16.0, math.inf):
            self._seek(max(seek_to - back, 0.0))
            packet = self._landing(None if back == math.inf else seek_to)
            if packet is None:
                continue
            kt = self._time(packet)
            if kt <= t or (self.mode == "fast" and kt < hi):
                break
        if packet is None:
            return None
        self.gop = max(self.gop, seek_to - kt)
        if self.mode == "fast" and packet.is_keyframe and lo <= kt < hi:
            self.last_key = kt
            if self._key_ahead(hi, hi + slot):
                return self._keyframe(packet)
            # The next sample has no keyframe of its own and will walk on from this one:
            # keep the decoder going rather than decode this keyframe again.
            t = kt
        if self.mode == "exact" and self._seeks_again(t, then):
            return self._only_to(packet, t)
        # The keyframe is before this slot (or is this sample): decode forward from it.
        self.frames = _chain_packets(
            [packet], self.container, self.stream, self._skip_before, self.stop
        )
        return self._forward_in_slot(t, lo, hi)

    def _seeks_again(self, t: float, then: float | None) -> bool:
        """Exact mode: whether the read of ``then`` (None: no read) will seek, a keyframe
        lying between: for sure only where the container indexes its keyframes."""
        return then is None or bool(self._key_between(t, then))

    def _only_to(self, first: av.Packet, t: float) -> av.VideoFrame | None:
        """Exact mode from the keyframe packet ``first``, when the next read seeks anyway:
        the frame on screen at ``t``, decoding no packet after it (`_forward` decodes on
        until a frame shows after ``t``: 3 of the 44 frames a sample decodes in the
        benchmark film). Packets are read ahead until one is decoded after ``t``: decode
        times rise and no packet is shown before it is decoded, so no later one is shown
        by ``t``. The last packet shown by then is the frame on screen; it and the
        reference frames before it are decoded (in H.264, only those it needs: `_h264`),
        then the decoder is drained. Without decode times (some Matroska), `_forward`."""
        packets, decoded_at = [first], self._decoded_at(first)
        while decoded_at is not None and decoded_at <= t + 1e-6:
            packet = self._next_packet()
            if packet is None:
                break
            packets.append(packet)
            decoded_at = self._decoded_at(packet)
        shown = [i for i, p in enumerate(packets)
                 if p.pts is not None and self._time(p) <= t + 1e-6]
        if decoded_at is None or not shown:
            self.frames = _chain_packets(
                packets, self.container, self.stream, self._skip_before, self.stop
            )
            return self._forward(t)
        target = max(shown, key=lambda i: packets[i].pts)
        needless = frozenset() if self.references is None else self.references.needless(
            packets[: target + 1], target)
        cc, best, after = self.stream.codec_context, None, None
        try:
            for i, packet in enumerate([*packets[: target + 1], None]):
                cc.skip_frame = ("DEFAULT" if i >= target else
                                 "BIDIR" if i in needless else "NONREF")
                with contextlib.suppress(av.error.InvalidDataError):
                    best, after = self._keep(self.stream.decode(packet), t, best, after)
        except (av.FFmpegError, EOFError):
            pass  # a damaged file: what decoded
        finally:
            cc.skip_frame = "DEFAULT"
        self.frames = self.lookahead = None  # drained: the next read seeks
        self.drains += 1
        if self.drains % _TRIM_EVERY == 0:
            release_free_memory()
        self.prev = best or after
        return self.prev

    def _keep(
        self, frames: list[av.VideoFrame], t: float, best: av.VideoFrame | None,
        after: av.VideoFrame | None,
    ) -> tuple[av.VideoFrame | None, av.VideoFrame | None]:
        """The last frame shown by ``t`` and the first after it, among these too. Only
        those two are held: frames kept from the decoder's pool make it allocate more."""
        for frame in frames:
            if frame.time is None:
                continue
            if self._time(frame) > t + 1e-6:
                after = after or frame
            elif best is None or self._time(frame) >= self._time(best):
                best = frame
        return best, after

    def _decoded_at(self, packet: av.Packet) -> float | None:
        """When ``packet`` is decoded, in seconds from the film's first frame (None where
        neither the container nor FFmpeg's guess from the times shown gives it)."""
        tb = self.stream.time_base
        return None if packet.dts is None else float(packet.dts * tb) - self.info.start_time

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
                            rotation=self.rotation, interpolation=self.interpolation)


def _chain_packets(
    packets: list[av.Packet],
    container: av.container.InputContainer,
    stream: av.VideoStream,
    skip_before: Callable[[], float],
    stop: Callable[[], bool] | None,
) -> Iterator[av.VideoFrame]:
    """Frames decoded from already-demuxed packets, then the rest of the stream."""
    for packet in packets:
        with contextlib.suppress(av.FFmpegError):
            yield from stream.decode(packet)
    yield from decode_frames(container, stream, skip_before, stop)

