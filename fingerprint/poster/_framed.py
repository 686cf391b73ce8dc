"""The colour script with frames: each panel the shot's middle frame, its palette as a column
on its right, as a studio's colour script pairs a key frame with its colours.

The frames are given (``frames``, one per shot, `fingerprint.script_frames` decodes them):
drawing stays pure. The grid is the palettes' (`script_panels`), its cells shaped for a
frame and its column, so a frame is cropped little. Each frame loses the black bars the
analysis found (``fp.crop``), then fills its area cropped about its centre (never
stretched, never letterboxed: a panel is all picture). The SVG embeds each frame as the
PNG of exactly the pixels the PNG poster shows, so the two are one poster.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from .._theme import BACKGROUND
from ..errors import InvalidParameterError
from ..model import Fingerprint
from ._script import Panel, film_aspect, paint_palette, palette_rects, script_panels, shot_bands

__all__ = ["framed_image", "framed_panels", "framed_svg", "script_frame_size"]

# The palette column's share of a panel's width: wide enough to read a shot's main colours
# at a glance, narrow enough to leave the frame most of the panel.
_PALETTE_SHARE = 0.25
# The thumbnail sizes a poster asks for (long side, px): a poster needs the smallest that
# covers its panels, so posters of nearby sizes share one cached set (at most 1.5 times
# the pixels each side), and a film cut every second stays small in memory.
FRAME_SIZES = (48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)


def framed_panels(
    count: int, *, width: int, height: int, aspect: float = 16 / 9
) -> list[tuple[Panel, Panel | None]]:
    """Where each of ``count`` shots' frame and palette column go on a ``width`` x
    ``height`` picture of a film ``aspect`` wide, in `script_panels` order. A panel one
    pixel wide has no room for a column (None): it shows the frame."""
    cells = script_panels(count, width=width, height=height,
                          aspect=aspect / (1 - _PALETTE_SHARE))
    panels = []
    for p in cells:
        wide = p.right - p.left
        column = max(1, round(wide * _PALETTE_SHARE)) if wide >= 2 else 0
        split = p.right - column
        panels.append((Panel(p.left, p.top, split, p.bottom),
                       Panel(split, p.top, p.right, p.bottom) if column else None))
    return panels


def _content_shape(fp: Fingerprint) -> tuple[float, float]:
    """The film's picture without its black bars, (width, height) in display pixels."""
    top, bottom, left, right = fp.crop or (0.0, 0.0, 0.0, 0.0)
    return fp.video.width * (1 - left - right), fp.video.height * (1 - top - bottom)


def script_frame_size(fp: Fingerprint, *, width: int, height: int) -> int:
    """The thumbnails' long side (one of `FRAME_SIZES`, px) a ``width`` x ``height``
    colour script with frames needs: the smallest whose frames cover every panel's frame
    area without enlarging, or the largest there is."""
    shots = fp.shots or ()
    if not shots:
        return FRAME_SIZES[0]
    panels = framed_panels(len(shots), width=width, height=height, aspect=film_aspect(fp))
    area_w = max(f.right - f.left for f, _ in panels)
    area_h = max(f.bottom - f.top for f, _ in panels)
    content_w, content_h = _content_shape(fp)
    long_side = max(fp.video.width, fp.video.height)
    needed = long_side * max(area_w / content_w, area_h / content_h)
    return next((s for s in FRAME_SIZES if s >= needed), FRAME_SIZES[-1])


def _check_frames(fp: Fingerprint, frames: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames)
    count = len(fp.shots or ())
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise InvalidParameterError(
            f"frames must be (shots, height, width, 3) uint8 RGB, not {frames.shape} "
            f"{frames.dtype}."
        )
    if len(frames) != count:
        raise InvalidParameterError(
            f"the colour script has {count} shots but {len(frames)} frames were given: "
            "decode them for this fingerprint (fingerprint.script_frames)."
        )
    return frames


def _fill(frame: np.ndarray, crop, width: int, height: int) -> np.ndarray:
    """``frame`` without its black bars (``crop``, fractions), cut about its centre to the
    shape of a ``width`` x ``height`` area and scaled to it."""
    h, w = frame.shape[:2]
    if crop is not None:
        top, bottom, left, right = crop
        rows = slice(round(top * h), max(round(top * h) + 1, h - round(bottom * h)))
        cols = slice(round(left * w), max(round(left * w) + 1, w - round(right * w)))
        frame = frame[rows, cols]
        h, w = frame.shape[:2]
    if w * height > h * width:  # wider than the area: cut its sides
        keep = max(1, min(w, round(h * width / height)))
        frame = frame[:, (w - keep) // 2 : (w - keep) // 2 + keep]
    else:  # taller: cut top and bottom
        keep = max(1, min(h, round(w * height / width)))
        frame = frame[(h - keep) // 2 : (h - keep) // 2 + keep]
    picture = Image.fromarray(np.ascontiguousarray(frame))
    return np.asarray(picture.resize((width, height), Image.Resampling.LANCZOS))


def _drawn(fp: Fingerprint, frames: np.ndarray, width: int, height: int):
    """Each shot's frame area, its frame as filled there, its column, and its bands."""
    frames = _check_frames(fp, frames)
    geometry = shot_bands(fp)
    panels = framed_panels(len(frames), width=width, height=height, aspect=film_aspect(fp))
    for i, (area, column) in enumerate(panels):
        filled = _fill(frames[i], fp.crop, area.right - area.left, area.bottom - area.top)
        yield area, filled, column, geometry.colors[i], geometry.tops[i], geometry.bottoms[i]


def framed_image(fp: Fingerprint, width: int, height: int, *, frames: np.ndarray) -> np.ndarray:
    """The colour script with frames as an ``(height, width, 3)`` uint8 image."""
    out = np.empty((height, width, 3), np.uint8)
    out[:] = BACKGROUND
    for area, filled, column, colors, _, bottoms in _drawn(fp, frames, width, height):
        out[area.top : area.bottom, area.left : area.right] = filled
        if column is not None:
            paint_palette(out, column, colors, bottoms)
    return out


def framed_svg(fp: Fingerprint, width: int, height: int, *, frames: np.ndarray) -> list[str]:
    """The colour script with frames as SVG: each frame an ``<image>`` holding the PNG of
    the pixels `framed_image` puts there, each palette its rectangles."""
    parts = []
    for area, filled, column, colors, tops, bottoms in _drawn(fp, frames, width, height):
        buf = io.BytesIO()
        Image.fromarray(filled).save(buf, format="PNG")
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        parts.append(
            f'<image x="{area.left}" y="{area.top}" width="{area.right - area.left}" '
            f'height="{area.bottom - area.top}" preserveAspectRatio="none" '
            f'href="data:image/png;base64,{data}"/>'
        )
        if column is not None:
            parts += palette_rects(column, colors, tops, bottoms)
    return parts

