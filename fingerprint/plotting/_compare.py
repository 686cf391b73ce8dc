"""Figures of a `Comparison`: Plotly for the page, and a PNG (Pillow only) for export.

- `comparison_figure`: both fingerprints one above the other on the shared 0-100 % axis
  and the difference strip under them; hovering anywhere shows both films' palettes at
  that relative time and their difference.
- `curves_figure`: lightness, chroma and warmth of both films, overlaid.
- `comparison_png`: the strips, the difference strip, the palettes and the scores as one
  image, drawn with Pillow (no browser or kaleido needed).

Each takes ``names``, the films' names as the reader knows them (the app's titles); left
out, the files' names.

The difference strip uses Plotly's Magma scale over a fixed 0-`DIFFERENCE_MAX` ΔE2000
range, so the strips of different comparisons can be compared by eye.
"""

from __future__ import annotations

import base64
import html
import io
import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont
from plotly.colors import hex_to_rgb, sequential as _sequential
from plotly.subplots import make_subplots

from .._theme import BACKGROUND, FILM_COLORS, GRID, INK, MUTED
from ..compare._align import CURVES, Aligned
from ..compare._compare import Comparison, FilmPalette
from ..errors import InvalidParameterError
from ..model import to_hex
from ..poster._strips import strip_image
from ..timecodes import timecode
from ._layout import base_layout

__all__ = [
    "DIFFERENCE_MAX",
    "comparison_figure",
    "comparison_png",
    "curves_figure",
    "difference_colors",
]

#: ΔE2000 at the top of the difference colour scale (opposite colours reach it).
DIFFERENCE_MAX = 50.0
MAGMA = list(_sequential.Magma)
CURVE_TITLES = {
    "lightness": "Lightness L*",
    "chroma": "Chroma C*",
    "warmth": "Warmth (+ warm, − cool)",
}

_STRIP_PX = 200  # pixel rows of the strip images behind the Plotly strips


def difference_colors(difference: np.ndarray, *, top: float = DIFFERENCE_MAX) -> np.ndarray:
    """ΔE2000 values (...,) to uint8 RGB (..., 3) on the Magma scale, 0 to ``top``."""
    stops = np.array([hex_to_rgb(c) for c in MAGMA], dtype=np.float64)
    where = np.clip(np.nan_to_num(np.asarray(difference, dtype=np.float64)) / top, 0, 1)
    grid = np.linspace(0, 1, len(stops))
    rgb = np.stack([np.interp(where, grid, stops[:, ch]) for ch in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)


# --- Plotly ----------------------------------------------------------------------------
def _png_uri(image: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _swatches(side: Aligned, i: int) -> str:
    parts = [
        f'<span style="color:{c}">■</span> {s:.0%}'
        for c, s in zip(to_hex(side.colors[i]), side.shares[i].tolist(), strict=True)
        if s > 0.005
    ]
    return " ".join(parts)


def hover_texts(c: Comparison) -> list[str]:
    """Per bin: the relative time, both films' palettes there (with their own times) and
    the difference."""
    texts = []
    for i, (p, d) in enumerate(zip(c.centres, c.difference, strict=True)):
        texts.append(
            f"<b>{100 * p:.1f} %</b> · difference {d:.1f} ΔE<br>"
            f"A {timecode(c.a.times[i])}  {_swatches(c.a, i)}<br>"
            f"B {timecode(c.b.times[i])}  {_swatches(c.b, i)}"
        )
    return texts


def _short(name: str, limit: int = 48) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _names(c: Comparison, names: tuple[str, str] | None) -> tuple[str, str]:
    return names if names is not None else (c.a.name, c.b.name)


def _text(name: str, limit: int) -> str:
    """A name for Plotly, which reads tags (<a href>, <b>) in its text: shown as written."""
    return html.escape(_short(name, limit), quote=False)


def comparison_figure(
    c: Comparison, *, names: tuple[str, str] | None = None, height: int = 520
) -> go.Figure:
    """Film A's strip over film B's on the shared 0-100 % axis, the difference strip under
    them. Each strip shows the palette of each bin, largest share on top."""
    name_a, name_b = _names(c, names)
    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
        row_heights=[0.42, 0.42, 0.16],
        subplot_titles=(
            f"A · {_text(name_a, 48)}",
            f"B · {_text(name_b, 48)}",
            f"Difference · ΔE2000, black 0 to light {DIFFERENCE_MAX:g}+ · "
            f"mean {c.scores.mean_difference:.1f}",
        ),
    )
    edges = np.linspace(0, 100, c.bins + 1)
    text = [hover_texts(c)]
    for row, side in ((1, c.a), (2, c.b)):
        # Whole pixels per bin and at least ~1200 wide, so the browser's scaling stays sharp.
        width = c.bins * max(1, math.ceil(1200 / c.bins))
        strip = strip_image(side.fingerprint(), width=width, height=_STRIP_PX)
        # A layout image, not an Image trace: trace images force square pixels.
        fig.add_layout_image(
            source=_png_uri(strip), xref="x" if row == 1 else f"x{row}",
            yref="y" if row == 1 else f"y{row}", x=0, y=0, sizex=100, sizey=100,
            sizing="stretch", xanchor="left", yanchor="top", layer="below",
        )
        # A transparent layer on top carries the hover text for the whole column.
        fig.add_trace(
            go.Heatmap(
                z=[np.zeros(c.bins)], x=edges, y=[0, 100], text=text,
                hovertemplate="%{text}<extra></extra>", showscale=False,
                colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            ),
            row=row, col=1,
        )
        fig.update_yaxes(range=[100, 0], visible=False, row=row, col=1)
    fig.add_trace(
        go.Heatmap(
            z=[c.difference], x=edges, y=[0, 1], text=text, zmin=0, zmax=DIFFERENCE_MAX,
            colorscale=MAGMA, hovertemplate="%{text}<extra></extra>", showscale=False,
        ),
        row=3, col=1,
    )
    fig.update_yaxes(visible=False, row=3, col=1)
    fig.update_xaxes(range=[0, 100], showgrid=False, ticksuffix=" %")
    fig.update_xaxes(title_text="running time (% of each film's analysed span)", row=3, col=1)
    base_layout(fig, height=height)
    # The same side margins as `curves_figure`, so the two line up one above the other.
    fig.update_layout(margin={"l": 48, "r": 8, "t": 28, "b": 56})
    fig.update_annotations(font_size=13, xanchor="left", x=0)  # subplot titles, left
    return fig


def curves_figure(
    c: Comparison, *, names: tuple[str, str] | None = None, height: int = 480
) -> go.Figure:
    """Lightness, chroma and warmth of both films over the shared axis, with the
    correlation of each pair in its title."""
    name_a, name_b = _names(c, names)
    titles = []
    for name in CURVES:
        r = c.scores.correlations()[name]
        titles.append(f"{CURVE_TITLES[name]} · r = {'n/a' if math.isnan(r) else f'{r:.2f}'}")
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=titles)
    x = 100 * c.centres
    for tag, side, film, color, dash in (("A", c.a, name_a, FILM_COLORS[0], "solid"),
                                         ("B", c.b, name_b, FILM_COLORS[1], "dash")):
        for row, name in enumerate(CURVES, start=1):
            fig.add_trace(
                go.Scatter(
                    x=x, y=side.curve(name), mode="lines", name=f"{tag} · {_text(film, 32)}",
                    line={"color": color, "dash": dash, "width": 2}, legendgroup=tag,
                    showlegend=row == 1,
                    hovertemplate=f"{tag} %{{y:.1f}}<extra></extra>",
                ),
                row=row, col=1,
            )
    fig.add_hline(y=0, line={"color": "#888", "width": 1, "dash": "dot"}, row=3, col=1)
    fig.update_xaxes(range=[0, 100], ticksuffix=" %")
    fig.update_xaxes(title_text="running time (%)", row=3, col=1)
    base_layout(fig, height=height)
    fig.update_layout(
        hovermode="x unified", showlegend=True, margin={"l": 48, "r": 8, "t": 64, "b": 56},
        legend={"orientation": "h", "y": 1.06, "yanchor": "bottom", "x": 0},
    )
    fig.update_annotations(font_size=13, xanchor="left", x=0)
    fig.update_yaxes(gridcolor=GRID, zeroline=False, automargin=False)
    fig.update_xaxes(gridcolor=GRID)
    return fig


# --- PNG -----------------------------------------------------------------------------------
# How to write a character the PNG's font may lack; the scores say "ΔE" where it can.
SPELLED = {"Δ": "Delta ", "–": "-", "−": "-", "…": "..."}
# A code point no font has a glyph for: what the font draws for a missing character.
_NO_GLYPH = "\U000F0000"


def _drawable(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> bool:
    """Whether ``font`` has a glyph for ``char`` (not the box it draws for a missing one)."""
    def mask(text: str) -> tuple:
        glyph = font.getmask(text)
        return glyph.size, bytes(glyph)

    return mask(char) != mask(_NO_GLYPH)


def _plain(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """``text`` with each character of `SPELLED` the font cannot draw spelled out."""
    for char, spelled in SPELLED.items():
        if char in text and not _drawable(font, char):
            text = text.replace(char, spelled)
    return text


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(9, round(size)))


def _palette_bar(palette: FilmPalette, width: int, height: int) -> np.ndarray:
    edges = np.cumsum(palette.shares)
    edges[-1] = 1.0
    column = np.searchsorted(edges, (np.arange(width) + 0.5) / width, side="right")
    column = np.minimum(column, len(edges) - 1)
    return np.broadcast_to(palette.colors[column][None], (height, width, 3)).copy()


def score_lines(c: Comparison) -> list[str]:
    """The scores as short sentences (for the PNG caption and the page)."""
    s = c.scores
    r = s.temporal_correlation
    corr = "n/a" if math.isnan(r) else f"{r:+.2f}"
    return [
        f"palette similarity {s.palette_similarity:.2f} ({s.palette_distance:.1f} ΔE2000)",
        f"mean difference {s.mean_difference:.1f} ΔE, most different at "
        f"{100 * s.max_difference_at:.0f} % ({s.max_difference:.1f} ΔE)",
        f"curve correlation {corr}",
    ]


def comparison_png(
    c: Comparison, *, names: tuple[str, str] | None = None, width: int = 2000,
    strip_height: int = 300,
) -> bytes:
    """The comparison as a PNG: title and scores, both strips, the difference strip with
    a 0-100 % scale, and the two whole-film palettes."""
    name_a, name_b = _names(c, names)
    if width < 200 or strip_height < 20:
        raise InvalidParameterError(
            f"image too small: {width} px wide, strips {strip_height} px high; "
            "make it at least 200 px wide with strips at least 20 px high."
        )
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
    image = Image.new("RGB", (width, round(m + sum(heights))), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = float(m)
    title = f"{_short(name_a, 60)}  vs  {_short(name_b, 60)}"
    draw.text((m, y), _plain(title, big), font=big, fill=INK)
    y += label * 2.2
    for line in score_lines(c):
        draw.text((m, y), _plain(line, small), font=small, fill=MUTED)
        y += label * 1.6
    y += m / 2
    for tag, side, name in (("A", c.a, name_a), ("B", c.b, name_b)):
        lo, hi = side.span
        caption = f"{tag}  {_short(name, 80)}  ({timecode(lo)} to {timecode(hi)})"
        draw.text((m, y + label * 0.3), _plain(caption, small), font=small, fill=INK)
        y += label * 1.8
        strip = strip_image(side.fingerprint(), width=inner, height=strip_height)
        image.paste(Image.fromarray(strip), (m, round(y)))
        y += strip_height
    caption = f"difference per moment, ΔE2000 (black 0, light {DIFFERENCE_MAX:g} and more)"
    draw.text((m, y + label * 0.3), _plain(caption, small), font=small, fill=INK)
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
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
