"""What the Collection page computes from its films, once per collection for every
session: their order, the distances, the map, and the figure of the view.

Everything is cached by the films' content digest (`PageFilms.digest`) and the options,
never by the arrays themselves (hashing 10,000 films' palettes on every run would cost
more than it saves). At scale (`collection_view`): the strips are drawn a page of
`PAGE_FILMS` films at a time; past `MATRIX_FILMS` films the Distances view is a page's
films' (`MATRIX_PAGE` of them) and the map projects the films' palette vectors
(`palette_map`), so no dense matrix of the whole collection is ever measured; ordering
by similarity to a film needs only that film's distances to the others
(`distance_row`), at any size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from fingerprint.collection._collection import (
    Collection,
    distance_matrix,
    distance_row,
    map_2d,
    palette_map,
)
from fingerprint.palette._cvd import seen_with
from fingerprint.plotting._collection import map_figure, matrix_figure, strips_figure

from .collection_view import (
    MATRIX_FILMS,
    CollectionOptions,
    matrix_positions,
    near_index,
    order,
    page_count,
    page_span,
)
from .library import PageFilms
from .preview import strips_picture_html
from .settings import Settings


@st.cache_data(max_entries=8, show_spinner="Measuring the distances from the chosen film…")
def _row(digest: str, near: int, _collection: Collection) -> np.ndarray:
    return distance_row(_collection, near)


def film_order(films: PageFilms, options: CollectionOptions) -> list[int]:
    """Every film's index, in the order ``options`` asks."""
    row = None
    if options.sort == "similar":
        collection = films.collection
        row = _row(films.digest, near_index(collection, options.near), collection)
    return order(films.collection, options, row)


def shown(films: PageFilms, options: CollectionOptions) -> list[int]:
    """The films the strips view draws: the page ``options.page`` of the order."""
    ranked = film_order(films, options)
    return [ranked[i] for i in page_span(len(ranked), options.page)]


@st.cache_data(max_entries=4, show_spinner="Measuring the distances between the films…")
def _distances(digest: str, which: str, _collection: Collection) -> np.ndarray:
    # ``which`` names the films measured ("all", or a hash of their indices): keyed by
    # content and choice, never by the arrays themselves.
    return distance_matrix(_collection)


def _subset(films: PageFilms, indices: Sequence[int]) -> tuple[str, Collection]:
    """The cache name and the `Collection` of the films ``indices`` (sorted)."""
    if len(indices) == len(films.collection):
        return "all", films.collection
    which = hashlib.sha256(np.asarray(indices, np.int64).tobytes()).hexdigest()[:16]
    return which, Collection(tuple(films.collection.films[i] for i in indices))


def matrix(films: PageFilms, options: CollectionOptions) -> tuple[Collection, np.ndarray]:
    """The films of the Distances view in the view's order (all of them up to
    `MATRIX_FILMS`, else the page's) and their distance matrix (ΔE2000)."""
    ranked = film_order(films, options)
    picked = [ranked[i] for i in matrix_positions(len(ranked), options.page)]
    measured = sorted(picked)  # the same films in another order share one matrix
    which, collection = _subset(films, measured)
    full = _distances(films.digest, which, collection)
    where = {film: i for i, film in enumerate(measured)}
    rows = [where[film] for film in picked]
    ordered = Collection(tuple(films.collection.films[i] for i in picked))
    return ordered, full[np.ix_(rows, rows)]


@st.cache_data(max_entries=4, show_spinner="Drawing the map of the films…")
def _map(digest: str, _collection: Collection) -> np.ndarray:
    if len(_collection) <= MATRIX_FILMS:
        return map_2d(_distances(digest, "all", _collection))
    return palette_map(_collection)


def map_points(films: PageFilms) -> np.ndarray:
    """The films' 2-D map: MDS of the distances up to `MATRIX_FILMS` films, else their
    palette vectors' principal axes; once per collection."""
    return _map(films.digest, films.collection)


@st.cache_resource(max_entries=12, show_spinner=False)
def _figure(
    digest: str, show: str, sort: str, descending: bool, near: str | None, page: int,
    cvd: str | None, severity: float, _films: PageFilms,
) -> go.Figure:
    # A figure takes a while to build and validate (4.4 s for 10,000 strips, 69 MB of
    # JSON: docs/benchmarks.md "Search and ten thousand films"): once per view and page.
    # The distances, the map and the order are the true colours' (cached by the films'
    # digest alone); only what is drawn is seen with ``cvd``: the strips of the page shown,
    # never the whole collection's rows.
    options = CollectionOptions(show=show, sort=sort, descending=descending, near=near,
                                page=page)
    if show == "map":
        return map_figure(seen_with(_films.collection, cvd=cvd, severity=severity),
                          map_points(_films))
    if show == "matrix":
        collection, distances = matrix(_films, options)
        return matrix_figure(collection, distances, range(len(collection)))
    order = shown(_films, options)
    rows = seen_with(_films.rows[order], cvd=cvd, severity=severity)
    return strips_figure(_films.collection, _Rows(rows, order), order)


class _Rows:
    """A page's strip rows, as seen, indexed by the films' numbers as `strips_figure`
    reads the collection's: only the page's rows are recoloured and held."""

    def __init__(self, rows: np.ndarray, order: Sequence[int]) -> None:
        self.rows, self.at = rows, {int(film): i for i, film in enumerate(order)}
        self.shape = (max(self.at, default=-1) + 1, *rows.shape[1:])

    def __getitem__(self, films: Sequence[int]) -> np.ndarray:
        return self.rows[[self.at[int(f)] for f in films]]


def _key(films: PageFilms, options: CollectionOptions, current: Settings) -> tuple:
    """What the view's figure depends on (`_figure`'s arguments): options the view does
    not depend on are left out, so sessions share it."""
    count = len(films.collection)
    cvd, severity = current.cvd, current.cvd_severity
    if options.show == "map":
        return (films.digest, "map", "title", False, None, 1, cvd, severity)
    near = options.near if options.sort == "similar" else None
    page = min(max(options.page, 1), page_count(count, options.show))
    if options.show == "matrix" and count <= MATRIX_FILMS:
        page = 1
    return (films.digest, options.show, options.sort, options.descending, near, page,
            cvd, severity)


def figure(films: PageFilms, options: CollectionOptions, current: Settings) -> go.Figure:
    """The figure of the page's view, shared by sessions on the same films and options,
    as the settings' colour vision sees it."""
    return _figure(*_key(films, options, current), films)


@st.cache_resource(max_entries=12, show_spinner=False)
def _preview(
    digest: str, show: str, sort: str, descending: bool, near: str | None, page: int,
    cvd: str | None, severity: float, _fig: go.Figure,
) -> str | None:
    # Keyed as the figure (`_key`); ``_fig`` is that key's figure.
    return strips_picture_html(_fig)


def preview(films: PageFilms, options: CollectionOptions, current: Settings) -> str | None:
    """HTML showing the view's strips as a picture in the chart's place until the
    browser has loaded Plotly and drawn the chart (`webapp.preview`): on a first visit
    at 10,000 films the chart came 2-3 s after the page's heading (docs/benchmarks.md
    "The Collection page at 10,000 films"). None for other views and for pages of films
    that show their titles."""
    if options.show != "strips":
        return None
    key = _key(films, options, current)
    return _preview(*key, _figure(*key, films))
