"""Figures of a `Collection` for the page (Plotly); the stacked poster as a PNG is
`fingerprint.poster._collection`'s, which also keeps the strips these draw (`strip_rows`).

- `strips_figure`: the filmography poster: one row per film, each its fingerprint's strip
  on 0-100 % of its own running time, in the order given (all the films, or a page).
- `matrix_figure`: the distance matrix as a heatmap, rows and columns in that order.
- `map_figure`: the 2-D map, each film a dot in its dominant colour.

Every figure is one trace however many films (500 rows stay one bar trace and one image),
and every film's trace point carries its index in the collection as ``customdata[0]``, so
a clicked point names its film whatever the order drawn. Titles are the user's text:
they are HTML-escaped before Plotly, whose labels read a subset of HTML.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .._theme import GRID, MUTED, css
from ..collection._collection import Collection
from ..errors import InvalidParameterError
from ..model import to_hex
from ..poster._caption import shortened, single_line
from ..poster._collection import stacked_image
from ..timecodes import timecode
from ._layout import base_layout

__all__ = [
    "MAP_WEBGL_FILMS",
    "dominant_colors",
    "hover_texts",
    "labels",
    "map_figure",
    "matrix_figure",
    "strips_figure",
    "strips_height",
]

# Columns of the image behind the strips chart: about a laptop's chart width; more only
# makes the page heavier (a page of 200 films of bench/search.py's strips, whose every
# moment differs, is a PNG of 1.1 MB at 500 columns; a film's own strips are smoother).
_SCREEN_COLUMNS = 600
# The strips chart's height per film, in screen pixels, and the height it aims at.
_ROW_SCREEN_PX = (4, 28)
_STRIPS_TARGET_PX = 1600
# Titles beside the strips only while they can be read.
_MAX_TICK_TITLES = 60
#: Past this many films the map's dots are drawn with WebGL (`go.Scattergl`): 10,000 SVG
#: dots took 8.5 s to show (docs/benchmarks.md "The Collection page at 10,000 films").
MAP_WEBGL_FILMS = 1000
# Distances are shown to 0.1 ΔE: float32 halves the page's weight for 500 films.
_MATRIX_DTYPE = np.float32
_MAGMA = "Magma"


# --- data ----------------------------------------------------------------------------
def dominant_colors(collection: Collection) -> np.ndarray:
    """Each film's dominant colour, (N, 3) uint8: the largest share of its palette."""
    return np.array(
        [f.palette.colors[int(np.argmax(f.palette.shares))] for f in collection.films],
        dtype=np.uint8,
    ).reshape(-1, 3)


def _swatches(film, limit: int = 6) -> str:
    parts = [
        f'<span style="color:{c}">■</span> {c} {s:.0%}'
        for c, s in list(zip(to_hex(film.palette.colors), film.palette.shares.tolist(),
                             strict=True))[:limit]
        if s >= 0.005
    ]
    return "<br>".join(parts)


def hover_texts(collection: Collection, order: Sequence[int] | None = None) -> list[str]:
    """Per film (of ``order``, default all): its title (escaped: it is the user's text),
    running time and palette."""
    films = collection.films if order is None else [collection.films[i] for i in order]
    return [
        f"<b>{html.escape(single_line(f.title))}</b> · {timecode(f.duration)}<br>{_swatches(f)}"
        for f in films
    ]


def labels(collection: Collection, order: Sequence[int]) -> list[str]:
    """The films' titles in ``order``, escaped for Plotly and made unique (a category axis
    merges equal names): a repeated title gets its position."""
    seen: dict[str, int] = {}
    out = []
    for i in order:
        title = html.escape(shortened(single_line(collection.films[i].title), 40))
        seen[title] = seen.get(title, 0) + 1
        out.append(title if seen[title] == 1 else f"{title} ({seen[title]})")
    return out


def _png_uri(image: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _check_order(collection: Collection, order: Sequence[int], *, every: bool = True
                 ) -> np.ndarray:
    """``order`` as an array: every film once, or (``every`` False) some films, once each."""
    order = np.asarray(order, dtype=np.int64)
    if len(collection) == 0:
        raise InvalidParameterError("the collection has no films to draw.")
    if every and sorted(order.tolist()) != list(range(len(collection))):
        raise InvalidParameterError("order must list every film of the collection once.")
    if not every and (len(order) == 0 or len(set(order.tolist())) != len(order)
                      or order.min() < 0 or order.max() >= len(collection)):
        raise InvalidParameterError("order must list some films of the collection, once each.")
    return order


# --- Plotly ----------------------------------------------------------------------------
def strips_height(count: int) -> int:
    """The strips chart's height for ``count`` films: each row between 4 and 28 px."""
    row = min(_ROW_SCREEN_PX[1], max(_ROW_SCREEN_PX[0], _STRIPS_TARGET_PX // max(count, 1)))
    return count * row + 72


def strips_figure(collection: Collection, rows: np.ndarray, order: Sequence[int]) -> go.Figure:
    """The filmography poster: film ``order[0]`` on top, each row its strip on 0-100 % of
    its running time. ``order`` may be some of the films (a page of a large collection).

    The strips are one image under the plot (a layout image: trace images force square
    pixels); one transparent horizontal bar per film on top carries the hover text and
    reports clicks, all in one trace, each bar's film index in ``customdata``.
    """
    order = _check_order(collection, order, every=False)
    n = len(order)
    height = strips_height(n)
    row_px = max(1, (height - 72) // n)
    image = stacked_image(rows, order, row_height=min(row_px, rows.shape[1]),
                          width=min(_SCREEN_COLUMNS, rows.shape[2]))
    fig = go.Figure(
        go.Bar(
            x=np.full(n, 100.0), y=np.arange(n), base=0, orientation="h", width=1.0,
            marker={"color": "rgba(0,0,0,0)", "line": {"width": 0}},
            customdata=order.astype(np.float64)[:, None],
            text=hover_texts(collection, order), textposition="none",
            hovertemplate="%{text}<extra></extra>",
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        )
    )
    fig.add_layout_image(
        source=_png_uri(image), xref="x", yref="y", x=0, y=-0.5, sizex=100, sizey=n,
        sizing="stretch", xanchor="left", yanchor="top", layer="below",
    )
    show_titles = n <= _MAX_TICK_TITLES
    base_layout(fig, height=height)
    fig.update_layout(
        hovermode="closest",
        bargap=0,
        margin={"l": 8, "r": 8, "t": 8, "b": 48},
        xaxis={"range": [0, 100], "ticksuffix": " %", "showgrid": False, "fixedrange": True,
               "zeroline": False, "tickfont": {"color": css(MUTED)},
               "title": {"text": "running time (% of each film)", "font": {"color": css(MUTED)}}},
        yaxis={"range": [n - 0.5, -0.5], "fixedrange": True, "showgrid": False,
               "zeroline": False, "visible": show_titles, "automargin": True,
               "tickmode": "array", "tickvals": list(range(n)),
               "ticktext": labels(collection, order), "tickfont": {"size": 12}},
    )
    return fig


def matrix_figure(collection: Collection, matrix: np.ndarray, order: Sequence[int]) -> go.Figure:
    """The distance matrix (ΔE2000) as a heatmap, rows and columns in ``order``; hovering
    a cell names both films and their distance."""
    order = _check_order(collection, order)
    n = len(order)
    names = labels(collection, order)
    z = np.asarray(matrix, dtype=np.float64)[np.ix_(order, order)].astype(_MATRIX_DTYPE)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=names, y=names, colorscale=_MAGMA, zmin=0,
            colorbar={"title": {"text": "ΔE2000"}, "tickfont": {"color": css(MUTED)}},
            hovertemplate="%{y}<br>%{x}<br><b>%{z:.1f} ΔE2000</b><extra></extra>",
        )
    )
    side = min(900, max(360, 12 * n + 120))
    base_layout(fig, height=side)
    show = n <= _MAX_TICK_TITLES
    axis = {"showgrid": False, "fixedrange": True, "showticklabels": show,
            "tickfont": {"size": 11}, "type": "category"}
    fig.update_layout(
        hovermode="closest",
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        xaxis={**axis, "tickangle": -45},
        yaxis={**axis, "autorange": "reversed", "scaleanchor": "x"},
    )
    return fig


def map_figure(collection: Collection, points: np.ndarray) -> go.Figure:
    """The 2-D map: each film a dot in its dominant colour where the MDS put it; films
    near each other have similar whole-film palettes. One scatter trace: SVG up to
    `MAP_WEBGL_FILMS` films, WebGL (``scattergl``) past it."""
    points = np.asarray(points, dtype=np.float64)
    if points.shape != (len(collection), 2):
        raise InvalidParameterError(
            f"points must be one (x, y) per film, shape ({len(collection)}, 2), not {points.shape}."
        )
    n = len(collection)
    size = 22 if n <= 30 else 14 if n <= 150 else 9
    trace = go.Scattergl if n > MAP_WEBGL_FILMS else go.Scatter
    fig = go.Figure(
        trace(
            x=points[:, 0], y=points[:, 1], mode="markers",
            marker={"color": to_hex(dominant_colors(collection)), "size": size,
                    "line": {"color": "rgba(255,255,255,0.55)", "width": 1}},
            customdata=np.arange(n, dtype=np.float64)[:, None],
            text=hover_texts(collection), hovertemplate="%{text}<extra></extra>",
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        )
    )
    base_layout(fig, height=640)
    axis = {"showgrid": True, "gridcolor": GRID, "zeroline": False, "showticklabels": False,
            "fixedrange": True}
    fig.update_layout(
        hovermode="closest",
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        xaxis=axis, yaxis={**axis, "scaleanchor": "x"},
    )
    return fig
