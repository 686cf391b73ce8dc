"""What the Collection page's search shows: the colours typed, each hit's thumbnail and
text, and which of the page's films a hit opens. Pure, no Streamlit.

A hit's thumbnail is the film's strip around the moment (from the index's strip
thumbnail: a tenth of the running time either side, the moment marked with a white
line) over the moment's own palette, each colour as wide as its share. The batch keeps
no frames, so this stands for the frame; Explore shows the frame itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from fingerprint.collection._collection import Collection
from fingerprint.collection._index import SHARE_SCALE, MomentIndex, codes_to_rgb
from fingerprint.collection._search import MAX_QUERY_COLORS, ColorHit, FilmMatch, MomentMatch
from fingerprint.errors import InvalidParameterError
from fingerprint.model import to_hex
from fingerprint.timecodes import timecode

#: The search modes, in the order the page offers them.
MODES = ("color", "moment", "film")
MODE_LABELS = {"color": "By colour", "moment": "Moments like one", "film": "Films like one"}
#: How many hits the page lists, and at most how many of one film (so one long red scene
#: does not fill the list).
PAGE_TOP = 20
PAGE_PER_FILM = 3
#: A hit's thumbnail, in pixels: the strip around the moment over its palette.
THUMB_WIDTH = 240
THUMB_STRIP = 36
THUMB_PALETTE = 18
# The strip shown around a moment: this share of the film's running time either side.
_WINDOW = 0.1
_HEX = re.compile(r"#?[0-9a-fA-F]{6}")


def parse_query(text: str) -> list[str]:
    """Hex codes typed in a box (``#c0392b 2c3e50``, separated by spaces or commas) as
    ``#rrggbb``; raises `InvalidParameterError` with a sentence on anything else."""
    words = [w for w in re.split(r"[\s,;]+", text.strip()) if w]
    if not words:
        raise InvalidParameterError("type a colour as a hex code, such as #c0392b.")
    if len(words) > MAX_QUERY_COLORS:
        raise InvalidParameterError(f"search for {MAX_QUERY_COLORS} colours at most.")
    bad = [w for w in words if not _HEX.fullmatch(w)]
    if bad:
        raise InvalidParameterError(
            f"{bad[0][:20]!r} is not a colour: write hex codes such as #c0392b."
        )
    return ["#" + w.lstrip("#").lower() for w in words]


def add_color(text: str, color: str) -> str:
    """``text`` with ``color`` (the picker's ``#rrggbb``) added, unless it is there."""
    try:
        current = parse_query(text)
    except InvalidParameterError:
        current = []
    return " ".join(dict.fromkeys([*current, color.lower()]))


@dataclass(frozen=True)
class HitRow:
    """One line of the results: ``film`` is the index's film, ``page_film`` the page's
    (None: the page does not list it, so it cannot be opened), ``time`` in seconds."""

    film: int
    page_film: int | None
    title: str
    time: float | None
    timecode: str
    detail: str


def page_films(index: MomentIndex, collection: Collection) -> list[int | None]:
    """For each film of the index, its position in the page's ``collection`` (matched by
    content key), or None."""
    where = {f.key: i for i, f in enumerate(collection.films) if f.key}
    return [where.get(f.key) for f in index.collection.films]


def color_rows(hits: tuple[ColorHit, ...], positions: list[int | None]) -> list[HitRow]:
    rows = []
    for h in hits:
        detail = f"ΔE {h.distance:.1f} · {h.share:.0%} of the frame · score {h.score:.2f}"
        if len(h.matches) > 1:
            detail = f"farthest ΔE {h.distance:.1f} · least {h.share:.0%} · score {h.score:.2f}"
        rows.append(HitRow(film=h.film, page_film=positions[h.film], title=h.title,
                           time=h.time, timecode=timecode(h.time), detail=detail))
    return rows


def moment_rows(found: tuple[MomentMatch, ...], positions: list[int | None]) -> list[HitRow]:
    return [
        HitRow(film=m.film, page_film=positions[m.film], title=m.title, time=m.time,
               timecode=timecode(m.time), detail=f"palette distance {m.distance:.1f} ΔE")
        for m in found
    ]


def film_rows(found: tuple[FilmMatch, ...], positions: list[int | None]) -> list[HitRow]:
    return [
        HitRow(film=m.film, page_film=positions[m.film], title=m.title, time=None,
               timecode="", detail=f"palette distance {m.distance:.1f} ΔE")
        for m in found
    ]


def moment_row(index: MomentIndex, film: int, time: float) -> int:
    """The index row of ``film``'s moment nearest ``time``."""
    lo, hi = (int(x) for x in index.offsets[film : film + 2])
    return lo + int(np.argmin(np.abs(index.times[lo:hi] - time)))


def palette_of(index: MomentIndex, row: int) -> list[tuple[str, float]]:
    """A moment's palette as (hex, share), largest first, colours no pixel chose left out."""
    shares = index.shares[row].astype(np.float64) / SHARE_SCALE
    colors = to_hex(codes_to_rgb(index.colors[row]))
    return [(c, s) for c, s in zip(colors, shares.tolist(), strict=True) if s > 0]


def thumbnail(index: MomentIndex, film: int, time: float | None) -> np.ndarray:
    """The hit's picture, (THUMB_STRIP + THUMB_PALETTE, THUMB_WIDTH, 3) uint8: the strip
    around the moment, marked, over the moment's palette. A film match (``time`` None)
    shows its whole strip over its whole-film palette."""
    strip = index.strips[film]
    width = strip.shape[1]
    if time is None:
        columns = np.arange(THUMB_WIDTH) * width // THUMB_WIDTH
        palette = index.collection.films[film].palette.pairs()
        mark = None
    else:
        row = moment_row(index, film, time)
        lo, hi = (int(x) for x in index.offsets[film : film + 2])
        centre = (row - lo + 0.5) / max(hi - lo, 1)  # where the moment is on the strip
        left = min(max(centre - _WINDOW, 0.0), max(1.0 - 2 * _WINDOW, 0.0))
        span = min(2 * _WINDOW, 1.0)
        positions = left + (np.arange(THUMB_WIDTH) + 0.5) / THUMB_WIDTH * span
        columns = np.minimum((positions * width).astype(np.int64), width - 1)
        palette = palette_of(index, row)
        mark = int(np.clip(round((centre - left) / span * THUMB_WIDTH), 0, THUMB_WIDTH - 1))
    rows = np.minimum(np.arange(THUMB_STRIP) * strip.shape[0] // THUMB_STRIP,
                      strip.shape[0] - 1)
    image = np.empty((THUMB_STRIP + THUMB_PALETTE, THUMB_WIDTH, 3), np.uint8)
    image[:THUMB_STRIP] = strip[rows][:, columns]
    if mark is not None:
        image[:THUMB_STRIP, max(mark - 1, 0) : mark + 1] = 255
    image[THUMB_STRIP:] = _palette_bar(palette)
    return image


def _palette_bar(palette: list[tuple[str, float]]) -> np.ndarray:
    bar = np.zeros((THUMB_PALETTE, THUMB_WIDTH, 3), np.uint8)
    total = sum(s for _, s in palette) or 1.0
    edges = np.rint(np.cumsum([0.0] + [s / total for _, s in palette]) * THUMB_WIDTH)
    for (color, _), a, b in zip(palette, edges[:-1], edges[1:], strict=True):
        bar[:, int(a) : int(b)] = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return bar
