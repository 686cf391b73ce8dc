"""A poster's caption: a title, a line about the analysis and a credit, laid out in the
room they take from the bottom of the poster (never added to it). The PNG and the SVG
share this one layout; the fonts are the system's, else Pillow's own. Also the text
helpers every Pillow drawing shares: `single_line`, `shortened`, `plain_text`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from PIL import ImageFont

from .._theme import INK, MUTED

# System fonts tried first, for accents and other scripts; Pillow's own scalable font
# (Aileron, ASCII and a few signs only) is always there as the last resort.
_FONT_FILES = ("DejaVuSans.ttf",)


@functools.lru_cache(maxsize=64)
def caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The caption's font at ``size`` pixels (PNG posters and collection sheets)."""
    for name in _FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def caption_font_family() -> str:
    """The same font as a CSS font-family, for SVG posters."""
    font = caption_font(12)
    name = font.getname()[0] if isinstance(font, ImageFont.FreeTypeFont) else None
    return f"'{name}', sans-serif" if name else "sans-serif"


def single_line(text: str) -> str:
    """The text as given, on one line: line breaks and other control characters (which
    SVG cannot hold) become single spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def shortened(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so a long name keeps its line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# How to write a character a font may lack (Pillow's own has no "Δ"): spelled out.
SPELLED = {"Δ": "Delta ", "–": "-", "−": "-", "…": "..."}
# A code point no font has a glyph for: what the font draws for a missing character.
_NO_GLYPH = "\U000F0000"


def _drawable(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> bool:
    """Whether ``font`` has a glyph for ``char`` (not the box it draws for a missing one)."""
    def mask(text: str) -> tuple:
        glyph = font.getmask(text)
        return glyph.size, bytes(glyph)

    return mask(char) != mask(_NO_GLYPH)


def plain_text(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """``text`` with each character of `SPELLED` the font cannot draw spelled out."""
    for char, spelled in SPELLED.items():
        if char in text and not _drawable(font, char):
            text = text.replace(char, spelled)
    return text


@dataclass(frozen=True)
class _Line:
    text: str
    size: int  # font size in pixels
    baseline: float  # y of the baseline, from the poster's top
    color: tuple[int, int, int]


@dataclass(frozen=True)
class CaptionLayout:
    picture_height: int  # the picture fills the poster's top, this many rows
    margin: float  # left margin of the caption's lines
    lines: tuple[_Line, ...]


def caption_layout(
    details: str,
    width: int,
    height: int,
    title: str | None,
    credit: str | None,
) -> CaptionLayout:
    """Where the picture ends and each caption line goes: the title, with ``details`` (a
    line about the analysis) under it, and the credit. Sizes follow the poster's
    shorter side, so a caption reads the same on a banner and on A4; a line too long for
    the width is set smaller rather than cut."""
    title = single_line(title or "")
    credit = single_line(credit or "")
    unit = min(width, height) / 40
    margin = 1.2 * unit
    wanted: list[tuple[str, float, tuple[int, int, int]]] = []
    if title:
        wanted += [(title, 2.8 * unit, INK), (details, 1.4 * unit, MUTED)]
    if credit:
        wanted.append((credit, 1.4 * unit, MUTED))
    if not wanted:
        return CaptionLayout(picture_height=height, margin=margin, lines=())
    # Each line is 1.25 of its font size high, with 0.4 units between lines and one unit
    # of room above and below; at most a quarter of the height, so the picture remains.
    room = 2 * unit + sum(1.25 * size for _, size, _ in wanted) + 0.4 * unit * (len(wanted) - 1)
    caption = min(round(room), height // 4)
    lines = []
    y = height - caption + unit
    for text, nominal, color in wanted:
        size = max(1, round(nominal))
        fits = caption_font(size).getlength(text)
        if fits > width - 2 * margin:  # shrink to fit the width, never clip
            size = max(1, math.floor(size * (width - 2 * margin) / fits))
        y += 1.25 * nominal
        lines.append(_Line(text, size, y - 0.3 * nominal, color))
        y += 0.4 * unit
    return CaptionLayout(picture_height=height - caption, margin=margin, lines=tuple(lines))
