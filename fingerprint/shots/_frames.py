"""The frames the detectors see: each decoded frame at `SIZE` px as RGB, read straight
from a 4:2:0 picture's planes (`small_rgb`), and the crop box of its black bars."""

from __future__ import annotations

import functools

import av
import numpy as np

from ..decode._hdr import needs_conversion, primaries_name, transfer_name
from ..decode._matrices import frame_matrix
from ..decode._rgb import frame_to_rgb


def crop_box(height: int, width: int, crop) -> tuple[slice, slice]:
    if crop is None:
        return slice(None), slice(None)
    top, bottom, left, right = crop
    rows = slice(round(top * height), max(round(top * height) + 1, height - round(bottom * height)))
    cols = slice(round(left * width), max(round(left * width) + 1, width - round(right * width)))
    return rows, cols


@functools.cache
def _ycc_to_bgr(kr: float, kb: float, full_range: bool) -> np.ndarray:
    """The 3 x 4 affine map (`cv2.transform`) from a 2x2 block's luma sum, Cb and Cr to B,
    G and R, plus one half: truncating the result then rounds it."""
    scale_y, scale_c, black = (1.0, 1.0, 0.0) if full_range else (255 / 219, 255 / 224, 16.0)
    cb_b, cr_r = 2 * (1 - kb) * scale_c, 2 * (1 - kr) * scale_c
    kg = 1 - kr - kb
    rows = np.array([[scale_y / 4, cb_b, 0.0],
                     [scale_y / 4, -kb * cb_b / kg, -kr * cr_r / kg],
                     [scale_y / 4, 0.0, cr_r]])
    offset = 0.5 - black * scale_y - 128 * (rows[:, 1] + rows[:, 2])
    return np.hstack([rows, offset[:, None]])


def small_rgb(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """The frame at ``width`` x ``height`` as RGB, each pixel the mean of a 2x2 block of
    the picture at its place. For 4:2:0 video, read straight from the planes: swscale's
    fastest downscale took a fifth of the time at 1080p (profiled with cProfile). The
    matrix is the frame's own, or the one players assume (BT.709 for HD). From the planes
    the RGB is a view of a contiguous BGR picture, the order OpenCV and PySceneDetect take
    (`_scan` then passes it on without a copy)."""
    fmt = frame.format.name
    h, w = frame.height, frame.width
    wide = needs_conversion(transfer=transfer_name(frame.color_trc),
                            primaries=primaries_name(frame.color_primaries))
    if wide or fmt not in ("yuv420p", "yuvj420p") or h < 2 * height or w < 2 * width:
        # HDR and wide-gamut frames take the samples' own path (SDR colours, as every
        # palette); other layouts and pictures too small for 2x2 blocks are cheap anyway.
        return frame_to_rgb(frame, width=width, height=height)
    import cv2  # loaded by `_Boundaries` already

    # Even strides (each 2x2 luma block then has its own chroma sample) and a grid centred
    # on the picture, as views of the planes, no gathers. The grid may leave a few per
    # cent of the edges unread.
    sy, sx = max(2, h // height // 2 * 2), max(2, w // width // 2 * 2)
    y0, x0 = (h - height * sy) // 4 * 2, (w - width * sx) // 4 * 2
    planes = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size) for p in frame.planes]
    blocks = planes[0][y0 : y0 + height * sy, x0 : x0 + width * sx].reshape(height, sy, width, sx)
    # Few passes over few arrays: at 128 px each numpy call costs more than its arithmetic.
    luma = blocks[:, 0, :, 0].astype(np.uint16)  # each block's sum, exact
    luma += blocks[:, 0, :, 1]
    luma += blocks[:, 1, :, 0]
    luma += blocks[:, 1, :, 1]
    ycc = np.empty((height, width, 3), np.float32)
    ycc[..., 0] = luma
    top, left = y0 // 2, x0 // 2
    for i in (1, 2):
        ycc[..., i] = planes[i][top : top + height * sy // 2 : sy // 2,
                                left : left + width * sx // 2 : sx // 2]
    kr, kb = frame_matrix(frame).luma
    full = fmt == "yuvj420p" or int(frame.color_range or 0) == 2
    bgr = cv2.transform(ycc, _ycc_to_bgr(kr, kb, full))
    np.clip(bgr, 0, 255, out=bgr)
    return bgr.astype(np.uint8)[..., ::-1]
