"""The Collection page's films, shared by every session: the app's library or a batch
folder, with their strips; the page's options in the URL; opening a film on Explore or
two on Compare. What is computed from the films (their order, distances, map and the
view's figure) is `collection_figures`'.

Where the films come from:

- ``streamlit run app.py -- --collection DIR`` (or $FINGERPRINT_COLLECTION_DIR): the
  films a ``fingerprint batch --out DIR`` run finished, read from its search index
  (`list_batch`: titles, palettes, strip thumbnails; no film's JSON is opened). A batch
  made before the index existed has its ``films/*.json`` read instead, and the page says
  how to build the index. Only a folder given on the command line or in the environment
  is read, never a path from the page or a link.
- Otherwise the app's library (`library_films`): the demo films and the films of the
  movies folder this server has analysed (never a visitor's upload, nor a film the cache
  holds from elsewhere), with the sidebar's settings. Those with no fingerprint with them
  yet are fingerprinted by the page itself (`fingerprint_pending`), one at a time through
  the server's queue, so a first visitor sees the demo films.

Opening a batch film on Explore: the server's operator named the folder, so its films are
trusted as the movies folder's are. A click offers the film to this session's chooser
(as picking it from the movies folder does) by its content key, with its source path
from the index, and Explore opens it after checking the file still has that content. A
link never carries the path; an Explore link to such a film opens for the session that
clicked it, and for others only if the file is also under the movies folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from fingerprint import Cancelled, Fingerprint, FingerprintError, Params
from fingerprint.collection._collection import Collection, film_from_fingerprint, load_batch
from fingerprint.collection._index import FilmRecord, film_record, part_paths, parts_digest
from fingerprint.collection._listing import list_batch
from fingerprint.model import COLOR
from fingerprint.poster._collection import strip_rows

from . import chooser, links, state
from .analysis import PROGRESS_INTERVAL_S, analysis_job
from .collection_view import CollectionOptions, collection_digest
from .library_films import (
    Failures,
    LibraryFilm,
    Tally,
    library_films,
    progress_text,
    set_aside,
    shelve,
)
from .messages import analysis_failure
from .server import cache, collection_dir, demos, jobs, movies_dir
from .settings import Settings, params_for, stored_params

# How long the library's list is kept: films analysed meanwhile appear within this time.
LIBRARY_TTL_S = 30


@dataclass(frozen=True, eq=False)
class PageFilms:
    """The page's films: the `Collection`, each film's strip image (the index's strip
    thumbnail, or `strip_rows`), the id Explore and Compare open each by (a demo film's id
    or the content key), each film's source file (server side only: never shown), and
    ``missing``: a batch's finished films the page cannot draw (read from the index
    (``indexed``): those it lacks, not drawn; read from the JSON files: those that cannot
    be read, drawn as empty rows). ``digest`` identifies the content
    (`collection_digest`). The library's films not in the collection: ``pending``, to
    fingerprint with the sidebar's settings, and ``failed``, with the reason; its films'
    search index rows (``records``, `film_record`) and the ``params`` they were made
    with, for the search (`search_panel`)."""

    collection: Collection
    rows: np.ndarray = field(metadata=COLOR)
    open_ids: tuple[str, ...]
    sources: tuple[str | None, ...]
    origin: Literal["library", "batch"]
    missing: int
    digest: str
    indexed: bool = False
    pending: tuple[LibraryFilm, ...] = ()
    failed: tuple[tuple[LibraryFilm, str], ...] = ()
    records: tuple[FilmRecord, ...] = ()
    params: Params | None = None

    @property
    def tally(self) -> Tally:
        """The library's films shown, being fingerprinted and failed."""
        return Tally(len(self.collection), len(self.pending), len(self.failed))


# --- where the films come from ---------------------------------------------------------
def _pack(
    fingerprints: list[Fingerprint | None], collection: Collection, open_ids: list[str],
    sources: list[str | None], origin: Literal["library", "batch"],
) -> PageFilms:
    return PageFilms(
        collection=collection, rows=strip_rows(fingerprints), open_ids=tuple(open_ids),
        sources=tuple(sources), origin=origin,
        missing=sum(fp is None for fp in fingerprints), digest=collection_digest(collection),
    )


@st.cache_resource(max_entries=2, show_spinner="Reading the batch folder's films…")
def _batch(folder: str, stamp: tuple[int, int, str]) -> PageFilms:
    # Keyed by collection.json's size and time and the index's parts (`parts_digest`): a
    # batch still running is read again as it grows.
    if not part_paths(folder):
        return _batch_from_json(folder)
    listing = list_batch(folder)
    films = listing.collection.films
    return PageFilms(
        collection=listing.collection, rows=listing.strips,
        open_ids=tuple(f.key or "" for f in films), sources=tuple(f.source for f in films),
        origin="batch", missing=listing.unindexed,
        digest=collection_digest(listing.collection), indexed=True,
    )


def _batch_from_json(folder: str) -> PageFilms:
    """A batch made before the search index: every film's JSON read (what the page did
    before the index: 38.7 s for 500 films, docs/benchmarks.md "Collection page with 500
    films"), until `fingerprint batch` is run again and builds the index."""
    collection = load_batch(folder)
    fingerprints: list[Fingerprint | None] = []
    for film in collection.films:
        try:
            fingerprints.append(Fingerprint.load(film.fingerprint_path))  # type: ignore[arg-type]
        except FingerprintError:
            fingerprints.append(None)  # drawn as an empty row, counted as missing
    keys = [film.key or "" for film in collection.films]
    return _pack(fingerprints, collection, keys, [f.source for f in collection.films], "batch")


def _library_list() -> tuple[LibraryFilm, ...]:
    """The library's films (`library_films`), read afresh each run: films analysed
    meanwhile are in it."""
    c = cache()
    return tuple(library_films(demos().values(), c.entries(), movies_dir(), c.key))


@st.cache_resource(max_entries=4, ttl=LIBRARY_TTL_S, show_spinner=False)
def _library(root: str, listed: tuple[LibraryFilm, ...], params: Params) -> PageFilms:
    shelf = shelve(listed, params, cache().load_result)
    collection = Collection(tuple(
        film_from_fingerprint(fp, title=film.title, key=film.key, analysed_at=film.analysed_at)
        for film, fp in shelf.shown
    ))
    pack = _pack([fp for _, fp in shelf.shown], collection,
                 [film.open_id for film, _ in shelf.shown], [None] * len(collection), "library")
    # Each film's search index row, from the fingerprint in hand (0.4 ms a film,
    # docs/benchmarks.md "Search and ten thousand films"), so the search needs no second
    # read of the cache. Its source is the id Explore opens it by: never a server path.
    records = tuple(
        film_record(fp, source=film.open_id, key=film.key, json_path="",
                    analysed_at=film.analysed_at or 0.0, palette=shown.palette)
        for (film, fp), shown in zip(shelf.shown, collection.films, strict=True)
    )
    return replace(pack, pending=shelf.pending, failed=shelf.failed, records=records,
                   params=params)


@st.cache_resource
def _failures(root: str) -> Failures:
    """The library's films the page failed to fingerprint lately, one record per server
    (per cache folder), shared by its sessions."""
    return Failures()


def page_films(settings: Settings) -> PageFilms:
    """The page's films: the batch folder's if the server was given one, else the
    library's with ``settings``. Raises FingerprintError (a message for the visitor,
    path-free once `messages.hide_paths` has seen it) on an unreadable folder or a bad
    trim."""
    folder = collection_dir()
    if folder is not None:
        index = folder / "collection.json"
        try:
            info = index.stat()
        except OSError as exc:
            raise FingerprintError(
                "The collection folder this server was started with has no batch index "
                "(collection.json): run `fingerprint batch ... --out` into it first."
            ) from exc
        return _batch(str(folder), (info.st_size, info.st_mtime_ns,
                                    parts_digest(part_paths(folder))))
    root = str(cache().root)
    params = params_for(settings)
    films = _library(root, _library_list(), params)
    pending, failed = set_aside(films.pending, _failures(root), params)
    return replace(films, pending=pending, failed=films.failed + failed)


def fingerprint_pending(films: PageFilms, settings: Settings, where: DeltaGenerator) -> None:
    """Fingerprint the first of the library's films the page lacks with ``settings``
    through the server's queue, drawing the progress in ``where`` (a placeholder), then
    rerun the page, which shows it and goes on with the next. Returns at once when none
    is pending.

    One at a time: an analysis keeps a small host's two cores busy (its two decoders), so
    more would not fill the library sooner, and the queue's other slot stays free for a
    visitor opening a film on Explore. The job is Explore's own for that film and options
    (`analysis_job`), so a film asked for on both pages runs once. Each progress update is
    where Streamlit interrupts the run (a click, the visitor leaving): the job is let go,
    and cancelled when nobody comes back for it (`Jobs`).
    """
    if not films.pending:
        return
    film, params = films.pending[0], params_for(settings)
    fitted = stored_params(params, film.info) if film.info is not None else None
    queue = jobs()
    with queue.waiting(*analysis_job(film.key, film.path, params, fitted, film.info)) as job:
        while not job.done.wait(PROGRESS_INTERVAL_S):
            value, text = progress_text(films.tally, film.title, job.fraction, job.message,
                                        ahead=queue.ahead(job), slots=queue.queue.slots)
            where.progress(value, text=text)
    reason = _failure(job.error, job.result, film)
    if reason is not None:
        _failures(str(cache().root)).add(film.key, params, reason)
    _library.clear()  # read again, with the new film
    st.rerun()


def _failure(error: BaseException | None, result: Any, film: LibraryFilm) -> str | None:
    """Why the library's film ``film`` is not shown after its job ended with ``error`` or
    ``result``, or None (shown, or cancelled: tried again)."""
    if error is None:
        if cache().load_result(film.key, result.params) is None:
            return ("It was fingerprinted, but this server's cache could not keep the result "
                    "(its file changed meanwhile, or the cache is full).")
        return None
    if isinstance(error, Cancelled):
        return None
    if isinstance(error, FingerprintError | OSError | MemoryError):
        return analysis_failure(error, film.title, film.path)
    raise error


# --- the page's options, kept in the URL ------------------------------------------------
_OPTIONS = "collection_options"


def options() -> CollectionOptions:
    """This session's Collection options; on its first run, those in the URL (a bad value
    is shown as a warning)."""
    if _OPTIONS not in st.session_state:
        restored, problems = links.collection_from_query(st.query_params.to_dict())
        st.session_state[_OPTIONS] = restored
        for problem in problems:
            st.warning(problem[0].upper() + problem[1:])
    return st.session_state[_OPTIONS]


def update_options(**changes: Any) -> None:
    st.session_state[_OPTIONS] = replace(options(), **changes)


def write_options(current: CollectionOptions) -> None:
    """Put the options in the URL, so the address bar is the view's share link."""
    state.write_query(links.collection_to_query(current),
                      list(links.COLLECTION_PARAM_NAMES.values()))


# --- opening films ---------------------------------------------------------------------
def _offer(films: PageFilms, index: int) -> str:
    """The id the chooser opens film ``index`` by; a batch film is offered to this
    session's chooser first (see the module's docstring)."""
    film_id = films.open_ids[index]
    source = films.sources[index]
    if films.origin == "batch" and source:
        if not Path(source).is_file():
            raise FingerprintError(
                f"{films.collection.films[index].title} is not on this server any more: its "
                "file has moved since the batch ran."
            )
        chooser.offer(film_id, source, "library", films.collection.films[index].title)
    return film_id


def open_on_explore(films: PageFilms, index: int, *, at: float | None = None) -> NoReturn:
    """Switch to Explore on film ``index``, at ``at`` seconds (None: from its start)."""
    film_id = _offer(films, index)
    st.session_state["film:explore"] = film_id
    state.update_settings(time=at)
    query = {"film": film_id} if at is None else {"film": film_id, "t": links.format_seconds(at)}
    st.switch_page("pages/explore.py", query_params=query)


def open_on_compare(films: PageFilms, a: int, b: int) -> NoReturn:
    """Switch to Compare with films ``a`` and ``b``."""
    id_a, id_b = _offer(films, a), _offer(films, b)
    st.session_state["film:compare_a"] = id_a
    st.session_state["film:compare_b"] = id_b
    st.switch_page("pages/compare.py", query_params={"a": id_a, "b": id_b})
