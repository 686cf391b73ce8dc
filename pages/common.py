"""Shared UI for the pages (a module, not a page): the settings sidebar, the film chooser,
loading a fingerprint with a progress bar, the frame of a moment, and the share link.

Pages call `require_router` first, then `choose_film`, `film_params`, `load_fingerprint`
(app.py, the router, uses `pages`, `sidebar` and `run_page`); the settings live in
``st.session_state["settings"]`` (a `share.Settings`), read from the URL on a session's
first run and written back to it on every run, so the address bar is always a share link.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from fingerprint import (
    Cache,
    Fingerprint,
    FingerprintError,
    Params,
    VideoInfo,
    VideoNotFoundError,
    analyze,
    frame_at,
    probe,
    share,
)
from fingerprint.cache import ENV_VAR as CACHE_ENV_VAR
from fingerprint.figures import view_figure
from fingerprint.model import timecode
from fingerprint.share import DemoFilm, Settings

APP_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = APP_DIR / "demo"
DEFAULT_FILM = "bbb"
MOVIES_ENV_VAR = "FINGERPRINT_MOVIES_DIR"
# Long side of a shown frame: sharp at the frame column's width on a HiDPI laptop.
FRAME_SIZE = 1280


# --- routing ---------------------------------------------------------------------------
_ROUTED = "routed"


def pages() -> list[StreamlitPage]:
    """The app's pages, in the order the navigation lists them."""
    return [
        st.Page("pages/explore.py", title="Explore", icon=":material/movie:", default=True),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
        st.Page("pages/about.py", title="About & help", icon=":material/help:"),
    ]


def run_page(page: StreamlitPage) -> None:
    """Run the page the router chose, telling it that the router ran (`require_router`)."""
    st.session_state[_ROUTED] = True
    page.run()


def require_router() -> None:
    """First thing on every page: when Streamlit ran the page without the router
    (app.py), hand the run to the router.

    With a ``pages/`` folder next to app.py, Streamlit treats the app as a legacy
    multipage app until some session calls st.navigation (then, as its documentation
    says, it ignores the folder across all sessions). Until then, a share link to a page
    of a freshly started server (``/compare?a=…``) ran that page alone: no shared
    settings, and the folder's files as navigation. AppTest even looks for the folder
    before every run. A run the router did not mark (`run_page`) is such a run: the
    router's own st.navigation call here ends that mode for good and picks the page the
    URL names, and the rerun runs app.py, which draws the sidebar and this page with the
    link's query.
    """
    if st.session_state.pop(_ROUTED, False):
        return
    st.navigation(pages())
    st.rerun()


# --- where things are ------------------------------------------------------------------
@st.cache_resource
def _cache_at(root: str) -> Cache:
    return Cache(root or None)


def cache() -> Cache:
    """The server's film cache (one object per folder, so content keys are hashed once)."""
    return _cache_at(os.environ.get(CACHE_ENV_VAR, ""))


@st.cache_resource
def demos() -> dict[str, DemoFilm]:
    """The bundled demo films, in the order the app offers them."""
    return share.demo_films(DEMO_DIR)


def movies_dir() -> Path | None:
    """The movies folder: ``streamlit run app.py -- --movies DIR``, else $FINGERPRINT_MOVIES_DIR."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--movies")
    args, _ = parser.parse_known_args(sys.argv[1:])
    folder = args.movies or os.environ.get(MOVIES_ENV_VAR)
    return Path(folder).expanduser().resolve() if folder else None


@st.cache_data(ttl=30, show_spinner=False)
def _movie_files(root: str) -> list[str]:
    # A short ttl: films copied into the folder appear without a restart.
    return share.movie_files(root)


def upload_limit() -> str:
    """The upload limit set in .streamlit/config.toml, as people say it: "1 GB"."""
    megabytes = int(st.get_option("server.maxUploadSize"))
    return f"{megabytes / 1024:g} GB" if megabytes >= 1024 else f"{megabytes} MB"


# --- settings --------------------------------------------------------------------------
def settings() -> Settings:
    """This session's settings; on its first run, those in the URL."""
    if "settings" not in st.session_state:
        restored, problems = share.from_query(st.query_params.to_dict())
        st.session_state["settings"] = restored
        st.session_state["link_problems"] = problems
    return st.session_state["settings"]


def update_settings(**changes: Any) -> None:
    st.session_state["settings"] = replace(settings(), **changes)


def seed_widget(widget: str, value: Any) -> None:
    """Give a widget its value from the settings when it has none: on the first run, and
    after Streamlit dropped it because another page did not draw it."""
    if widget not in st.session_state:
        st.session_state[widget] = value


def _from_widget(field: str, widget: str, convert: Callable[[Any], Any] = lambda v: v) -> None:
    try:
        update_settings(**{field: convert(st.session_state[widget])})
    except ValueError as exc:
        st.session_state["trim_error"] = str(exc)
    else:
        st.session_state.pop("trim_error", None)


def _time_text(seconds: float | None) -> str:
    """A trim time for its input box: h:mm:ss when whole, else exact seconds."""
    if seconds is None:
        return ""
    return timecode(seconds) if seconds == int(seconds) else share.format_seconds(seconds)


_ANALYSIS_WIDGETS = ("w_samples", "w_clusters", "w_mode", "w_colors", "w_crop", "w_start", "w_end")


def _reset() -> None:
    update_settings(**{f: getattr(share.DEFAULTS, f) for f in
                       ("samples", "clusters", "mode", "crop", "color_space", "start", "end")})
    for widget in _ANALYSIS_WIDGETS:
        st.session_state.pop(widget, None)
    st.session_state.pop("trim_error", None)


def sidebar() -> Settings:
    """Draw the analysis settings every page shares, and keep the URL in step with them."""
    current = settings()
    seed_widget("w_samples", current.samples)
    seed_widget("w_clusters", current.clusters)
    seed_widget("w_mode", current.mode)
    seed_widget("w_colors", current.color_space)
    seed_widget("w_crop", current.crop)
    seed_widget("w_start", _time_text(current.start))
    seed_widget("w_end", _time_text(current.end))
    lo, hi = share.SAMPLES_RANGE
    with st.sidebar:
        for problem in st.session_state.pop("link_problems", []):
            st.warning(problem[0].upper() + problem[1:])
        st.subheader("Analysis")
        st.number_input(
            "Samples (columns)", min_value=lo, max_value=hi, step=50, key="w_samples",
            placeholder="auto",
            on_change=_from_widget, args=("samples", "w_samples"),
            help="How many moments are taken evenly across the film. Leave empty for one per "
            "frame of a short clip, 1000 for a feature (one every 7 s of a two-hour film).",
        )
        st.slider(
            "Colours per moment (k)", *share.CLUSTERS_RANGE, key="w_clusters",
            on_change=_from_widget, args=("clusters", "w_clusters"),
            help="How many dominant colours k-means finds in each frame. Changing it reuses "
            "the decoded frames, so it is quick.",
        )
        st.segmented_control(
            "Sampling", ["fast", "exact"], required=True, key="w_mode",
            format_func={"fast": "Fast", "exact": "Exact"}.get,
            on_change=_from_widget, args=("mode", "w_mode"),
            help="Fast: a keyframe in each slot of the film, decoded alone. Exact: the frame on "
            "screen at each sample time (slower on long films).",
        )
        st.segmented_control(
            "Colour space", ["lab", "rgb"], required=True, key="w_colors",
            format_func={"lab": "CIELAB", "rgb": "RGB"}.get,
            on_change=_from_widget, args=("color_space", "w_colors"),
            help="Where k-means measures colour differences. CIELAB follows perceived "
            "difference; RGB is what the original tool did.",
        )
        st.toggle(
            "Crop black bars", key="w_crop", on_change=_from_widget, args=("crop", "w_crop"),
            help="Ignore letterbox and pillarbox bars, so black is not every film's first colour.",
        )
        start, end = st.columns(2)
        start.text_input(
            "Start", key="w_start", placeholder="0:00:00",
            on_change=_from_widget, args=("start", "w_start", share.parse_time),
            help="Analyse from this time: seconds (95) or h:mm:ss (1:02:03). Empty: the start.",
        )
        end.text_input(
            "End", key="w_end", placeholder="the end",
            on_change=_from_widget, args=("end", "w_end", share.parse_time),
            help="Analyse up to this time. Empty: the end of the film.",
        )
        if "trim_error" in st.session_state:
            st.error(st.session_state["trim_error"])
        st.button("Reset to defaults", on_click=_reset, type="tertiary")
    _write_url(settings())
    return settings()


def _write_url(current: Settings) -> None:
    """Set the settings' query parameters and drop those back at their defaults, leaving
    the films' parameters to their choosers. Only changes are sent to the browser."""
    wanted = share.to_query(current)
    for name in share.PARAM_NAMES.values():
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


def share_link() -> str:
    """The address that reopens this view: the page's URL and its query parameters."""
    base = st.context.url or ""
    query = urlencode(st.query_params.to_dict())
    return f"{base}?{query}" if query else base


# --- films -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Film:
    """A film the app can open. ``id`` is what a share link holds: a demo film's id or the
    content key; ``key`` is always the content key the caches use."""

    id: str
    key: str
    path: Path
    title: str
    info: VideoInfo
    origin: str  # "demo", "upload", "movies" or "library"
    credit: str | None = None
    licence: str | None = None
    licence_url: str | None = None


@st.cache_data(max_entries=256, show_spinner=False)
def _film_info(root: str, key: str, _path: str) -> VideoInfo:
    entry = cache().entry(key)
    return entry.info if entry else probe(_path)


def _picked() -> dict[str, tuple[str, str]]:
    """Films this session chose from an upload or the movies folder, by content key: they
    open before their first analysis puts them in the library."""
    return st.session_state.setdefault("picked", {})


def resolve_film(film_id: str) -> Film:
    """The film a link or a chooser names. Raises VideoNotFoundError, with a message for
    the user, when this server does not have it."""
    c = cache()
    root = str(c.root)
    demo = demos().get(film_id)
    if demo is not None:
        key = c.key(demo.path)
        return Film(
            id=demo.id, key=key, path=demo.path, title=demo.title,
            info=_film_info(root, key, str(demo.path)), origin="demo", credit=demo.credit,
            licence=demo.licence, licence_url=demo.licence_url,
        )
    unknown = VideoNotFoundError(
        "This link names a film this server does not have (it may have been analysed on "
        "another server, or its cache was cleared). Open a demo film or choose one below."
    )
    if not share.is_content_key(film_id):
        raise unknown
    for demo in demos().values():
        if c.key(demo.path) == film_id:  # a demo film picked from the library
            return resolve_film(demo.id)
    if film_id in _picked():
        source, origin = _picked()[film_id]
    else:
        entry = c.entry(film_id)
        if entry is None or not entry.source:
            raise unknown
        source, origin = entry.source, "library"
    path = Path(source)
    if not path.is_file() or c.key(path) != film_id:
        raise VideoNotFoundError(
            f"{path.name} was analysed on this server, but its file has moved or changed."
        )
    return Film(id=film_id, key=film_id, path=path, title=path.stem.replace("_", " "),
                info=_film_info(root, film_id, str(path)), origin=origin)


def _pick(chooser: str, film_id: str) -> None:
    st.session_state[f"film:{chooser}"] = film_id
    update_settings(moment=None)


def _forget_upload(upload: Any) -> None:
    """Drop an upload's bytes from Streamlit's memory: it is on disk now, and a film can
    be gigabytes."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, upload.file_id)


def _store_upload(chooser: str, widget: str) -> None:
    """Stream the upload into the cache folder, check it is a video, and open it."""
    upload = st.session_state.get(widget)
    if upload is None:
        return
    # A new widget key next run: the old one, and its bytes, are forgotten.
    st.session_state[f"upload_n:{chooser}"] = st.session_state.get(f"upload_n:{chooser}", 0) + 1
    try:
        path = cache().store_upload(upload, upload.name)
    except OSError as exc:
        st.session_state[f"message:{chooser}"] = f"Could not store {upload.name}: {exc}."
        return
    finally:
        _forget_upload(upload)
    try:
        probe(path)
    except FingerprintError as exc:
        # Keep nothing of a file that is no video; the cache's films are untouched.
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the same content is stored under another name
            path.parent.rmdir()
        st.session_state[f"message:{chooser}"] = str(exc)
        return
    key = path.parent.name
    _picked()[key] = (str(path), "upload")
    _pick(chooser, key)


def _pick_movie(chooser: str, root: Path, widget: str) -> None:
    name = st.session_state.get(widget)
    if not name:
        return
    try:
        path = share.resolve_movie(root, name)
        key = cache().key(path)
    except (FingerprintError, OSError) as exc:
        st.session_state[f"message:{chooser}"] = str(exc)
        return
    _picked()[key] = (str(path), "movies")
    _pick(chooser, key)


def _pick_from_library(chooser: str, widget: str, keys: list[str]) -> None:
    rows = st.session_state[widget].selection.rows
    if rows:
        _pick(chooser, keys[rows[0]])


def _ago(seconds: float) -> str:
    age = time.time() - seconds
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if age >= size:
            n = int(age // size)
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


def demo_buttons(chooser: str, current: str | None) -> None:
    """One card per demo film: a button to open it, what it shows, and its credit."""
    films = list(demos().values())
    for column, demo in zip(st.columns(len(films)), films, strict=True):
        with column:
            st.button(
                demo.title, key=f"demo:{chooser}:{demo.id}", on_click=_pick,
                args=(chooser, demo.id), width="stretch",
                type="primary" if demo.id == current else "secondary",
            )
            st.caption(
                f"{demo.description}  \n{demo.credit} · [{demo.licence}]({demo.licence_url})"
            )


def _chooser_tabs(chooser: str, current: str | None) -> None:
    demo_tab, upload_tab, movies_tab, library_tab = st.tabs(
        ["Demo films", "Upload", "Movies folder", "Library"]
    )
    with demo_tab:
        demo_buttons(chooser, current)
    with upload_tab:
        n = st.session_state.get(f"upload_n:{chooser}", 0)
        widget = f"upload:{chooser}:{n}"
        st.file_uploader(
            f"Any video file, up to {upload_limit()}", key=widget,
            on_change=_store_upload, args=(chooser, widget),
        )
        st.caption(
            "The file is kept in this server's cache, so a share link can reopen it. A larger "
            "file opens from a movies folder without uploading (see About)."
        )
    with movies_tab:
        root = movies_dir()
        if root is None:
            st.caption(
                "Open films from a folder on this computer without uploading them: start the "
                "app with `streamlit run app.py -- --movies ~/Movies`, or set "
                f"`{MOVIES_ENV_VAR}`. Only files under that folder can be opened."
            )
        elif not root.is_dir():
            st.error(f"The movies folder {root} does not exist.")
        else:
            widget = f"movie:{chooser}"
            files = _movie_files(str(root))
            films = f"{len(files)} film{'s' if len(files) != 1 else ''}"
            st.selectbox(
                f"{films} in {root}", files, index=None, key=widget,
                placeholder="Type to search…", on_change=_pick_movie,
                args=(chooser, root, widget),
            )
    with library_tab:
        entries = [e for e in cache().entries() if e.source and os.path.isfile(e.source)]
        titles = {cache().key(d.path): d.title for d in demos().values()}
        if not entries:
            st.caption("Films analysed on this server appear here.")
        else:
            widget = f"library:{chooser}"
            st.dataframe(
                [
                    {
                        "Film": titles.get(e.key, e.info.name),
                        "Duration": timecode(e.info.duration),
                        "Resolution": f"{e.info.width}×{e.info.height}",
                        "Analysed": _ago(e.analysed_at),
                    }
                    for e in entries
                ],
                hide_index=True, width="stretch", key=widget, selection_mode="single-row",
                on_select=functools.partial(
                    _pick_from_library, chooser, widget, [e.key for e in entries]
                ),
            )


def choose_film(
    chooser: str, *, param: str = "film", default: str | None = DEFAULT_FILM,
    label: str = "Choose a film — a demo, your own video, the movies folder or the library",
) -> Film | None:
    """Draw the film chooser (demo films, upload, movies folder, library) and return the
    chosen film, or None with the reason shown.

    ``chooser`` names this chooser's state (a page may have several); ``param`` is the
    query parameter that holds its film in share links; ``label`` heads its expander.
    """
    state = f"film:{chooser}"
    if state not in st.session_state:
        st.session_state[state] = st.query_params.get(param, default)
    film_id = st.session_state[state]
    film, problem = None, None
    if film_id:
        try:
            film = resolve_film(share.parse_film_id(film_id) or film_id)
        except (FingerprintError, OSError) as exc:
            problem = str(exc)
    with st.expander(label, expanded=film is None, icon=":material/movie:"):
        _chooser_tabs(chooser, film.id if film else None)
    message = st.session_state.pop(f"message:{chooser}", None)
    if message:
        st.error(message)
    if problem:
        st.error(problem)
    if film is not None and st.query_params.get(param) != film.id:
        st.query_params[param] = film.id
    return film


# --- analysis --------------------------------------------------------------------------
def film_params(film: Film, current: Settings) -> Params | None:
    """The analysis options for ``film``, or None with the reason shown."""
    try:
        return share.params_for(current, film.info)
    except FingerprintError as exc:
        st.error(str(exc))
        return None


class _Progress:
    """The library's ``on_progress`` drawn as a progress bar with the run's ETA."""

    def __init__(self, title: str) -> None:
        self.title = title
        # Until the first report, the analysis may be waiting for another session's.
        self.bar = st.progress(0.0, text=f"Fingerprinting {title}…")
        self.started = time.monotonic()
        self.shown = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.shown < 0.2 and fraction < 1:
            return  # each update is a message to the browser
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
        progress = _Progress(film.title)
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
    return _figure(film.key, fp.params, view, highlight, fp)


# --- small pieces ----------------------------------------------------------------------
def describe(film: Film, fp: Fingerprint) -> str:
    """One line about the film and the analysis, for under its title."""
    info = film.info
    parts = [timecode(info.duration), f"{info.width}×{info.height}", info.codec.upper()]
    if info.fps:
        parts.append(f"{info.fps:.3g} fps")
    parts.append(f"{len(fp)} moments × {fp.k} colours")
    if fp.params.start is not None or fp.params.end is not None:
        start = timecode(fp.params.start or 0)
        end = timecode(fp.params.end if fp.params.end is not None else info.duration)
        parts.append(f"{start}–{end}")
    if fp.crop is not None:
        top, bottom, left, right = fp.crop
        parts.append(f"black bars cropped ({max(top + bottom, left + right):.0%})")
    return " · ".join(parts)


def credit_line(film: Film) -> str | None:
    if film.credit is None:
        return None
    return f"{film.credit} · [{film.licence}]({film.licence_url})"


def swatches_html(palette: list[tuple[str, float]], *, height: int = 300) -> str:
    """A column of the moment's colours, each as tall as its share, labelled in a
    readable ink."""
    rows = []
    for hex_code, fraction in palette:
        if fraction <= 0:
            continue
        r, g, b = (int(hex_code[i : i + 2], 16) for i in (1, 3, 5))
        ink = "#111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 140 else "#f4f4f4"
        rows.append(
            f'<div style="flex:{fraction:.4f} 0 0;min-height:30px;background:{hex_code};'
            f"color:{ink};display:flex;align-items:center;justify-content:space-between;"
            f'padding:0 14px;font:500 14px ui-monospace,Menlo,monospace">'
            f"<span>{html.escape(hex_code)}</span><span>{fraction:.0%}</span></div>"
        )
    return (
        f'<div style="display:flex;flex-direction:column;height:{height}px;border-radius:10px;'
        f'overflow:hidden">{"".join(rows)}</div>'
    )
