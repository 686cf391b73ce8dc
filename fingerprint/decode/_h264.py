"""Which H.264 reference pictures a frame depends on, followed through the slice headers.

Exact mode decodes a keyframe and every reference picture up to its target. FFmpeg can
skip the pictures nothing refers to (``skip_frame="NONREF"``) or every B-frame, but not
just the reference B-frames that no later frame uses. x264's faster presets make the
middle B-frame of each run a reference (B-pyramid) that only the B-frames beside it use,
and each P-frame names the P-frame before it as its one reference: a target deep in a
keyframe interval needs none of those B-frames. Skipping them costs exact mode 25 % less
CPU on the 2-hour benchmark film (docs/benchmarks.md, "H.264's reference B-frames"). Shots
ask `References.interval` where no reference picture uses a B-frame (`shots._decoders`).

`References.needless` follows the decoded picture buffer (H.264 clause 8.2: picture order
counts, the sliding window and memory management, each slice's reference lists and their
modification) and names the reference B-frames that neither the target nor any picture it
depends on uses. It then follows the buffer again as the decoder will see it with those
B-frames skipped: each leaves a gap in the frame numbers that FFmpeg fills with a
stand-in (8.2.5.2; a copy of the newest reference, its order count 2 above), and the
memory management it carried is not done. Where a picture the
target needs would then build different reference lists, the B-frames that make the
difference are decoded after all, for the buffer's sake only: nothing needed uses their
pixels, so their own references may still be skipped. Anything not followed
(`_h264_headers.Unfollowed`) names none, so every reference is decoded as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import av

from ._h264_headers import (
    B_SLICE,
    HEADER_BYTES,
    I_SLICE,
    IDR,
    P_SLICE,
    PPS,
    SLICE,
    SPS,
    PictureParameters,
    SequenceParameters,
    SliceHeader,
    Unfollowed,
    rbsp,
    read_picture,
    read_sequence,
    read_slice,
)

_Unit = av.Packet | bytes | memoryview  # a picture's packet, or its bytes


@dataclass(eq=False)
class _Entry:
    """A short-term reference picture in the buffer: the unit it came from (for a
    decoder's stand-in, the skipped unit it stands for) and the unit whose pixels it
    holds (a stand-in holds a copy of the newest reference's, as FFmpeg makes it)."""

    unit: int
    frame_num: int
    poc: int
    pixels: int
    stand_in: bool = False


@dataclass(frozen=True)
class _Picture:
    slices: tuple[SliceHeader, ...]
    poc: int
    lists: tuple[tuple[tuple[int | None, ...], ...], ...]  # per slice, its lists' units

    @property
    def head(self) -> SliceHeader:
        return self.slices[0]

    @property
    def uses(self) -> set[int]:
        return {u for lists in self.lists for units in lists for u in units if u is not None}


_Lists = tuple[tuple["_Entry | None", ...], ...]


def _lists(s: SliceHeader, poc: int, buffer: Sequence[_Entry]) -> _Lists:
    """The slice's reference lists (8.2.4.2 and 8.2.4.3, frames only), over ``buffer``."""
    if s.kind == I_SLICE:
        return ()
    max_fn = s.sequence.max_frame_num

    def pic_num(e: _Entry) -> int:
        return e.frame_num - max_fn if e.frame_num > s.frame_num else e.frame_num

    if s.kind == P_SLICE:
        initial = [sorted(buffer, key=pic_num, reverse=True)]
    else:
        # FFmpeg orders a POC equal to the picture's own, or two equal POCs, its own way
        # (h264_refs.c, add_sorted): only a stand-in can have one.
        pocs = [e.poc for e in buffer]
        clash = {e.unit for e in buffer if e.stand_in and (e.poc == poc or pocs.count(e.poc) > 1)}
        if clash:
            raise _StandIn(clash)
        before = sorted((e for e in buffer if e.poc < poc), key=lambda e: -e.poc)
        after = sorted((e for e in buffer if e.poc > poc), key=lambda e: e.poc)
        l0, l1 = before + after, after + before
        # Lists alike are told apart; FFmpeg compares the pictures' pixels, so a stand-in
        # is alike the picture it copies.
        if len(l1) > 1 and [e.pixels for e in l1] == [e.pixels for e in l0]:
            l1[0], l1[1] = l1[1], l1[0]
        initial = [l0, l1]
    by_pic_num = {pic_num(e): e for e in buffer}
    out = []
    for x, entries in enumerate(initial):
        n = s.refs[x]
        at_most: list[_Entry | None] = [*entries[:n], *[None] * (n + 1 - min(len(entries), n))]
        predicted = s.frame_num
        for at, (idc, value) in enumerate(s.changes[x]):
            if idc == 2 or at >= n:
                raise Unfollowed  # a long-term picture, or more changes than references
            predicted = (predicted + (value + 1 if idc == 1 else -(value + 1))) % max_fn
            entry = by_pic_num.get(predicted - max_fn if predicted > s.frame_num else predicted)
            if entry is None:
                raise Unfollowed  # a picture before the keyframe
            rest = [e for e in at_most[at:n] if e is not entry]
            at_most = [*at_most[:at], entry, *rest]
            at_most += [None] * (n + 1 - len(at_most))
        out.append(tuple(at_most[:n]))
    return tuple(out)


class _StandIn(Exception):
    """A list would be built over stand-ins for these skipped units."""

    def __init__(self, units: set[int]) -> None:
        self.units = units


def _marked(buffer: list[_Entry], head: SliceHeader, entry: _Entry) -> list[_Entry]:
    """The buffer once ``entry`` (the reference picture ``head`` began) is marked."""
    sps = head.sequence
    if head.idr:
        return [entry]
    if head.unused is not None:  # memory management (8.2.5.4)
        gone = {(head.frame_num - d) % sps.max_frame_num for d in head.unused}
        buffer = [e for e in buffer if e.frame_num not in gone]
    elif len(buffer) >= sps.max_refs:
        buffer = buffer[1:]  # the sliding window (8.2.5.3)
    return [*buffer, entry]


class _Order:
    """Picture order counts (8.2.1) as a decoder derives them from the pictures it
    decodes, the first one taken as it is."""

    def __init__(self) -> None:
        self.msb = self.lsb = self.offset = 0
        self.frame_num: int | None = None

    def count(self, head: SliceHeader) -> int:
        sps = head.sequence
        if sps.poc_type == 1:
            raise Unfollowed
        if head.idr or self.frame_num is None:
            self.msb, self.lsb, self.offset = 0, head.poc_lsb, 0
        if sps.poc_type == 2:
            if self.frame_num is not None and not head.idr and self.frame_num > head.frame_num:
                self.offset += sps.max_frame_num
            self.frame_num = head.frame_num
            return 0 if head.idr else 2 * (self.offset + head.frame_num) - (not head.reference)
        self.frame_num = head.frame_num
        half, lsb = 1 << (sps.poc_lsb_bits - 1), head.poc_lsb
        msb = self.msb
        if lsb < self.lsb and self.lsb - lsb >= half:
            msb += 2 * half
        elif lsb > self.lsb and lsb - self.lsb > half:
            msb -= 2 * half
        if head.reference:
            self.msb, self.lsb = msb, lsb
        return msb + lsb


class References:
    """One H.264 stream's parameter sets, kept across calls: a stream may state them only
    in its container's header, or only at its first keyframe."""

    def __init__(self, extradata: bytes | None) -> None:
        self.sequences: dict[int, SequenceParameters] = {}
        self.pictures: dict[int, PictureParameters] = {}
        self.length_size: int | None = None  # None: Annex B start codes
        extradata = extradata or b""
        try:
            if extradata[:1] == b"\x01":  # avcC (ISO 14496-15)
                self.length_size = (extradata[4] & 3) + 1
                self._avcc(extradata)
            else:
                self.slices(extradata)
        except (Unfollowed, IndexError):
            pass

    @classmethod
    def of(cls, decoder: av.CodecContext) -> References | None:
        """The follower of ``decoder``'s stream; None unless it is H.264."""
        return cls(decoder.extradata) if decoder.name == "h264" else None

    def _avcc(self, data: bytes) -> None:
        pos, count = 6, data[5] & 0x1F
        for sets in range(2):  # sequence, then picture parameter sets
            if sets:
                count, pos = data[pos], pos + 1
            for _ in range(count):
                size = int.from_bytes(data[pos : pos + 2], "big")
                self._parameters(data[pos + 2 : pos + 2 + size])
                pos += 2 + size

    def _parameters(self, nal: bytes) -> None:
        try:
            if nal[0] & 0x1F == SPS:
                sps_id, sps = read_sequence(rbsp(nal))
                self.sequences[sps_id] = sps
            else:
                pps_id, pps = read_picture(rbsp(nal), self.sequences)
                self.pictures[pps_id] = pps
        except Unfollowed:
            self.sequences.clear()  # parameters we cannot read: follow nothing
            self.pictures.clear()

    def _nals(self, data: _Unit) -> Iterable[memoryview | bytes]:
        if self.length_size is None:
            return (n for n in bytes(data).split(b"\x00\x00\x01") if n)
        view, nals, pos, width = memoryview(data), [], 0, self.length_size
        while pos + width <= len(view):
            size = int.from_bytes(view[pos : pos + width], "big")
            nals.append(view[pos + width : pos + width + size])
            pos += width + size
        return nals

    def slices(self, data: _Unit) -> list[SliceHeader]:
        """The slice headers of one unit (a packet, or its bytes), reading the parameter
        sets in it. Only the first bytes of each slice are copied."""
        out = []
        for nal in self._nals(data):
            kind = nal[0] & 0x1F if len(nal) else 0
            if kind in (SPS, PPS):
                self._parameters(bytes(nal))
            elif kind in (SLICE, IDR):
                out.append(read_slice(bytes(nal[:HEADER_BYTES]), self.pictures))
        return out

    def needless(self, units: Sequence[_Unit], target: int) -> frozenset[int]:
        """Indices of the units (a picture's packet each, in decode order from a keyframe)
        before ``target`` that are reference B-frames a decoder may skip and still give
        the target's frame unchanged. Empty where the stream is not followed."""
        try:
            pictures = _follow([self.slices(u) for u in units[: target + 1]], target)
            needed = _closure(pictures, {target})
            skip = {i for i, p in enumerate(pictures) if i not in needed and p is not None
                    and p.head.reference and all(s.kind == B_SLICE for s in p.slices)}
            # Decoded after all, so that no stand-in takes their place in a needed
            # picture's lists; their own pixels are never used, so not their references.
            while skip and (back := _stand_ins(pictures, skip, needed)):
                skip -= back
            return frozenset(skip)
        except (Unfollowed, IndexError):
            return frozenset()

    def interval(self, units: Sequence[list[SliceHeader]]) -> bool:
        """Whether ``units`` (the slices of each picture from an IDR picture to the next)
        are an interval where no reference picture uses a B-frame: there a B-frame's
        pixels change only the non-reference B-frames that use it."""
        try:
            pictures = _follow(units, len(units) - 1)
        except (Unfollowed, IndexError):
            return False
        if pictures[0] is None or not pictures[0].head.idr:
            return False
        b_frames = {i for i, p in enumerate(pictures) if p is not None and p.head.reference
                    and any(s.kind == B_SLICE for s in p.slices)}
        return not any(p.uses & b_frames for p in pictures if p is not None
                       and p.head.reference)


def _follow(units: Sequence[list[SliceHeader]], target: int) -> list[_Picture | None]:
    """Each picture (its slices) as the full decode builds it, up to ``target`` (None: a
    non-reference picture before the target, which nothing uses)."""
    buffer: list[_Entry] = []
    order = _Order()
    pictures: list[_Picture | None] = []
    next_num = None  # the frame_num of every picture after the last reference
    for i, slices in enumerate(units[: target + 1]):
        if not slices:
            raise Unfollowed
        head = slices[0]
        if any(s.frame_num != head.frame_num or s.reference != head.reference
               or s.poc_lsb != head.poc_lsb for s in slices):
            raise Unfollowed
        if i < target and not head.reference:
            pictures.append(None)
            continue
        if head.idr:
            buffer, next_num = [], 0
        if next_num is not None and head.frame_num != next_num:
            raise Unfollowed  # a gap in frame numbers
        poc = order.count(head)
        lists = tuple(_units(_lists(s, poc, buffer)) for s in slices)
        pictures.append(_Picture(tuple(slices), poc, lists))
        if head.reference:
            buffer = _marked(buffer, head, _Entry(i, head.frame_num, poc, i))
            next_num = (head.frame_num + 1) % head.sequence.max_frame_num
    return pictures


def _closure(pictures: Sequence[_Picture | None], start: set[int]) -> set[int]:
    needed, todo = set(start), list(start)
    while todo:
        picture = pictures[todo.pop()]
        for unit in (set() if picture is None else picture.uses) - needed:
            needed.add(unit)
            todo.append(unit)
    return needed


def _stand_ins(pictures: Sequence[_Picture | None], skip: set[int], needed: set[int]) -> set[int]:
    """The skipped units to decode after all so that, skipping the rest, every needed
    picture builds the lists the full decode builds (empty: none)."""
    buffer: list[_Entry] = []
    order = _Order()
    last: int | None = None  # the frame_num of the last picture decoded
    stands: dict[int, int] = {}  # frame_num: the skipped unit that had it
    for i, picture in enumerate(pictures):
        if picture is None:
            continue
        head = picture.head
        if i in skip:
            stands[head.frame_num] = i
            continue
        max_fn = head.sequence.max_frame_num
        if head.idr:
            buffer, last = [], None
        gap = 0 if last is None else (head.frame_num - last - 1) % max_fn
        if head.frame_num != last and gap:
            # FFmpeg makes a stand-in for each skipped reference (h264_slice.c, "Frame num
            # gap"): marked by the sliding window, a copy of the newest reference with an
            # order count 2 above it; for a gap wider than the buffer, only the last few.
            if gap > head.sequence.max_refs or not buffer:
                raise Unfollowed
            for _ in range(gap):
                last = (last + 1) % max_fn
                if last not in stands:
                    raise Unfollowed
                newest = buffer[-1]
                stand_in = _Entry(stands[last], last, newest.poc + 2, newest.pixels, True)
                buffer = _marked(buffer, replace(head, idr=False, unused=None), stand_in)
        last = head.frame_num
        if order.count(head) != picture.poc:
            raise Unfollowed  # the skipped pictures carried the order count's wrap
        if i in needed:
            for s, lists in zip(picture.slices, picture.lists, strict=True):
                try:
                    built = _lists(s, picture.poc, buffer)
                except _StandIn as stand_in:
                    return stand_in.units
                if _units(built) != lists:
                    used = {e.unit for lst in built for e in lst if e is not None and e.stand_in}
                    if not used:
                        raise Unfollowed
                    return used
        if head.reference:
            buffer = _marked(buffer, head, _Entry(i, head.frame_num, picture.poc, i))
    return set()


def _units(lists: _Lists) -> tuple[tuple[int | None, ...], ...]:
    return tuple(tuple(None if e is None else e.unit for e in lst) for lst in lists)
