"""The optional layers on the pages: the loudness trace under the strip, the Shots view
with its statistics, and both films' shot statistics side by side in Compare.

Selection in the Shots view is the settings' ``time`` (the chosen shot's middle), so a
share link reopens the shot, as it reopens a moment in the other views.
"""

from __future__ import annotations

import bisect

import plotly.graph_objects as go
import streamlit as st

from fingerprint import Fingerprint, Params
from fingerprint._theme import FILM_COLORS
from fingerprint.model import Shot, to_hex
from fingerprint.plotting._shots import (
    shot_histogram_figure,
    shot_lengths_figure,
    shot_span,
    shots_figure,
)
from fingerprint.plotting._sound import loudness_figure
from fingerprint.shots import ShotStats, shot_stats
from fingerprint.timecodes import timecode

from .analysis import CHART_CONFIG, frame_image
from .films import Film
from .selection import point_sample
from .settings import Settings, seen
from .state import update_settings
from .swatches import swatches_html

#: The views the loudness trace goes under: those on the strip's time axis.
TRACE_VIEWS = ("strip", "bands", "average")


@st.cache_resource(max_entries=24)
def _loudness(key: str, params: Params, _fp: Fingerprint) -> go.Figure:
    return loudness_figure(_fp)


def loudness_trace(film: Film, fp: Fingerprint, view: str) -> None:
    """The loudness under a strip view, when the film has a sound print."""
    if fp.loudness is None or view not in TRACE_VIEWS:
        return
    st.plotly_chart(_loudness(film.key, fp.params, fp), key="loudness_chart", theme=None,
                    config=CHART_CONFIG)


def shot_at(shots: tuple[Shot, ...], seconds: float) -> int:
    """The shot on screen at ``seconds``."""
    starts = [s.start for s in shots]
    return max(0, min(len(shots) - 1, bisect.bisect_right(starts, seconds) - 1))


@st.cache_resource(max_entries=24)
def _shots(
    key: str, params: Params, chosen: int | None, cvd: str | None, severity: float,
    _shots: tuple[Shot, ...],
) -> go.Figure:
    # ``_shots`` are seen with ``cvd`` already (the key's part of them).
    return shots_figure(_shots, highlight=chosen)


def shots_view(film: Film, fp: Fingerprint, current: Settings) -> None:
    """The Shots view: the shots as columns as wide as they last, the chosen one's middle
    frame and palette, and the film's shot statistics; every colour as the settings'
    colour vision sees it."""
    if not fp.shots:
        st.info("Turn on **Shots** in the sidebar to find this film's shots and their "
                "palettes (it decodes every frame, so it takes a while on a feature).")
        return
    shots = seen(fp, current).shots
    assert shots
    chosen = None if current.time is None else shot_at(shots, current.time)

    def select() -> None:
        points = st.session_state["shots_chart"].selection.points
        index = point_sample(points[0], len(shots)) if points else None
        if index is not None:
            update_settings(time=round(shots[index].middle, 3))

    st.plotly_chart(_shots(film.key, fp.params, chosen, current.cvd, current.cvd_severity,
                           shots), key="shots_chart",
                    on_select=select, selection_mode="points", theme=None, config=CHART_CONFIG)
    if chosen is None:
        st.caption("Point at a shot to see its span and palette; click it to see its middle "
                   "frame.")
    else:
        shot = shots[chosen]
        picture, colors = st.columns([3, 2], gap="medium")
        with picture:
            frame = frame_image(film, shot.middle, current)
            if frame is not None:
                st.image(frame, width="stretch")
            st.markdown(f"<div style='text-align:center'>{shot_span(shot, chosen + 1, len(shots))}"
                        f" · middle frame at <b>{timecode(shot.middle)}</b></div>",
                        unsafe_allow_html=True)
        with colors:
            palette = list(zip(to_hex(shot.colors), shot.shares.tolist(), strict=True))
            st.markdown(swatches_html(palette), unsafe_allow_html=True)
    stats = shot_stats(shots)
    _stat_metrics(stats)
    histogram, rhythm = st.columns(2, gap="large")
    with histogram:
        st.markdown("**Shot lengths**")
        st.plotly_chart(shot_histogram_figure(stats), key="shot_histogram", theme=None,
                        config=CHART_CONFIG)
    with rhythm:
        st.markdown("**Shot length over the film**")
        st.plotly_chart(shot_lengths_figure(shots), key="shot_lengths", theme=None,
                        config=CHART_CONFIG)


def _stat_metrics(stats: ShotStats) -> None:
    count, average, median = st.columns(3)
    count.metric("Shots", stats.count)
    average.metric("Average shot length", f"{stats.average:.1f} s",
                   help="ASL, as Cinemetrics measures a film's cutting rate: the analysed "
                   "span's length divided by its shots.")
    median.metric("Median shot length", f"{stats.median:.1f} s",
                  help="Half the shots are shorter: less swayed by a few long takes.")


def compare_shots(fp_a: Fingerprint, fp_b: Fingerprint, titles: tuple[str, str]) -> None:
    """Both films' shot statistics side by side, when both have shots."""
    st.markdown("**Shots**")
    if not fp_a.shots or not fp_b.shots:
        st.caption("Turn on **Shots** in the sidebar to compare the films' cutting: shot "
                   "counts, average and median shot lengths, and their histograms.")
        return
    for column, tag, fp, title, color in zip(
        st.columns(2, gap="large"), "AB", (fp_a, fp_b), titles, FILM_COLORS, strict=True
    ):
        with column:
            st.caption(f"{tag} · {title}")
            stats = shot_stats(fp.shots)
            _stat_metrics(stats)
            st.plotly_chart(shot_histogram_figure(stats, color=color),
                            key=f"compare_shots_{tag}", theme=None, config=CHART_CONFIG)
