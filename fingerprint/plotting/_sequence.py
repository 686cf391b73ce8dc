"""The sequence alignment of two films (`SequenceAlignment`) as a Plotly figure: film A's
strip above film B's, each on its own running time in seconds, lines joining the moments
the alignment paired, and the gaps (what one film has and the other lacks) marked.

Both strips share one time axis in seconds, not 0-100 % as Compare's strips: a cut or an
insertion then reads as the joins leaning by its length after it, and a clip sits under
the stretch of the film it comes from. ``view="global"`` joins the whole films' pairs and
marks every gap; ``view="local"`` joins the best-matching stretch's pairs, outlines it in
both films and dims the rest. The gaps' colour and the thinning of the joins are the
PNG's (`fingerprint.poster._alignment`), so both draw the same.

The figure's parts are named, so a test or a reader of its JSON can find them: traces
``joins`` (close pairs), ``loose joins`` (pairs further apart than a gap costs),
``pairs`` (hover points) and ``gaps``; shapes ``gap a``/``gap b``, ``local``, ``outside``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from .._theme import GRID, HIGHLIGHT, MUTED, css
from ..compare._sequence import SequenceAlignment
from ..errors import InvalidParameterError
from ..model import Fingerprint
from ..poster._alignment import GAP_COLOR, MAX_JOINS, thinned_pairs
from ..poster._strips import strip_image
from ..timecodes import tick_step, timecode
from ._compare import _png_uri, _text
from ._layout import base_layout

__all__ = ["ALIGNMENT_VIEWS", "alignment_figure"]

#: What the figure can show: the whole films' alignment, or the best-matching stretch.
ALIGNMENT_VIEWS = ("global", "local")

# The strips' places on the y axis: A on top, B at the bottom, the joins between them.
_A_TOP, _A_BOTTOM = 3.0, 2.1
_B_TOP, _B_BOTTOM = 0.9, 0.0
_BAR = 0.1  # from a strip to its gap bars (y units; a strip is 0.9)
_STRIP_PX = 60  # pixel rows of each strip image
_WIDTH_PX = 1200  # pixel columns of the longer film's strip


def alignment_figure(
    al: SequenceAlignment,
    a: Fingerprint,
    b: Fingerprint,
    *,
    view: Literal["global", "local"] = "global",
    names: tuple[str, str] | None = None,
    height: int = 320,
) -> go.Figure:
    """Film ``a``'s strip above ``b``'s on one axis of seconds, the aligned moments
    joined, the gaps marked (``view="global"``) or the best-matching stretch outlined
    (``view="local"``). ``names``: the films' names as the reader knows them."""
    if view not in ALIGNMENT_VIEWS:
        raise InvalidParameterError(
            f"view must be one of {', '.join(ALIGNMENT_VIEWS)}, not {view!r}."
        )
    name_a, name_b = names if names is not None else (a.video.name, b.video.name)
    middles_a = (al.edges_a[:-1] + al.edges_a[1:]) / 2
    middles_b = (al.edges_b[:-1] + al.edges_b[1:]) / 2
    end = float(max(al.edges_a[-1], al.edges_b[-1]))
    fig = go.Figure()
    for fp, edges, top in ((a, al.edges_a, _A_TOP), (b, al.edges_b, _B_TOP)):
        span = float(edges[-1] - edges[0])
        width = max(2, math.ceil(_WIDTH_PX * span / max(end, 1e-9)))
        # A layout image, not an Image trace: trace images force square pixels.
        fig.add_layout_image(
            source=_png_uri(strip_image(fp, width=width, height=_STRIP_PX)),
            xref="x", yref="y", x=float(edges[0]), y=top, sizex=span,
            sizey=_A_TOP - _A_BOTTOM, sizing="stretch", xanchor="left", yanchor="top",
            layer="below",
        )
    pairs = al.pairs if view == "global" else al.local_pairs
    distance = al.pair_distance if view == "global" else al.local_pair_distance
    _add_joins(fig, pairs, distance, middles_a, middles_b, gap=al.gap)
    if view == "global":
        _add_gaps(fig, al)
    else:
        _add_local(fig, al)
    _layout(fig, end=end, names=(name_a, name_b), height=height)
    return fig


def _add_joins(
    fig: go.Figure, pairs: np.ndarray, distance: np.ndarray, middles_a: np.ndarray,
    middles_b: np.ndarray, *, gap: float,
) -> None:
    """One line per drawn pair, from A's moment to B's: solid where the two moments are
    closer than a gap costs (a good match), dotted where not; a hover point on each."""
    chosen = thinned_pairs(pairs, MAX_JOINS)
    xa, xb = middles_a[pairs[chosen, 0]], middles_b[pairs[chosen, 1]]
    d = distance[chosen]
    loose = d > gap
    for name, keep, dash in (("joins", ~loose, "solid"), ("loose joins", loose, "dot")):
        fig.add_trace(go.Scatter(
            x=_segments(xa[keep], xb[keep]),
            y=_segments(np.full(keep.sum(), _A_BOTTOM), np.full(keep.sum(), _B_TOP)),
            mode="lines", name=name, hoverinfo="skip",
            line={"color": "rgba(235,235,235,0.45)", "width": 1, "dash": dash},
        ))
    text = [
        f"A {timecode(x0, tenths=True)} ↔ B {timecode(x1, tenths=True)} · {dd:.1f} ΔE2000"
        for x0, x1, dd in zip(xa.tolist(), xb.tolist(), d.tolist(), strict=True)
    ]
    fig.add_trace(go.Scatter(
        x=(xa + xb) / 2, y=np.full(len(xa), (_A_BOTTOM + _B_TOP) / 2), mode="markers",
        name="pairs", text=text, hovertemplate="%{text}<extra></extra>",
        marker={"size": 9, "color": "rgba(0,0,0,0)"},
    ))


def _segments(starts: np.ndarray, ends: np.ndarray) -> list[float | None]:
    """Line segments for one Scatter trace: start, end, None (a break), ..."""
    out: list[float | None] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        out += [s, e, None]
    return out


def _add_gaps(fig: go.Figure, al: SequenceAlignment) -> None:
    """Each gap outlined on its film's strip, and a red bar beside the strip, towards
    the other film, with its span on hover."""
    xs, ys, text = [], [], []
    for run in al.gaps:
        top, bottom = (_A_TOP, _A_BOTTOM) if run.film == "a" else (_B_TOP, _B_BOTTOM)
        fig.add_shape(
            type="rect", name=f"gap {run.film}", x0=run.start, x1=run.end, y0=bottom,
            y1=top, line={"color": GAP_COLOR, "width": 2}, fillcolor="rgba(0,0,0,0)",
        )
        bar = _A_BOTTOM - _BAR if run.film == "a" else _B_TOP + _BAR
        this, other = ("A", "B") if run.film == "a" else ("B", "A")
        label = (f"only in {this}: {timecode(run.start, tenths=True)} to "
                 f"{timecode(run.end, tenths=True)} ({run.end - run.start:.1f} s), "
                 f"not in {other}")
        xs += [run.start, run.end, None]
        ys += [bar, bar, None]
        text += [label, label, ""]
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="lines", name="gaps", text=text, hoveron="points",
        hovertemplate="%{text}<extra></extra>", line={"color": GAP_COLOR, "width": 6},
    ))


def _add_local(fig: go.Figure, al: SequenceAlignment) -> None:
    """The best-matching stretch outlined in both films, the rest of each dimmed."""
    if al.local is None:
        fig.add_annotation(
            text="no stretch of one film is close to one of the other", showarrow=False,
            x=0.5, xref="paper", y=(_A_BOTTOM + _B_TOP) / 2, yref="y",
            font={"color": css(MUTED)},
        )
        return
    for side, edges, (top, bottom) in (("a", al.edges_a, (_A_TOP, _A_BOTTOM)),
                                       ("b", al.edges_b, (_B_TOP, _B_BOTTOM))):
        start, stop = al.local[side]
        for x0, x1 in ((float(edges[0]), start), (stop, float(edges[-1]))):
            if x1 > x0:
                fig.add_shape(type="rect", name="outside", x0=x0, x1=x1, y0=bottom, y1=top,
                              line={"width": 0}, fillcolor="rgba(0,0,0,0.65)")
        fig.add_shape(type="rect", name="local", x0=start, x1=stop, y0=bottom, y1=top,
                      line={"color": HIGHLIGHT, "width": 2}, fillcolor="rgba(0,0,0,0)")


def _layout(fig: go.Figure, *, end: float, names: tuple[str, str], height: int) -> None:
    step = tick_step(end, most=8)
    ticks = np.arange(0, end + 1e-9, step).tolist()
    base_layout(fig, height=height)
    fig.update_layout(
        margin={"l": 48, "r": 8, "t": 8, "b": 40}, hovermode="closest",
        xaxis={"range": [0, end], "tickvals": ticks,
               "ticktext": [timecode(t) for t in ticks], "gridcolor": GRID,
               "zeroline": False, "title": {"text": "time from each film's start"}},
        yaxis={"range": [_B_BOTTOM - 0.05, _A_TOP + 0.05], "tickvals": [
            (_A_TOP + _A_BOTTOM) / 2, (_B_TOP + _B_BOTTOM) / 2],
            "ticktext": ["A", "B"], "showgrid": False, "zeroline": False, "fixedrange": True},
    )
    # The names beside the strips, past the gap bars, as written.
    for name, y, anchor in ((names[0], _A_BOTTOM - 2 * _BAR, "top"),
                            (names[1], _B_TOP + 2 * _BAR, "bottom")):
        fig.add_annotation(text=_text(name, 60), x=0, xref="paper", y=y, yref="y",
                           xanchor="left", yanchor=anchor, showarrow=False,
                           font={"color": css(MUTED), "size": 12})
