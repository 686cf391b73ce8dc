"""Searching a batch's films: the moments whose palettes hold a colour (or several), the
films like a film, the moments like a moment. Pure functions on a `SearchIndex` (the
batch's index, `_index.py`, and its neighbour indexes, `_neighbours.py`).

**The ranking of a colour search**, in the terms a hit reports: a moment's palette colour
ΔE2000 ``distance`` from the colour asked for, covering ``share`` of its frame, scores

    score = √share × 1 / (1 + (distance / 10)²)

and the moment scores with its best colour; colours farther than ``within`` (15 ΔE2000 by
default) do not count. The second factor is the Compare page's similarity (1 for the
very colour, ½ at 10 ΔE, "clearly different"); the square root lets a small patch of
exactly the colour count: 4 % of the frame in the very colour scores 0.2, as does a
moment that is 10 ΔE away on 16 %; a quarter of the frame exactly scores 0.5, like the
whole frame 10 ΔE away. With several colours (a palette) a moment must hold each of them
within ``within``, and scores the geometric mean of its colours' scores; its ``distance``
is then its farthest colour's and its ``share`` its least. Ties go to the earlier film
in the index, then the earlier moment.

Colours are compared as the index keeps them (Lab codes, within 0.73 ΔE76 of the
fingerprint's own, `_index.py`), and the colours asked for are rounded the same way, so
a moment of exactly the colour asked for is at distance 0.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from ..compare._compare import SIMILARITY_SCALE, similarity
from ..compare._transport import palette_distance, transport
from ..errors import FingerprintFormatError, InvalidParameterError
from ..model import from_hex, to_hex
from ..palette._color import delta_e2000
from ._index import SHARE_SCALE, MomentIndex, codes_to_lab, codes_to_rgb, lab_codes, read_index
from ._listing import strip_images
from ._neighbours import ColorTable, FilmTable, load_tables
from ._scoring import palette_moments, top_moments

__all__ = [
    "MAX_QUERY_COLORS",
    "WITHIN",
    "ColorHit",
    "ColorMatch",
    "FilmMatch",
    "MomentMatch",
    "SearchIndex",
    "open_search",
    "parse_colors",
    "search_colors",
    "similar_films",
    "similar_moments",
]

#: Colours farther than this (ΔE2000) from the colour asked for are not matches: past
#: 10 ΔE two colours are clearly different, and at 15 they score under a third.
WITHIN = 15.0
#: The most colours one search may ask for (a palette).
MAX_QUERY_COLORS = 8
# Films whose exact distance "films like this" measures (bench/search.py, at 10,000
# films: 200 candidates found 82 % of the exact top 10; see docs/benchmarks.md for 1000).
_FILM_CANDIDATES = 1000
# Moments whose exact distance "moments like this" measures: the best moments for each of
# the moment's colours, shared out by the colours' shares.
_MOMENT_CANDIDATES = 1000
# "Moments like this" looks for each of the moment's colours this close (ΔE2000): the
# candidates only need to share the colours roughly; the exact distance ranks them.
_MOMENT_WITHIN = 10.0


@dataclass(frozen=True)
class ColorMatch:
    """How a hit holds one colour asked for: its palette colour nearest in score."""

    query: str  # the colour asked for, #rrggbb
    color: str  # the moment's colour, #rrggbb
    distance: float  # ΔE2000 between them
    share: float  # the moment's colour's share of its frame, 0-1


@dataclass(frozen=True)
class ColorHit:
    """A moment found by `search_colors`: film ``film`` (its index in the collection),
    ``time`` seconds from the film's start (as in its fingerprint JSON), the row
    ``moment`` of the index, its ``score`` and its matches (see the module's ranking)."""

    film: int
    source: str
    title: str
    time: float
    moment: int
    score: float
    distance: float
    share: float
    matches: tuple[ColorMatch, ...]

    def to_dict(self) -> dict[str, Any]:
        """For JSON: ``film`` is the film's source path, as in collection.json."""
        return {
            "film": self.source, "title": self.title, "time": self.time,
            "distance": round(self.distance, 3), "share": round(self.share, 5),
            "score": round(self.score, 5), "matches": [asdict(m) for m in self.matches],
        }


@dataclass(frozen=True)
class FilmMatch:
    """A film like the one asked about: ``distance`` is the earth mover's distance
    (ΔE2000) between the whole-film palettes, the Compare page's."""

    film: int
    source: str
    title: str
    distance: float


@dataclass(frozen=True)
class MomentMatch:
    """A moment like the one asked about: ``distance`` is the earth mover's distance
    (ΔE2000) between the two moments' palettes."""

    film: int
    source: str
    title: str
    time: float
    moment: int
    distance: float


@dataclass(frozen=True, eq=False)
class SearchIndex:
    """A batch's index with its neighbour indexes: what every search takes."""

    index: MomentIndex
    colors: ColorTable
    films: FilmTable

    def title(self, film: int) -> str:
        return self.index.collection.films[film].title

    def source(self, film: int) -> str:
        return self.index.collection.films[film].source or ""


def open_search(folder: str | os.PathLike[str]) -> SearchIndex:
    """The search index of a batch folder: its Parquet index read, its neighbour indexes
    from their cache (built and cached on first use), its strip thumbnails
    memory-mapped from theirs (`strip_images`: decoded, they were 120 MB more held at
    10,000 films, and twice that while decoding)."""
    index = read_index(folder, strips=False)
    images = strip_images(folder, index.digest)
    if images is None or len(images) != len(index.collection):
        index = read_index(folder)  # a batch wrote a part meanwhile: read it all again
    else:
        index = replace(index, strips=images)
    return search_index(index)


def search_index(index: MomentIndex) -> SearchIndex:
    colors, films = load_tables(index)
    return SearchIndex(index=index, colors=colors, films=films)


def parse_colors(colors: Sequence[str | Sequence[int]]) -> np.ndarray:
    """Colours as ``#rrggbb`` (the ``#`` optional) or (r, g, b) 0-255, to (n, 3) uint8."""
    if isinstance(colors, str):
        colors = [colors]
    if not 1 <= len(colors) <= MAX_QUERY_COLORS:
        raise InvalidParameterError(
            f"give between 1 and {MAX_QUERY_COLORS} colours to search for, not {len(colors)}."
        )
    out = []
    for c in colors:
        if isinstance(c, str):
            text = c.strip()
            text = text if text.startswith("#") else "#" + text
            try:
                out.append(from_hex([text])[0])
            except FingerprintFormatError:
                raise InvalidParameterError(
                    f"{c!r} is not a colour: write it as a hex code, #c0392b."
                ) from None
        else:
            triple = np.asarray(c)
            if triple.shape != (3,) or not np.all((triple >= 0) & (triple <= 255)):
                raise InvalidParameterError(f"{c!r} is not a colour: give (r, g, b) in 0-255.")
            out.append(triple.astype(np.uint8))
    return np.stack(out)


def _check(top: int, name: str = "top") -> int:
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise InvalidParameterError(f"{name} must be a whole number of at least 1, not {top!r}.")
    return int(top)


def _check_within(within: float) -> float:
    if not (isinstance(within, (int, float)) and 0 < within <= 100):
        raise InvalidParameterError(f"within must be a ΔE2000 from 0 to 100, not {within!r}.")
    return float(within)


def _match_scores(distance: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """The ranking's score of colours at ``distance`` covering ``shares`` (0-1)."""
    return np.sqrt(shares) * similarity(distance, scale=SIMILARITY_SCALE)


def search_colors(
    search: SearchIndex,
    colors: Sequence[str | Sequence[int]],
    *,
    top: int = 20,
    within: float = WITHIN,
    per_film: int | None = None,
) -> tuple[ColorHit, ...]:
    """The ``top`` moments whose palettes hold ``colors`` (one colour, or several: a
    palette, all of which a moment must hold), best first, ranked as the module says;
    at most ``per_film`` from one film (None: no limit)."""
    top, within = _check(top), _check_within(within)
    if per_film is not None:
        per_film = _check(per_film, "per_film")
    rgb = parse_colors(colors)
    wanted = to_hex(rgb)
    lab = codes_to_lab(lab_codes(rgb))  # rounded as the index is: the very colour is 0 ΔE
    find = top_moments if len(lab) == 1 else palette_moments
    rows, _ = find(search.colors, search.index, lab[0] if len(lab) == 1 else list(lab),
                   within=within, top=top, per_film=per_film)
    hits = [_hit(search, int(row), lab, wanted, within) for row in rows]
    return tuple(sorted(hits, key=lambda h: (-h.score, h.moment)))


def _hit(search: SearchIndex, row: int, lab: np.ndarray, wanted: list[str],
         within: float) -> ColorHit:
    index = search.index
    palette = codes_to_lab(index.colors[row])
    shares = index.shares[row].astype(np.float64) / SHARE_SCALE
    shown = to_hex(codes_to_rgb(index.colors[row]))
    matches, scores = [], []
    for q, name in zip(lab, wanted, strict=True):
        distance = delta_e2000(q, palette)
        score = np.where((distance <= within) & (shares > 0),
                         _match_scores(distance, shares), -1.0)
        j = int(np.argmax(score))
        matches.append(ColorMatch(query=name, color=shown[j], distance=float(distance[j]),
                                  share=float(shares[j])))
        scores.append(float(score[j]))
    film = int(index.film_of(row))
    return ColorHit(
        film=film, source=search.source(film), title=search.title(film),
        time=float(index.times[row]), moment=row,
        score=float(np.prod(scores) ** (1 / len(scores))),
        distance=max(m.distance for m in matches), share=min(m.share for m in matches),
        matches=tuple(matches),
    )


def _check_film(search: SearchIndex, film: int) -> int:
    count = len(search.index.collection)
    if isinstance(film, bool) or not isinstance(film, (int, np.integer)) or not (
        0 <= film < count
    ):
        raise InvalidParameterError(f"film must be an index from 0 to {count - 1}, not {film!r}.")
    return int(film)


def similar_films(search: SearchIndex, film: int, *, top: int = 10) -> tuple[FilmMatch, ...]:
    """The ``top`` films nearest film ``film`` (itself left out) by the earth mover's
    distance between whole-film palettes, nearest first (ties: the earlier film).

    Candidates come from the films' palette vectors (`FilmTable`); only they are measured
    exactly, so no distance matrix is built. Exact when there are at most
    `_FILM_CANDIDATES` films."""
    film, top = _check_film(search, film), _check(top)
    table = search.films
    count = min(len(table.vectors), max(_FILM_CANDIDATES, 10 * top))
    _, near = table.model.kneighbors(table.vectors[film][None], n_neighbors=count)
    candidates = np.array([i for i in near[0].tolist() if i != film], np.int64)
    if not len(candidates):
        return ()
    distance = palette_distance(table.colors[film], table.shares[film],
                                table.colors[candidates], table.shares[candidates])
    distance = np.maximum(distance, 0.0)  # solver round-off below zero is no distance
    order = np.lexsort((candidates, distance))[:top]
    return tuple(
        FilmMatch(film=int(candidates[i]), source=search.source(int(candidates[i])),
                  title=search.title(int(candidates[i])), distance=float(distance[i]))
        for i in order
    )


def moment_at(search: SearchIndex, film: int, time: float) -> int:
    """The index row of film ``film``'s moment nearest ``time`` (seconds)."""
    film = _check_film(search, film)
    lo, hi = (int(x) for x in search.index.offsets[film : film + 2])
    times = search.index.times[lo:hi]
    return lo + int(np.argmin(np.abs(times - float(time))))


def similar_moments(
    search: SearchIndex, film: int, time: float, *, top: int = 10, same_film: bool = False
) -> tuple[MomentMatch, ...]:
    """The ``top`` moments nearest film ``film``'s moment at ``time`` (its nearest), by
    the earth mover's distance (ΔE2000) between the two palettes, nearest first; other
    films' only unless ``same_film``. The candidates are the moments that hold its
    colours most (the best hits of a search for each of its colours, more of them for a
    colour with a larger share); only they are measured exactly."""
    top = _check(top)
    row = moment_at(search, film, time)
    index = search.index
    lab = codes_to_lab(index.colors[row])
    shares = index.shares[row].astype(np.float64) / SHARE_SCALE
    lo, hi = (int(x) for x in index.offsets[film : film + 2])
    exclude = slice(row, row + 1) if same_film else slice(lo, hi)
    # Candidates: the best moments for each of its colours, more for a larger share.
    wanted = max(_MOMENT_CANDIDATES, 10 * top)
    found = [
        top_moments(search.colors, index, q, within=_MOMENT_WITHIN,
                    top=max(top, int(np.ceil(wanted * s))), exclude=exclude)[0]
        for q, s in zip(lab, shares, strict=True) if s > 0
    ]
    rows = np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)
    if not len(rows):
        return ()
    other = codes_to_lab(index.colors[rows])
    cost = delta_e2000(lab[None, :, None, :], other[:, None, :, :])
    supply = np.broadcast_to(shares, (len(rows), len(shares)))
    distance, _ = transport(cost, supply, index.shares[rows].astype(np.float64))
    distance = np.maximum(distance, 0.0)
    order = np.lexsort((rows, distance))[:top]
    films = index.film_of(rows[order])
    return tuple(
        MomentMatch(film=int(f), source=search.source(int(f)), title=search.title(int(f)),
                    time=float(index.times[rows[i]]), moment=int(rows[i]),
                    distance=float(distance[i]))
        for i, f in zip(order, films, strict=True)
    )
