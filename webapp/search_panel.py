"""The Collection page's search (issue 19 §2), drawn under its chart: moments by colour,
moments like a moment, films like a film, over the page's films: the search index of the
batch folder the server was started with, or the library's films (the demo films and
the movies folder's analysed films). Each hit opens its film on Explore at its moment.

What it shows and which film a hit opens are `search_view`'s (pure); this module draws
them. A batch's index is opened once per server and batch state (`open_search`); the
library's is made in memory from the rows the page made of its fingerprints
(`index_in_memory`), once per set of films and settings. Both are cached for every
visitor.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from fingerprint import FingerprintError, InvalidParameterError, Params
from fingerprint.collection._index import FilmRecord, part_paths, parts_digest
from fingerprint.collection._index_writer import index_in_memory
from fingerprint.collection._search import (
    SearchIndex,
    open_search,
    search_colors,
    search_index,
    similar_films,
    similar_moments,
)
from fingerprint.timecodes import parse_time, timecode

from . import film_picker, library
from .escaping import escape_markdown
from .messages import hide_paths
from .search_view import (
    MODE_LABELS,
    MODES,
    PAGE_PER_FILM,
    PAGE_TOP,
    THUMB_WIDTH,
    HitRow,
    add_color,
    color_rows,
    film_rows,
    moment_rows,
    page_films,
    parse_query,
    thumbnail,
)

_OPEN = "search:open"  # (page film, seconds or None), left by a button for the next run
_HELP = (
    "Pick a colour and add it, or type hex codes (#c0392b); several colours find the "
    "moments holding all of them. A moment's colour d ΔE2000 away covering a share s of "
    "the frame scores √s / (1 + (d/10)²): the very colour on a quarter of the frame "
    "scores like a colour 10 ΔE away on the whole frame."
)


@st.cache_resource(max_entries=1, show_spinner="Opening the batch's search index…")
def _search(folder: str, digest: str) -> SearchIndex:
    # Keyed by the index's parts: a batch still running is opened again as it grows.
    return open_search(folder)


# A resource, not st.cache_data: a SearchIndex holds a KD-tree and a neighbour model,
# shared read-only by every session, never copied per call. Keyed by the films' content
# keys and the settings their fingerprints were made with; the rows themselves are not
# hashed (underscore).
@st.cache_resource(max_entries=4, show_spinner="Indexing the library's films for search…")
def _library_search(keys: tuple[str, ...], params: Params, titles: tuple[str, ...],
                    _records: tuple[FilmRecord, ...]) -> SearchIndex:
    return search_index(index_in_memory(_records, k=params.clusters, titles=titles))


def _opener(films: library.PageFilms) -> Callable[[], SearchIndex] | None:
    """How to open the search of the page's films, or None (a caption says why)."""
    if films.origin == "library":
        if not films.records or films.params is None:
            st.caption("No films to search yet.")
            return None
        keys = tuple(r.key for r in films.records)
        titles = tuple(f.title for f in films.collection.films)
        return lambda: _library_search(keys, films.params, titles, films.records)
    folder = library.collection_dir()
    parts = part_paths(folder) if folder is not None else []
    if folder is None or not parts:
        st.caption("This batch folder has no search index yet: run the same `fingerprint "
                   "batch` command again to build it from the films already done.")
        return None
    # Opened on the first search, not on the page's first draw: at 10,000 films it reads
    # 450 MB (docs/benchmarks.md "Search"), once per server.
    return lambda: _search(str(folder), parts_digest(parts))


def draw(films: library.PageFilms) -> None:
    """The search section of the Collection page for ``films``."""
    pending = st.session_state.pop(_OPEN, None)
    if pending is not None:
        try:
            library.open_on_explore(films, pending[0], at=pending[1])
        except FingerprintError as exc:
            st.error(escape_markdown(hide_paths(str(exc))))
    st.divider()
    st.markdown("**Search the films**")
    opened = _opener(films)
    if opened is None:
        return
    state = st.session_state
    state.setdefault("w_search_mode", "color")
    mode = st.segmented_control("Search", MODES, format_func=MODE_LABELS.get, required=True,
                                key="w_search_mode", label_visibility="collapsed")
    try:
        rows = {"color": _by_color, "moment": _like_moment, "film": _like_film}[mode](opened)
    except InvalidParameterError as exc:
        st.warning(escape_markdown(str(exc)))
        return
    except FingerprintError as exc:
        st.caption(escape_markdown(hide_paths(str(exc))))
        return
    if rows is not None:
        search = opened()
        _results(search, rows(page_films(search.index, films.collection)))


Rows = Callable[[list[int | None]], list[HitRow]]


def _by_color(opened: Callable[[], SearchIndex]) -> Rows | None:
    picker, text, add = st.columns([1, 5, 1], vertical_alignment="bottom")
    picker.color_picker("Colour", "#c0392b", key="w_search_picker")

    def _add() -> None:
        st.session_state["w_search_text"] = add_color(
            st.session_state.get("w_search_text", ""), st.session_state["w_search_picker"])

    add.button("Add", icon=":material/add:", key="w_search_add", on_click=_add)
    typed = text.text_input("Colours (hex codes; several: a palette)", key="w_search_text",
                            placeholder="#c0392b #2c3e50")
    st.caption(_HELP)
    if not typed.strip():
        return None
    colors = parse_query(typed)
    hits = search_colors(opened(), colors, top=PAGE_TOP, per_film=PAGE_PER_FILM)
    if not hits:
        st.info("No moment holds that colour within 15 ΔE.")
    return lambda positions: color_rows(hits, positions)


def _film_choice(search: SearchIndex, key: str) -> int:
    titles = [f.title for f in search.index.collection.films]
    return film_picker.choose_film("Film", titles, key)


def _like_moment(opened: Callable[[], SearchIndex]) -> Rows:
    search = opened()
    film_col, time_col = st.columns([4, 1], vertical_alignment="bottom")
    with film_col:
        film = _film_choice(search, "w_search_film")
    typed = time_col.text_input("At", key="w_search_at", placeholder="0:01:30")
    try:
        seconds = parse_time(typed) or 0.0
    except ValueError as exc:
        raise InvalidParameterError(str(exc)) from exc
    st.caption("The moments of other films nearest this one's palette (the earth mover's "
               "distance between the two palettes, in ΔE2000).")
    found = similar_moments(search, film, seconds, top=PAGE_TOP)
    return lambda positions: moment_rows(found, positions)


def _like_film(opened: Callable[[], SearchIndex]) -> Rows:
    search = opened()
    film = _film_choice(search, "w_search_like")
    st.caption("The films nearest this one's whole-film palette (the Compare page's "
               "palette distance, in ΔE2000).")
    found = similar_films(search, film, top=10)
    return lambda positions: film_rows(found, positions)


def _like_this(row: HitRow) -> None:
    """A hit's "Like this": moments like it."""
    st.session_state.update(w_search_mode="moment", w_search_film=row.film,
                            w_search_at=timecode(row.time or 0.0) if row.time else "")


def _results(search: SearchIndex, rows: list[HitRow]) -> None:
    for i, row in enumerate(rows):
        picture, text, open_col, like_col = st.columns([3, 4, 1.2, 1.6],
                                                       vertical_alignment="center")
        picture.image(thumbnail(search.index, row.film, row.time), width=THUMB_WIDTH)
        # The title is the file's name: shown as written, never as Markdown.
        text.markdown(f"**{escape_markdown(row.title)}**  \n{row.timecode} · {row.detail}"
                      if row.timecode else f"**{escape_markdown(row.title)}**  \n{row.detail}")
        open_col.button(
            "Open", icon=":material/movie:", key=f"w_search_open_{i}",
            disabled=row.page_film is None,
            help="Open on Explore" + (" at this moment" if row.time is not None else ""),
            on_click=lambda r=row: st.session_state.__setitem__(_OPEN, (r.page_film, r.time)),
        )
        if row.time is not None:
            like_col.button("Like this", icon=":material/palette:", key=f"w_search_like_{i}",
                           on_click=_like_this, args=(row,))
