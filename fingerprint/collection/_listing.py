"""The films a page lists from a batch folder, read from its search index (`_index.py`):
titles, whole-film palettes, lightness and warmth, strip thumbnails, without opening a
single fingerprint JSON (at 10,000 films those are 2.3 GB to parse; the index's film
columns are 72 MB: docs/benchmarks.md "The Collection page at 10,000 films").

Which films: those ``collection.json`` says are finished (done or skipped) whose row the
index holds under the same content key. ``collection.json`` is what a run decided about
each film; the index may hold an older row of a film that was analysed again and failed
(its old content), which is no longer the batch's. A finished film the index lacks (its
row was lost with a killed client) is counted, not drawn: the same `fingerprint batch`
command, run again, adds it (it resumes, analysing nothing again).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FingerprintFormatError
from ._collection import INDEX_FORMAT, INDEX_VERSION, Collection
from ._index import read_index

__all__ = ["BatchListing", "finished_films", "list_batch"]


@dataclass(frozen=True, eq=False)
class BatchListing:
    """A batch's finished films as its index holds them, in the index's order, with their
    strip thumbnails (N, STRIP_HEIGHT, STRIP_WIDTH, 3); ``unindexed`` finished films the
    index lacks; ``digest`` names the index's parts read."""

    collection: Collection
    strips: np.ndarray
    unindexed: int
    digest: str


def finished_films(folder: str | os.PathLike[str]) -> dict[str, str]:
    """The films ``collection.json`` in ``folder`` lists as done or skipped: source to
    content key. Raises `FingerprintFormatError` when it is missing or not a batch's."""
    path = Path(folder) / "collection.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FingerprintFormatError(
            f"cannot read the batch index {path}: {exc}. Is this a folder made by "
            "`fingerprint batch --out`?"
        ) from exc
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT:
        raise FingerprintFormatError(f"{path} is not a {INDEX_FORMAT} index.")
    if index.get("version") != INDEX_VERSION:
        raise FingerprintFormatError(
            f"batch index version {index.get('version')!r} is not supported "
            f"(this program reads version {INDEX_VERSION})."
        )
    try:
        return {
            entry["source"]: entry["key"]
            for entry in index["films"]
            if entry["status"] in ("done", "skipped")
        }
    except (KeyError, TypeError) as exc:
        raise FingerprintFormatError(f"the batch index {path} is incomplete: {exc}") from exc


def list_batch(folder: str | os.PathLike[str]) -> BatchListing:
    """The finished films of the batch folder ``folder`` from its index (see the module).
    Raises `FingerprintFormatError` when it has no index (a batch made before there was
    one) or its files cannot be read."""
    finished = finished_films(folder)
    index = read_index(folder, moments=False)
    keep = [
        i for i, film in enumerate(index.collection.films)
        if film.source is not None and finished.get(film.source) == film.key
    ]
    films = index.collection.films
    if len(keep) == len(films):
        collection, strips = index.collection, index.strips
    else:
        collection = Collection(tuple(films[i] for i in keep))
        strips = index.strips[np.asarray(keep, np.int64)]
    return BatchListing(collection=collection, strips=strips,
                        unindexed=len(finished) - len(keep), digest=index.digest)
