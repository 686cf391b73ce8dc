"""Posters: a fingerprint as a PNG or an SVG of exactly the size asked, no matplotlib.

Four kinds, one per view that has a picture to print: the palette strip (``"palette"``,
bands as tall as each colour's share), equal bands (``"bands"``), the classic
average-colour barcode (``"average"``) and the ring (``"ring"``: the circular print of
the original tool, Chipdelmal/moviesColorFingerprint). An optional caption (a title with
a line about the analysis, and a credit) takes its room from the bottom of the poster,
never adds to it: the file is the size chosen. The PNG and the SVG share one layout
(`poster_caption.py`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

import numpy as np
from PIL import Image, ImageDraw

from .._theme import BACKGROUND, MUTED, css
from ..errors import InvalidParameterError
from ..model import Fingerprint, to_hex
from ._bands import Bands, strip_bands
from ._caption import caption_font, caption_font_family, caption_layout
from ._sound import ring_outline, strip_outline

__all__ = [
    "MAX_POSTER_PIXELS",
    "POSTER_KINDS",
    "POSTER_SIZES",
    "PosterKind",
    "PosterSize",
    "average_image",
    "poster",
    "poster_png",
    "poster_svg",
    "ring_image",
    "strip_image",
]

PosterKind = Literal["palette", "bands", "average", "ring"]
#: The posters there are, as `poster` takes them.
POSTER_KINDS: tuple[PosterKind, ...] = ("palette", "bands", "average", "ring")
_STRIP_BANDS: dict[str, Bands] = {"palette": "share", "bands": "equal"}

#: Below Pillow's decompression-bomb limit (about 89 M pixels), so every poster made here
#: can be opened again by Pillow, and the ring's work arrays stay within memory.
MAX_POSTER_PIXELS = 80_000_000

#: The ring's empty centre, as a fraction of its radius: as the Ring view draws it.
RING_HOLE = 0.38
# Room around the ring, as a fraction of the picture's shorter side.
_RING_MARGIN = 0.03
# The sound band's share of a strip poster's picture, when the sound is drawn.
_SOUND_BAND = 0.15
# Rows of the ring computed at once: bounds its work arrays to a few MB at any size.
_RING_CHUNK_ROWS = 256


@dataclass(frozen=True)
class PosterSize:
    """A named poster size: ``name`` as the command line takes it, ``label`` what it is
    for; ``dpi`` is written into the PNG for print sizes, None for screens (a screen shows
    pixels; a DPI would only give a print dialog a size nobody chose)."""

    name: str
    label: str
    width: int
    height: int
    dpi: int | None = None


POSTER_SIZES: tuple[PosterSize, ...] = (
    PosterSize("banner", "banner", 3000, 1000),
    PosterSize("large", "large print", 6000, 2000),
    PosterSize("square", "square, for the ring", 3000, 3000),
    PosterSize("hd", "HD wallpaper", 1920, 1080),
    PosterSize("4k", "4K wallpaper", 3840, 2160),
    PosterSize("a4", "A4 portrait, 300 dpi", 2480, 3508, dpi=300),
    PosterSize("a3", "A3 portrait, 300 dpi", 3508, 4961, dpi=300),
)


# --- the pictures ----------------------------------------------------------------------
def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise InvalidParameterError(
            f"a poster must be at least 1 pixel wide and high, not {width}x{height}."
        )
    if width * height > MAX_POSTER_PIXELS:
        raise InvalidParameterError(
            f"a poster of {width}x{height} pixels is too large: keep it under "
            f"{MAX_POSTER_PIXELS // 1_000_000} million pixels (6000x2000 is 12 million)."
        )


def _columns(fp: Fingerprint, width: int) -> np.ndarray:
    """The sample each pixel column shows: equal widths, time left to right."""
    return np.minimum((np.arange(width) * len(fp)) // width, len(fp) - 1)


def strip_image(fp: Fingerprint, *, width: int, height: int, bands: Bands = "share") -> np.ndarray:
    """The strip as an ``(height, width, 3)`` uint8 image: time left to right, each
    column's palette top to bottom (largest share on top)."""
    _check_size(width, height)
    geometry = strip_bands(fp, bands)
    edges = np.asarray(geometry.bottoms)
    column = _columns(fp, width)
    rows = (np.arange(height) + 0.5) / height
    # For every pixel, the first band whose lower edge is below it: the number of edges
    # at or above its row's middle. Each sample's edges are placed on the rows once (the
    # first row at or below each), and a running count down the rows gives the band, so
    # the work is per sample and row, not per pixel and band (a 3000 x 1000 poster of
    # k = 7 compared 21 million pairs).
    first_row = np.searchsorted(rows, edges, side="left")
    placed = np.zeros((height + 1, len(fp)), np.int32)
    np.add.at(placed, (first_row, np.broadcast_to(np.arange(len(fp))[:, None], edges.shape)), 1)
    band = np.minimum(np.cumsum(placed[:height], axis=0), fp.k - 1)
    # Each sample's column of colours once, then copied to the pixel columns it covers.
    flat = np.arange(len(fp))[None, :] * fp.k + band
    return np.take(np.asarray(geometry.colors).reshape(-1, 3)[flat], column, axis=1)


def average_image(fp: Fingerprint, *, width: int, height: int) -> np.ndarray:
    """The classic movie barcode as an ``(height, width, 3)`` uint8 image: each column
    one moment's average colour, time left to right."""
    _check_size(width, height)
    return np.broadcast_to(fp.average[_columns(fp, width)][None], (height, width, 3)).copy()


def ring_image(
    fp: Fingerprint, *, size: int, background: tuple[int, int, int] = BACKGROUND
) -> np.ndarray:
    """The ring as a ``(size, size, 3)`` uint8 image on ``background``: time runs
    clockwise from the top, each sample an equal wedge, its palette from the inside out
    by share (as the Ring view draws it). Its edges are anti-aliased."""
    _check_size(size, size)
    geometry = strip_bands(fp, "share")
    bottoms = geometry.bottoms.astype(np.float32)
    n, k = len(fp), fp.k
    radius = size / 2 * (1 - 2 * _RING_MARGIN)
    inner = radius * RING_HOLE
    centre = size / 2
    back = np.asarray(background, np.float32)
    out = np.empty((size, size, 3), np.uint8)
    x = np.arange(size, dtype=np.float32) + 0.5 - centre
    for top in range(0, size, _RING_CHUNK_ROWS):
        y = np.arange(top, min(size, top + _RING_CHUNK_ROWS), dtype=np.float32) + 0.5 - centre
        dx, dy = np.broadcast_arrays(x[None, :], y[:, None])
        r = np.hypot(dx, dy)
        # Clockwise from 12 o'clock: the angle of (dx, -dy) measured from the y axis.
        turn = (np.arctan2(dx, -dy) / (2 * np.pi)) % 1.0
        sample = np.minimum((turn * n).astype(np.int64), n - 1)
        depth = np.clip((r - inner) / (radius - inner), 0.0, 1.0)
        band = np.zeros(r.shape, np.int64)
        for rank in range(k - 1):  # k is at most a few dozen; each step is whole-array
            band += depth >= bottoms[sample, rank]
        color = geometry.colors[sample, band].astype(np.float32)
        # The fraction of each pixel inside the annulus: smooth edges without supersampling.
        cover = np.clip(radius - r + 0.5, 0, 1) * np.clip(r - inner + 0.5, 0, 1)
        out[top : top + len(y)] = np.rint(back + (color - back) * cover[..., None])
    return out


# --- posters ---------------------------------------------------------------------------
def _check_kind(kind: str) -> None:
    if kind not in POSTER_KINDS:
        raise InvalidParameterError(
            f"a poster is one of {', '.join(POSTER_KINDS)}, not {kind!r}."
        )


def _check_dpi(dpi: int | None) -> None:
    if dpi is not None and not 1 <= dpi <= 10_000:
        raise InvalidParameterError(f"dpi must be between 1 and 10000, not {dpi}.")


def _picture(fp: Fingerprint, kind: PosterKind, width: int, height: int) -> Image.Image:
    """The poster's picture alone, ``width`` x ``height``."""
    if kind == "average":
        return Image.fromarray(average_image(fp, width=width, height=height))
    if kind == "ring":
        canvas = Image.new("RGB", (width, height), BACKGROUND)
        side = min(width, height)
        ring = Image.fromarray(ring_image(fp, size=side))
        canvas.paste(ring, ((width - side) // 2, (height - side) // 2))
        return canvas
    return Image.fromarray(strip_image(fp, width=width, height=height, bands=_STRIP_BANDS[kind]))


def _sound_band(fp: Fingerprint, kind: PosterKind, picture: int, sound: bool) -> tuple[int, int]:
    """The picture's height and the sound band's under it (0: no band). A strip gives
    the bottom `_SOUND_BAND` of its room to the sound; the ring keeps all of it."""
    if not sound or fp.loudness is None or kind == "ring":
        return picture, 0
    band = max(1, round(picture * _SOUND_BAND))
    return picture - band, band


def _sound_shapes(
    fp: Fingerprint, kind: PosterKind, width: int, picture: int, band: int, sound: bool
) -> list[tuple[list[tuple[float, float]], tuple[int, int, int]]]:
    """Filled polygons (points, colour) that draw the sound on a poster: the loudness as
    an area in the band under a strip; in the ring's hole, a disc with the loudness cut
    out of it, each moment reaching inwards by its loudness. Empty without sound."""
    if not sound or fp.loudness is None:
        return []
    if kind != "ring":
        return [(strip_outline(fp, width=width, top=picture - band, height=band), MUTED)]
    side = min(width, picture)
    hole = side / 2 * (1 - 2 * _RING_MARGIN) * RING_HOLE
    cx, cy = width / 2, picture / 2
    turns = np.linspace(0.0, 1.0, 361)
    disc = list(zip((cx + hole * np.sin(2 * np.pi * turns)).tolist(),
                    (cy - hole * np.cos(2 * np.pi * turns)).tolist(), strict=True))
    return [(disc, MUTED), (ring_outline(fp, cx=cx, cy=cy, radius=hole), BACKGROUND)]


def poster(
    fp: Fingerprint,
    *,
    kind: PosterKind = "palette",
    width: int = 3000,
    height: int = 1000,
    title: str | None = None,
    credit: str | None = None,
    sound: bool = False,
) -> Image.Image:
    """The poster as an RGB image of exactly ``width`` x ``height`` pixels. With a title
    (shown with a line about the analysis) or a credit, the caption takes its room from
    the bottom. The texts are drawn as given, on one line each. With ``sound`` (and a
    sound print), the loudness is drawn too: a band under a strip, inside the ring's hole."""
    _check_kind(kind)
    _check_size(width, height)
    layout = caption_layout(fp, kind, width, height, title, credit)
    image = Image.new("RGB", (width, height), BACKGROUND)
    picture, band = _sound_band(fp, kind, layout.picture_height, sound)
    image.paste(_picture(fp, kind, width, picture), (0, 0))
    draw = ImageDraw.Draw(image)
    for polygon, color in _sound_shapes(fp, kind, width, layout.picture_height, band, sound):
        draw.polygon(polygon, fill=color)
    for line in layout.lines:
        draw.text(
            (layout.margin, line.baseline), line.text, font=caption_font(line.size),
            fill=line.color, anchor="ls",
        )
    return image


def poster_png(
    fp: Fingerprint,
    *,
    kind: PosterKind = "palette",
    width: int = 3000,
    height: int = 1000,
    title: str | None = None,
    credit: str | None = None,
    dpi: int | None = None,
    sound: bool = False,
) -> bytes:
    """`poster` encoded as PNG bytes; ``dpi`` (for print) is written into the file, so a
    print dialog sizes it right (A4 is 2480 x 3508 at 300 dpi)."""
    _check_dpi(dpi)
    image = poster(fp, kind=kind, width=width, height=height, title=title, credit=credit,
                   sound=sound)
    buf = io.BytesIO()
    image.save(buf, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def poster_svg(
    fp: Fingerprint,
    *,
    kind: PosterKind = "palette",
    width: int = 3000,
    height: int = 1000,
    title: str | None = None,
    credit: str | None = None,
    dpi: int | None = None,
    sound: bool = False,
) -> str:
    """The same poster as `poster_png`, as an SVG: one element per colour band (a
    rectangle, or a ring sector) in ``<g id="picture">``, so it scales without blur.
    Its view box is ``width`` x ``height``; with a ``dpi`` its size is given in
    millimetres, so it prints at the size the PNG would."""
    _check_kind(kind)
    _check_size(width, height)
    _check_dpi(dpi)
    layout = caption_layout(fp, kind, width, height, title, credit)
    picture, band = _sound_band(fp, kind, layout.picture_height, sound)
    if dpi:
        size = f'width="{width / dpi * 25.4:.2f}mm" height="{height / dpi * 25.4:.2f}mm"'
    else:
        size = f'width="{width}" height="{height}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="{css(BACKGROUND)}"/>',
    ]
    if kind == "ring":
        parts.append('<g id="picture">')
        parts += _ring_paths(fp, width, picture)
    else:
        parts.append('<g id="picture" shape-rendering="crispEdges">')
        parts += _strip_rects(fp, kind, width, picture)
    parts.append("</g>")
    shapes = _sound_shapes(fp, kind, width, layout.picture_height, band, sound)
    if shapes:
        parts.append('<g id="sound">')
        parts += [
            f'<polygon points="{" ".join(f"{x:.2f},{y:.2f}" for x, y in polygon)}" '
            f'fill="{css(color)}"/>'
            for polygon, color in shapes
        ]
        parts.append("</g>")
    if layout.lines:
        parts.append(f'<g id="caption" font-family="{escape(caption_font_family())}">')
        parts += [
            f'<text x="{layout.margin:.2f}" y="{line.baseline:.2f}" font-size="{line.size}" '
            f'fill="{css(line.color)}">{escape(line.text)}</text>'
            for line in layout.lines
        ]
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def _strip_rects(fp: Fingerprint, kind: PosterKind, width: int, height: int) -> list[str]:
    """One rectangle per drawn band (zero-share bands are not drawn), columns a hair wider
    than their slot so that no seam shows between them."""
    col_w = width / len(fp)
    if kind == "average":
        return [
            f'<rect x="{i * col_w:.2f}" y="0" width="{col_w + 0.05:.2f}" height="{height}" '
            f'fill="{color}"/>'
            for i, color in enumerate(to_hex(fp.average))
        ]
    geometry = strip_bands(fp, _STRIP_BANDS[kind])
    rects = []
    for i in range(len(fp)):
        x = i * col_w
        for color, top, bottom in zip(
            to_hex(geometry.colors[i]), geometry.tops[i], geometry.bottoms[i], strict=True
        ):
            if bottom > top:
                rects.append(
                    f'<rect x="{x:.2f}" y="{top * height:.2f}" width="{col_w + 0.05:.2f}" '
                    f'height="{(bottom - top) * height:.2f}" fill="{color}"/>'
                )
    return rects


def _ring_paths(fp: Fingerprint, width: int, height: int) -> list[str]:
    """One annular sector per drawn band, geometry as `ring_image`'s."""
    side = min(width, height)
    cx, cy = width / 2, height / 2
    radius = side / 2 * (1 - 2 * _RING_MARGIN)
    inner = radius * RING_HOLE
    geometry = strip_bands(fp, "share")
    n = len(fp)
    # Each wedge reaches a hair into the next (which is drawn over it): no seams.
    overlap = 0.5 / (2 * math.pi * radius) if n > 1 else 0.0  # half a pixel, in turns

    def point(r: float, turn: float) -> str:
        angle = 2 * math.pi * turn
        return f"{cx + r * math.sin(angle):.2f} {cy - r * math.cos(angle):.2f}"

    def sector(r0: float, r1: float, start: float, end: float) -> str:
        if n == 1:  # a whole annulus: two half circles each way, the hole left empty
            return (
                f'd="M {point(r1, 0)} A {r1:.2f} {r1:.2f} 0 1 1 {point(r1, 0.5)} '
                f'A {r1:.2f} {r1:.2f} 0 1 1 {point(r1, 0)} Z M {point(r0, 0)} '
                f'A {r0:.2f} {r0:.2f} 0 1 0 {point(r0, 0.5)} '
                f'A {r0:.2f} {r0:.2f} 0 1 0 {point(r0, 0)} Z" fill-rule="evenodd"'
            )
        large = 1 if end - start > 0.5 else 0
        return (
            f'd="M {point(r1, start)} A {r1:.2f} {r1:.2f} 0 {large} 1 {point(r1, end)} '
            f'L {point(r0, end)} A {r0:.2f} {r0:.2f} 0 {large} 0 {point(r0, start)} Z"'
        )

    paths = []
    for i in range(n):
        start, end = i / n, (i + 1) / n + overlap
        for color, top, bottom in zip(
            to_hex(geometry.colors[i]), geometry.tops[i], geometry.bottoms[i], strict=True
        ):
            if bottom > top:
                r0 = inner + (radius - inner) * top
                r1 = inner + (radius - inner) * bottom
                paths.append(f'<path {sector(r0, r1, start, end)} fill="{color}"/>')
    return paths
