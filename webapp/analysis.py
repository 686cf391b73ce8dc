"""A film's fingerprint with a progress bar, and what is drawn from it (a frame, a
figure), each computed once and shared by reruns and sessions."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from fingerprint import Fingerprint, FingerprintError, Params, VideoInfo, analyze, frame_at
from fingerprint.figures import view_figure
from fingerprint.sound_figures import add_sound_ring
from fingerprint.video import ProgressCallback

from .films import Film
from .jobs import Job
from .messages import hide_paths, os_reason, plain
from .server import cache, jobs
from .settings import AUTO_SAMPLES, Settings, params_for

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
        st.error(plain(hide_paths(str(exc))))
        return None


def waiting_text(title: str, ahead: int, slots: int) -> str:
    """What a visitor whose analysis waits in the server's queue reads."""
    films = "1 other film" if ahead == 1 else f"{ahead} other films"
    place = "yours is next" if ahead == 0 else f"waiting for {films} ahead of yours"
    return (f"Queued {title}: this server fingerprints {slots:g} film"
            f"{'s' if slots != 1 else ''} at a time, {place}…")


def progress_text(title: str, job: Job, now: float) -> str:
    """A running analysis as its progress bar says it, with an ETA once it is measurable."""
    text = f"Fingerprinting {title}: {job.fraction:.0%}"
    if job.started is not None and job.fraction > 0.02:
        left = (now - job.started) * (1 - job.fraction) / job.fraction
        text += f", about {left:.0f} s left"
    return f"{text} · {job.message}" if job.message else text


def _wait(job: Job, title: str) -> Fingerprint:
    """Draw ``job``'s place in the queue, then its progress, until it is done.

    Each bar update is where Streamlit interrupts the run (a rerun, or the session
    ending): the exception leaves `Jobs.waiting`, which lets the job go.
    """
    bar = st.progress(0.0, text=f"Fingerprinting {title}…")
    try:
        while not job.done.wait(PROGRESS_INTERVAL_S):
            ahead = jobs().ahead(job)
            if ahead is not None:
                bar.progress(0.0, text=waiting_text(title, ahead, jobs().queue.slots))
            else:
                text = progress_text(title, job, time.monotonic())
                bar.progress(min(1.0, job.fraction), text=text)
    finally:
        bar.empty()
    if job.error is not None:
        raise job.error
    return job.result


def _analyze(
    path: Path, params: Params, cancel: threading.Event, on_progress: ProgressCallback
) -> Fingerprint:
    return analyze(path, params=params, cache=cache(), on_progress=on_progress, cancel=cancel)


def load_fingerprint(film: Film, params: Params) -> Fingerprint | None:
    """The film's fingerprint, or None with the reason shown as one error line.

    A stored result returns in milliseconds from the library's disk cache, shared by every
    session and process. Otherwise the analysis is a job of the server's queue (`jobs`),
    shared by every session that wants the same film with the same options, and cancelled
    when none waits for it any more.
    """
    c = cache()
    try:
        found = c.load_result(film.key, params)
        if found is not None:
            return found
        work = functools.partial(_analyze, film.path, params)
        # Memory grows with the samples: 3000 of them weigh three default analyses.
        weight = params.samples / AUTO_SAMPLES
        with jobs().waiting((film.key, params), work, weight) as job:
            return _wait(job, film.title)
    except FingerprintError as exc:
        st.error(plain(hide_paths(str(exc), {str(film.path): film.path.name})))
    except OSError as exc:
        st.error(plain(f"Could not fingerprint {film.title}: {os_reason(exc)}."))
    except MemoryError:
        st.error(plain(f"This server has not enough memory to fingerprint {film.title} with "
                       "these settings: try fewer samples."))
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
        st.error(plain(hide_paths(str(exc), {str(film.path): film.path.name})))
    except OSError as exc:
        st.error(plain(f"Could not show this moment of {film.title}: {os_reason(exc)}."))
    return None


@st.cache_resource(max_entries=24)
def _figure(
    key: str, params: Params, view: str, highlight: int | None, _fp: Fingerprint
) -> go.Figure:
    # Building a figure validates thousands of bars: once per view, not once per rerun.
    fig = view_figure(_fp, view, highlight=highlight)
    return add_sound_ring(fig, _fp) if view == "ring" else fig


def figure(film: Film, fp: Fingerprint, view: str, highlight: int | None) -> go.Figure:
    """The figure of ``view`` for the film, with sample ``highlight`` marked."""
    return _figure(film.key, fp.params, view, highlight, fp)
