"""Drawings of a film's shots: the Shots view (each column as wide as its shot, its
palette stacked by share), the shot lengths over the film, and their histogram. No
Streamlit here. Bars carry the shot's index as ``customdata[0]``, so a click names it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .._theme import GRID, HIGHLIGHT, MUTED, css
from ..model import Shot, to_hex
from ..poster._bands import hoverable
from ..shots._stats import ShotStats
from ..timecodes import timecode
from ._layout import base_layout, trace

_MUTED = css(MUTED)
_BAR = "#9a9a9a"


def _time_axis(fig: go.Figure, end: float) -> None:
    """A seconds axis labelled h:mm:ss at round steps, as the strip's time axis is."""
    step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
                 if end / s <= 8), 3600)
    ticks = np.arange(0, end + 1e-9, step)
    fig.update_xaxes(tickmode="array", tickvals=ticks.tolist(),
                     ticktext=[timecode(t) for t in ticks], showgrid=False,
                     tickfont={"color": _MUTED, "size": 12}, fixedrange=True)


def shot_span(shot: Shot, number: int, total: int) -> str:
    """``shot 3 of 41 · 0:01:02 – 0:01:09 (7.2 s)``."""
    return (f"shot {number} of {total} · {timecode(shot.start)} – {timecode(shot.end)} "
            f"({shot.end - shot.start:.1f} s)")


def shots_figure(
    shots: tuple[Shot, ...], *, height: int = 340, highlight: int | None = None
) -> go.Figure:
    """Each shot a column as wide as it lasts, its palette top to bottom by share. One
    bar trace per palette rank; hovering a column shows the shot's span and palette."""
    starts = np.array([s.start for s in shots])
    widths = np.array([s.end - s.start for s in shots])
    colors = np.stack([s.colors for s in shots])
    shares = np.stack([s.shares for s in shots])
    spans = [shot_span(s, i + 1, len(shots)) for i, s in enumerate(shots)]
    index = np.arange(len(shots), dtype=np.float64)
    # The span heads the hover's list of colours (Plotly lists traces in order), under a
    # blank title: the default title is the bar's x, its middle in seconds.
    fig = go.Figure([
        trace("scatter", x=starts + widths / 2, y=np.zeros(len(shots)), mode="markers",
              marker={"size": 0.1, "opacity": 0}, customdata=index[:, None], text=spans,
              hovertemplate="%{text}<extra></extra>"),
        *(trace(
            "bar", x=starts + widths / 2, width=widths, y=hoverable(shares[:, rank]),
            marker_color=to_hex(colors[:, rank]), marker_line_width=0,
            customdata=np.column_stack([index, shares[:, rank]]), text=spans,
            textposition="none",
            hovertemplate="%{marker.color}  %{customdata[1]:.0%}<extra></extra>",
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
        ) for rank in range(shares.shape[1])),
    ])
    base_layout(fig, height=height)
    fig.update_layout(barmode="stack", bargap=0, hovermode="x unified",
                      yaxis={"visible": False, "range": [1, 0], "fixedrange": True})
    _time_axis(fig, float(shots[-1].end))
    fig.update_xaxes(range=[float(shots[0].start), float(shots[-1].end)],
                     showspikes=True, spikecolor="rgba(255,255,255,0.7)", spikethickness=1,
                     unifiedhovertitle={"text": " "})
    if highlight is not None:
        fig.add_annotation(x=float(starts[highlight] + widths[highlight] / 2), y=1,
                           xref="x", yref="paper", yanchor="bottom", text="▼",
                           showarrow=False, font={"color": HIGHLIGHT, "size": 16})
    return fig


def shot_lengths_figure(shots: tuple[Shot, ...], *, height: int = 220) -> go.Figure:
    """Each shot's length (s) at its start time: the film's cutting rhythm over time."""
    starts = np.array([s.start for s in shots])
    lengths = np.array([s.end - s.start for s in shots])
    fig = go.Figure(go.Scatter(
        x=starts, y=lengths, mode="lines+markers", line={"color": _BAR, "width": 1},
        marker={"size": 4, "color": _BAR}, customdata=np.arange(len(shots))[:, None],
        text=[shot_span(s, i + 1, len(shots)) for i, s in enumerate(shots)],
        hovertemplate="%{text}<extra></extra>",
    ))
    base_layout(fig, height=height)
    _time_axis(fig, float(shots[-1].end))
    fig.update_layout(hovermode="closest", margin={"l": 56},
                      yaxis={"title": {"text": "shot length (s)", "font": {"color": _MUTED}},
                             "gridcolor": GRID, "tickfont": {"color": _MUTED},
                             "fixedrange": True, "rangemode": "tozero"})
    return fig


def shot_histogram_figure(stats: ShotStats, *, height: int = 220, color: str = _BAR,
                          name: str = "") -> go.Figure:
    """How many shots last how long, with the average (ASL) and median marked."""
    middles = (stats.edges[:-1] + stats.edges[1:]) / 2
    fig = go.Figure(go.Bar(
        x=middles, y=stats.counts, width=np.diff(stats.edges), marker_color=color,
        marker_line_width=0, name=name,
        customdata=np.column_stack([stats.edges[:-1], stats.edges[1:]]),
        hovertemplate="%{y} shots of %{customdata[0]:.1f}–%{customdata[1]:.1f} s<extra></extra>",
    ))
    for value, label in ((stats.average, "average"), (stats.median, "median")):
        fig.add_vline(x=value, line={"color": _MUTED, "dash": "dot", "width": 1},
                      annotation={"text": f"{label} {value:.1f} s", "font": {"color": _MUTED},
                                  "yanchor": "top" if label == "average" else "bottom"})
    base_layout(fig, height=height)
    fig.update_layout(hovermode="closest", margin={"l": 48, "b": 44},
                      xaxis={"title": {"text": "shot length (s)", "font": {"color": _MUTED}},
                             "tickfont": {"color": _MUTED}, "fixedrange": True},
                      yaxis={"gridcolor": GRID, "tickfont": {"color": _MUTED},
                             "fixedrange": True})
    return fig
