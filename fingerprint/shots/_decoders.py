"""Every frame of a stream in order, for the detectors (`decode_all`).

The loop filter is skipped on non-reference frames: nothing is predicted from them, so
nothing drifts. In H.264 it is also skipped on the B-frames of each interval between IDR
pictures where no reference picture uses a B-frame (x264's faster presets, read from the
slice headers by `decode._h264.References.interval`): there an undeblocked B-frame
changes only itself and the non-reference B-frames beside it, never a frame after them
(the shots' pixels of the benchmark film move 0.035 of 255 on average, no boundary moves).
FFmpeg sets the loop filter per decoder, so those intervals go to a second one: 5-9 %
less CPU for shots of the 2-hour film (docs/benchmarks.md, "H.264's reference B-frames").
"""

from __future__ import annotations

from collections.abc import Iterator

import av

from ..decode._h264 import References
from ..decode._h264_headers import SliceHeader, Unfollowed

# Packets held to read an interval's headers before it is decoded: 25 s at 24 fps. A
# longer interval is decoded as it comes, by the first decoder.
_MAX_HELD = 600


def _lean(stream: av.VideoStream) -> av.CodecContext:
    """A second decoder of ``stream`` that skips the loop filter on every B-frame."""
    cc = av.CodecContext.create(stream.codec_context.name, "r")
    cc.extradata = stream.codec_context.extradata
    cc.thread_type = "NONE"
    cc.options = {"skip_loop_filter": "bidir"}
    return cc


def decode_all(container: av.container.InputContainer, stream: av.VideoStream
               ) -> Iterator[av.VideoFrame]:
    """The stream's frames from where the container is, in order, decoded by the stream's
    own decoder (set up by the caller) or, for the intervals above, the second one.
    FFmpeg's errors pass through: the caller keeps what decoded."""
    plain = stream.codec_context
    references = References.of(plain)
    if references is None:
        yield from container.decode(stream)
        return
    lean: av.CodecContext | None = None
    using = plain
    held: list[av.Packet] = []
    heads: list[list[SliceHeader]] = []
    spill = False  # the interval outgrew `_MAX_HELD`: decoded as it comes, by ``plain``

    def drained() -> Iterator[av.VideoFrame]:
        for frame in using.decode(None):
            frame.time_base = stream.time_base  # a frame without a packet has none
            yield frame

    def run(decoder: av.CodecContext, packets: list[av.Packet]) -> Iterator[av.VideoFrame]:
        nonlocal using
        if decoder is not using:
            yield from drained()  # in order, then ready for more
            using.flush_buffers()
            using = decoder
        for packet in packets:
            yield from decoder.decode(packet)

    def chosen() -> av.CodecContext:
        nonlocal lean
        if spill or not references.interval(heads):
            return plain
        lean = lean or _lean(stream)
        return lean

    for packet in container.demux(stream):
        if not packet.size:
            continue
        try:
            slices = references.slices(packet)
        except (Unfollowed, IndexError):
            slices = []  # an interval with a picture not followed: the plain decoder
        if slices and slices[0].idr and (held or spill):
            yield from run(chosen(), held)
            held, heads, spill = [], [], False
        if spill:
            yield from run(plain, [packet])
            continue
        held.append(packet)
        heads.append(slices)
        if len(held) > _MAX_HELD:
            spill = True
            yield from run(plain, held)
            held, heads = [], []
    yield from run(chosen(), held)
    yield from drained()
