"""The app's look on a Plotly figure (its font, hover label and transparent background),
and traces as figures take them fastest."""

from __future__ import annotations

import plotly.graph_objects as go

from .._theme import INK, css

FONT = {"family": "Inter, system-ui, sans-serif", "size": 13, "color": css(INK)}


def base_layout(fig: go.Figure, *, height: int) -> None:
    """The app's look on a Plotly figure: transparent, its font and hover label, no
    legend, no dragging (a drag would zoom away from the film)."""
    fig.update_layout(
        height=height,
        margin={"l": 28, "r": 28, "t": 28, "b": 32},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=FONT,
        showlegend=False,
        hoverlabel={"bgcolor": "#141416", "bordercolor": "#444", "font": FONT},
        dragmode=False,
    )


def trace(kind: str, **properties: object) -> dict:
    """A trace of type ``kind`` as a figure's data takes it (`go.Figure([...])`), which
    validates it once. A trace object (`go.Bar`, `Figure.add_bar`) is validated when made
    and again as the figure copies it in: a strip of 1000 columns at k = 7 took 138 ms to
    build instead of 80 (docs/benchmarks.md, §3's fifth round)."""
    return {"type": kind, **properties}
