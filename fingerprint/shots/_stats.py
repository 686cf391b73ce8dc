"""Cinemetrics of a film's shots: count, average and median length, a histogram of
lengths (`shot_stats`), and the shots as CSV rows (`shots_to_csv`).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from ..model import Shot, to_hex


@dataclass(frozen=True)
class ShotStats:
    """Cinemetrics' measures of a film's cutting: shot count, average (ASL) and median
    shot length in seconds, and a histogram of lengths (``counts`` per bin of ``edges``)."""

    count: int
    average: float
    median: float
    edges: np.ndarray
    counts: np.ndarray


def shot_stats(shots: tuple[Shot, ...] | list[Shot], *, bins: int = 20) -> ShotStats:
    """Count, average and median length and a histogram of the shots' lengths."""
    lengths = np.array([s.end - s.start for s in shots], np.float64)
    if not len(lengths):
        return ShotStats(0, math.nan, math.nan, np.zeros(1), np.zeros(0, np.int64))
    counts, edges = np.histogram(lengths, bins=bins, range=(0.0, float(lengths.max()) or 1.0))
    return ShotStats(len(lengths), float(lengths.mean()), float(np.median(lengths)),
                     edges, counts)


def shots_to_csv(shots: tuple[Shot, ...] | list[Shot]) -> str:
    """One row per shot: its number, start, end and length (s), then color_i, share_i."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    k = len(shots[0].colors) if shots else 0
    writer.writerow(["shot", "start", "end", "length"]
                    + [f"{name}_{i + 1}" for i in range(k) for name in ("color", "share")])
    for n, shot in enumerate(shots):
        pairs = [v for c, s in zip(to_hex(shot.colors), shot.shares, strict=True)
                 for v in (c, f"{s:.4f}")]
        writer.writerow([n + 1, f"{shot.start:.3f}", f"{shot.end:.3f}",
                         f"{shot.end - shot.start:.3f}", *pairs])
    return buf.getvalue()
