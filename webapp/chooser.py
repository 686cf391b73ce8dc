"""The film chooser: a demo film, an upload, the movies folder or the library, and the
film a link names (`resolve_film`)."""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from fingerprint import FingerprintError, VideoInfo, VideoNotFoundError, probe
from fingerprint.timecodes import timecode

from . import state, title_filter
from .escaping import escape_markdown
from .films import (
    Film,
    Origin,
    ago,
    in_movies,
    is_content_key,
    parse_film_id,
    resolve_movie,
    upload_name,
    upload_title,
)
from .messages import hide_paths, os_reason
from .server import (
    DEFAULT_FILM,
    MOVIES_ENV_VAR,
    cache,
    deliveries,
    demos,
    movie_list,
    movies_dir,
    upload_limit,
)


@st.cache_data(max_entries=256, show_spinner=False)
def _film_info(root: str, key: str, _path: str) -> VideoInfo:
    entry = cache().entry(key)
    return entry.info if entry else probe(_path)


def _picked() -> dict[str, tuple[str, Origin, str]]:
    """Films this session chose from an upload or the movies folder, by content key: path,
    origin and title. An upload is opened through this only, so it stays private to the
    session that uploaded it."""
    return st.session_state.setdefault("picked", {})


def offer(key: str, path: str, origin: Origin, title: str) -> None:
    """Let this session open the film at ``path`` by its content key (a film of the
    collection folder the server was started with); Explore checks the key again."""
    _picked()[key] = (path, origin, title)


def resolve_film(film_id: str) -> Film:
    """The film a link or a chooser names. Raises VideoNotFoundError, with a message for
    the user, when this server does not have it for this visitor.

    A content key opens a demo film, a film this session picked (its uploads included),
    or a film of the movies folder; never another visitor's upload, nor a film the cache
    holds from elsewhere (the command line's), whose very existence stays unsaid.
    """
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
    if not is_content_key(film_id):
        raise unknown
    for demo in demos().values():
        if c.key(demo.path) == film_id:  # a demo film picked from the library
            return resolve_film(demo.id)
    origin: Origin
    if film_id in _picked():
        source, origin, title = _picked()[film_id]
        path = Path(source)
    else:
        entry = c.entry(film_id)
        movies = movies_dir()
        name = in_movies(movies, entry.source if entry else None)
        if movies is None or name is None:
            if entry is not None and _is_upload(entry.source):
                raise VideoNotFoundError(
                    "This link names a film another visitor uploaded: uploads are private "
                    "to the visitor who uploaded them. Open a demo film or upload your own."
                )
            raise unknown
        path, origin, title = resolve_movie(movies, name), "library", Path(name).stem
    if not path.is_file() or c.key(path) != film_id:
        raise VideoNotFoundError(
            f"{title} was analysed on this server, but its file has moved or changed."
        )
    return Film(id=film_id, key=film_id, path=path, title=title.replace("_", " "),
                info=_film_info(root, film_id, str(path)), origin=origin)


def _is_upload(source: str | None) -> bool:
    uploads = cache().root.resolve() / "uploads"
    return bool(source) and Path(source).is_relative_to(uploads)


# --- choosing --------------------------------------------------------------------------
def _pick(chooser: str, film_id: str) -> None:
    st.session_state[f"film:{chooser}"] = film_id
    state.update_settings(time=None)


def _forget_upload(upload: Any) -> None:
    """Drop an upload's bytes from Streamlit's memory: it is on disk now, and a film can
    be gigabytes."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, upload.file_id)


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _stored(chooser: str, upload: Any) -> Path | None:
    """Where the upload is in the cache folder, or None with the reason said.

    The server's upload receiver wrote it there as it arrived, and kept its outcome for
    this session alone (`webapp.receiving`). Without the receiver (AppTest; the app
    served some other way), Streamlit holds the bytes in memory, and they are copied.
    """
    session = _session_id()
    received = deliveries().take(session, upload.file_id) if session else None
    try:
        if received is not None:
            if received.message:
                _say(chooser, received.message)
            return received.path
        return cache().store_upload(upload, upload_name(upload.name))
    except OSError as exc:
        _say(chooser, f"Could not store {upload.name}: {os_reason(exc)}.")
        return None
    finally:
        _forget_upload(upload)


def _store_upload(chooser: str, widget: str) -> None:
    """Take the upload from the cache folder, check it is a video, and open it (in this
    session only: see `resolve_film`)."""
    upload = st.session_state.get(widget)
    if upload is None:
        return
    # A new widget key next run: the old one, and its bytes, are forgotten.
    st.session_state[f"upload_n:{chooser}"] = st.session_state.get(f"upload_n:{chooser}", 0) + 1
    known_as = upload.name
    path = _stored(chooser, upload)
    if path is None:
        return
    try:
        probe(path)
    except FingerprintError as exc:
        # Keep nothing of a file that is no video; the cache's films are untouched.
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the same content is stored under another name
            path.parent.rmdir()
        _say(chooser, hide_paths(str(exc), {str(path): known_as, path.name: known_as}))
        return
    key = path.parent.name
    _picked()[key] = (str(path), "upload", upload_title(known_as))
    _pick(chooser, key)


def _say(chooser: str, message: str) -> None:
    """Show ``message`` under the chooser on its next run, as text."""
    st.session_state[f"message:{chooser}"] = message


def _pick_movie(chooser: str, root: Path, widget: str) -> None:
    name = st.session_state.get(widget)
    if not name:
        return
    try:
        path = resolve_movie(root, name)
        key = cache().key(path)
    except FingerprintError as exc:
        _say(chooser, hide_paths(str(exc), {str(root): "the movies folder"}))
        return
    except OSError as exc:
        _say(chooser, f"Could not open {name}: {os_reason(exc)}.")
        return
    _picked()[key] = (str(path), "movies", Path(name).stem)
    _pick(chooser, key)


def _pick_from_library(chooser: str, widget: str, keys: list[str]) -> None:
    rows = st.session_state[widget].selection.rows
    if rows:
        _pick(chooser, keys[rows[0]])


# --- drawing ---------------------------------------------------------------------------
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


def _upload_tab(chooser: str) -> None:
    n = st.session_state.get(f"upload_n:{chooser}", 0)
    widget = f"upload:{chooser}:{n}"
    st.file_uploader(
        f"Any video file, up to {upload_limit()}", key=widget,
        on_change=_store_upload, args=(chooser, widget),
    )
    st.caption(
        "Your upload is private: only this browser tab can open it, and its share link "
        "opens it for nobody else. A larger file opens from a movies folder without "
        "uploading (see About)."
    )
    session = _session_id()
    refused = deliveries().notice(session) if session else None
    if refused:  # the receiver refused this session's upload before it arrived
        _say(chooser, refused)


def _movies_tab(chooser: str) -> None:
    root = movies_dir()
    if root is None:
        st.caption(
            "Open films from a folder on this computer without uploading them: start the "
            "app with `streamlit run app.py -- --movies ~/Movies`, or set "
            f"`{MOVIES_ENV_VAR}`. Only files under that folder can be opened."
        )
    elif not root.is_dir():
        st.error("The movies folder this server was started with does not exist.")
    else:
        widget = f"movie:{chooser}"
        files = movie_list(str(root))
        films = f"{len(files):,} film{'s' if len(files) != 1 else ''}"
        options = _matching(files, widget, st.session_state.get(widget))
        st.selectbox(  # the folder's path is the server's business, not the visitor's
            f"{films} in the movies folder", options, index=None, key=widget,
            placeholder="Type to search…", on_change=_pick_movie,
            args=(chooser, root, widget),
        )
        _say_matches(files, widget)


def _matching(names: list[str], widget: str, current: str | None = None) -> list[str]:
    """``names`` as a chooser lists them: all of them up to `title_filter.LIST_ALL`, else
    a box to type part of a name over those that hold it (and ``current``), so a folder
    of 10,000 films is never 10,000 options sent to the browser."""
    if not title_filter.filtered(len(names)):
        return names
    query = st.text_input(
        "Part of its name", key=f"{widget}:find", label_visibility="collapsed",
        placeholder=f"Part of its name (of {len(names):,} films)",
    )
    keep = [names.index(current)] if current in names else []
    return [names[i] for i in title_filter.matching(names, query, keep=keep).films]


def _say_matches(names: list[str], widget: str) -> None:
    """Under a filtered chooser: how many of ``names`` it lists (`_matching`), as text."""
    if title_filter.filtered(len(names)):
        query = st.session_state.get(f"{widget}:find", "")
        line = title_filter.matches_line(title_filter.matching(names, query), query)
        if line:
            st.caption(escape_markdown(line))


def _library_tab(chooser: str) -> None:
    titles = {cache().key(d.path): d.title for d in demos().values()}
    root = movies_dir()
    analysed = cache().entries()
    for entry in analysed:
        if entry.key not in titles and (name := in_movies(root, entry.source)) is not None:
            titles[entry.key] = name
    # Demo films and the movies folder's only: uploads are private, other films not ours.
    entries = [e for e in analysed if e.key in titles]
    if not entries:
        st.caption("Demo films and films of the movies folder appear here once analysed.")
        return
    widget = f"library:{chooser}"
    names = [titles[e.key] for e in entries]
    shown = set(_matching(names, widget))  # the most recent first, as entries come
    entries = [e for e, name in zip(entries, names, strict=True) if name in shown]
    st.dataframe(
        [
            {
                "Film": titles[e.key],
                "Duration": timecode(e.info.duration),
                "Resolution": f"{e.info.width}×{e.info.height}",
                "Analysed": ago(e.analysed_at),
            }
            for e in entries
        ],
        hide_index=True, width="stretch", key=widget, selection_mode="single-row",
        on_select=functools.partial(_pick_from_library, chooser, widget, [e.key for e in entries]),
    )
    _say_matches(names, widget)


def choose_film(
    chooser: str, *, param: str = "film", default: str | None = DEFAULT_FILM,
    label: str = "Choose a film — a demo, your own video, the movies folder or the library",
) -> Film | None:
    """Draw the film chooser (demo films, upload, movies folder, library) and return the
    chosen film, or None with the reason shown.

    ``chooser`` names this chooser's state (a page may have several); ``param`` is the
    query parameter that holds its film in share links; ``label`` heads its expander.
    """
    key = f"film:{chooser}"
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, default)
    film_id = st.session_state[key]
    film, problem = None, None
    if film_id:
        try:
            film = resolve_film(parse_film_id(film_id) or film_id)
        except FingerprintError as exc:
            problem = hide_paths(str(exc))
        except OSError as exc:
            problem = f"This film cannot be opened: {os_reason(exc)}."
    with st.expander(label, expanded=film is None, icon=":material/movie:"):
        demo_tab, upload_tab, movies_tab, library_tab = st.tabs(
            ["Demo films", "Upload", "Movies folder", "Library"]
        )
        with demo_tab:
            demo_buttons(chooser, film.id if film else None)
        with upload_tab:
            _upload_tab(chooser)
        with movies_tab:
            _movies_tab(chooser)
        with library_tab:
            _library_tab(chooser)
    message = st.session_state.pop(f"message:{chooser}", None)
    if message:  # names a file as the visitor wrote it: shown as text, never as Markdown
        st.error(escape_markdown(message))
    if problem:
        st.error(escape_markdown(problem))
    if film is not None and st.query_params.get(param) != film.id:
        st.query_params[param] = film.id
    return film
