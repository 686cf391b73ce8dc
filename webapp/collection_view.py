"""What the Collection page shows: its options (kept in share links), the order of its
films, which of them one page of the view draws, and which film a click names. Pure, no
Streamlit.

Past `PAGE_FILMS` films the strips are drawn a page at a time, and past `MATRIX_FILMS`
the distances are a page's films' only (pages of `MATRIX_PAGE`): a figure of 10,000
strips was 69 MB of JSON and 4.4 s to build (docs/benchmarks.md "Search and ten thousand
films"), and their whole matrix 50 million pairs.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fingerprint.collection._collection import SORT_KEYS, Collection

#: The page's views: the stacked strips, the distance matrix, the 2-D map.
SHOWS = ("strips", "matrix", "map")
SHOW_LABELS = {"strips": "Strips", "matrix": "Distances", "map": "Map"}
#: Orders of the films: `Collection.sorted`'s keys, then similarity to a chosen film.
SORTS = (*SORT_KEYS, "similar")
SORT_LABELS = {
    "title": "Title",
    "duration": "Running time",
    "date": "Date analysed",
    "lightness": "Lightness",
    "warmth": "Warmth",
    "similar": "Similarity to a film",
}
assert set(SHOW_LABELS) == set(SHOWS) and set(SORT_LABELS) == set(SORTS)
#: Films a page of the view draws: their strips are one image of at most this many rows
#: and a bar each to point at. At 10,000 films (bench/collection_page.py, docs/benchmarks.md
#: "The Collection page at 10,000 films") a page of 500 was 3.5 MB of figure JSON (2.9 MB
#: of it the strips' PNG) that a first visit waited for; 200 are 1.7 MB, each row still
#: its 8 pixels (`strips_height`). The figure of all 10,000 was 69 MB.
PAGE_FILMS = 200
#: The most films whose whole distance matrix the page measures: 1,000 films are 499,500
#: pairs, about 20 s (bench/batch.py); 10,000 would be 50 million, over half an hour and
#: 800 MB. Past it the Distances view is a page's films' and the map is `palette_map`.
MATRIX_FILMS = 1000
#: Films a page of the Distances view holds past `MATRIX_FILMS`: 200 are 19,900 pairs; a
#: page of 500 (124,750 pairs) took 19-31 s at load 7 to show at 10,000 films
#: (bench/collection_page.py --views, docs/benchmarks.md "The Collection page at 10,000
#: films"), and its cells were a pixel or two wide.
MATRIX_PAGE = 200


@dataclass(frozen=True)
class CollectionOptions:
    """The Collection page's view, as a share link restores it: what it ``show``s, the
    ``sort`` order (``descending`` reverses it), ``near``, the content key of the film
    that ``sort="similar"`` orders by (None: the first film), and which ``page`` of the
    films in that order it draws (from 1; see `page_size`)."""

    show: str = "strips"
    sort: str = "title"
    descending: bool = False
    near: str | None = None
    page: int = 1


def batch_lines(count: int, missing: int, *, indexed: bool) -> list[str]:
    """What the page says of a batch folder's ``count`` films: read from its index
    (``indexed``; ``missing`` finished films it lacks) or from its films' JSON files
    (``missing`` of them unreadable, drawn empty)."""
    lines = [f"{count:,} films of the batch folder this server was started with, each on "
             "0-100 % of its own running time."]
    again = ("run the same `fingerprint batch` command again to {}; it resumes, analysing "
             "nothing again")
    if indexed and missing:
        lines.append(f"{missing:,} more finished {'film is' if missing == 1 else 'films are'} "
                     "not in the batch's index yet (its run stopped before writing them): "
                     + again.format("add them") + ".")
    if not indexed:
        lines.append("This batch folder has no index yet, so every film's JSON file was "
                     "read, which takes minutes for thousands of films: "
                     + again.format("build it")
                     + ". Then the page opens at once and its films can be searched.")
        if missing:
            lines.append(f"{missing} of them {'has' if missing == 1 else 'have'} no "
                         "fingerprint that can be read: their rows are empty.")
    return lines


def near_index(collection: Collection, near: str | None) -> int:
    """The index of the film with content key ``near``, else 0 (the first film)."""
    for i, film in enumerate(collection.films):
        if near is not None and film.key == near:
            return i
    return 0


def order(
    collection: Collection, options: CollectionOptions, distances: np.ndarray | None = None
) -> list[int]:
    """The films' indices in the order ``options`` asks. ``sort="similar"`` needs the
    ``distances`` from the chosen film to each (`distance_row`): the chosen film first,
    then the others nearest first."""
    n = len(collection)
    if options.sort == "similar":
        if distances is None:
            raise ValueError("sorting by similarity needs the distances from the chosen film")
        row = np.asarray(distances, dtype=np.float64)
        ranked = [int(i) for i in np.argsort(row, kind="stable")]
        # The chosen film first even when another is at distance 0 from it.
        first = near_index(collection, options.near)
        ranked = [first] + [i for i in ranked if i != first]
        return ranked[::-1] if options.descending else ranked
    position = {id(film): i for i, film in enumerate(collection.films)}
    films = collection.sorted(options.sort, reverse=options.descending).films  # type: ignore[arg-type]
    return [position[id(film)] for film in films] if n else []


def page_size(show: str) -> int:
    """Films a page of view ``show`` holds: `MATRIX_PAGE` for the distances (when they are
    paged at all, see `paged`), else `PAGE_FILMS`."""
    return MATRIX_PAGE if show == "matrix" else PAGE_FILMS


def page_count(count: int, show: str = "strips") -> int:
    """How many pages of view ``show`` ``count`` films fill (at least one)."""
    return max(1, math.ceil(count / page_size(show)))


def page_span(count: int, page: int, show: str = "strips") -> range:
    """The positions, in the view's order, of the films on ``page`` of view ``show``
    (from 1; a page past the last, as an old link may ask for, is the last)."""
    size = page_size(show)
    page = min(max(page, 1), page_count(count, show))
    return range((page - 1) * size, min(page * size, count))


def page_label(count: int, page: int, show: str = "strips") -> str:
    """A page as the page control lists it: "1-200", "9,801-10,000"."""
    span = page_span(count, page, show)
    return f"{span.start + 1:,}-{span.stop:,}" if len(span) else "none"


def paged(count: int, show: str) -> bool:
    """Whether view ``show`` of ``count`` films is drawn a page at a time: the strips past
    `PAGE_FILMS` films, the distances past `MATRIX_FILMS`; the map never."""
    if show == "map":
        return False
    return count > (MATRIX_FILMS if show == "matrix" else PAGE_FILMS)


def showing(count: int, options: CollectionOptions, near_title: str | None = None) -> str:
    """What the view draws, in words: "Films 1-200 of 10,000, by title." Titles are the
    user's text: show this as text, not Markdown."""
    if options.show == "map":
        if count <= MATRIX_FILMS:
            return f"All {count:,} films."
        return (f"All {count:,} films, placed by their palettes' two main axes of "
                "variation: too many to measure every two films' distance.")
    if options.sort == "similar":
        near = near_title or "the chosen film"
        by = f"farthest from {near} first" if options.descending else f"nearest {near} first"
    else:
        by = f"by {SORT_LABELS[options.sort].lower()}" + (
            ", reversed" if options.descending else "")
    if not paged(count, options.show):
        return f"All {count:,} films, {by}."
    text = f"Films {page_label(count, options.page, options.show)} of {count:,}, {by}."
    if options.show == "matrix":
        text += (f" Every two of {count:,} films would be {count * (count - 1) // 2:,} "
                 "pairs: these are the distances between this page's films.")
    return text


def matrix_positions(count: int, page: int) -> range:
    """The positions, in the view's order, of the films whose distances the Distances view
    shows: every film up to `MATRIX_FILMS`, else those of its page ``page``."""
    return range(count) if count <= MATRIX_FILMS else page_span(count, page, "matrix")


def clicked_film(points: Sequence[Mapping[str, Any]], count: int) -> int | None:
    """The film a chart click names: the first point's ``customdata[0]`` (each trace of
    `fingerprint.plotting._collection` carries the film's index there), or None."""
    if not points:
        return None
    custom = points[0].get("customdata")
    if isinstance(custom, Mapping):  # how Streamlit reports a typed-array row
        custom = custom.get("0")
    elif isinstance(custom, Sequence) and not isinstance(custom, str):
        custom = custom[0] if custom else None
    try:
        index = int(custom)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def collection_digest(collection: Collection) -> str:
    """A short hash of what the page computes from: each film's key, title, running time,
    date and palette. The cache key of the distances and the map, so two visitors on
    the same films share them, and a changed film recomputes them."""
    digest = hashlib.sha256()
    for film in collection.films:
        digest.update(
            f"{film.key}|{film.title}|{film.duration!r}|{film.analysed_at!r}|".encode()
        )
        digest.update(np.ascontiguousarray(film.palette.colors, np.uint8).tobytes())
        digest.update(np.ascontiguousarray(film.palette.shares, np.float64).tobytes())
    return digest.hexdigest()[:24]
