"""Plotly figures of a `Fingerprint`: the strip, the average-colour barcode, the ring and
the colours in CIELAB. No Streamlit here; the app only displays them.

Every trace has one point per sample in time order and carries the sample index as
``customdata[0]``, so a clicked point maps back to its frame (`share.point_sample`).
The strips are bar traces, one per palette rank, because Plotly reports clicks on bars
to Streamlit but not on heatmaps or images.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import plotly.graph_objects as go

from .._theme import GRID, HIGHLIGHT, MUTED, css
from ..errors import InvalidParameterError
from ..model import Fingerprint, to_hex
from ..palette._color import lab_to_rgb, rgb_to_lab
from ..poster._bands import Bands, hoverable, strip_bands
from ..timecodes import tick_step, timecode
from ._layout import base_layout, trace

_MUTED = css(MUTED)
# Above this many colours the a*/b* plane is drawn with WebGL (no clicks, but smooth).
_SVG_POINTS = 8000

# The unified hover's title on the columns' category axis: the column's own label. By
# default a ticked column showed its tick's text, the timecode without "moment i of n".
COLUMN_TITLE = {"text": "%{x}"}


def column_labels(fp: Fingerprint) -> list[str]:
    """Each column's name, as the hover shows it: ``0:01:23 · moment 37 of 720``."""
    n = len(fp)
    return [f"{timecode(t)} · moment {i + 1} of {n}" for i, t in enumerate(fp.times.tolist())]


def time_ticks(times: np.ndarray, *, target: int = 8) -> tuple[list[int], list[str]]:
    """Columns to label on a time axis and their ``h:mm:ss`` labels: the first sample at or
    after each multiple of a round step, about ``target`` of them."""
    times = np.asarray(times, dtype=np.float64)
    if len(times) == 0:
        return [], []
    span = float(times[-1] - times[0])
    step = tick_step(span, most=target)
    first = np.ceil(times[0] / step) * step
    columns: list[int] = []
    for mark in np.arange(first, times[-1] + 1e-9, step):
        column = int(np.searchsorted(times, mark - 1e-9))
        if column < len(times) and (not columns or column > columns[-1]):
            columns.append(column)
    return columns, [timecode(mark) for mark in times[columns]]


def _timeline_layout(
    fig: go.Figure, fp: Fingerprint, labels: list[str], highlight: int | None
) -> None:
    """A category x axis (one column per sample, equal widths whatever the frame times)
    labelled with timecodes, and a small pointer above the chosen column."""
    columns, ticks = time_ticks(fp.times)
    fig.update_layout(
        barmode="stack",
        bargap=0,
        hovermode="x unified",
        xaxis={
            "type": "category",
            "tickmode": "array",
            "tickvals": [labels[c] for c in columns],
            "ticktext": ticks,
            "showgrid": False,
            "ticks": "outside",
            "ticklen": 4,
            "tickcolor": _MUTED,
            "tickfont": {"color": _MUTED, "size": 12},
            "showspikes": True,
            "spikecolor": "rgba(255,255,255,0.7)",
            "spikethickness": 1,
            "spikedash": "solid",
            "fixedrange": True,
            "unifiedhovertitle": COLUMN_TITLE,
        },
        # Reversed, so the stack grows downwards: the largest share sits on top.
        yaxis={"visible": False, "range": [1, 0], "fixedrange": True},
    )
    if highlight is not None:
        fig.add_annotation(
            x=labels[highlight], y=1, xref="x", yref="paper", yanchor="bottom",
            text="▼", showarrow=False, font={"color": HIGHLIGHT, "size": 16},
        )


def _bar_style() -> dict:
    # Clicks select points; selection must not dim the rest of the film.
    return {
        "marker_line_width": 0,
        "selected": {"marker": {"opacity": 1}},
        "unselected": {"marker": {"opacity": 1}},
    }


def strip_figure(
    fp: Fingerprint, *, bands: Bands = "share", height: int = 340, highlight: int | None = None
) -> go.Figure:
    """The fingerprint: one column per sample, its palette stacked top to bottom by share
    (``bands="share"``) or in equal bands as the original drew it (``"equal"``).

    One bar trace per palette rank, so hovering a column lists its k colours with their
    hex codes and shares under the column's timecode.
    """
    labels = column_labels(fp)
    geometry = strip_bands(fp, bands)
    colors, heights, shares = geometry.colors, geometry.heights, fp.shares
    index = np.arange(len(fp), dtype=np.float64)
    fig = go.Figure([
        trace(
            "bar",
            x=labels,
            y=hoverable(heights[:, rank]),
            marker_color=to_hex(colors[:, rank]),
            customdata=np.column_stack([index, shares[:, rank]]),
            hovertemplate="%{marker.color}  %{customdata[1]:.0%}<extra></extra>",
            name=f"colour {rank + 1}",
            **_bar_style(),
        )
        for rank in range(fp.k)
    ])
    base_layout(fig, height=height)
    _timeline_layout(fig, fp, labels, highlight)
    return fig


def average_figure(
    fp: Fingerprint, *, height: int = 340, highlight: int | None = None
) -> go.Figure:
    """The barcode of each moment's average colour (gamma-correct: mixing in linear
    light, as the eye does), one column per sample."""
    labels = column_labels(fp)
    fig = go.Figure([
        trace(
            "bar",
            x=labels,
            y=np.ones(len(fp)),
            marker_color=to_hex(fp.average),
            customdata=np.arange(len(fp), dtype=np.float64)[:, None],
            hovertemplate="average %{marker.color}<extra></extra>",
            **_bar_style(),
        )
    ])
    base_layout(fig, height=height)
    _timeline_layout(fig, fp, labels, highlight)
    return fig


def ring_figure(fp: Fingerprint, *, height: int = 620, highlight: int | None = None) -> go.Figure:
    """The original's circular plot: time runs clockwise from the top, each sample a
    wedge, its palette from the inside out by share."""
    n = len(fp)
    labels = column_labels(fp)
    theta = (np.arange(n) + 0.5) * 360.0 / n
    index = np.arange(n, dtype=np.float64)
    fig = go.Figure([
        trace(
            "barpolar",
            theta=theta,
            r=fp.shares[:, rank],
            width=360.0 / n,
            marker_color=to_hex(fp.colors[:, rank]),
            marker_line_width=0,
            customdata=np.column_stack([index, fp.shares[:, rank]]),
            text=labels,
            hovertemplate="%{text}<br>%{marker.color}  %{customdata[1]:.0%}<extra></extra>",
            selected={"marker": {"opacity": 1}},
            unselected={"marker": {"opacity": 1}},
        )
        for rank in range(fp.k)
    ])
    columns, ticks = time_ticks(fp.times)
    base_layout(fig, height=height)
    fig.update_layout(
        hovermode="closest",
        polar={
            "bgcolor": "rgba(0,0,0,0)",
            "hole": 0.38,
            "barmode": "stack",
            "radialaxis": {"visible": False, "range": [0, 1]},
            "angularaxis": {
                "rotation": 90,
                "direction": "clockwise",
                "tickmode": "array",
                "tickvals": theta[columns].tolist(),
                "ticktext": ticks,
                "tickfont": {"color": _MUTED, "size": 12},
                "showgrid": False,
                "showline": False,
                "ticks": "",
            },
        },
    )
    if highlight is not None:
        fig.add_scatterpolar(
            r=[1.05], theta=[theta[highlight]], mode="markers", hoverinfo="skip",
            customdata=[[float(highlight)]],
            marker={"size": 9, "color": HIGHLIGHT},
        )
        fig.update_layout(polar_radialaxis_range=[0, 1.1])
    fig.update_layout(margin={"t": 40, "b": 40})
    return fig


def color_space_figure(
    fp: Fingerprint, *, mode: Literal["ab", "3d"] = "ab", height: int = 620,
    highlight: int | None = None,
) -> go.Figure:
    """Every palette colour of the film in CIELAB, sized by its share of its frame:
    the a*/b* plane seen from above (hue around the centre, chroma outwards), or 3-D
    with lightness up. Large colours are drawn first so small ones stay visible."""
    n, k = fp.shares.shape
    keep = fp.shares.ravel() > 0
    sample = np.repeat(np.arange(n), k)[keep]
    share = fp.shares.ravel()[keep]
    rgb = fp.colors.reshape(-1, 3)[keep]
    order = np.argsort(-share, kind="stable")
    sample, share, rgb = sample[order], share[order], rgb[order]
    lab = rgb_to_lab(rgb).astype(np.float64)
    labels = np.array(column_labels(fp), dtype=object)[sample]
    hexes = to_hex(rgb)
    custom = np.column_stack([sample.astype(np.float64), share, lab])
    hover = (
        "%{text}<br>%{marker.color}  %{customdata[1]:.0%}<br>"
        "L* %{customdata[2]:.0f}  a* %{customdata[3]:.0f}  b* %{customdata[4]:.0f}<extra></extra>"
    )
    base_layout(fig := go.Figure(), height=height)
    if mode == "ab":
        # SVG points report clicks to Streamlit (a click opens that moment's frame); WebGL
        # ones do not, but draw tens of thousands of points smoothly.
        scatter = fig.add_scatter if len(share) <= _SVG_POINTS else fig.add_scattergl
        scatter(
            x=lab[:, 1], y=lab[:, 2], mode="markers", text=labels, customdata=custom,
            marker={"color": hexes, "size": 4 + 22 * np.sqrt(share), "line_width": 0,
                    "opacity": 0.9},
            hovertemplate=hover,
        )
        reach = max(40.0, float(np.abs(lab[:, 1:]).max()) * 1.15)
        _hue_ring(fig, 0.93 * reach)
        axis = {"range": [-reach, reach], "zeroline": True, "zerolinecolor": GRID,
                "gridcolor": GRID, "tickfont": {"color": _MUTED}, "fixedrange": True}
        fig.update_layout(
            hovermode="closest",
            margin={"l": 64, "b": 56},
            xaxis={**axis, "title": {"text": "a*  green ← → red", "font": {"color": _MUTED}}},
            yaxis={**axis, "title": {"text": "b*  blue ← → yellow", "font": {"color": _MUTED}},
                   "scaleanchor": "x"},
        )
        if highlight is not None:
            mine = sample == highlight
            fig.add_scatter(
                x=lab[mine, 1], y=lab[mine, 2], mode="markers", hoverinfo="skip",
                customdata=custom[mine],
                marker={"color": "rgba(0,0,0,0)", "size": 8 + 22 * np.sqrt(share[mine]),
                        "line": {"color": HIGHLIGHT, "width": 2}},
            )
    elif mode == "3d":
        fig.add_scatter3d(
            x=lab[:, 1], y=lab[:, 2], z=lab[:, 0], mode="markers", text=labels,
            customdata=custom,
            marker={"color": hexes, "size": 2 + 12 * np.sqrt(share), "line_width": 0,
                    "opacity": 0.9},
            hovertemplate=hover,
        )
        axis = {"backgroundcolor": "rgba(0,0,0,0)", "gridcolor": GRID,
                "tickfont": {"color": _MUTED}, "color": _MUTED}
        fig.update_layout(scene={
            "xaxis": {**axis, "title": {"text": "a*"}},
            "yaxis": {**axis, "title": {"text": "b*"}},
            "zaxis": {**axis, "title": {"text": "L*"}, "range": [0, 100]},
            "aspectmode": "cube",
        })
        if highlight is not None:
            mine = sample == highlight
            fig.add_scatter3d(
                x=lab[mine, 1], y=lab[mine, 2], z=lab[mine, 0], mode="markers",
                hoverinfo="skip", customdata=custom[mine],
                marker={"color": HIGHLIGHT, "symbol": "circle-open",
                        "size": 6 + 12 * np.sqrt(share[mine])},
            )
    else:
        raise InvalidParameterError(f"mode must be 'ab' or '3d', not {mode!r}.")
    return fig


def _hue_ring(fig: go.Figure, radius: float) -> None:
    """A faint circle of hues behind the a*/b* plane, so a reader sees which way is red.
    Its points carry sample -1, which names no moment when clicked."""
    angle = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    lab = np.column_stack([np.full(120, 65.0), 38 * np.cos(angle), 38 * np.sin(angle)])
    fig.add_scatter(
        x=radius * np.cos(angle), y=radius * np.sin(angle), mode="markers", hoverinfo="skip",
        customdata=np.full((120, 1), -1.0),
        marker={"color": to_hex(lab_to_rgb(lab)), "size": 5, "opacity": 0.55, "line_width": 0},
    )


def view_figure(fp: Fingerprint, view: str, *, highlight: int | None = None) -> go.Figure:
    """The figure for one of `share.VIEWS`."""
    if view == "strip":
        return strip_figure(fp, bands="share", highlight=highlight)
    if view == "bands":
        return strip_figure(fp, bands="equal", highlight=highlight)
    if view == "average":
        return average_figure(fp, highlight=highlight)
    if view == "ring":
        return ring_figure(fp, highlight=highlight)
    if view in ("ab", "3d"):
        return color_space_figure(fp, mode=view, highlight=highlight)  # type: ignore[arg-type]
    raise InvalidParameterError(
        f"unknown view {view!r}: choose strip, bands, average, ring, ab or 3d."
    )
