"""A decoded frame as RGB at working size: its own colour matrix and range, HDR and wide
gamut converted to SDR, rotation (`frame_to_rgb`), and how it is scaled
(`Interpolation`)."""

from __future__ import annotations

from typing import Literal

import av
import numpy as np

from ._hdr import needs_conversion, primaries_name, to_sdr, transfer_name
from ._matrices import frame_matrix

# Scaling to the working size (swscale's names). "AREA" averages the pixels each output
# pixel covers: smooth, for frames shown to a viewer. "POINT" keeps one real pixel per
# output pixel (on a regular lattice: a pattern at exactly that period aliases), so a
# sampled frame's colours are a subsample of the full-resolution frame's, whose spread area
# averaging narrows: the samples' scaling (bench/accuracy.py, docs/benchmarks.md). Only
# when shrinking: see `frame_to_rgb`.
Interpolation = Literal["AREA", "POINT"]


def frame_to_rgb(
    frame: av.VideoFrame, *, width: int, height: int, rotation: int = 0,
    interpolation: Interpolation = "AREA",
) -> np.ndarray:
    """Scale and convert to RGB with the frame's own colour matrix and range, then rotate.

    Untagged video gets the matrix players assume: BT.709 for HD, BT.601 below. HDR and
    wide-gamut frames are scaled to 16-bit RGB in their own primaries and transfer, then
    converted to SDR (`hdr.to_sdr`), so every caller sees the same SDR colours.
    ``interpolation``: see `Interpolation`; a frame stretched in either direction is
    always area-scaled. The result is C-contiguous: FFmpeg pads its lines (a 180-px-wide
    frame's are 544 bytes, not 540), which `to_ndarray` passes on as a strided view.
    """
    full_range = int(frame.color_range or 0) == 2 or frame.format.name.startswith("yuvj")
    transfer = transfer_name(frame.color_trc)
    primaries = primaries_name(frame.color_primaries)
    wide = needs_conversion(transfer=transfer, primaries=primaries)
    if width > frame.width or height > frame.height:
        # Stretched, not shrunk (non-square pixels): a point scale would repeat pixels where
        # a player interpolates, and the frame is already the one shown.
        interpolation = "AREA"
    rgb = frame.reformat(
        width=width,
        height=height,
        format="rgb48le" if wide else "rgb24",
        src_colorspace=frame_matrix(frame).swscale,
        src_color_range="JPEG" if full_range else "MPEG",
        dst_color_range="JPEG",
        interpolation=interpolation,
        threads=1,
    ).to_ndarray()
    if wide:
        rgb = to_sdr(rgb, transfer=transfer, primaries=primaries)
    if rotation:
        rgb = np.rot90(rgb, k=-(rotation // 90))
    return np.ascontiguousarray(rgb)
