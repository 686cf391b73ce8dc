"""A collection of films: their whole-film palettes, distances, a 2-D map, nearest films.

Pure functions on films already analysed (no video access, no Streamlit): a `Collection`
comes from a batch folder (`load_batch`, reading only its ``collection.json`` index), from
the cache library (`from_cache`) or from `Fingerprint`s in memory (`from_fingerprints`).

Choices, and why:

- **Film distance** is the comparison's own: the earth mover's distance in ΔE2000
  between the two whole-film palettes (`compare.film_palette`, `compare.palette_distance`),
  so a pair's distance here is exactly the Compare page's palette distance.
- **The matrix** is computed on the upper triangle only (the EMD is symmetric and 0 on
  the diagonal), in chunks of `_PAIRS_PER_CALL` pairs through the batched exact transport
  solver: palettes with fewer colours than the most are padded with zero-share copies of
  their first colour, which moves no mass and so leaves every distance unchanged. 1,000
  films (499,500 pairs) take about 20 s on the 2-core benchmark machine (bench/batch.py,
  docs/scale.md for 100,000 films).
- **The map** is metric MDS (scikit-learn's SMACOF) on the precomputed distances, started
  from classical MDS so it is deterministic and does not need several random restarts.
  Past a few thousand films there is no matrix to start from: `palette_map` projects the
  films' palette vectors (the search's, `_neighbours.film_vectors`) on their two
  principal axes instead, with no distance measured.
- **One film against all** (`distance_row`): what ordering by similarity to a film needs,
  N distances instead of the matrix's N²/2.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from .._extras import missing_extra
from ..cache._cache import Cache
from ..compare._align import curves
from ..compare._compare import FilmPalette, film_palette
from ..compare._transport import palette_distance
from ..errors import FingerprintFormatError, InvalidParameterError
from ..model import Fingerprint, VideoInfo, from_hex
from ..params import Params

__all__ = [
    "INDEX_FORMAT",
    "INDEX_VERSION",
    "SORT_KEYS",
    "Collection",
    "Film",
    "distance_matrix",
    "distance_row",
    "film_distance",
    "from_cache",
    "from_fingerprints",
    "index_json",
    "load_batch",
    "map_2d",
    "matrix_csv",
    "nearest",
    "palette_map",
]

#: The batch index's format name and version (``DIR/collection.json``, see batch_index.py).
INDEX_FORMAT = "movie-color-fingerprint-collection"
INDEX_VERSION = 1

SortKey = Literal["title", "duration", "date", "lightness", "warmth"]
#: Ways to order a collection, in display order (similarity to a film is `nearest`).
SORT_KEYS: tuple[SortKey, ...] = ("title", "duration", "date", "lightness", "warmth")

# Pairs per call of the batched transport solver: from bench/batch.py's matrix timing,
# 1,000-4,000 pairs cost the same per pair (about 40 µs); bigger batches slow down as the
# solver's (pairs, 16, 15) basis matrices leave the cache.
_PAIRS_PER_CALL = 2000


@dataclass(frozen=True, eq=False)
class Film:
    """One film of a collection: what a page needs to list, sort, place and open it.

    ``palette`` is the whole-film palette; ``lightness`` (L*) and ``warmth`` (CIELAB units
    on the orange-blue axis, positive warm) are its share-weighted means, as the Compare
    curves define them. ``analysed_at`` is a Unix time (None when unknown);
    ``fingerprint_path`` the film's fingerprint JSON when it is on disk.
    """

    title: str
    video: VideoInfo
    palette: FilmPalette
    lightness: float
    warmth: float
    key: str | None = None
    source: str | None = None
    analysed_at: float | None = None
    fingerprint_path: Path | None = None

    @property
    def duration(self) -> float:
        return self.video.duration


@dataclass(frozen=True, eq=False)
class Collection:
    """Films in a fixed order; indices into ``films`` are what the functions below take."""

    films: tuple[Film, ...]

    def __len__(self) -> int:
        return len(self.films)

    def sorted(self, by: SortKey, *, reverse: bool = False) -> Collection:
        """The same films ordered by one of `SORT_KEYS` (ties keep their order; films with
        no date sort last)."""
        if by not in SORT_KEYS:
            raise InvalidParameterError(
                f"sort key must be one of {', '.join(SORT_KEYS)}, not {by!r}."
            )
        key: Callable[[Film], object] = {
            "title": lambda f: f.title.casefold(),
            "duration": lambda f: f.duration,
            "date": lambda f: (f.analysed_at is None, f.analysed_at or 0.0),
            "lightness": lambda f: f.lightness,
            "warmth": lambda f: f.warmth,
        }[by]
        return Collection(tuple(sorted(self.films, key=key, reverse=reverse)))  # type: ignore[arg-type]

    def palettes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every film's palette padded to the same size: colors (N, c, 3) uint8 and
        shares (N, c); padding is a zero-share copy of the film's first colour."""
        return _padded([f.palette for f in self.films])


# --- building a collection --------------------------------------------------------------
def film_from_fingerprint(
    fp: Fingerprint,
    *,
    title: str | None = None,
    key: str | None = None,
    source: str | None = None,
    analysed_at: float | None = None,
    fingerprint_path: Path | None = None,
) -> Film:
    """A `Film` from a fingerprint (its whole-film palette is computed here)."""
    return _film(
        film_palette(fp),
        video=fp.video,
        title=title or Path(fp.video.name).stem,
        key=key,
        source=source,
        analysed_at=analysed_at,
        fingerprint_path=fingerprint_path,
    )


def from_fingerprints(
    fingerprints: Sequence[Fingerprint], *, titles: Sequence[str] | None = None
) -> Collection:
    """A collection of fingerprints in memory, titled by their video names unless given."""
    if titles is not None and len(titles) != len(fingerprints):
        raise InvalidParameterError("give one title per fingerprint.")
    return Collection(
        tuple(
            film_from_fingerprint(fp, title=titles[i] if titles else None)
            for i, fp in enumerate(fingerprints)
        )
    )


def from_cache(cache: Cache, *, params: Params | None = None) -> Collection:
    """The cache library's films that have a result for ``params`` (default options),
    most recently analysed first."""
    params = params or Params()
    films = []
    for entry in cache.entries():
        fp = cache.load_result(entry.key, params)
        if fp is not None:
            films.append(
                film_from_fingerprint(
                    fp,
                    key=entry.key,
                    source=entry.source,
                    analysed_at=entry.analysed_at,
                )
            )
    return Collection(tuple(films))


def read_batch_index(path: Path) -> dict:
    """A batch's ``collection.json``, or `FingerprintFormatError` saying why it is not one."""
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
    return index


def load_batch(folder: str | os.PathLike[str]) -> Collection:
    """The films a ``fingerprint batch`` run finished in ``folder`` (status done or skipped),
    in the index's order, from ``collection.json`` alone: no fingerprint file is opened."""
    index_path = Path(folder) / "collection.json"
    index = read_batch_index(index_path)
    films = []
    try:
        for entry in index["films"]:
            if entry["status"] not in ("done", "skipped"):
                continue
            palette = FilmPalette(
                colors=from_hex([p["color"] for p in entry["palette"]]),
                shares=np.array([p["share"] for p in entry["palette"]], dtype=np.float64),
            )
            films.append(
                _film(
                    palette,
                    video=VideoInfo(**entry["video"]),
                    title=Path(entry["source"]).stem,
                    key=entry["key"],
                    source=entry["source"],
                    analysed_at=entry.get("analysed_at"),
                    fingerprint_path=index_path.parent / entry["files"]["json"],
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise FingerprintFormatError(f"the batch index {index_path} is incomplete: {exc}") from exc
    return Collection(tuple(films))


def _film(palette: FilmPalette, *, video: VideoInfo, title: str, **rest) -> Film:
    lightness, _, warmth = curves(palette.colors[None], palette.shares[None])
    return Film(
        title=title,
        video=video,
        palette=palette,
        lightness=float(lightness[0]),
        warmth=float(warmth[0]),
        **rest,
    )


# --- distances ----------------------------------------------------------------------------
def film_distance(a: Film, b: Film) -> float:
    """The EMD (ΔE2000) between two films' whole-film palettes: the Compare page's
    palette distance."""
    return float(
        palette_distance(a.palette.colors, a.palette.shares, b.palette.colors, b.palette.shares)
    )


def distance_matrix(
    collection: Collection,
    *,
    on_progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """The (N, N) matrix of `film_distance` between every two films: symmetric, 0 on
    the diagonal, float64."""
    colors, shares = collection.palettes()
    n = len(collection)
    out = np.zeros((n, n))
    rows, cols = np.triu_indices(n, k=1)
    for lo in range(0, len(rows), _PAIRS_PER_CALL):
        i, j = rows[lo : lo + _PAIRS_PER_CALL], cols[lo : lo + _PAIRS_PER_CALL]
        out[i, j] = palette_distance(colors[i], shares[i], colors[j], shares[j])
        if on_progress:
            done = min(lo + _PAIRS_PER_CALL, len(rows))
            on_progress(done / len(rows), f"film distances: {done}/{len(rows)} pairs")
    # Solver round-off (about 1e-12) below zero is no distance.
    out = np.maximum(out, 0.0)
    return out + out.T


def distance_row(collection: Collection, index: int) -> np.ndarray:
    """`film_distance` from film ``index`` to every film (0 for itself), (N,) float64: one
    row of `distance_matrix`, without the rest of it."""
    colors, shares = collection.palettes()
    out = np.empty(len(collection))
    for lo in range(0, len(collection), _PAIRS_PER_CALL):
        hi = lo + _PAIRS_PER_CALL
        out[lo:hi] = palette_distance(colors[index], shares[index], colors[lo:hi], shares[lo:hi])
    out[index] = 0.0
    return np.maximum(out, 0.0)  # solver round-off below zero is no distance


def nearest(matrix: np.ndarray, index: int, *, count: int = 5) -> list[tuple[int, float]]:
    """The ``count`` films nearest film ``index`` (itself excluded), as (index, distance),
    nearest first; ties in index order."""
    row = np.asarray(matrix, dtype=np.float64)[index]
    order = [int(i) for i in np.argsort(row, kind="stable") if i != index]
    return [(i, float(row[i])) for i in order[:count]]


def map_2d(matrix: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """A 2-D map of the films, (N, 2), whose Euclidean distances follow the matrix:
    metric MDS on the precomputed distances, from a classical-MDS start."""
    matrix = np.asarray(matrix, dtype=np.float64)
    n = len(matrix)
    if matrix.shape != (n, n):
        raise InvalidParameterError(f"the distance matrix must be square, not {matrix.shape}.")
    if n < 3:
        # MDS needs three points; one or two films sit on a line at their distance.
        points = np.zeros((n, 2))
        points[1:, 0] = matrix[0, 1:]
        return points
    # Imported here: scikit-learn takes about a second to import, and batch workers (which
    # import this module for the index format) never draw a map.
    try:
        from sklearn.manifold import MDS
    except ImportError as exc:
        raise missing_extra("batch") from exc

    mds = MDS(
        n_components=2,
        metric="precomputed",
        init="classical_mds",
        random_state=seed,
        normalized_stress="auto",
    )
    return mds.fit_transform(matrix)


def palette_map(collection: Collection) -> np.ndarray:
    """A 2-D map of the films, (N, 2), with no distance measured: their palette vectors
    (`_neighbours.film_vectors`: near palettes give near vectors) on their first two
    principal axes. Coarser than `map_2d` (it keeps the vectors' two widest spreads, not
    the distances), but linear in the films: for collections too large for a matrix."""
    if len(collection) < 3:
        return map_2d(distance_matrix(collection))
    # Imported here, as in map_2d: scikit-learn is slow to import, and needed only here.
    from ._neighbours import film_vectors

    vectors = film_vectors(*collection.palettes()).astype(np.float64)
    vectors -= vectors.mean(axis=0)
    # The principal axes from the vectors' scatter matrix (294 x 294, whatever N): one
    # small eigendecomposition instead of an SVD of the whole (N, 294) array.
    _, axes = np.linalg.eigh(vectors.T @ vectors)
    points = vectors @ axes[:, ::-1][:, :2]
    # An axis's sign is arbitrary: fix it, so the same films always give the same map.
    points *= np.where(points[np.argmax(np.abs(points), axis=0), [0, 1]] < 0, -1.0, 1.0)
    return points


def _padded(palettes: Sequence[FilmPalette]) -> tuple[np.ndarray, np.ndarray]:
    size = max((len(p.shares) for p in palettes), default=1)
    colors = np.empty((len(palettes), size, 3), np.uint8)
    shares = np.zeros((len(palettes), size))
    for i, p in enumerate(palettes):
        c = len(p.shares)
        colors[i, :c], colors[i, c:] = p.colors, p.colors[0]
        shares[i, :c] = p.shares
    return colors, shares


# --- exports -------------------------------------------------------------------------------
def matrix_csv(
    collection: Collection, matrix: np.ndarray, *, order: Sequence[int] | None = None
) -> str:
    """The distance matrix as CSV: a header row ``film`` and the titles, then one row per
    film (title, then its distances in ΔE2000), films in ``order`` (default: as listed)."""
    order = list(range(len(collection))) if order is None else [int(i) for i in order]
    matrix = np.asarray(matrix, dtype=np.float64)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    titles = [collection.films[i].title for i in order]
    writer.writerow(["film", *titles])
    for title, i in zip(titles, order, strict=True):
        writer.writerow([title, *(f"{matrix[i, j]:.3f}" for j in order)])
    return out.getvalue()


def index_json(collection: Collection, *, order: Sequence[int] | None = None) -> str:
    """The collection's films as JSON, in ``order``: title, file name (never its folder),
    content key, running time, when analysed, lightness, warmth and whole-film palette."""
    order = list(range(len(collection))) if order is None else [int(i) for i in order]
    films = []
    for i in order:
        f = collection.films[i]
        films.append({
            "title": f.title,
            "file": f.video.name,
            "key": f.key,
            "duration": f.duration,
            "analysed_at": f.analysed_at,
            "lightness": round(f.lightness, 3),
            "warmth": round(f.warmth, 3),
            "palette": [{"color": c, "share": round(s, 6)} for c, s in f.palette.pairs()],
        })
    return json.dumps({"format": INDEX_FORMAT + "-view", "version": 1, "films": films}, indent=1)
