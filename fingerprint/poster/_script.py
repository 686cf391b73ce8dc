"""The colour script: the film's shots in order, one panel each, in a grid whose rows read
left to right, top to bottom, as animation studios plan a film's colour. Each panel is its
shot's palette, stacked top to bottom by share as a strip's column is; drawn from the
fingerprint alone (its `Fingerprint.shots`).

The grid has as many columns as makes each cell nearest the film's own shape (its frame's
aspect ratio) while leaving the fewest cells empty, so a banner holds a few long rows and
A4 many short ones. A gutter of the background separates the panels, as on a studio's
board, unless the cells are too small to spare it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._theme import BACKGROUND
from ..errors import InvalidParameterError, ShotsNeededError
from ..model import Fingerprint, to_hex
from ..timecodes import timecode
from ._bands import strip_bands
from ._canvas import check_size

__all__ = ["Panel", "check_shots", "script_details", "script_image", "script_panels",
           "script_rects"]

# The gutter, as a fraction of a cell's shorter side; none for cells under `_MIN_GUTTER_CELL`
# pixels, whose every pixel is needed to show the panel.
_GUTTER = 0.06
_MIN_GUTTER_CELL = 12


@dataclass(frozen=True)
class Panel:
    """One shot's panel, in whole pixels: ``left <= x < right``, ``top <= y < bottom``."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def centre(self) -> tuple[int, int]:
        """The (x, y) pixel at the panel's centre."""
        return (self.left + self.right) // 2, (self.top + self.bottom) // 2


def check_shots(fp: Fingerprint) -> None:
    """Refuse a fingerprint without shots: the colour script has nothing to show."""
    if not fp.shots:
        raise ShotsNeededError


def script_details(fp: Fingerprint) -> str:
    """``41 shots · 1:30:00 · 5 colours each``: the colour script's caption line."""
    count = len(fp.shots or ())
    return (f"{count} shot{'s' if count != 1 else ''} · {timecode(fp.video.duration)} · "
            f"{fp.k} colours each")


def _columns(count: int, width: int, height: int, aspect: float) -> int:
    """The grid's columns: cells nearest ``aspect`` in shape, fewest left empty."""
    best, best_score = 1, -1.0
    for columns in range(1, min(count, width) + 1):
        rows = math.ceil(count / columns)
        if rows > height:
            continue
        shape = (width / columns) / (height / rows)
        score = min(shape / aspect, aspect / shape) * count / (columns * rows)
        if score > best_score:
            best, best_score = columns, score
    return best


def script_panels(count: int, *, width: int, height: int, aspect: float = 16 / 9) -> list[Panel]:
    """Where each of ``count`` shots goes on a ``width`` x ``height`` picture, in order:
    rows left to right, top to bottom (see the module's docstring)."""
    check_size(width, height)
    if count < 1:
        raise ShotsNeededError
    if count > width * height or math.ceil(count / width) > height:
        raise InvalidParameterError(
            f"{count} shots do not fit a colour script of {width}x{height} pixels: "
            "choose a larger poster size."
        )
    columns = _columns(count, width, height, aspect)
    rows = math.ceil(count / columns)
    cell_w, cell_h = width / columns, height / rows
    small = min(cell_w, cell_h)
    gutter = _GUTTER * small if small >= _MIN_GUTTER_CELL else 0.0
    panels = []
    for i in range(count):
        row, column = divmod(i, columns)
        panels.append(Panel(
            left=_pixel(column * cell_w + gutter / 2), top=_pixel(row * cell_h + gutter / 2),
            right=_pixel((column + 1) * cell_w - gutter / 2),
            bottom=_pixel((row + 1) * cell_h - gutter / 2),
        ))
    return panels


def _pixel(x: float) -> int:
    """The pixel edge nearest ``x``, halves up: unlike `round` (halves to even), two edges at
    least a pixel apart never meet, so no panel is empty."""
    return math.floor(x + 0.5)


def _aspect(fp: Fingerprint) -> float:
    """The film's frame shape, width over height, as displayed."""
    return fp.video.width / fp.video.height


def _shot_bands(fp: Fingerprint):
    """The shots' palettes as strip bands: one column per shot, largest share on top."""
    check_shots(fp)
    shots = fp.shots or ()
    as_strip = Fingerprint(
        video=fp.video, params=fp.params, times=np.array([s.middle for s in shots]),
        colors=np.stack([s.colors for s in shots]),
        shares=np.stack([s.shares for s in shots]),
        average=np.stack([s.colors[0] for s in shots]),
    )
    return strip_bands(as_strip, "share")


def script_image(fp: Fingerprint, *, width: int, height: int) -> np.ndarray:
    """The colour script as an ``(height, width, 3)`` uint8 image on the background."""
    geometry = _shot_bands(fp)
    panels = script_panels(len(geometry.colors), width=width, height=height,
                           aspect=_aspect(fp))
    out = np.empty((height, width, 3), np.uint8)
    out[:] = BACKGROUND
    for i, p in enumerate(panels):
        rows = (np.arange(p.bottom - p.top) + 0.5) / (p.bottom - p.top)
        # Each row's band: the first whose lower edge is below it, as `strip_image` finds it.
        band = np.minimum((rows[:, None] >= geometry.bottoms[i][None, :]).sum(axis=1),
                          fp.k - 1)
        out[p.top : p.bottom, p.left : p.right] = geometry.colors[i, band][:, None]
    return out


def script_rects(fp: Fingerprint, width: int, height: int) -> list[str]:
    """The colour script as SVG rectangles: one per drawn band of each panel, where
    `script_image` draws it."""
    geometry = _shot_bands(fp)
    panels = script_panels(len(geometry.colors), width=width, height=height,
                           aspect=_aspect(fp))
    rects = []
    for i, p in enumerate(panels):
        tall = p.bottom - p.top
        for color, top, bottom in zip(
            to_hex(geometry.colors[i]), geometry.tops[i], geometry.bottoms[i], strict=True
        ):
            if bottom > top:
                rects.append(
                    f'<rect x="{p.left}" y="{p.top + top * tall:.2f}" width="{p.right - p.left}" '
                    f'height="{(bottom - top) * tall:.2f}" fill="{color}"/>'
                )
    return rects
