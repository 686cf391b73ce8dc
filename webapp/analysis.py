"""A film's fingerprint with a progress bar, and what is drawn from it (a frame, a
figure), each computed once and shared by reruns and sessions."""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from fingerprint import Fingerprint, FingerprintError, Params, VideoInfo, analyze, frame_at
from fingerprint.figures import view_figure

from .films import Film
from .server import cache
from .settings import Settings, params_for

# Long side of a shown frame: sharp at the frame column's width on a HiDPI laptop.
FRAME_SIZE = 1280
# Each progress update is a message to the browser: at most five a second.
PROGRESS_INTERVAL_S = 0.2
# Plotly's mode bar without the tools that make no sense on a fingerprint.
CHART_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d",
                               "zoomOut2d", "autoScale2d", "resetScale2d"],
}


def film_params(film: Film, current: Settings) -> Params | None:
    """The analysis options for ``film``, or None with the reason shown."""
    try:
        return params_for(current, film.info)
    except FingerprintError as exc:
        st.error(str(exc))
        return None


class Progress:
    """The library's ``on_progress`` drawn as a progress bar with the run's ETA."""

    def __init__(self, title: str) -> None:
        self.title = title
        # Until the first report, the analysis may be waiting for another session's.
        self.bar = st.progress(0.0, text=f"Fingerprinting {title}…")
        self.started = time.monotonic()
        self.shown = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.shown < PROGRESS_INTERVAL_S and fraction < 1:
            return
        self.shown = now
        text = f"Fingerprinting {self.title}: {fraction:.0%}"
        if fraction > 0.02:
            left = (now - self.started) * (1 - fraction) / fraction
            text += f", about {left:.0f} s left"
        self.bar.progress(min(1.0, fraction), text=f"{text} · {message}")

    def close(self) -> None:
        self.bar.empty()


def load_fingerprint(film: Film, params: Params) -> Fingerprint | None:
    """The film's fingerprint, or None with the reason shown as one error line.

    Not wrapped in a Streamlit cache: the library's disk cache returns a stored result in
    milliseconds, is shared by every session and process, and its lock makes two sessions
    analysing one film do the work once. The bar only appears when there is work to wait for.
    """
    c = cache()
    try:
        found = c.load_result(film.key, params)
        if found is not None:
            return found
        progress = Progress(film.title)
        try:
            return analyze(film.path, params=params, cache=c, on_progress=progress)
        finally:
            progress.close()
    except FingerprintError as exc:
        st.error(str(exc))
        return None


@st.cache_data(max_entries=64, show_spinner=False)
def _frame(
    root: str, key: str, seconds: float, size: int, _path: str, _info: VideoInfo
) -> np.ndarray:
    return frame_at(_path, seconds, size=size, info=_info)


def frame_image(film: Film, seconds: float) -> np.ndarray | None:
    """The frame on screen at ``seconds``, screen-sized, or None with the reason shown."""
    try:
        return _frame(str(cache().root), film.key, seconds, FRAME_SIZE, str(film.path), film.info)
    except FingerprintError as exc:
        st.error(str(exc))
        return None


@st.cache_resource(max_entries=24)
def _figure(
    key: str, params: Params, view: str, highlight: int | None, _fp: Fingerprint
) -> go.Figure:
    # Building a figure validates thousands of bars: once per view, not once per rerun.
    return view_figure(_fp, view, highlight=highlight)


def figure(film: Film, fp: Fingerprint, view: str, highlight: int | None) -> go.Figure:
    """The figure of ``view`` for the film, with sample ``highlight`` marked."""
    return _figure(film.key, fp.params, view, highlight, fp)
