"""The parts of H.264 headers (ITU-T H.264 clause 7.3) that say which pictures a slice
may use as references: parameter sets (`read_sequence`, `read_picture`) and slice headers
as far as their reference marking (`read_slice`). Anything this does not follow (fields,
long-term pictures, slice groups, SP/SI slices) or cannot read raises `Unfollowed`.
`_h264.py` follows the decoded picture buffer with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# The bytes of a slice NAL that can hold its header up to the reference marking: weight
# tables for 32 + 32 references take at most 32 * 2 * 5 * 33 bits.
HEADER_BYTES = 1400
SLICE, IDR, SPS, PPS = 1, 5, 7, 8
# Profiles whose sequence parameters carry chroma format and bit depths (7.3.2.1.1).
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
P_SLICE, B_SLICE, I_SLICE = 0, 1, 2  # slice_type % 5; SP and SI are not followed


class Unfollowed(Exception):
    """A stream or header this module does not follow: decode every reference."""


class _Bits:
    """An RBSP read as big-endian bits (u(n), ue(v), se(v) of clause 7.2)."""

    __slots__ = ("left", "value")

    def __init__(self, rbsp: bytes) -> None:
        self.value = int.from_bytes(rbsp, "big")
        self.left = 8 * len(rbsp)

    def u(self, n: int) -> int:
        if n > self.left:
            raise Unfollowed
        self.left -= n
        return (self.value >> self.left) & ((1 << n) - 1)

    def ue(self) -> int:
        zeros = self.left - (self.value & ((1 << self.left) - 1)).bit_length()
        if zeros > 31 or zeros >= self.left:
            raise Unfollowed
        self.left -= zeros
        return self.u(zeros + 1) - 1

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


def rbsp(nal: bytes) -> bytes:
    """The NAL's payload without its header byte and emulation prevention bytes."""
    return nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")


@dataclass(frozen=True)
class SequenceParameters:
    max_frame_num: int
    poc_type: int
    poc_lsb_bits: int
    poc_always_zero: bool
    max_refs: int
    color_planes: bool  # separate_colour_plane_flag
    chroma: bool  # ChromaArrayType != 0


@dataclass(frozen=True)
class PictureParameters:
    sequence: SequenceParameters
    bottom_poc: bool  # bottom_field_pic_order_in_frame_present_flag
    refs_l0: int
    refs_l1: int
    weighted_p: bool
    weighted_b: bool  # weighted_bipred_idc == 1: B slices carry weight tables
    redundant: bool


def _scaling_list(bits: _Bits, size: int) -> None:
    last = scale = 8
    for _ in range(size):
        if scale:
            scale = (last + bits.se()) % 256
        last = scale or last


def read_sequence(data: bytes) -> tuple[int, SequenceParameters]:
    """A sequence parameter set's id and what the slice headers need of it (7.3.2.1.1)."""
    bits = _Bits(data)
    profile = bits.u(8)
    bits.u(16)  # constraint flags, level
    sps_id = bits.ue()
    chroma_format, planes = 1, False
    if profile in _HIGH_PROFILES:
        chroma_format = bits.ue()
        if chroma_format == 3:
            planes = bool(bits.u(1))
        bits.ue(), bits.ue(), bits.u(1)  # bit depths, transform bypass
        if bits.u(1):
            for i in range(8 if chroma_format != 3 else 12):
                if bits.u(1):
                    _scaling_list(bits, 16 if i < 6 else 64)
    max_frame_num = 1 << (bits.ue() + 4)
    poc_type, lsb_bits, always_zero = bits.ue(), 0, False
    if poc_type == 0:
        lsb_bits = bits.ue() + 4
    elif poc_type == 1:
        always_zero = bool(bits.u(1))
        bits.se(), bits.se()
        for _ in range(bits.ue()):
            bits.se()
    max_refs = bits.ue()
    if bits.u(1):  # gaps_in_frame_num_value_allowed_flag
        raise Unfollowed
    bits.ue(), bits.ue()  # size in macroblocks
    if not bits.u(1):  # frame_mbs_only_flag: fields are not followed
        raise Unfollowed
    return sps_id, SequenceParameters(
        max_frame_num, poc_type, lsb_bits, always_zero, max(max_refs, 1), planes,
        chroma_format != 0 and not planes)


def read_picture(
    data: bytes, sequences: dict[int, SequenceParameters]
) -> tuple[int, PictureParameters]:
    """A picture parameter set's id and what the slice headers need of it (7.3.2.2)."""
    bits = _Bits(data)
    pps_id, sps_id = bits.ue(), bits.ue()
    if sps_id not in sequences:
        raise Unfollowed
    bits.u(1)  # entropy_coding_mode_flag
    bottom_poc = bool(bits.u(1))
    if bits.ue():  # slice groups
        raise Unfollowed
    refs_l0, refs_l1 = bits.ue() + 1, bits.ue() + 1
    weighted_p, bipred = bool(bits.u(1)), bits.u(2)
    bits.se(), bits.se(), bits.se(), bits.u(1), bits.u(1)  # QPs, deblocking, intra
    redundant = bool(bits.u(1))
    return pps_id, PictureParameters(
        sequences[sps_id], bottom_poc, refs_l0, refs_l1, weighted_p, bipred == 1, redundant)


_Changes = tuple[tuple[int, int], ...]  # (modification_of_pic_nums_idc, its value)


@dataclass(frozen=True)
class SliceHeader:
    sequence: SequenceParameters
    kind: int
    frame_num: int
    poc_lsb: int  # pic_order_cnt_lsb (0 where the sequence does not use POC type 0)
    idr: bool
    reference: bool
    refs: tuple[int, int]  # references active in lists 0 and 1
    changes: tuple[_Changes, _Changes]  # ref_pic_list_modification of lists 0 and 1
    # Memory management: the pictures (PicNum below this one's) it marks unused, or
    # None for the sliding window.
    unused: tuple[int, ...] | None


def _weights(bits: _Bits, chroma: bool, counts: Sequence[int]) -> None:
    bits.ue()
    if chroma:
        bits.ue()
    for count in counts:
        for _ in range(count):
            if bits.u(1):
                bits.se(), bits.se()
            if chroma and bits.u(1):
                bits.se(), bits.se(), bits.se(), bits.se()


def _changes(bits: _Bits) -> _Changes:
    if not bits.u(1):
        return ()
    changes = []
    while (idc := bits.ue()) != 3:
        if idc > 2:
            raise Unfollowed
        changes.append((idc, bits.ue()))
    return tuple(changes)


def read_slice(nal: bytes, pictures: dict[int, PictureParameters]) -> SliceHeader:
    """The slice header (7.3.3) as far as the reference marking, from the NAL's first
    `HEADER_BYTES`."""
    idr, reference = nal[0] & 0x1F == IDR, bool(nal[0] & 0x60)
    bits = _Bits(rbsp(nal))
    bits.ue()  # first_mb_in_slice
    kind = bits.ue() % 5
    pps = pictures.get(bits.ue())
    if pps is None or kind > I_SLICE:
        raise Unfollowed
    sps = pps.sequence
    if sps.color_planes:
        bits.u(2)
    frame_num = bits.u(sps.max_frame_num.bit_length() - 1)
    if idr:
        bits.ue()
    poc_lsb = 0
    if sps.poc_type == 0:
        poc_lsb = bits.u(sps.poc_lsb_bits)
        if pps.bottom_poc and bits.se():
            raise Unfollowed  # a frame ordered by its bottom field
    elif sps.poc_type == 1 and not sps.poc_always_zero:
        bits.se()
        if pps.bottom_poc:
            bits.se()
    if pps.redundant and bits.ue():
        raise Unfollowed  # a redundant picture
    if kind == B_SLICE:
        bits.u(1)
    refs_l0, refs_l1 = pps.refs_l0, pps.refs_l1
    if kind != I_SLICE and bits.u(1):
        refs_l0 = bits.ue() + 1
        if kind == B_SLICE:
            refs_l1 = bits.ue() + 1
    changes_l0 = _changes(bits) if kind != I_SLICE else ()
    changes_l1 = _changes(bits) if kind == B_SLICE else ()
    if (pps.weighted_p and kind == P_SLICE) or (pps.weighted_b and kind == B_SLICE):
        _weights(bits, sps.chroma, (refs_l0, refs_l1) if kind == B_SLICE else (refs_l0,))
    unused = None
    if reference:
        if idr:
            bits.u(1)
            if bits.u(1):  # long_term_reference_flag
                raise Unfollowed
        elif bits.u(1):  # adaptive_ref_pic_marking_mode_flag
            unused = _marking(bits)
    return SliceHeader(sps, kind, frame_num, poc_lsb, idr, reference, (refs_l0, refs_l1),
                       (changes_l0, changes_l1), unused)


def _marking(bits: _Bits) -> tuple[int, ...]:
    """The short-term pictures memory management marks unused, as distances below the
    current picture's number (x264's B-pyramid drops its reference B-frames so). Long-term
    pictures and resets are not followed."""
    unused = []
    while op := bits.ue():
        if op != 1:
            raise Unfollowed
        unused.append(bits.ue() + 1)
    return tuple(unused)
