"""Each shot's pixels and palette: while `shots.find_shots` decodes, a reservoir of
`POOL` pixels per shot drawn evenly from all its frames (whatever the shot's length, so
memory does not grow with the film); then k-means over each reservoir (`kmeans.palettes`).

What the decoding yields, `ShotPixels` (boundaries and reservoirs), depends on neither k
nor the colour space: the cache keeps it, and another k only clusters the reservoirs again.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from ..model import Shot
from ..palette._kmeans import palettes

# Pixels kept per shot for its palette: a 32 x 32 grid to `kmeans.palettes`, which then
# clusters every one of them.
POOL = 1024
# Frames pooled at once: at a few pixels a frame, each numpy call costs more than its
# arithmetic (8.6 -> 5.2 µs a frame, and 2.0 with the pixels drawn in batches too:
# docs/benchmarks.md, "Shots' cost, cut").
_BATCH = 32


class Reservoirs:
    """Pixels of each shot, a bounded uniform sample (reservoir) of every frame's pixels.

    Frames wait `latency` frames before being pooled (and then `_BATCH` at a time), so the
    boundaries before them are known by then and each frame's pixels go to its own shot.
    The boundaries passed in are sorted."""

    def __init__(self, latency: int, rng: np.random.Generator) -> None:
        self.pending: deque[tuple[float, np.ndarray]] = deque()
        self.latency = latency
        self.rng = rng
        self.starts: list[float] = []  # each segment's first frame time
        self.pools: list[np.ndarray] = []
        self.seen: list[int] = []

    def add(self, t: float, pixels: np.ndarray, boundaries: list[float]) -> None:
        self.pending.append((t, pixels))
        if len(self.pending) > self.latency + _BATCH:
            self._pool([self.pending.popleft() for _ in range(_BATCH)], boundaries)

    def flush(self, boundaries: list[float]) -> None:
        self._pool(list(self.pending), boundaries)
        self.pending.clear()

    def _pool(self, frames: list[tuple[float, np.ndarray]], boundaries: list[float]) -> None:
        """Pool ``frames`` (in order), each run of them inside one segment at once."""
        run: list[np.ndarray] = []
        for t, pixels in frames:
            # A boundary since the segment's start: the ``boundaries`` (sorted) are a
            # film's thousands by its end, so they are searched, not scanned.
            after = bisect.bisect_right(boundaries, self.starts[-1]) if self.starts else 0
            if not self.starts or (after < len(boundaries) and boundaries[after] <= t + 1e-6):
                if run:
                    self._sample(np.concatenate(run))
                    run = []
                self.starts.append(t)
                self.pools.append(np.empty((0, 3), np.uint8))
                self.seen.append(0)
            run.append(pixels)
        if run:
            self._sample(np.concatenate(run))

    def _sample(self, pixels: np.ndarray) -> None:
        """Pixels seen, in order, into the last segment's reservoir."""
        pool, seen = self.pools[-1], self.seen[-1]
        room = POOL - len(pool)
        if room > 0:
            pool = np.concatenate([pool, pixels[:room]])
            pixels = pixels[room:]
            seen += room
        if len(pixels):
            # Reservoir sampling: pixel number j (from 1) replaces a random slot with
            # probability POOL / j, so every pixel seen is kept with equal chance (of
            # several for one slot, the last, as one at a time).
            j = seen + np.arange(1, len(pixels) + 1)
            keep = self.rng.random(len(pixels)) < POOL / j
            slots = self.rng.integers(0, POOL, int(keep.sum()))
            pool[slots] = pixels[keep]
            seen += len(pixels)
        self.pools[-1], self.seen[-1] = pool, seen


@dataclass(frozen=True, eq=False)
class ShotPixels:
    """The shots of a span before any palette: shot i is [``edges[i]``, ``edges[i + 1]``)
    seconds, ``edges`` (n + 1,) float64 increasing, and ``pixels[i]`` (`POOL`, 3) uint8
    RGB its reservoir (all black for a shot shorter than a frame)."""

    edges: np.ndarray
    pixels: np.ndarray


def merge_segments(
    segments: list[tuple[float, np.ndarray, int]], boundaries: list[float], *, seed: int
) -> np.ndarray:
    """The reservoirs (shots, `POOL`, 3) uint8 of the shots the ``boundaries`` (sorted,
    seconds) delimit, from each decoder's segments, (first frame's time, reservoir, pixels
    seen): a shot crossing the seam between two decoders' parts has a segment in each."""
    found: list[list[tuple[np.ndarray, int]]] = [[] for _ in range(len(boundaries) + 1)]
    for t, pixels, seen in segments:
        found[bisect.bisect_right(boundaries, t + 1e-6)].append((pixels, seen))
    rng = np.random.default_rng(seed)
    grid = np.zeros((len(found), POOL, 3), np.uint8)
    for i, pools in enumerate(found):
        if not pools:
            continue  # a shot shorter than a frame: its palette is black
        # Each segment's share of the shot's pixels follows how many pixels it saw.
        seen = np.array([n for _, n in pools], np.float64)
        takes = rng.multinomial(POOL, seen / seen.sum())
        grid[i] = np.concatenate(
            [pixels[rng.integers(0, len(pixels), n)] for (pixels, _), n in zip(pools, takes,
                                                                              strict=True)]
        )
    return grid


def shot_palettes(
    found: ShotPixels, *, k: int = 5, color_space: str = "lab", seed: int = 0
) -> tuple[Shot, ...]:
    """Each shot of ``found`` with its palette of ``k`` colours clustered in
    ``color_space``: no video is read (seconds for a feature film's shots)."""
    n = len(found.pixels)
    side = math.isqrt(POOL)
    colors, shares = palettes(found.pixels.reshape(n, side, POOL // side, 3), k=k,
                              color_space=color_space, seed=seed)
    edges = found.edges
    return tuple(
        Shot(start=float(edges[i]), end=float(edges[i + 1]), colors=colors[i], shares=shares[i])
        for i in range(n)
    )
