"""The colour search's engine: the best moments for a colour, or for several at once.

A palette entry (a moment's colour) at ΔE2000 ``d`` from a colour asked for, covering
``share`` of its frame, scores ``√share × similarity(d)`` (`_search.py` says why), and a
moment scores with its best entry; entries beyond ``within`` do not count.

**One colour** (`top_moments`): entries are read in rings of distance (`RINGS`, then
``within``) from the inverted index (`ColorTable`). After each ring, every entry not yet
read is farther than its radius ``r`` and so scores at most ``similarity(r)`` (a share is
at most 1): the search stops once the ``top``-th best moment known scores at least that,
and no moment known could still pass it. A common colour then reads a few ΔE around
itself instead of everything within ``within``; a rare colour reads all its entries,
which are few.

**Several colours** (`palette_moments`, each required; a moment scores the geometric mean
of its colours' scores): a moment must hold the colour with the fewest entries within
``within``, so those entries, read whole, name the candidates; the other colours are
scored on the candidates' own palettes through a table of every Lab code's similarity
(a 64 MB lookup, for as long as the search runs) instead of through their entries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..compare._compare import SIMILARITY_SCALE, similarity
from ..palette._color import delta_e2000
from ._index import SHARE_SCALE, MomentIndex
from ._neighbours import ColorTable

__all__ = ["RINGS", "top_moments"]

#: The radii (ΔE2000) of the rings read before ``within``: a search for a common colour
#: stops after the first few (bench/search.py ``measure``, 10,000 films: #202020 read up
#: to 4 ΔE of its 15, #c0392b and #00ff00 up to 7).
RINGS = (1.0, 2.0, 4.0, 7.0, 10.0)


def measure(table: ColorTable, lab: np.ndarray, cells: np.ndarray, within: float) -> np.ndarray:
    """ΔE2000 from ``lab`` (float32) to ``cells``, inf for those surely beyond ``within``.

    ΔE2000 is at least its lightness term |ΔL*| / S_L (the other terms add a non-negative
    amount: |R_T| <= 2), so cells too far in lightness alone are left unmeasured: 35-40 %
    of a DIN99 ball at 15 ΔE (bench/search.py's index), for a tenth of the cost each."""
    light = table.lab[cells, 0]
    mean = (light + lab[0]) / 2
    s_l = 1 + 0.015 * (mean - 50) ** 2 / np.sqrt(20 + (mean - 50) ** 2)
    near = np.abs(light - lab[0]) <= within * s_l
    out = np.full(len(cells), np.inf, np.float32)
    out[near] = delta_e2000(lab, table.lab[cells[near]])
    return out


class _Rings:
    """One colour's palette entries, handed out ring by ring."""

    def __init__(self, table: ColorTable, lab: np.ndarray, within: float) -> None:
        self.table, self.lab, self.within = table, np.asarray(lab, np.float32), within
        self.cells = np.empty(0, np.int64)  # measured so far, sorted
        self.distance = np.empty(0, np.float32)
        self.done = 0.0

    def ring(self, radius: float) -> tuple[np.ndarray, np.ndarray]:
        """The entries in (previous radius, ``radius``] and their cells' distances."""
        ball = self.table.near(self.lab, radius)
        new = ball[~np.isin(ball, self.cells, assume_unique=True)]
        if len(new):
            self.cells = np.concatenate([self.cells, new])
            self.distance = np.concatenate([self.distance, measure(self.table, self.lab, new,
                                                                   self.within)])
        pick = (self.distance > self.done) & (self.distance <= radius)
        if self.done == 0.0:
            pick |= self.distance == 0.0
        self.done = radius
        cells, distance = self.cells[pick], self.distance[pick]
        lo = self.table.starts[cells]
        count = self.table.starts[cells + 1] - lo
        ends = np.cumsum(count)
        total = int(ends[-1]) if len(ends) else 0
        # Positions of every entry of every cell: runs lo..lo+count laid end to end.
        positions = np.repeat(lo - (ends - count), count) + np.arange(total)
        return self.table.entries[positions], np.repeat(distance, count)


def _capped(rows: np.ndarray, scores: np.ndarray, top: int, per_film: int | None,
            index: MomentIndex) -> np.ndarray:
    """The ``top`` rows of best ``scores`` (ties: lower row first), at most ``per_film``
    of one film."""
    want = top if per_film is None else top * 4
    while True:
        take = min(len(rows), want)
        if take < len(rows):
            cut = np.partition(-scores, take - 1)[take - 1]
            chosen = np.flatnonzero(-scores <= cut)  # every row tied at the cut
        else:
            chosen = np.arange(len(rows))
        chosen = chosen[np.lexsort((rows[chosen], -scores[chosen]))]
        if per_film is None:
            return chosen[:top]
        kept, seen = [], {}
        for i, film in zip(chosen.tolist(), index.film_of(rows[chosen]).tolist(), strict=True):
            if seen.get(film, 0) < per_film:
                seen[film] = seen.get(film, 0) + 1
                kept.append(i)
                if len(kept) == top:
                    break
        if len(kept) == top or take == len(rows):
            return np.array(kept, np.int64)
        want *= 4


def top_moments(
    table: ColorTable,
    index: MomentIndex,
    lab: np.ndarray,
    *,
    within: float,
    top: int,
    per_film: int | None = None,
    exclude: slice | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The index rows of the ``top`` moments for the colour ``lab`` (CIELAB), best first,
    and their scores. ``exclude``: rows never returned (a moment's own film)."""
    rings = _Rings(table, lab, within)
    best = np.zeros(len(index.times), np.float32)
    seen = np.zeros(len(index.times), bool)
    flat_shares = index.shares.reshape(-1)
    for radius in [r for r in RINGS if r < within] + [within]:
        entries, distance = rings.ring(radius)
        if len(entries):
            shares = flat_shares[entries].astype(np.float32) / SHARE_SCALE
            gain = np.sqrt(shares) * similarity(distance, scale=SIMILARITY_SCALE).astype(
                np.float32)
            moments = entries // index.k
            np.maximum.at(best, moments, gain)
            seen[moments] = True
        rows = np.flatnonzero(seen)
        if exclude is not None:
            rows = rows[(rows < exclude.start) | (rows >= exclude.stop)]
        rows = rows[best[rows] > 0]
        low = best[rows]
        chosen = _capped(rows, low, top, per_film, index)
        if len(chosen) < top:
            continue
        # Every entry not read yet scores at most this: what a moment could still gain.
        bound = np.float32(similarity(radius, scale=SIMILARITY_SCALE))
        floor = low[chosen].min()
        if floor < bound:
            continue  # a moment with nothing read yet could still pass the chosen
        # The known moments that could still pass the chosen: under the bound (so not
        # final), above the floor: none, since the floor is at least the bound. A moment
        # left out by per_film only is final (its score is at least the bound).
        break
    return rows[chosen], low[chosen]


def _lookup(table: ColorTable, cells: np.ndarray, distance: np.ndarray,
            within: float) -> np.ndarray:
    """A table of every Lab code's similarity by packed code (`_packed`): ``cells`` at
    their ``distance``, 0 for every other code and beyond ``within``."""
    keep = distance <= within
    lookup = np.zeros(1 << 24, np.float32)
    lookup[_packed(table.cells[cells[keep]])] = similarity(
        distance[keep], scale=SIMILARITY_SCALE)
    return lookup


def _packed(codes: np.ndarray) -> np.ndarray:
    codes = np.asarray(codes)
    return ((codes[..., 0].astype(np.int32) << 16) | (codes[..., 1].astype(np.int32) << 8)
            | codes[..., 2])


def _entry_estimate(table: ColorTable, lab: np.ndarray, within: float) -> int:
    """About how many entries are within ``within`` of ``lab``: those in a DIN99 ball of
    that radius (no colour measured)."""
    cells = table.near(lab, within, factor=1.0)
    return int((table.starts[cells + 1] - table.starts[cells]).sum())


def palette_moments(
    table: ColorTable,
    index: MomentIndex,
    labs: Sequence[np.ndarray],
    *,
    within: float,
    top: int,
    per_film: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The index rows of the ``top`` moments holding every colour of ``labs`` within
    ``within``, best first by the geometric mean of their colours' scores, and the
    scores."""
    # The rarest colour first: its entries name the candidates; then the others, rarest
    # first, each dropping the candidates that lack it (fewer to look up for the next).
    order = sorted(range(len(labs)), key=lambda j: _entry_estimate(table, labs[j], within))
    first = _Rings(table, labs[order[0]], within)
    entries, _ = first.ring(within)
    holding = np.zeros(len(index.times), bool)  # a mask, not np.unique: 50 x faster here
    holding[entries // index.k] = True
    rows = np.flatnonzero(holding)
    del entries, holding
    shares = np.sqrt(index.shares[rows].astype(np.float32) / SHARE_SCALE)
    codes = _packed(index.colors[rows])
    product = np.ones(len(rows), np.float32)
    for n, j in enumerate(order):
        if n == 0:
            cells, distance = first.cells, first.distance
        else:
            # Only the codes the candidates hold are measured.
            present = np.zeros(1 << 24, bool)
            present[codes] = True
            cells = table.near(labs[j], within)
            cells = cells[present[_packed(table.cells[cells])]]
            distance = measure(table, np.asarray(labs[j], np.float32), cells, within)
            del present
        lookup = _lookup(table, cells, distance, within)
        product *= (lookup[codes] * shares).max(axis=1)
        del lookup
        keep = product > 0
        rows, product, shares, codes = rows[keep], product[keep], shares[keep], codes[keep]
    scores = product ** np.float32(1.0 / len(labs))
    keep = scores > 0
    rows, scores = rows[keep], scores[keep]
    chosen = _capped(rows, scores, top, per_film, index)
    return rows[chosen], scores[chosen]
