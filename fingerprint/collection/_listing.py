"""The films a page lists from a batch folder, read from its search index (`_index.py`):
titles, whole-film palettes, lightness and warmth, strip thumbnails, without opening a
single fingerprint JSON (at 10,000 films those are 2.3 GB to parse; the index's film
columns are 72 MB: docs/benchmarks.md "The Collection page at 10,000 films").

The strip thumbnails are most of those bytes (70 of 72 MB compressed, 120 MB decoded at
10,000 films), and decoding them was most of the listing's time, so they are also kept
decoded in ``DIR/index/strips-<digest>.npy`` (keyed by the index's parts, as the
neighbour cache is), made by `fingerprint batch` at its end or by the first reader, and
memory-mapped: a page touches only the rows it draws.

Which films: those ``collection.json`` says are finished (done or skipped) whose row the
index holds under the same content key. ``collection.json`` is what a run decided about
each film; the index may hold an older row of a film that was analysed again and failed
(its old content), which is no longer the batch's. A finished film the index lacks (its
row was lost with a killed client) is counted, not drawn: the same `fingerprint batch`
command, run again, adds it (it resumes, analysing nothing again).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import FingerprintFormatError
from ._collection import Collection, read_batch_index
from ._index import INDEX_DIR, part_paths, parts_digest, read_index, read_parts, read_strips

__all__ = ["BatchListing", "finished_films", "list_batch", "strip_images"]

# Tries at listing the films when a running batch changes the index's parts meanwhile.
_TRIES = 3


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
    index = read_batch_index(path)
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
    for _ in range(_TRIES):
        index = read_index(folder, moments=False, strips=False)
        images = strip_images(folder, index.digest)
        if images is not None and len(images) == len(index.collection):
            break
    else:
        raise FingerprintFormatError(
            f"the search index of {folder} kept changing while it was read: is a batch "
            "writing it? Try again."
        )
    keep = [
        i for i, film in enumerate(index.collection.films)
        if film.source is not None and finished.get(film.source) == film.key
    ]
    films = index.collection.films
    if len(keep) == len(films):
        collection, strips = index.collection, images
    else:
        collection = Collection(tuple(films[i] for i in keep))
        strips = images[np.asarray(keep, np.int64)]
    return BatchListing(collection=collection, strips=strips,
                        unindexed=len(finished) - len(keep), digest=index.digest)


def strip_images(folder: str | os.PathLike[str], digest: str | None = None
                 ) -> np.ndarray | None:
    """Every indexed film's strip thumbnail, (N, STRIP_HEIGHT, STRIP_WIDTH, 3) uint8 in
    the index's order (as `read_index` lists the films), memory-mapped from
    ``DIR/index/strips-<digest>.npy``, which is made the first time. None when the parts
    are no longer those of ``digest`` (a running batch wrote one meanwhile). Kept in
    memory when the folder cannot be written."""
    parts = part_paths(folder)
    current = parts_digest(parts)
    if digest is not None and digest != current:
        return None
    root = Path(folder) / INDEX_DIR
    path = root / f"strips-{current}.npy"
    with contextlib.suppress(OSError, ValueError):
        return np.load(path, mmap_mode="r")
    table, _ = read_parts(parts, ("strip",))
    images = read_strips(table)
    del table
    try:
        unchanged = parts_digest(parts) == current
    except OSError:
        unchanged = False  # a part was merged away while it was read
    if not unchanged:
        return None
    try:
        _save(root, path, images)
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        return images


def _save(root: Path, path: Path, images: np.ndarray) -> None:
    """``images`` as ``path``, whole or not at all (written aside, then renamed), and the
    strips of the index's earlier states removed."""
    handle, staging = tempfile.mkstemp(dir=root, prefix=".strips-", suffix=".npy")
    try:
        # Readable by all, as the index's parts are (mkstemp makes it the owner's only):
        # the page's server may run as another user than the batch.
        os.chmod(staging, 0o644)
        with os.fdopen(handle, "wb") as fh:
            np.save(fh, images)
        os.replace(staging, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(staging)
        raise
    for old in root.glob("strips-*.npy"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
