"""Posters: a fingerprint as a PNG or an SVG of exactly the size asked, no matplotlib.

The kinds (`POSTER_KINDS`) are one per view that has a picture to print, each drawn by
its entry in `_kinds.DRAWERS`: the palette strip, equal bands, the classic
average-colour barcode and the ring. An optional caption (a title with a line about the
analysis, and a credit) takes its room from the bottom of the poster, never adds to it:
the file is the size chosen. The PNG and the SVG share one layout (`_caption`).

Every kind can be drawn as seen with a colour-vision deficiency (``cvd``, `palette.seen_with`):
the fingerprint is recoloured once, before any kind draws it, and the caption says so.

The colour script can also show each shot's middle frame (``frames``, decoded by the caller:
`fingerprint.script_frames`), its palette beside it (`_framed`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape

import numpy as np
from PIL import Image, ImageDraw

from .._theme import BACKGROUND, css
from ..errors import InvalidParameterError
from ..model import Fingerprint
from ..palette._cvd import cvd_label, seen_with
from ._canvas import check_size
from ._caption import CaptionLayout, caption_font, caption_font_family, caption_layout
from ._kinds import DRAWERS, POSTER_KINDS, Drawer, PosterKind, Shapes

__all__ = ["POSTER_SIZES", "PosterSize", "poster", "poster_png", "poster_svg"]

# The sound band's share of a strip poster's picture, when the sound is drawn.
_SOUND_BAND = 0.15


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


# --- checks ----------------------------------------------------------------------------
def _drawer(fp: Fingerprint, kind: str) -> Drawer:
    """The kind's drawer, once ``fp`` is known to hold what it draws."""
    if kind not in DRAWERS:
        raise InvalidParameterError(
            f"a poster is one of {', '.join(POSTER_KINDS)}, not {kind!r}."
        )
    drawer = DRAWERS[kind]
    drawer.check(fp)
    return drawer


def _seen(
    fp: Fingerprint, frames: np.ndarray | None, cvd: str | None, severity: float
) -> tuple[Fingerprint, np.ndarray | None, str | None]:
    """The fingerprint and the frames as the poster shows them, and the deficiency's name
    (None: normal vision). Checked before anything is drawn."""
    if cvd is None:
        return fp, frames, None
    if frames is not None:
        frames = seen_with(np.asarray(frames), cvd=cvd, severity=severity)
    return seen_with(fp, cvd=cvd, severity=severity), frames, cvd_label(cvd, severity)


@dataclass(frozen=True)
class _Picture:
    """How the poster's picture is drawn: as pixels, ``image(fp, width, height)``, and as
    SVG elements, ``svg(fp, width, height)``."""

    image: Callable[[Fingerprint, int, int], np.ndarray]
    svg: Callable[[Fingerprint, int, int], list[str]]


def _picture(drawer: Drawer, frames: np.ndarray | None) -> _Picture:
    """The drawer's picture, with the frames when they are given."""
    if frames is None:
        return _Picture(drawer.image, drawer.svg)
    if drawer.framed is None:
        raise InvalidParameterError(
            "frames are drawn only by the colour script (kind 'script')."
        )
    return _Picture(partial(drawer.framed.image, frames=frames),
                    partial(drawer.framed.svg, frames=frames))


def _check_dpi(dpi: int | None) -> None:
    if dpi is not None and not 1 <= dpi <= 10_000:
        raise InvalidParameterError(f"dpi must be between 1 and 10000, not {dpi}.")


# --- layout ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    """Where things go on a poster: the picture's height (from the top), the sound band's
    under it (0: none), the sound's shapes and the caption."""

    picture: int
    band: int
    shapes: Shapes
    caption: CaptionLayout


def _plan(
    fp: Fingerprint, drawer: Drawer, width: int, height: int, title: str | None,
    credit: str | None, sound: bool, seen: str | None,
) -> _Plan:
    # A simulated poster says so: its colours are not the film's.
    details = drawer.details(fp) + (f" · as seen with {seen}" if seen else "")
    caption = caption_layout(details, width, height, title, credit)
    room = caption.picture_height
    drawn = sound and fp.loudness is not None and drawer.sound is not None
    band = max(1, round(room * _SOUND_BAND)) if drawn and drawer.sound_band else 0
    shapes = drawer.sound(fp, width, room, band) if drawn else []  # type: ignore[misc]
    return _Plan(picture=room - band, band=band, shapes=shapes, caption=caption)


# --- posters ---------------------------------------------------------------------------
def poster(
    fp: Fingerprint,
    *,
    kind: PosterKind = "palette",
    width: int = 3000,
    height: int = 1000,
    title: str | None = None,
    credit: str | None = None,
    sound: bool = False,
    cvd: str | None = None,
    cvd_severity: float = 1.0,
    frames: np.ndarray | None = None,
) -> Image.Image:
    """The poster as an RGB image of exactly ``width`` x ``height`` pixels. With a title
    (shown with a line about the analysis) or a credit, the caption takes its room from
    the bottom. The texts are drawn as given, on one line each. With ``sound`` (and a
    sound print), the loudness is drawn too: a band under a strip, inside the ring's hole.
    With ``cvd`` ("protan", "deutan" or "tritan"; None: normal vision), the colours are
    as seen with that deficiency at ``cvd_severity`` (0-1, `palette.simulate_cvd`).
    With ``frames`` (the colour script only: (shots, H, W, 3) uint8, each shot's middle
    frame, `fingerprint.script_frames`), each panel shows its frame with its palette
    beside it."""
    drawer = _drawer(fp, kind)
    _picture(drawer, frames)  # frames for another kind are refused before any work
    check_size(width, height)
    fp, frames, seen = _seen(fp, frames, cvd, cvd_severity)
    picture = _picture(drawer, frames)
    plan = _plan(fp, drawer, width, height, title, credit, sound, seen)
    image = Image.new("RGB", (width, height), BACKGROUND)
    image.paste(Image.fromarray(picture.image(fp, width, plan.picture)), (0, 0))
    draw = ImageDraw.Draw(image)
    for polygon, color in plan.shapes:
        draw.polygon(polygon, fill=color)
    for line in plan.caption.lines:
        draw.text(
            (plan.caption.margin, line.baseline), line.text,
            font=caption_font(line.size), fill=line.color, anchor="ls",
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
    cvd: str | None = None,
    cvd_severity: float = 1.0,
    frames: np.ndarray | None = None,
) -> bytes:
    """`poster` encoded as PNG bytes; ``dpi`` (for print) is written into the file, so a
    print dialog sizes it right (A4 is 2480 x 3508 at 300 dpi)."""
    _check_dpi(dpi)
    image = poster(fp, kind=kind, width=width, height=height, title=title, credit=credit,
                   sound=sound, cvd=cvd, cvd_severity=cvd_severity, frames=frames)
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
    cvd: str | None = None,
    cvd_severity: float = 1.0,
    frames: np.ndarray | None = None,
) -> str:
    """The same poster as `poster_png`, as an SVG: one element per colour band (a
    rectangle, or a ring sector) in ``<g id="picture">``, so it scales without blur
    (each frame, with ``frames``, an embedded PNG of the pixels the PNG poster shows).
    Its view box is ``width`` x ``height``; with a ``dpi`` its size is given in
    millimetres, so it prints at the size the PNG would."""
    drawer = _drawer(fp, kind)
    _picture(drawer, frames)  # frames for another kind are refused before any work
    check_size(width, height)
    _check_dpi(dpi)
    fp, frames, seen = _seen(fp, frames, cvd, cvd_severity)
    picture = _picture(drawer, frames)
    plan = _plan(fp, drawer, width, height, title, credit, sound, seen)
    caption = plan.caption
    if dpi:
        size = f'width="{width / dpi * 25.4:.2f}mm" height="{height / dpi * 25.4:.2f}mm"'
    else:
        size = f'width="{width}" height="{height}"'
    crisp = ' shape-rendering="crispEdges"' if drawer.crisp else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="{css(BACKGROUND)}"/>',
        f'<g id="picture"{crisp}>',
        *picture.svg(fp, width, plan.picture),
        "</g>",
    ]
    if plan.shapes:
        parts.append('<g id="sound">')
        parts += [
            f'<polygon points="{" ".join(f"{x:.2f},{y:.2f}" for x, y in polygon)}" '
            f'fill="{css(color)}"/>'
            for polygon, color in plan.shapes
        ]
        parts.append("</g>")
    if caption.lines:
        parts.append(f'<g id="caption" font-family="{escape(caption_font_family())}">')
        parts += [
            f'<text x="{caption.margin:.2f}" y="{line.baseline:.2f}" '
            f'font-size="{line.size}" fill="{css(line.color)}">{escape(line.text)}</text>'
            for line in caption.lines
        ]
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
