"""A `Comparison` as one PNG, drawn with Pillow (no Plotly, browser or kaleido): the
title and scores, both strips on the shared 0-100 % axis, the difference strip with its
scale, the two whole-film palettes and, when given, the two films' sequence alignment
(`fingerprint.poster._alignment`: the moments paired in order, the gaps, the
best-matching stretch, the alignment score and its meaning).

- `comparison_png`: the image; `score_lines`: its scores as short sentences.
- `difference_colors`: ΔE2000 to colours on the Magma scale (`MAGMA`), 0 to
  `DIFFERENCE_MAX`: fixed, so the strips of different comparisons can be compared by eye.
  The page's Plotly figure (`fingerprint.plotting._compare`) uses the same scale.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .._theme import BACKGROUND, INK, MUTED
from ..compare._compare import Comparison, FilmPalette
from ..compare._sequence import SequenceAlignment
from ..errors import InvalidParameterError
from ..model import from_hex
from ..timecodes import timecode
from ._alignment import alignment_image
from ._caption import plain_text, shortened
from ._strips import strip_image

__all__ = [
    "DIFFERENCE_MAX",
    "MAGMA",
    "comparison_png",
    "difference_colors",
    "film_names",
    "score_lines",
]

#: ΔE2000 at the top of the difference colour scale (opposite colours reach it).
DIFFERENCE_MAX = 50.0
#: Plotly's Magma scale (`plotly.colors.sequential.Magma`), written out so that drawing
#: a PNG needs no Plotly.
MAGMA = [
    "#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f",
    "#cd4071", "#f1605d", "#fd9668", "#feca8d", "#fcfdbf",
]


def difference_colors(difference: np.ndarray, *, top: float = DIFFERENCE_MAX) -> np.ndarray:
    """ΔE2000 values (...,) to uint8 RGB (..., 3) on the Magma scale, 0 to ``top``."""
    stops = from_hex(MAGMA).astype(np.float64)
    where = np.clip(np.nan_to_num(np.asarray(difference, dtype=np.float64)) / top, 0, 1)
    grid = np.linspace(0, 1, len(stops))
    rgb = np.stack([np.interp(where, grid, stops[:, ch]) for ch in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)


def film_names(c: Comparison, names: tuple[str, str] | None) -> tuple[str, str]:
    """The films' names as the reader knows them (``names``), else the files' names."""
    return names if names is not None else (c.a.name, c.b.name)


def score_lines(c: Comparison) -> list[str]:
    """The scores as short sentences (the PNG's caption)."""
    s = c.scores
    r = s.temporal_correlation
    corr = "n/a" if math.isnan(r) else f"{r:+.2f}"
    return [
        f"palette similarity {s.palette_similarity:.2f} ({s.palette_distance:.1f} ΔE2000)",
        f"mean difference {s.mean_difference:.1f} ΔE, most different at "
        f"{100 * s.max_difference_at:.0f} % ({s.max_difference:.1f} ΔE)",
        f"curve correlation {corr}",
    ]


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(9, round(size)))


def _palette_bar(palette: FilmPalette, width: int, height: int) -> np.ndarray:
    """The palette as a bar, each colour as wide as its share."""
    edges = np.cumsum(palette.shares)
    edges[-1] = 1.0
    column = np.searchsorted(edges, (np.arange(width) + 0.5) / width, side="right")
    column = np.minimum(column, len(edges) - 1)
    return np.broadcast_to(palette.colors[column][None], (height, width, 3)).copy()


def comparison_png(
    c: Comparison, *, names: tuple[str, str] | None = None, width: int = 2000,
    strip_height: int = 300, alignment: SequenceAlignment | None = None,
) -> bytes:
    """The comparison as a PNG: title and scores, both strips, the difference strip with
    a 0-100 % scale, and the two whole-film palettes; then, given the films'
    ``alignment`` (`align_sequences` of the same two films, which the caller computes
    or not: about a second for long films), its block under them."""
    name_a, name_b = film_names(c, names)
    if width < 200 or strip_height < 20:
        raise InvalidParameterError(
            f"image too small: {width} px wide, strips {strip_height} px high; "
            "make it at least 200 px wide with strips at least 20 px high."
        )
    if alignment is not None:
        _check_same_films(c, alignment)
    m = max(16, width // 60)
    label = max(14, width // 90)
    diff_h = max(12, strip_height // 4)
    pal_h = max(12, strip_height // 5)
    inner = width - 2 * m
    big, small = _font(label * 1.5), _font(label)
    heights = [
        label * 2.2, label * 1.6 * 3 + m / 2,  # title, three score lines
        label * 1.8, strip_height, label * 1.8, strip_height,  # A, B
        label * 1.8, diff_h, label * 1.8,  # difference and its scale
        label * 1.8, pal_h, label * 1.8, pal_h, m,  # palettes
    ]
    block = None
    if alignment is not None:
        block = alignment_image(alignment, c.a.fingerprint(), c.b.fingerprint(),
                                width=width, margin=m, label=label,
                                strip_height=strip_height, font=small)
        heights.insert(-1, block.height)  # before the bottom margin
    image = Image.new("RGB", (width, round(m + sum(heights))), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = float(m)
    title = f"{shortened(name_a, 60)}  vs  {shortened(name_b, 60)}"
    draw.text((m, y), plain_text(title, big), font=big, fill=INK)
    y += label * 2.2
    for line in score_lines(c):
        draw.text((m, y), plain_text(line, small), font=small, fill=MUTED)
        y += label * 1.6
    y += m / 2
    for tag, side, name in (("A", c.a, name_a), ("B", c.b, name_b)):
        lo, hi = side.span
        caption = f"{tag}  {shortened(name, 80)}  ({timecode(lo)} to {timecode(hi)})"
        draw.text((m, y + label * 0.3), plain_text(caption, small), font=small, fill=INK)
        y += label * 1.8
        strip = strip_image(side.fingerprint(), width=inner, height=strip_height)
        image.paste(Image.fromarray(strip), (m, round(y)))
        y += strip_height
    caption = f"difference per moment, ΔE2000 (black 0, light {DIFFERENCE_MAX:g} and more)"
    draw.text((m, y + label * 0.3), plain_text(caption, small), font=small, fill=INK)
    y += label * 1.8
    column = np.minimum((np.arange(inner) * c.bins) // inner, c.bins - 1)
    diff = difference_colors(c.difference)[column]
    image.paste(Image.fromarray(np.broadcast_to(diff[None], (diff_h, inner, 3)).copy()),
                (m, round(y)))
    y += diff_h
    for pct in (0, 25, 50, 75, 100):
        x = m + inner * pct / 100
        draw.line([(x, y), (x, y + label * 0.4)], fill=MUTED, width=1)
        text = f"{pct} %"
        tw = draw.textlength(text, font=small)
        draw.text((min(max(m, x - tw / 2), width - m - tw), y + label * 0.5), text,
                  font=small, fill=MUTED)
    y += label * 1.8
    for tag, palette in (("A", c.palette_a), ("B", c.palette_b)):
        draw.text((m, y + label * 0.3), f"{tag}  whole-film palette", font=small, fill=INK)
        y += label * 1.8
        image.paste(Image.fromarray(_palette_bar(palette, inner, pal_h)), (m, round(y)))
        y += pal_h
    if block is not None:
        image.paste(block, (0, round(y)))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _check_same_films(c: Comparison, al: SequenceAlignment) -> None:
    """The alignment must be of the comparison's two films (the same analysed spans):
    another pair's would draw strips and gaps that are not these films'."""
    for tag, side, edges in (("A", c.a, al.edges_a), ("B", c.b, al.edges_b)):
        span = (float(edges[0]), float(edges[-1]))
        if not all(math.isclose(x, y, abs_tol=1e-6) for x, y in zip(side.span, span,
                                                                     strict=True)):
            raise InvalidParameterError(
                f"the alignment is not of this comparison's films: film {tag} spans "
                f"{timecode(side.span[0])} to {timecode(side.span[1])} here and "
                f"{timecode(span[0])} to {timecode(span[1])} in the alignment; align the "
                "same two films."
            )
