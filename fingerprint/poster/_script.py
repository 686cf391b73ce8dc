"""The colour script: the film's shots in order, one panel each, in a grid whose rows read
left to right, top to bottom, as animation studios plan a film's colour. Each panel is its
shot's palette, stacked top to bottom by share as a strip's column is; drawn from the
fingerprint alone (its `Fingerprint.shots`).

The grid has as many columns as makes each cell nearest the film's own shape (its frame's
aspect ratio) while leaving the fewest cells empty, so a banner holds a few long rows and
A4 many short ones. A gutter of the background separates the panels, as on a studio's
board, unless the cells are too small to spare it.

What a panel shows is chosen (`SCRIPT_PANELS`): the palette alone, drawn here, or the shot's
middle frame with its palette as a column beside it (`_framed`, frames given by the caller).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np

from .._theme import BACKGROUND
from ..errors import InvalidParameterError, ShotsNeededError
from ..model import Fingerprint, to_hex
from ..timecodes import timecode
from ._bands import StripBands, strip_bands
from ._canvas import check_size

__all__ = ["SCRIPT_PANELS", "Panel", "PanelsChoice", "ScriptPanels", "check_shots",
           "film_aspect", "paint_palette", "palette_rects", "script_details", "script_image",
           "script_panels", "script_rects", "shot_bands"]

# The gutter, as a fraction of a cell's shorter side; none for cells under `_MIN_GUTTER_CELL`
# pixels, whose every pixel is needed to show the panel.
_GUTTER = 0.06
_MIN_GUTTER_CELL = 12


ScriptPanels = Literal["palettes", "frames"]


@dataclass(frozen=True)
class PanelsChoice:
    """One way to fill the colour script's panels: ``label`` for people (the app),
    ``about`` what it is (the command line's help), ``frames`` whether it draws the shots'
    middle frames (which the caller decodes, `fingerprint.script_frames`)."""

    label: str
    about: str
    frames: bool


#: What a colour script's panels may show, the default first: ``--script`` on the command
#: line, the app's toggle, `Poster.script`.
SCRIPT_PANELS: MappingProxyType[str, PanelsChoice] = MappingProxyType({
    "palettes": PanelsChoice("Palettes", "each panel the shot's palette", frames=False),
    "frames": PanelsChoice(
        "Frames and palettes",
        "each panel the shot's middle frame with its palette beside it (decodes one frame "
        "a shot)", frames=True),
})


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


def film_aspect(fp: Fingerprint) -> float:
    """The film's frame shape, width over height, as displayed."""
    return fp.video.width / fp.video.height


def shot_bands(fp: Fingerprint) -> StripBands:
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
    geometry = shot_bands(fp)
    panels = script_panels(len(geometry.colors), width=width, height=height,
                           aspect=film_aspect(fp))
    out = np.empty((height, width, 3), np.uint8)
    out[:] = BACKGROUND
    for i, p in enumerate(panels):
        paint_palette(out, p, geometry.colors[i], geometry.bottoms[i])
    return out


def paint_palette(out: np.ndarray, p: Panel, colors: np.ndarray, bottoms: np.ndarray) -> None:
    """Fill ``p`` of ``out`` with one shot's palette, bands top to bottom (`strip_bands`)."""
    rows = (np.arange(p.bottom - p.top) + 0.5) / (p.bottom - p.top)
    # Each row's band: the first whose lower edge is below it, as `strip_image` finds it.
    band = np.minimum((rows[:, None] >= bottoms[None, :]).sum(axis=1), len(colors) - 1)
    out[p.top : p.bottom, p.left : p.right] = colors[band][:, None]


def script_rects(fp: Fingerprint, width: int, height: int) -> list[str]:
    """The colour script as SVG rectangles: one per drawn band of each panel, where
    `script_image` draws it."""
    geometry = shot_bands(fp)
    panels = script_panels(len(geometry.colors), width=width, height=height,
                           aspect=film_aspect(fp))
    return [rect for i, p in enumerate(panels)
            for rect in palette_rects(p, geometry.colors[i], geometry.tops[i],
                                      geometry.bottoms[i])]


def palette_rects(
    p: Panel, colors: np.ndarray, tops: np.ndarray, bottoms: np.ndarray
) -> list[str]:
    """One shot's palette in ``p`` as SVG rectangles, where `paint_palette` paints it."""
    tall = p.bottom - p.top
    return [
        f'<rect x="{p.left}" y="{p.top + top * tall:.2f}" width="{p.right - p.left}" '
        f'height="{(bottom - top) * tall:.2f}" fill="{color}"/>'
        for color, top, bottom in zip(to_hex(colors), tops, bottoms, strict=True)
        if bottom > top
    ]
