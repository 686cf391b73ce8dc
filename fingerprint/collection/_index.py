"""A batch's search index: every film's whole-film palette, strip thumbnail and every
moment's palette, in Parquet files under ``DIR/index/``, read without opening a single
fingerprint JSON.

Layout: ``DIR/index/part-NNNNNN.parquet``, one row per film, written by `IndexWriter`
as a batch runs (`_index_writer.py`), each part immutable once renamed into place::

    source        string        the film's path, as in collection.json
    key           string        its content key
    json          string        its fingerprint JSON, relative to DIR
    video         string        its VideoInfo as JSON
    analysed_at   float64       Unix time its JSON was written
    palette       binary        whole-film palette, c x 3 sRGB bytes, largest share first
    palette_shares list<float64>
    lightness, warmth float64   the palette's share-weighted L* and warmth (`Film`)
    strip         binary        the strip as an image, STRIP_HEIGHT x STRIP_WIDTH x 3 bytes
    times         large_binary  each moment's time, seconds from the film's start (as the
                                JSON), n float64
    colors        large_binary  each moment's k colours as Lab codes (`lab_codes`), n x k x 3
                                uint8
    shares        large_binary  each colour's share of its frame x SHARE_SCALE, n x k uint16

Arrays are little-endian, row-major. The schema's metadata holds the format name,
version, k and the strip's size. A film (``source``) found in several parts is the one in
the highest-numbered part: a film whose file changed content is indexed again under its
new key.

Why one row per film: a film's moments arrive together and are never updated alone.
Why its arrays as bytes and not Parquet lists: a list stores levels for each value, and
decoding them made the moments 8 times slower to read than bytes, one value a film, for
the same size on disk (1,000 films' colours: 0.285 against 0.034 s, bench/search.py
``lists``); and the bytes of all films lie end to end, the very array the search needs.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .._extras import missing_extra
from ..compare._align import curves
from ..compare._compare import FilmPalette, film_palette
from ..errors import FingerprintFormatError
from ..model import Fingerprint, VideoInfo
from ..palette._color import lab_to_rgb, rgb_to_lab
from ..poster._strips import strip_image
from ._collection import Collection, Film

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as exc:
    raise missing_extra("batch") from exc

__all__ = [
    "INDEX_DIR",
    "SHARE_SCALE",
    "STRIP_HEIGHT",
    "STRIP_WIDTH",
    "FilmRecord",
    "MomentIndex",
    "codes_to_lab",
    "codes_to_rgb",
    "film_record",
    "lab_codes",
    "part_paths",
    "read_index",
    "read_strips",
]

INDEX_DIR = "index"
FORMAT = "movie-color-fingerprint-index"
VERSION = 1
#: A share s is kept as round(s x SHARE_SCALE) in a uint16: 1.5e-5 resolution, finer than
#: the fingerprint JSON's shares need for ranking (they are written to 6 decimals).
SHARE_SCALE = 65535
#: The strip thumbnail kept per film: 500 x 8 px is 12 kB raw (120 MB for 10,000 films in
#: memory, docs/benchmarks.md "Search and ten thousand films"), enough for the Collection
#: page's strips (it draws 600 columns at most, 4-28 px a row) and a hit's neighbourhood.
STRIP_WIDTH = 500
STRIP_HEIGHT = 8
# Lab codes: L* in [0, 100] to 0-255 (0.39 a step), a* and b* rounded and offset by 128
# (sRGB's gamut spans a* -86..98, b* -108..95). A colour moves at most 0.73 ΔE76 (half a
# step on each axis), under the 2 ΔE a person can tell apart.
_L_SCALE = 2.55
_AB_OFFSET = 128.0


def lab_codes(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 colours (..., 3) to Lab codes (..., 3) uint8: see `_L_SCALE`."""
    lab = rgb_to_lab(np.asarray(rgb, np.uint8)).astype(np.float64)
    codes = np.empty(lab.shape, np.uint8)
    codes[..., 0] = np.clip(np.rint(lab[..., 0] * _L_SCALE), 0, 255)
    codes[..., 1:] = np.clip(np.rint(lab[..., 1:] + _AB_OFFSET), 0, 255)
    return codes


def codes_to_lab(codes: np.ndarray) -> np.ndarray:
    """Lab codes (..., 3) uint8 back to CIELAB float64 (the centre of their cell)."""
    codes = np.asarray(codes, np.float64)
    lab = np.empty(codes.shape)
    lab[..., 0] = codes[..., 0] / _L_SCALE
    lab[..., 1:] = codes[..., 1:] - _AB_OFFSET
    return lab


def codes_to_rgb(codes: np.ndarray) -> np.ndarray:
    """Lab codes to sRGB uint8, for showing a palette: under 1.5 ΔE2000 from the
    fingerprint's own colour (tests/test_index.py), though a dark channel may move by
    several code values."""
    return lab_to_rgb(codes_to_lab(codes))


@dataclass(frozen=True, eq=False)
class FilmRecord:
    """One film's row of the index, made where its fingerprint is (a batch worker) and
    sent to the client: 46 kB pickled for 1,000 moments."""

    source: str
    key: str
    json: str
    video: str
    analysed_at: float
    palette: np.ndarray  # (c, 3) uint8 sRGB
    palette_shares: np.ndarray  # (c,) float64
    lightness: float
    warmth: float
    strip: np.ndarray  # (STRIP_HEIGHT, STRIP_WIDTH, 3) uint8
    times: np.ndarray  # (n,) float64
    colors: np.ndarray  # (n, k, 3) uint8 Lab codes
    shares: np.ndarray  # (n, k) uint16


def film_record(
    fp: Fingerprint,
    *,
    source: str,
    key: str,
    json_path: str,
    analysed_at: float,
    palette: FilmPalette | None = None,
) -> FilmRecord:
    """The index row of ``fp`` (``palette``: its `film_palette`, when already computed)."""
    palette = palette or film_palette(fp)
    lightness, _, warmth = curves(palette.colors[None], palette.shares[None])
    shares = np.rint(np.clip(fp.shares, 0.0, 1.0) * SHARE_SCALE).astype(np.uint16)
    return FilmRecord(
        source=source,
        key=key,
        json=json_path,
        video=json.dumps(asdict(fp.video)),
        analysed_at=float(analysed_at),
        palette=np.asarray(palette.colors, np.uint8),
        palette_shares=np.asarray(palette.shares, np.float64),
        lightness=float(lightness[0]),
        warmth=float(warmth[0]),
        strip=strip_image(fp, width=STRIP_WIDTH, height=STRIP_HEIGHT),
        times=np.asarray(fp.times, np.float64),
        colors=lab_codes(fp.colors),
        shares=shares,
    )


# --- Arrow ---------------------------------------------------------------------------------
_FILM_COLUMNS = (
    "source", "key", "json", "video", "analysed_at", "palette", "palette_shares",
    "lightness", "warmth", "strip",
)
_MOMENT_COLUMNS = ("times", "colors", "shares")


def schema(k: int) -> pa.Schema:
    fields = [
        ("source", pa.string()), ("key", pa.string()), ("json", pa.string()),
        ("video", pa.string()), ("analysed_at", pa.float64()), ("palette", pa.binary()),
        ("palette_shares", pa.list_(pa.float64())), ("lightness", pa.float64()),
        ("warmth", pa.float64()), ("strip", pa.binary()), ("times", pa.large_binary()),
        ("colors", pa.large_binary()), ("shares", pa.large_binary()),
    ]
    meta = {"format": FORMAT, "version": str(VERSION), "k": str(k),
            "strip": f"{STRIP_HEIGHT}x{STRIP_WIDTH}"}
    return pa.schema(fields, metadata=meta)


def _list(values: list[np.ndarray], type_: pa.DataType) -> pa.Array:
    """A list array from per-film numpy arrays, built from one flat buffer (fast)."""
    flat = np.concatenate([v.ravel() for v in values]) if values else np.empty(0)
    offsets = np.zeros(len(values) + 1, np.int32)
    np.cumsum([v.size for v in values], out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, type=type_))


def _bytes(values: list[np.ndarray]) -> pa.Array:
    return pa.array([np.ascontiguousarray(v).tobytes() for v in values], pa.large_binary())


def records_table(records: list[FilmRecord], k: int) -> pa.Table:
    """The rows of ``records`` as an Arrow table of the index's schema."""
    columns = {
        "source": pa.array([r.source for r in records], pa.string()),
        "key": pa.array([r.key for r in records], pa.string()),
        "json": pa.array([r.json for r in records], pa.string()),
        "video": pa.array([r.video for r in records], pa.string()),
        "analysed_at": pa.array([r.analysed_at for r in records], pa.float64()),
        "palette": pa.array([r.palette.tobytes() for r in records], pa.binary()),
        "palette_shares": _list([r.palette_shares for r in records], pa.float64()),
        "lightness": pa.array([r.lightness for r in records], pa.float64()),
        "warmth": pa.array([r.warmth for r in records], pa.float64()),
        "strip": pa.array([r.strip.tobytes() for r in records], pa.binary()),
        "times": _bytes([r.times.astype("<f8") for r in records]),
        "colors": _bytes([r.colors.astype(np.uint8) for r in records]),
        "shares": _bytes([r.shares.astype("<u2") for r in records]),
    }
    return pa.table(columns, schema=schema(k))


def part_paths(folder: str | os.PathLike[str]) -> list[Path]:
    """The index's part files in ``folder`` (a batch folder), oldest first."""
    return sorted((Path(folder) / INDEX_DIR).glob("part-*.parquet"))


def parts_digest(parts: list[Path]) -> str:
    """Names, sizes and times of the parts: what the derived caches are keyed by."""
    digest = hashlib.sha256()
    for p in parts:
        info = p.stat()
        digest.update(f"{p.name}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def read_parts(parts: list[Path], columns: tuple[str, ...]) -> tuple[pa.Table, int]:
    """``columns`` of every part (plus ``source``), the latest row of each film only, and k."""
    tables, k = [], None
    for path in parts:
        try:
            meta = pq.read_schema(path).metadata or {}
            if meta.get(b"format") != FORMAT.encode() or meta.get(b"version") != str(
                VERSION
            ).encode():
                raise FingerprintFormatError(
                    f"{path} is not a {FORMAT} file, version {VERSION}."
                )
            part_k = int(meta[b"k"])
            if k is not None and part_k != k:
                raise FingerprintFormatError(f"{path} has {part_k} colours a moment, not {k}.")
            k = part_k
            tables.append(pq.read_table(path, columns=list(dict.fromkeys(("source", *columns)))))
        except (OSError, pa.ArrowException, KeyError, ValueError) as exc:
            raise FingerprintFormatError(f"cannot read the index part {path}: {exc}") from exc
    if not tables:
        return pa.table({c: [] for c in ("source", *columns)}), 0
    table = pa.concat_tables(tables)
    sources = table.column("source").to_pylist()
    latest = {s: i for i, s in enumerate(sources)}  # a later row of a film wins
    if len(latest) < len(sources):
        table = table.take(pa.array(sorted(latest.values()), pa.int64()))
    return table.combine_chunks(), int(k or 0)


# --- reading -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MomentIndex:
    """A batch's index in memory: its films (``collection``, in index order), their strip
    thumbnails, and every moment of every film as flat arrays. Film ``i``'s moments are
    rows ``offsets[i]:offsets[i + 1]`` of ``times`` (seconds), ``colors`` ((M, k, 3) Lab
    codes) and ``shares`` ((M, k) uint16, / SHARE_SCALE for a fraction). ``digest``
    names the parts read (the search caches are keyed by it)."""

    folder: Path
    collection: Collection
    strips: np.ndarray
    offsets: np.ndarray
    times: np.ndarray
    colors: np.ndarray
    shares: np.ndarray
    digest: str

    @property
    def k(self) -> int:
        return int(self.colors.shape[1])

    def film_of(self, moments: np.ndarray) -> np.ndarray:
        """The film index of each moment row."""
        return np.searchsorted(self.offsets, np.asarray(moments), side="right") - 1


def read_index(
    folder: str | os.PathLike[str], *, moments: bool = True, strips: bool = True
) -> MomentIndex:
    """The index of the batch folder ``folder``; with ``moments=False`` only its films
    and strips (what a page listing the films needs: a fraction of the bytes), and with
    ``strips=False`` no strips either (``strips`` is then empty: `_listing` keeps them
    in a file of their own).

    Raises `FingerprintFormatError` when it has no index (a batch made before there was
    one: run the same `fingerprint batch` again to build it) or a part cannot be read.
    """
    folder = Path(folder)
    parts = part_paths(folder)
    if not parts:
        raise FingerprintFormatError(
            f"{folder} has no search index ({INDEX_DIR}/part-*.parquet): run the same "
            "`fingerprint batch` command again to build it from the films already done."
        )
    digest = parts_digest(parts)
    columns = _FILM_COLUMNS if strips else tuple(c for c in _FILM_COLUMNS if c != "strip")
    table, k = read_parts(parts, columns)
    collection = _collection(table, folder)
    n = len(collection)
    images = np.empty((0, STRIP_HEIGHT, STRIP_WIDTH, 3), np.uint8)
    if strips:
        images = read_strips(table).reshape(n, STRIP_HEIGHT, STRIP_WIDTH, 3)
    del table
    offsets = np.zeros(n + 1, np.int64)
    arrays = {"times": np.empty(0), "colors": np.empty((0, k, 3), np.uint8),
              "shares": np.empty((0, k), np.uint16)}
    if moments:
        # One column at a time, each released before the next: all three decoded at once
        # took the peak from 0.9 to 2.0 GB at 10,000 films (bench/search.py "page").
        for name, dtype in (("times", "<f8"), ("colors", np.uint8), ("shares", "<u2")):
            column, _ = read_parts(parts, (name,))
            arrays[name], starts = _flat_binary(column.column(name), np.dtype(dtype))
            offsets = starts if name == "times" else offsets  # in moments
            del column
            pa.default_memory_pool().release_unused()
        count = len(arrays["times"])
        arrays["colors"] = arrays["colors"].reshape(count, k, 3)
        arrays["shares"] = arrays["shares"].reshape(count, k)
    values, colors, shares = arrays["times"], arrays["colors"], arrays["shares"]
    # Arrow's allocator keeps what the decoding freed (160 of 480 MB for 1,000 films in
    # bench/search.py); everything kept is in numpy's arrays by now.
    pa.default_memory_pool().release_unused()
    return MomentIndex(
        folder=folder, collection=collection, strips=images, offsets=offsets, times=values,
        colors=colors, shares=shares, digest=digest,
    )


def read_strips(table: pa.Table) -> np.ndarray:
    """The ``strip`` column of ``table`` (`read_parts`) as (N, STRIP_HEIGHT, STRIP_WIDTH,
    3) uint8."""
    flat, _ = _flat_binary(table.column("strip"), np.dtype(np.uint8))
    return flat.reshape(-1, STRIP_HEIGHT, STRIP_WIDTH, 3)


def _flat_binary(column: pa.ChunkedArray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """A binary column's values end to end as one ``dtype`` array, and where each row
    starts in it (N + 1 offsets, in items). One copy, chunk by chunk."""
    pieces, counts = [], [np.zeros(1, np.int64)]
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        wide = pa.types.is_large_binary(chunk.type)
        bounds = np.frombuffer(chunk.buffers()[1], np.int64 if wide else np.int32)
        bounds = bounds[chunk.offset : chunk.offset + len(chunk) + 1].astype(np.int64)
        data = np.frombuffer(chunk.buffers()[2], np.uint8)[bounds[0] : bounds[-1]]
        pieces.append(data)
        counts.append(np.diff(bounds) // dtype.itemsize)
    flat = np.concatenate(pieces) if pieces else np.empty(0, np.uint8)
    return flat.view(dtype), np.cumsum(np.concatenate(counts))


def _collection(table: pa.Table, folder: Path) -> Collection:
    films = []
    columns = {c: table.column(c).to_pylist() for c in
               ("source", "key", "json", "video", "analysed_at", "lightness", "warmth")}
    palettes = table.column("palette").to_pylist()
    shares = table.column("palette_shares").to_pylist()
    try:
        for i, source in enumerate(columns["source"]):
            films.append(Film(
                title=Path(source).stem,
                video=VideoInfo(**json.loads(columns["video"][i])),
                palette=FilmPalette(
                    colors=np.frombuffer(palettes[i], np.uint8).reshape(-1, 3),
                    shares=np.asarray(shares[i], np.float64),
                ),
                lightness=columns["lightness"][i],
                warmth=columns["warmth"][i],
                key=columns["key"][i],
                source=source,
                analysed_at=columns["analysed_at"][i],
                fingerprint_path=folder / columns["json"][i],
            ))
    except (TypeError, ValueError) as exc:
        raise FingerprintFormatError(f"the search index of {folder} is damaged: {exc}") from exc
    return Collection(tuple(films))
