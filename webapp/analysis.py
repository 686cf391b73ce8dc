"""A film's fingerprint with a progress bar, and what is drawn from it (a frame, a
figure), each computed once and shared by reruns and sessions."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from fingerprint import Fingerprint, FingerprintError, Params, VideoInfo, analyze, frame_at
from fingerprint.decode._sampling import ProgressCallback
from fingerprint.palette._cvd import seen_with
from fingerprint.plotting._film import view_figure
from fingerprint.plotting._sound import add_sound_ring

from .budget import analysis_mb
from .escaping import escape_markdown
from .films import Film
from .jobs import Job, Work, job_size, waiting_text
from .messages import analysis_failure, hide_paths, os_reason
from .preview import Frame, preview_html, preview_png
from .script_frames import frames_job, stored_frames
from .seeding import RESULTS, seed
from .server import DEMO_DIR, cache, jobs
from .settings import Settings, params_for, seen, stored_params

# Long side of a shown frame: sharp at the frame column's width on a HiDPI laptop.
FRAME_SIZE = 1280
# Each progress update is a message to the browser: at most five a second.
PROGRESS_INTERVAL_S = 0.2
# A stage's pace is a guess until it has run this long and done this much of the whole.
PACE_MIN_S = 0.5
PACE_MIN_FRACTION = 0.005
# CSS that hides what the previous run drew in the page (not the sidebar) while it waits.
HIDE_PREVIOUS_RUN = '[data-testid="stMain"] [data-stale="true"] {display: none !important;}'
# Plotly's mode bar without the tools that make no sense on a fingerprint.
CHART_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d",
                               "zoomOut2d", "autoScale2d", "resetScale2d"],
}


def film_params(film: Film, current: Settings) -> Params | None:
    """The analysis options for ``film``, or None with the reason shown."""
    try:
        return params_for(current)
    except FingerprintError as exc:
        st.error(escape_markdown(hide_paths(str(exc))))
        return None


class Progress:
    """The library's ``on_progress`` drawn as a progress bar: the whole run's fraction, the
    current stage's own message, and the time left at the current stage's pace.

    The stages do not run at one pace (decoding a keyframe is much quicker than finding a
    frame's colours), so a time left from the whole run's average would say "0 s" while
    the slow stage has just begun. While the bar shows, the page's content from the
    previous run (another film's chart and credit) is hidden: only this film's progress
    is on screen.
    """

    def __init__(self, title: str, doing: str = "Fingerprinting") -> None:
        self.title = escape_markdown(title)
        self.doing = doing
        # Streamlit marks what the previous run drew, not yet redrawn, as stale.
        # (st.markdown, not st.html: st.html would send a lone <style> to the page's event
        # container, where emptying this placeholder would not remove it.)
        self.hide = st.empty()
        self.hide.markdown(f"<style>{HIDE_PREVIOUS_RUN}</style>", unsafe_allow_html=True)
        self.bar = st.progress(0.0, text=f"{self.doing} {self.title}…")
        self.stage = ""
        self.stage_from = (time.monotonic(), 0.0)  # when and where the stage began
        self.last = self.stage_from
        self.shown = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        stage = message.partition(":")[0]
        if stage != self.stage:  # its pace is measured from the last report of the one before
            self.stage, self.stage_from = stage, self.last
        self.last = (now, fraction)
        if now - self.shown < PROGRESS_INTERVAL_S and fraction < 1:
            return
        self.shown = now
        text = f"{self.doing} {self.title}: {fraction:.0%} · {message}"
        left = time_left(fraction, now=now, stage_from=self.stage_from)
        if left is not None:
            text += f" · about {_duration(left)} left"
        self.bar.progress(min(1.0, fraction), text=text)

    def queued(self, text: str) -> None:
        """Show the analysis's place in the server's queue instead of its progress."""
        self.bar.progress(0.0, text=text)

    def close(self) -> None:
        self.bar.empty()
        self.hide.empty()


def time_left(
    fraction: float, *, now: float, stage_from: tuple[float, float]
) -> float | None:
    """Seconds until ``fraction`` reaches 1 at the pace of the current stage, which began
    at ``stage_from`` (time, fraction); None until the stage has gone far enough to
    measure (`PACE_MIN_S`, `PACE_MIN_FRACTION`)."""
    began, start = stage_from
    spent, done = now - began, fraction - start
    if spent < PACE_MIN_S or done < PACE_MIN_FRACTION:
        return None
    return max(0.0, 1.0 - fraction) * spent / done


def _duration(seconds: float) -> str:
    """"8 s", "2 min 05 s": a time left as people read it."""
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def _wait(job: Job, title: str, doing: str = "Fingerprinting") -> Any:
    """Draw ``job``'s place in the queue, then its progress, until it is done; its result.

    Each bar update is where Streamlit interrupts the run (a rerun, or the session
    ending): the exception leaves `Jobs.waiting`, which lets the job go.
    """
    progress = Progress(title, doing)
    try:
        while not job.done.wait(PROGRESS_INTERVAL_S):
            ahead = jobs().ahead(job)
            if ahead is not None:
                progress.queued(waiting_text(progress.title, ahead, jobs().queue.slots))
            else:
                progress(job.fraction, job.message)
    finally:
        progress.close()
    if job.error is not None:
        raise job.error
    return job.result


def _analyze(
    path: Path, params: Params, cancel: threading.Event, on_progress: ProgressCallback
) -> Fingerprint:
    return analyze(path, params=params, cache=cache(), on_progress=on_progress, cancel=cancel)


def analysis_job(
    key: str, path: Path, params: Params, fitted: Params | None, info: VideoInfo | None
) -> tuple[Hashable, Work, float, bool, float]:
    """What `Jobs.join` and `Jobs.waiting` take to fingerprint the film ``key`` at
    ``path`` with ``params``: one job per film and options, whichever page or session asks,
    weighed by its samples and by its memory (`analysis_mb`). ``fitted``: the options as
    its result is stored (`stored_params`), and ``info`` the film's description, both None
    when this server never probed the film (then nothing of it is stored, and its memory
    is reckoned for a 1080p film of the options' samples: the library's case, whose films
    are probed by the analysis itself)."""
    c = cache()
    weight, long = job_size(
        params, frames_stored=fitted is not None and c.has_frames(key, fitted),
        shots_stored=fitted is not None and c.has_shots(key, fitted),
    )
    if info is None:
        mb = analysis_mb(params, 1920, 1080)
    else:
        mb = analysis_mb(fitted or params, info.width, info.height,
                         info.duration * (info.fps or 24))
    return (key, params), functools.partial(_analyze, path, params), weight, long, mb


def load_fingerprint(film: Film, params: Params) -> Fingerprint | None:
    """The film's fingerprint, or None with the reason shown as one error line.

    A stored result returns in milliseconds from the library's disk cache, shared by every
    session and process; so does a demo film's result shipped with the app (`seed`: the
    landing page at the default settings), which is stored there first. Otherwise the
    analysis is a job of the server's queue (`jobs`), shared by every session that wants
    the same film with the same options, weighed by its memory (`analysis_mb`: what it may
    start beside others, or that it is too large for this server, said in a sentence), and
    cancelled when none waits for it any more.
    """
    c = cache()
    try:
        fitted = stored_params(params, film.info)
        found = c.load_result(film.key, fitted)
        if found is None:
            found = seed(c, film.key, film.path, film.info, fitted, DEMO_DIR / RESULTS)
        if found is not None:
            return found
        job_args = analysis_job(film.key, film.path, params, fitted, film.info)
        with jobs().waiting(*job_args) as job:
            return _wait(job, film.title)
    except (FingerprintError, OSError, MemoryError) as exc:
        st.error(escape_markdown(analysis_failure(exc, film.title, film.path)))
    return None


def script_thumbnails(film: Film, fp: Fingerprint, size: int) -> np.ndarray | None:
    """The middle frame of each of ``fp``'s shots at ``size`` px, for the colour script's
    poster, or None with the reason shown: from the film cache in milliseconds, else
    decoded by a job of the server's queue with a progress bar (`webapp.script_frames`)."""
    c = cache()
    try:
        stored = stored_frames(c, film.key, fp, size)
        if stored is not None:
            return stored
        with jobs().waiting(*frames_job(c, film.key, film.path, fp, size)) as job:
            return _wait(job, film.title, doing="Finding the shots' frames of")
    except (FingerprintError, OSError, MemoryError) as exc:
        st.error(escape_markdown(analysis_failure(exc, film.title, film.path)))
    return None


@st.cache_data(max_entries=64, show_spinner=False)
def _frame(
    root: str, key: str, seconds: float, size: int, cvd: str | None, severity: float,
    _path: str, _info: VideoInfo,
) -> np.ndarray:
    # Seen here, in the cache: simulating a screen-sized frame takes tens of milliseconds.
    return seen_with(frame_at(_path, seconds, size=size, info=_info), cvd=cvd,
                     severity=severity)


def frame_image(film: Film, seconds: float, current: Settings) -> np.ndarray | None:
    """The frame on screen at ``seconds``, screen-sized and as the settings' colour vision
    sees it, or None with the reason shown."""
    try:
        return _frame(str(cache().root), film.key, seconds, FRAME_SIZE, current.cvd,
                      current.cvd_severity, str(film.path), film.info)
    except FingerprintError as exc:
        st.error(escape_markdown(hide_paths(str(exc), {str(film.path): film.path.name})))
    except OSError as exc:
        st.error(escape_markdown(f"Could not show this moment of {film.title}: {os_reason(exc)}."))
    return None


@st.cache_resource(max_entries=24)
def _figure(
    key: str, params: Params, view: str, highlight: int | None, cvd: str | None,
    severity: float, _fp: Fingerprint,
) -> go.Figure:
    # Building a figure validates thousands of bars: once per view, not once per rerun.
    # ``_fp`` is the fingerprint as seen with ``cvd`` (the key's part of it).
    fig = view_figure(_fp, view, highlight=highlight)
    return add_sound_ring(fig, _fp) if view == "ring" else fig


def figure(film: Film, fp: Fingerprint, current: Settings, highlight: int | None) -> go.Figure:
    """The figure of the settings' view for the film, with sample ``highlight`` marked,
    as the settings' colour vision sees it."""
    return _figure(film.key, fp.params, current.view, highlight, current.cvd,
                   current.cvd_severity, seen(fp, current))


@st.cache_resource(max_entries=24)
def _preview(key: str, params: Params, view: str, cvd: str | None, severity: float,
             frame: Frame, _fp: Fingerprint) -> str | None:
    # Keyed by the film, its options, the view and the colour vision; ``_fp`` is the
    # fingerprint as seen with them.
    png = preview_png(_fp, view, frame)
    return None if png is None else preview_html(png, frame)


def chart_preview(film: Film, fp: Fingerprint, current: Settings, fig: go.Figure) -> str | None:
    """HTML that shows ``fig``'s columns as a picture in its place until the browser has
    drawn it (`webapp.preview`), as the settings' colour vision sees them, or None for a
    view that is not a row of columns."""
    margin = fig.layout.margin
    frame = Frame(height=int(fig.layout.height), left=int(margin.l), right=int(margin.r),
                  top=int(margin.t), bottom=int(margin.b))
    return _preview(film.key, fp.params, current.view, current.cvd, current.cvd_severity,
                    frame, seen(fp, current))
