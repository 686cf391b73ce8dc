"""The YCbCr colour matrices FFmpeg tags (AVColorSpace, ISO/IEC 23091-2 code points): one
table of each one's FFmpeg name, swscale name and luma weights (`MATRICES`), and the
matrix a frame converts with (`frame_matrix`: its own, or the one players assume).
"""

from __future__ import annotations

from dataclasses import dataclass

import av


@dataclass(frozen=True)
class Matrix:
    """A YCbCr matrix: FFmpeg's name (libavutil/pixdesc.c), swscale's name and the luma
    weights (Kr, Kb), the last two None where we convert no picture with it."""

    name: str
    swscale: str | None = None
    luma: tuple[float, float] | None = None


MATRICES = {
    0: Matrix("gbr"),
    1: Matrix("bt709", "itu709", (0.2126, 0.0722)),
    4: Matrix("fcc"),
    5: Matrix("bt470bg", "itu601", (0.299, 0.114)),
    6: Matrix("smpte170m", "smpte170m", (0.299, 0.114)),
    7: Matrix("smpte240m", "smpte240m", (0.212, 0.087)),
    8: Matrix("ycgco"),
    9: Matrix("bt2020nc", "bt2020", (0.2627, 0.0593)),
    10: Matrix("bt2020c", "bt2020", (0.2627, 0.0593)),
    11: Matrix("smpte2085"),
    12: Matrix("chroma-derived-nc"),
    13: Matrix("chroma-derived-c"),
    14: Matrix("ictcp"),
    15: Matrix("ipt-c2"),
}


def matrix_name(code: int | None) -> str | None:
    """FFmpeg's name for a YCbCr matrix code (None: unspecified or unknown)."""
    matrix = MATRICES.get(int(code)) if code is not None else None
    return matrix.name if matrix else None


def frame_matrix(frame: av.VideoFrame) -> Matrix:
    """The matrix ``frame`` converts with: its own, or for untagged video (and matrices
    we convert no picture with) the one players assume, BT.709 for HD and BT.601 below."""
    matrix = MATRICES.get(int(frame.colorspace or 2))
    if matrix is None or matrix.swscale is None:
        matrix = MATRICES[1 if frame.height >= 720 or frame.width >= 1280 else 5]
    return matrix
