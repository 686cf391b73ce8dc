"""Writing a batch's search index (`_index.py` has the format) as the batch runs.

The client buffers the `FilmRecord` each finished film sends back and writes them as a new
part every `_PART_FILMS` films and when the run ends; parts are merged into one when
there are more than `_MAX_PARTS`. A film already in the index under the same content key
is not written again, so a resumed batch adds only what is missing: the films of this run,
and films finished in an earlier run whose rows were lost with a killed client (a
skipped film's worker sends its row back from the film's JSON, which it reads anyway).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from .._atomic import write_atomic
from ..compare._compare import FilmPalette
from ..errors import InvalidParameterError
from ..model import VideoInfo
from ._collection import Collection, Film
from ._index import (
    INDEX_DIR,
    FilmRecord,
    MomentIndex,
    part_paths,
    read_parts,
    records_table,
    schema,
)

__all__ = ["IndexWriter", "index_in_memory"]

# Films per part: a part of 500 films of 1,000 moments is about 19 MB; a client killed
# mid-run loses at most this many rows, which the next run sends again.
_PART_FILMS = 500
# More parts than this are merged into one, so a reader opens few files: every part costs
# a footer read and a concatenation.
_MAX_PARTS = 8
# Row groups of 1,000 films keep the Parquet footers small and reads in large blocks.
_ROW_GROUP = 1000
_COMPRESSION = "zstd"


class IndexWriter:
    """The search index of the batch folder ``out``, grown film by film."""

    def __init__(self, out: Path) -> None:
        self.folder = Path(out) / INDEX_DIR
        self.pending: list[FilmRecord] = []
        self._indexed: dict[str, str] | None = None  # source -> key, read on first add

    def indexed(self) -> dict[str, str]:
        """The films already in the index, source to content key."""
        if self._indexed is None:
            table, _ = read_parts(part_paths(self.folder.parent), ("key",))
            self._indexed = dict(
                zip(table.column("source").to_pylist(), table.column("key").to_pylist(),
                    strict=True)
            )
        return self._indexed

    def add(self, record: FilmRecord) -> None:
        """Keep ``record`` for the next part, unless the index has the film with this key."""
        if self.indexed().get(record.source) == record.key:
            return
        self.indexed()[record.source] = record.key
        self.pending.append(record)

    def flush(self, *, force: bool) -> None:
        """Write the films kept so far as a part when there are enough (or any, with
        ``force``: at the end of a run), then merge the parts if there are too many."""
        if not self.pending or (not force and len(self.pending) < _PART_FILMS):
            return
        k = self.pending[0].shares.shape[1]
        table = records_table(self.pending, k)
        parts = part_paths(self.folder.parent)
        number = 1 + max((int(p.stem.split("-")[1]) for p in parts), default=0)
        _write(self.folder / f"part-{number:06d}.parquet", table)
        self.pending = []
        if len(parts) + 1 > _MAX_PARTS:
            self.compact()

    def compact(self) -> None:
        """Merge every part into one (the latest row of each film), written before the
        old parts are removed: a kill in between leaves duplicates, which readers resolve
        the same way."""
        parts = part_paths(self.folder.parent)
        if len(parts) < 2:
            return
        table, k = read_parts(parts, tuple(schema(1).names))
        number = 1 + int(parts[-1].stem.split("-")[1])
        _write(self.folder / f"part-{number:06d}.parquet", table.cast(schema(k)))
        for p in parts:
            p.unlink(missing_ok=True)


def _write(path: Path, table) -> None:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=_COMPRESSION, row_group_size=_ROW_GROUP)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buffer.getvalue())
    os.utime(path)  # a fresh time, so the caches keyed by the parts see a change


def index_in_memory(
    records: Sequence[FilmRecord], *, k: int, titles: Sequence[str] | None = None
) -> MomentIndex:
    """The index of ``records`` (rows made by `film_record`, ``k`` colours a moment)
    without writing it: for films that are no batch's (the app's library), which the
    search takes as it takes a batch's, its neighbour indexes built and never cached.
    Films are titled ``titles`` (default: their sources' file names, as a batch's)."""
    if titles is not None and len(titles) != len(records):
        raise InvalidParameterError("give one title per film.")
    films = tuple(
        Film(title=titles[i] if titles is not None else Path(r.source).stem,
             video=VideoInfo(**json.loads(r.video)),
             palette=FilmPalette(colors=r.palette, shares=r.palette_shares),
             lightness=r.lightness, warmth=r.warmth, key=r.key, source=r.source,
             analysed_at=r.analysed_at)
        for i, r in enumerate(records)
    )
    counts = [len(r.times) for r in records]
    digest = hashlib.sha256("|".join(f"{r.key}:{len(r.times)}" for r in records).encode())
    return MomentIndex(
        folder=None,
        collection=Collection(films),
        strips=np.stack([r.strip for r in records]) if records else np.empty((0, 1, 1, 3)),
        offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        times=np.concatenate([r.times for r in records]) if records else np.empty(0),
        colors=(np.concatenate([r.colors for r in records]) if records
                else np.empty((0, k, 3), np.uint8)),
        shares=(np.concatenate([r.shares for r in records]) if records
                else np.empty((0, k), np.uint16)),
        digest=digest.hexdigest()[:16],
    )
