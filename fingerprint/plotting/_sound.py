"""Plotly drawings of the sound print: the loudness trace under the strip and the sound
around the Ring view. No Streamlit here.

Loudness is drawn on `sound_geometry`'s fixed scale, so two films' traces compare; the
trace carries the sample index as ``customdata[0]``, as every
fingerprint figure does.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .._theme import GRID, MUTED, css
from ..model import Fingerprint
from ..poster._sound import CEILING, levels
from ..sound._loudness import FLOOR
from ._film import COLUMN_TITLE, column_labels, time_ticks
from ._layout import base_layout

_LINE = "#d9d9d9"


def loudness_figure(fp: Fingerprint, *, height: int = 150) -> go.Figure:
    """The loudness over the film as an area under a line, one point per sample on the
    strip's own category axis (its columns line up with the strip's above it); the hover
    shows the moment and its level."""
    labels = column_labels(fp)
    loud = fp.loudness if fp.loudness is not None else np.full(len(fp), math.nan)
    text = ["no sound" if math.isnan(v) else f"{v:.1f} LUFS" for v in loud.tolist()]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=np.where(np.isnan(loud), FLOOR, loud),
            mode="lines",
            line={"color": _LINE, "width": 1.2, "shape": "hvh"},
            fill="tonexty",
            customdata=np.arange(len(fp), dtype=np.float64)[:, None],
            text=text,
            # The unified hover names the moment above this line already.
            hovertemplate="loudness %{text}<extra></extra>",
        )
    )
    # The area fills down to the floor line, not to zero LUFS.
    fig.add_trace(go.Scatter(x=labels, y=np.full(len(fp), FLOOR), mode="lines",
                             line={"width": 0}, hoverinfo="skip", showlegend=False))
    fig.data = fig.data[::-1]
    base_layout(fig, height=height)
    columns, ticks = time_ticks(fp.times)
    muted = css(MUTED)
    fig.update_layout(
        hovermode="x unified",
        # The strip's range: its bars reach half a column past the first and last
        # moments, where a line's own axis would end, and the columns would not line up.
        xaxis={"type": "category", "range": [-0.5, len(fp) - 0.5], "tickmode": "array",
               "tickvals": [labels[c] for c in columns], "ticktext": ticks,
               "showgrid": False, "tickfont": {"color": muted, "size": 12},
               "fixedrange": True, "unifiedhovertitle": COLUMN_TITLE},
        yaxis={"range": [FLOOR, CEILING], "fixedrange": True, "gridcolor": GRID,
               "tickvals": [-60, -40, -20, 0], "tickfont": {"color": muted, "size": 10},
               "ticksuffix": " LU", "side": "right"},
        margin={"t": 4},
    )
    return fig


def add_sound_ring(fig: go.Figure, fp: Fingerprint) -> go.Figure:
    """The Ring view with the sound around it, as the original's circular print drew its
    waveform: a line whose distance outside the ring is each moment's loudness."""
    if fp.loudness is None:
        return fig
    n = len(fp)
    theta = (np.arange(n) + 0.5) * 360.0 / n
    text = ["no sound" if math.isnan(v) else f"{v:.1f} LUFS" for v in fp.loudness.tolist()]
    r = 1.04 + 0.2 * levels(fp)
    fig.add_scatterpolar(
        r=np.append(r, r[:1]), theta=np.append(theta, theta[:1]), mode="lines",
        line={"color": _LINE, "width": 1}, fill="none",
        customdata=np.append(np.arange(n), 0).astype(np.float64)[:, None],
        text=[*column_labels(fp), column_labels(fp)[0]], hovertext=[*text, text[0]],
        hovertemplate="%{text}<br>loudness %{hovertext}<extra></extra>",
    )
    fig.update_layout(polar_radialaxis_range=[0, 1.26])
    return fig
