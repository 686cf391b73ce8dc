"""What the Collection page shows: its options (kept in share links), the order of its
films, and which film a click names. Pure, no Streamlit.
"""

from __future__ import annotations

import hashlib
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


@dataclass(frozen=True)
class CollectionOptions:
    """The Collection page's view, as a share link restores it: what it ``show``s, the
    ``sort`` order (``descending`` reverses it), and ``near``, the content key of the film
    that ``sort="similar"`` orders by (None: the first film)."""

    show: str = "strips"
    sort: str = "title"
    descending: bool = False
    near: str | None = None


def near_index(collection: Collection, near: str | None) -> int:
    """The index of the film with content key ``near``, else 0 (the first film)."""
    for i, film in enumerate(collection.films):
        if near is not None and film.key == near:
            return i
    return 0


def order(
    collection: Collection, options: CollectionOptions, matrix: np.ndarray | None = None
) -> list[int]:
    """The films' indices in the order ``options`` asks. ``sort="similar"`` needs the
    distance ``matrix``: the chosen film first, then the others nearest first."""
    n = len(collection)
    if options.sort == "similar":
        if matrix is None:
            raise ValueError("sorting by similarity needs the distance matrix")
        row = np.asarray(matrix, dtype=np.float64)[near_index(collection, options.near)]
        ranked = [int(i) for i in np.argsort(row, kind="stable")]
        # The chosen film first even when another is at distance 0 from it.
        first = near_index(collection, options.near)
        ranked = [first] + [i for i in ranked if i != first]
        return ranked[::-1] if options.descending else ranked
    position = {id(film): i for i, film in enumerate(collection.films)}
    films = collection.sorted(options.sort, reverse=options.descending).films  # type: ignore[arg-type]
    return [position[id(film)] for film in films] if n else []


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
