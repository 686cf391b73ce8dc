"""Needleman-Wunsch and Smith-Waterman with affine gaps on a cost matrix, one numpy pass
per row.

- `global_alignment`: the cheapest alignment of two whole sequences (Needleman and
  Wunsch 1970).
- `local_alignment`: the best-matching stretches of the two (Smith and Waterman 1981).

Both take ``cost`` (n, m), the cost of pairing element i of one sequence with element j
of the other; a run of L unpaired elements costs ``gap_open + gap·L`` (Gotoh 1982), so
that one cut of 40 moments is one run, not several that slip around inside a still shot
where pairing a moment or its neighbour costs the same. They return a path: an (L, 2)
int array of steps in order, ``(i, j)`` a pair, ``(i, -1)`` element i of the first
sequence unpaired (a gap in the second), ``(-1, j)`` the reverse.

Why rows: the pair and the vertical gap depend only on the row above, so each is one
vectorised operation; the horizontal gaps chain along the row, but a horizontal run
starting at k and ending at j costs ``open + gap·(j - k)``, so their best is a running
minimum over k of (best without a horizontal gap at k) + open - gap·k, plus gap·j:
``np.minimum.accumulate`` (opening a run right after another is never better than
extending it, as open ≥ 0). A 1000 × 1000 matrix takes a few tens of milliseconds; the
moves are kept (four int8 tables) and read back from the end. Ties go to the pair, then
to the vertical gap, so equal-cost alignments come out the same way every time.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError

__all__ = ["global_alignment", "local_alignment", "path_cost"]

# States of a cell: its best ends with a pair, a vertical gap (an element of the first
# sequence unpaired), a horizontal gap, or (local only) nothing: the stretch starts after.
_PAIR, _UP, _LEFT, _STOP = 0, 1, 2, 3


def global_alignment(
    cost: np.ndarray, *, gap: float, gap_open: float = 0.0
) -> tuple[float, np.ndarray]:
    """Needleman-Wunsch: the alignment of all of both sequences with the least total of
    pair costs plus ``gap_open + gap·L`` per run of L unpaired elements. Returns (total,
    path)."""
    cost = _check(cost, gap, gap_open)
    n, m = cost.shape
    steps = np.arange(m + 1)
    ramp = gap * steps
    row = np.where(steps > 0, gap_open + ramp, 0.0)  # nothing of the first: one run
    vertical = np.full(m + 1, np.inf)
    tables = _Tables(n, m)
    for i in range(n):
        pair = np.full(m + 1, np.inf)
        pair[1:] = row[:-1] + cost[i]
        extend, start = vertical + gap, row + gap_open + gap
        vertical = np.minimum(extend, start)
        no_left = np.minimum(pair, vertical)
        # Horizontal runs: the best start k < j, a running minimum (module docstring).
        u = no_left + gap_open - ramp
        best = np.minimum.accumulate(u)
        left = np.full(m + 1, np.inf)
        left[1:] = best[:-1] + ramp[1:]
        row = np.minimum(no_left, left)
        tables.keep(i, pair, vertical, left, extend < start, best, u, better=np.less)
    path = tables.trace(n, m, local=False)
    return path_cost(cost, path, gap=gap, gap_open=gap_open), path


def local_alignment(
    cost: np.ndarray, *, gap: float, threshold: float, gap_open: float = 0.0
) -> tuple[float, np.ndarray]:
    """Smith-Waterman: the stretch of each sequence whose alignment scores highest, a
    pair scoring ``threshold - cost`` and a run of L unpaired elements ``-(gap_open +
    gap·L)``. Returns (score, path); the path is empty when no pair costs less than
    ``threshold``."""
    cost = _check(cost, gap, gap_open)
    if not np.isfinite(threshold):
        raise InvalidParameterError(f"threshold must be a finite number, not {threshold}.")
    n, m = cost.shape
    ramp = gap * np.arange(m + 1)
    row = np.zeros(m + 1)
    vertical = np.full(m + 1, -np.inf)
    tables = _Tables(n, m)
    best_score, best_cell = 0.0, (0, 0)
    for i in range(n):
        pair = np.full(m + 1, -np.inf)
        pair[1:] = row[:-1] + (threshold - cost[i])
        extend, start = vertical - gap, row - gap_open - gap
        vertical = np.maximum(extend, start)
        no_left = np.maximum(pair, vertical)
        u = no_left - gap_open + ramp
        best = np.maximum.accumulate(u)
        left = np.full(m + 1, -np.inf)
        left[1:] = best[:-1] - ramp[1:]
        row = np.maximum(np.maximum(no_left, left), 0.0)
        tables.keep(i, pair, vertical, left, extend > start, best, u, better=np.greater)
        tables.state[i][row <= 0] = _STOP
        j = int(np.argmax(row))
        if row[j] > best_score:
            best_score, best_cell = float(row[j]), (i + 1, j)
    if best_score <= 0:
        return 0.0, np.zeros((0, 2), np.int64)
    path = tables.trace(*best_cell, local=True)
    return -path_cost(cost - threshold, path, gap=gap, gap_open=gap_open), path


class _Tables:
    """The moves of every cell (rows 1..n, columns 0..m), for reading the path back:
    ``state`` the cell's best, ``up_extends``/``left_extends`` whether its vertical /
    horizontal run goes on before it, ``up_after_up`` whether the best before a
    horizontal run there ends with a vertical gap rather than a pair."""

    def __init__(self, n: int, m: int) -> None:
        self.state = np.empty((n, m + 1), np.int8)
        self.up_extends = np.empty((n, m + 1), bool)
        self.left_extends = np.zeros((n, m + 1), bool)
        self.up_after_up = np.empty((n, m + 1), bool)

    def keep(
        self, i: int, pair: np.ndarray, vertical: np.ndarray, left: np.ndarray,
        extends: np.ndarray, best: np.ndarray, u: np.ndarray, *, better: np.ufunc,
    ) -> None:
        """Row i's moves from its candidates (``better``: np.less to minimise, np.greater
        to maximise); ``best``/``u`` the running optimum of horizontal-run starts."""
        up_wins = better(vertical, pair)
        self.up_after_up[i] = up_wins
        self.up_extends[i] = extends
        # Run to j extends the run to j - 1 when its best start lies before j - 1.
        self.left_extends[i, 2:] = better(best[:-2], u[1:-1])
        state = np.where(up_wins, _UP, _PAIR).astype(np.int8)
        state[better(left, np.where(up_wins, vertical, pair))] = _LEFT
        self.state[i] = state

    def trace(self, i: int, j: int, *, local: bool) -> np.ndarray:
        """Read the moves back from cell (i, j) to the start: (0, 0) for a global
        alignment, the first cell with nothing before it for a local one."""
        steps: list[tuple[int, int]] = []
        state = int(self.state[i - 1, j]) if i > 0 else _LEFT
        while i > 0 and j > 0 and state != _STOP:
            if state == _PAIR:
                i, j = i - 1, j - 1
                steps.append((i, j))
                nxt = int(self.state[i - 1, j]) if i > 0 else _STOP
            elif state == _UP:
                extends = self.up_extends[i - 1, j]
                i -= 1
                steps.append((i, -1))
                nxt = _UP if extends else (int(self.state[i - 1, j]) if i > 0 else _STOP)
            else:
                extends = self.left_extends[i - 1, j]
                j -= 1
                steps.append((-1, j))
                nxt = _LEFT if extends else (_UP if self.up_after_up[i - 1, j] else _PAIR)
            state = nxt
        if not local:  # what is left of one sequence is one run against nothing
            steps += [(-1, jj) for jj in range(j - 1, -1, -1)]
            steps += [(ii, -1) for ii in range(i - 1, -1, -1)]
        path = np.array(steps[::-1], dtype=np.int64).reshape(-1, 2)
        if local:  # a stretch never starts or ends with a gap: it would score more without
            paired = np.flatnonzero((path[:, 0] >= 0) & (path[:, 1] >= 0))
            path = path[paired[0] : paired[-1] + 1] if len(paired) else path[:0]
        return path


def path_cost(cost: np.ndarray, path: np.ndarray, *, gap: float, gap_open: float) -> float:
    """A path's cost: its pairs' costs, ``gap`` per unpaired element and ``gap_open`` per
    run of them (a run in one sequence right after a run in the other is a new run)."""
    paired = (path[:, 0] >= 0) & (path[:, 1] >= 0)
    pairs = path[paired]
    kind = np.where(paired, 0, np.where(path[:, 1] < 0, 1, 2))
    runs = int(np.sum((kind != 0) & (np.diff(np.concatenate([[0], kind])) != 0)))
    unpaired = len(path) - len(pairs)
    return float(cost[pairs[:, 0], pairs[:, 1]].sum() + gap * unpaired + gap_open * runs)


def _check(cost: np.ndarray, gap: float, gap_open: float) -> np.ndarray:
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise InvalidParameterError(f"cost must be an (n, m) matrix, not {cost.shape}.")
    if not np.isfinite(cost).all():
        raise InvalidParameterError("cost must be finite; cap large costs instead of inf.")
    if not (np.isfinite(gap) and gap > 0):
        raise InvalidParameterError(f"gap must be a positive number, not {gap}.")
    if not (np.isfinite(gap_open) and gap_open >= 0):
        raise InvalidParameterError(f"gap_open must be zero or more, not {gap_open}.")
    return cost
