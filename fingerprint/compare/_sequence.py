"""Sequence alignment of two films' moments: what was cut, what was added, where a clip
comes from.

- `align_sequences`: global and local alignment of two fingerprints → `SequenceAlignment`.
- `moments`, `default_step`: a film's moments, on a time step shared with the other film.
- `GAP`, `GAP_OPEN`: the calibrated costs of leaving moments unmatched (ΔE2000).

Compare lines two films up on relative time (0-100 %), which is wrong as soon as one has
a scene the other lacks. Here the moment sequences are aligned as genes are
(`fingerprint.compare._sequence_dp`): *global* (Needleman-Wunsch) pairs up all of both films in
order, leaving runs of moments unmatched where one has what the other has not (a cut
scene, an added prologue); *local* (Smith-Waterman) finds the best-matching stretch of
each (a clip in the film it was cut from, a trailer's shot in its film).

**Moments.** Both films are cut into slots of one ``step`` (by default the coarser film's
sample spacing: neither film's moments are made up), each taking the palette of the
sample nearest its middle (a palette does not average, as in Compare).

**Cost of a pair.** Compare's distance: the earth mover's distance between the palettes
in ΔE2000 (`fingerprint.compare._transport`). Solving it for every pair of 1000 × 1000 moments
takes about 28 s, so the alignment runs on lower bounds and makes them exact where it
uses them (`fingerprint.compare._moment_costs`): the relaxed distance of every pair, align, solve
exactly the pairs on (and next to) the alignments that were only bounded, align again,
until the alignments use exact costs only. A path whose costs are exact, optimal where
all other costs are lower bounds, is optimal for the exact costs: this is the alignment
of Compare's distances. 1000 × 940 moments take 1.2 s CPU, nearly all of it the bounds
(bench/sequence_gap.py --timing; load 8 on 2 cores), the dynamic programmes 0.03 s each.

**Gap costs.** A run of L moments unmatched costs ``GAP_OPEN + GAP·L`` (affine, Gotoh
1982): one edit is one run, where with a cost per moment alone a cut slips about inside
a still shot (pairing a moment or its neighbour costs the same) and comes out in pieces.
A pair beats two new runs of one moment when it costs under ``2·(GAP_OPEN + GAP)``, so
costs are capped there (no alignment changes). The local alignment scores a pair
``GAP - cost`` and a run ``-(GAP_OPEN + GAP/2·L)``: the same choice between pairs and
gaps, and a stretch grows while its pairs cost under GAP. Calibrated by
bench/sequence_gap.py on 6 synthetic 120-s films (tests/synthetic_films.py: scenes,
shots, drift and sampling jitter like real fingerprints) × 8 edits: cuts of 20, 4 and
2 s, a 10-s insertion, 10 s replaced by other footage or by a scene of the same film,
the film resampled, a 20-s clip. With GAP 4-8 and GAP_OPEN 5-10 every edit is found
within a sample and a half of its edges (bar a 2-s cut inside a still shot, placed
2.45 s off, where any place looks the same), no run appears where there was no edit,
and every clip is located to two samples. Without an opening cost runs split and stray;
with 20 or more, a local stretch stops at a shot change inside the clip (GAP ≤ 6); with
GAP 10 or more, a replaced scene of similar colour is paired instead of marked, and under
3 sampling jitter opens gaps. GAP = 5, GAP_OPEN = 10 sit inside, and mark a long replaced
stretch when its pairs differ by more than 2·GAP = 10 ΔE2000 on average, Compare's
"clearly different" (the same instant sampled twice differs by 0.4-3.5 ΔE, bbb_30s).
On real films analysed twice (bench/sequence_gap.py --real), cuts of 5 and 17 s are
found within 0.07 s and clips of 3 and 14 s within a moment.

**Result.** ``score`` = 1 - (alignment cost) / (cost of leaving both films unmatched):
1.0 for the same moments in the same order, 0 for nothing in common in order; a pair at
distance d counts about 1 - d / (2·GAP) for each of its moments, an unmatched one 0.
``matched`` is the share of moments paired, ``distance`` their mean ΔE2000. ``gaps``:
the runs of moments one film has and the other has not, in seconds from that film's
start (less one-moment sampling slips, `_slips`); ``local``: the best-matching stretches.

**The other KALMUS measures** (Chen et al. 2021), tried on the calibration films
(bench/sequence_gap.py --kalmus) and left out: NRMSE (0.02 for the film resampled,
0.03-0.17 for the edits) and SSIM (0.96-0.98 against 0.70-0.93) of the strips say that
two films differ, not where, on relative time, where an insertion shifts all after it;
Compare's difference strip and curve correlations say that already, in perceptual units.
Cross-correlation of the strips peaks at one lag for the whole film (a 10-s insertion:
10 s or 0 s, whichever side of it is longer; a 20-s cut: 0, -14.5 or -20 s); the global
alignment gives each moment's shift and each edit's place.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..errors import InvalidParameterError
from ..model import Fingerprint
from ._align import analysed_span
from ._moment_costs import exact_distance, relaxed_distance
from ._sequence_dp import global_alignment, local_alignment, path_cost
from ._transport import normalised

__all__ = [
    "GAP",
    "GAP_OPEN",
    "MAX_MOMENTS",
    "Run",
    "SequenceAlignment",
    "align_sequences",
    "default_step",
    "moments",
]

#: Cost (ΔE2000) of each moment left unmatched; see the module docstring.
GAP = 5.0
#: Cost (ΔE2000) of each run of unmatched moments, on top of `GAP` per moment.
GAP_OPEN = 10.0
#: The most moments a film may be cut into.
MAX_MOMENTS = 3000
# Default step: no more colour pairs than two 1000-moment films of 5 colours (25 million,
# about a second of ΔE2000 at worst; see `fingerprint.compare._moment_costs`).
_PAIR_BUDGET = 1000 * 1000 * 5 * 5
# A cell and its eight neighbours, as (row, column) offsets.
_NEIGHBOURS = np.array([(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)])


@dataclass(frozen=True)
class Run:
    """Moments of one film (``"a"`` or ``"b"``) the other film has not: [start, end)
    seconds from that film's start."""

    film: Literal["a", "b"]
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"film": self.film, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True, eq=False)
class SequenceAlignment:
    """Two films' moments aligned (module docstring: the meaning of each number).

    ``pairs`` (p, 2) moment indices (a, b) matched by the global alignment, in order, and
    ``pair_distance`` (p,) their ΔE2000 palette distance; ``times_a``/``times_b`` each
    moment's sample time and ``edges_a``/``edges_b`` (n + 1,) its slot's edges, seconds.
    ``local`` maps "a" and "b" to the best-matching stretch (start, end) in seconds, or is
    None when no two moments are closer than ``gap``; ``local_pairs`` its matched pairs
    and ``local_pair_distance`` their ΔE2000 distance.
    """

    score: float
    matched: float
    distance: float
    pairs: np.ndarray
    pair_distance: np.ndarray
    gaps: tuple[Run, ...]
    local: dict[str, tuple[float, float]] | None
    local_pairs: np.ndarray
    local_pair_distance: np.ndarray
    local_distance: float
    times_a: np.ndarray
    times_b: np.ndarray
    edges_a: np.ndarray
    edges_b: np.ndarray
    gap: float
    gap_open: float
    step: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: the numbers, the gaps, the local stretch, and the pairs
        as [time in a, time in b, ΔE2000]."""
        local = None
        if self.local is not None:
            local = {
                **{side: [round(s, 3), round(e, 3)] for side, (s, e) in self.local.items()},
                "distance": _num(self.local_distance),
                "pairs": len(self.local_pairs),
            }
        return {
            "score": _num(self.score),
            "matched": _num(self.matched),
            "distance": _num(self.distance),
            "gap_cost": self.gap,
            "gap_open_cost": self.gap_open,
            "step": round(self.step, 6),
            "gaps": [run.to_dict() for run in self.gaps],
            "local": local,
            "pairs": [
                [round(float(self.times_a[i]), 3), round(float(self.times_b[j]), 3), _num(d)]
                for (i, j), d in zip(self.pairs.tolist(), self.pair_distance, strict=True)
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, allow_nan=False)


def moments(fp: Fingerprint, *, step: float) -> tuple[np.ndarray, np.ndarray]:
    """The film's analysed span cut into slots of about ``step`` seconds (a whole number
    of them, at most `MAX_MOMENTS`): the sample nearest each slot's middle (n,) and the
    slots' edges (n + 1,) in seconds from the film's start."""
    lo, hi = analysed_span(fp)
    if not (_number(step) and step > 0):
        raise InvalidParameterError(f"step must be a positive number of seconds, not {step!r}.")
    count = max(1, round((hi - lo) / step))
    if count > MAX_MOMENTS:
        raise InvalidParameterError(
            f"a step of {step:g} s cuts {fp.video.name} into {count} moments, more than "
            f"{MAX_MOMENTS}; choose a step of at least {(hi - lo) / MAX_MOMENTS:.3g} s."
        )
    edges = lo + (hi - lo) * np.arange(count + 1) / count
    middles = (edges[:-1] + edges[1:]) / 2
    times = np.asarray(fp.times, dtype=np.float64)
    order = np.argsort(times, kind="stable")
    right = np.clip(np.searchsorted(times[order], middles), 0, len(order) - 1)
    left = np.maximum(right - 1, 0)
    closer = np.abs(times[order][left] - middles) <= np.abs(times[order][right] - middles)
    return order[np.where(closer, left, right)], edges


def default_step(a: Fingerprint, b: Fingerprint) -> float:
    """The coarser film's sample spacing, made coarser if the two films would have more
    colour pairs than the budget (1000 × 1000 moments of 5 colours)."""
    span_a, span_b = (_length(fp) for fp in (a, b))
    spacing = max(span_a / len(a), span_b / len(b))
    budget = math.sqrt(span_a * span_b * a.k * b.k / _PAIR_BUDGET)
    return float(max(spacing, budget, max(span_a, span_b) / MAX_MOMENTS))


def align_sequences(
    a: Fingerprint,
    b: Fingerprint,
    *,
    gap: float = GAP,
    gap_open: float = GAP_OPEN,
    step: float | None = None,
) -> SequenceAlignment:
    """Align film ``a``'s moments with film ``b``'s, globally and locally, on moments of
    ``step`` seconds (default `default_step`); a run of L unmatched moments costs
    ``gap_open + gap·L`` ΔE2000."""
    if not (_number(gap) and gap > 0):
        raise InvalidParameterError(f"gap must be a positive number of ΔE2000, not {gap!r}.")
    if not (_number(gap_open) and gap_open >= 0):
        raise InvalidParameterError(
            f"gap_open must be zero or a positive number of ΔE2000, not {gap_open!r}."
        )
    gap, gap_open = float(gap), float(gap_open)
    step = default_step(a, b) if step is None else step
    index_a, edges_a = moments(a, step=step)
    index_b, edges_b = moments(b, step=step)
    colors_a, shares_a = a.colors[index_a], normalised(a.shares[index_a])
    colors_b, shares_b = b.colors[index_b], normalised(b.shares[index_b])
    cost, path, local = _align(colors_a, shares_a, colors_b, shares_b, gap=gap,
                               gap_open=gap_open)
    n, m = cost.shape
    pairs = _pairs(path)
    pair_distance = cost[pairs[:, 0], pairs[:, 1]]
    total = path_cost(cost, path, gap=gap, gap_open=gap_open)
    slipped = _slips(path)
    local_pairs = _pairs(local)
    local_pair_distance = cost[local_pairs[:, 0], local_pairs[:, 1]]
    stretch = None
    if len(local_pairs):
        (i0, j0), (i1, j1) = local_pairs[0], local_pairs[-1]
        stretch = {"a": (float(edges_a[i0]), float(edges_a[i1 + 1])),
                   "b": (float(edges_b[j0]), float(edges_b[j1 + 1]))}
    return SequenceAlignment(
        # Leaving everything unmatched: one run in each film. The optimum costs no more.
        score=max(0.0, 1.0 - total / (gap * (n + m) + 2 * gap_open)),
        matched=2 * len(pairs) / (n + m),
        distance=_mean(pair_distance),
        pairs=pairs,
        pair_distance=pair_distance,
        gaps=(*_runs("a", np.concatenate([pairs[:, 0], slipped[:, 0]]), edges_a),
              *_runs("b", np.concatenate([pairs[:, 1], slipped[:, 1]]), edges_b)),
        local=stretch,
        local_pairs=local_pairs,
        local_pair_distance=local_pair_distance,
        local_distance=_mean(local_pair_distance),
        times_a=np.asarray(a.times, dtype=np.float64)[index_a],
        times_b=np.asarray(b.times, dtype=np.float64)[index_b],
        edges_a=edges_a,
        edges_b=edges_b,
        gap=gap,
        gap_open=gap_open,
        step=float(step),
    )


def _align(
    colors_a: np.ndarray, shares_a: np.ndarray, colors_b: np.ndarray, shares_b: np.ndarray,
    *, gap: float, gap_open: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Global and local paths on exact costs where they run (module docstring): returns
    the cost matrix (exact on both paths, capped) and the two paths."""
    # A pair costing more than two new runs of one moment is never needed: cap there.
    cap = 2 * (gap_open + gap)
    relaxed = relaxed_distance(colors_a, shares_a, colors_b, shares_b)
    cost = np.minimum(relaxed, cap)
    exact = relaxed >= cap  # at or over the cap the bound is as good as the distance
    n, m = cost.shape
    while True:
        _, path = global_alignment(cost, gap=gap, gap_open=gap_open)
        _, local = local_alignment(cost, gap=gap / 2, gap_open=gap_open, threshold=gap)
        used = np.concatenate([_pairs(path), _pairs(local)])
        if exact[used[:, 0], used[:, 1]].all():
            return cost, _uncap(path, cost, cap), _uncap(local, cost, cap)
        # The pairs used and their neighbours: once a pair's bound is made exact, the
        # path tends to slip to the next cell, so solving those too saves rounds.
        near = (used[:, None, :] + _NEIGHBOURS[None]).reshape(-1, 2)
        near = near[(near >= 0).all(axis=1) & (near[:, 0] < n) & (near[:, 1] < m)]
        near = np.unique(near, axis=0)
        todo = near[~exact[near[:, 0], near[:, 1]]]
        rows, cols = todo[:, 0], todo[:, 1]
        found = exact_distance(colors_a, shares_a, colors_b, shares_b, rows=rows, cols=cols)
        cost[rows, cols] = np.minimum(found, cap)
        exact[rows, cols] = True


def _uncap(path: np.ndarray, cost: np.ndarray, cap: float) -> np.ndarray:
    """A pair at the cap costs what two gaps do, and is not a match: make it two gaps."""
    steps: list[tuple[int, int]] = []
    for i, j in path.tolist():
        if i >= 0 and j >= 0 and cost[i, j] >= cap:
            steps += [(i, -1), (-1, j)]
        else:
            steps.append((i, j))
    return np.array(steps, dtype=np.int64).reshape(-1, 2)


def _pairs(path: np.ndarray) -> np.ndarray:
    return path[(path[:, 0] >= 0) & (path[:, 1] >= 0)]


def _slips(path: np.ndarray) -> np.ndarray:
    """(i, j) for each lone unmatched moment i of a that a lone unmatched moment j of b
    undoes at the next gap (or the reverse): a sampling slip, not an edit.

    Two fingerprints sample a film at different instants, up to half a step apart, and
    the offset drifts when their spacings differ; at a shot change the two films' moments
    can then fall on either side of the cut, and the alignment shifts by one moment for a
    while, or pairs neither (one moment each, side by side). Such moments stay unmatched
    but are not listed in the gaps: an edit that short is below what sampling resolves."""
    paired = (path[:, 0] >= 0) & (path[:, 1] >= 0)
    bounds = np.flatnonzero(np.diff(np.concatenate([[1], paired.astype(np.int8), [1]])))
    blocks = [path[start:stop] for start, stop in zip(bounds[::2], bounds[1::2], strict=True)]
    found = []
    k = 0
    while k < len(blocks):
        block = blocks[k]
        in_a, in_b = block[block[:, 0] >= 0, 0], block[block[:, 1] >= 0, 1]
        if len(in_a) == 1 and len(in_b) == 1:  # side by side
            found.append((in_a[0], in_b[0]))
        elif len(block) == 1 and k + 1 < len(blocks) and len(blocks[k + 1]) == 1:
            nxt = blocks[k + 1][0]
            if (block[0, 0] >= 0) != (nxt[0] >= 0):  # one in each film: undone
                found.append((max(block[0, 0], nxt[0]), max(block[0, 1], nxt[1])))
                k += 1
        k += 1
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def _runs(film: Literal["a", "b"], matched: np.ndarray, edges: np.ndarray) -> list[Run]:
    """Runs of consecutive moments not among ``matched``, as `Run`s in seconds."""
    alone = np.ones(len(edges) - 1, bool)
    alone[matched] = False
    change = np.diff(np.concatenate([[0], alone.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    return [Run(film, float(edges[s]), float(edges[e])) for s, e in zip(starts, stops,
                                                                          strict=True)]


def _length(fp: Fingerprint) -> float:
    lo, hi = analysed_span(fp)
    return hi - lo


def _number(x: object) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(
        x, bool
    ) and math.isfinite(x)


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else math.nan


def _num(x: float) -> float | None:
    """A float for JSON: rounded, NaN as null."""
    return None if math.isnan(x) else round(float(x), 4)
