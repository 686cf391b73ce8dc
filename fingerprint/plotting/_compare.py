"""Plotly figures of a `Comparison`, for the page; the PNG export is
`fingerprint.poster._comparison`'s (Pillow only).

- `comparison_figure`: both fingerprints one above the other on the shared 0-100 % axis
  and the difference strip under them; hovering anywhere shows both films' palettes at
  that relative time and their difference.
- `curves_figure`: lightness, chroma and warmth of both films, overlaid.

Each takes ``names``, the films' names as the reader knows them (the app's titles); left
out, the files' names.

The difference strip uses the PNG's Magma scale over a fixed 0-`DIFFERENCE_MAX` ΔE2000
range, so the strips of different comparisons can be compared by eye.
"""

from __future__ import annotations

import base64
import html
import io
import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from .._theme import FILM_COLORS, GRID
from ..compare._align import CURVES, Aligned
from ..compare._compare import Comparison
from ..model import to_hex
from ..poster._caption import shortened
from ..poster._comparison import DIFFERENCE_MAX, MAGMA, film_names
from ..poster._strips import strip_image
from ..timecodes import timecode
from ._layout import base_layout

__all__ = [
    "comparison_figure",
    "curves_figure",
]

CURVE_TITLES = {
    "lightness": "Lightness L*",
    "chroma": "Chroma C*",
    "warmth": "Warmth (+ warm, − cool)",
}

_STRIP_PX = 200  # pixel rows of the strip images behind the Plotly strips


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


def _text(name: str, limit: int) -> str:
    """A name for Plotly, which reads tags (<a href>, <b>) in its text: shown as written."""
    return html.escape(shortened(name, limit), quote=False)


def comparison_figure(
    c: Comparison, *, names: tuple[str, str] | None = None, height: int = 520
) -> go.Figure:
    """Film A's strip over film B's on the shared 0-100 % axis, the difference strip under
    them. Each strip shows the palette of each bin, largest share on top."""
    name_a, name_b = film_names(c, names)
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
    name_a, name_b = film_names(c, names)
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
