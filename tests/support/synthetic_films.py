"""Synthetic films for sequence alignment: footage with scenes and shots, and films edited
from it (cut, inserted, clipped), sampled as a fingerprint would be.

Footage is made to behave like real fingerprints: a scene's shots share a family of
colours, scenes differ more, colours drift slowly within a shot, and each sample adds
k-means jitter. The same instant sampled twice is 1.4 ΔE2000 apart at the median and 3.2
at the 99th percentile (a little more than real: bbb_30s in demo/ analysed twice,
577 and 600 samples, seeds 0 and 1, nearest instants: 0.4 and 3.5); moments 5 s apart,
12 at the median and under 8.7 for a quarter of them (bbb_30s: 14 and 7.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fingerprint.model import Fingerprint

from .fingerprints import make_fingerprint

# The edits whose answers the alignment tests know (`tests/conftest.py`'s edit_* fixtures):
# 120 s of footage, a film of all of it, one with EDIT_CUT cut out, a clip of EDIT_CLIP.
EDIT_LENGTH = 120.0
EDIT_CUT = (41.3, 63.7)
EDIT_CLIP = (71.1, 91.1)

# k-means jitter of one sample: sRGB codes on each colour, and on each share (module
# docstring: what they give).
JITTER = 0.8
SHARE_JITTER = 0.01


@dataclass(frozen=True, eq=False)
class Footage:
    """Continuous footage: shots starting at ``starts`` (S,) seconds, each with its
    colours (S, k, 3) in sRGB codes (float), a drift over the shot (S, k, 3) and shares
    (S, k)."""

    duration: float
    starts: np.ndarray
    colors: np.ndarray
    drift: np.ndarray
    shares: np.ndarray


def footage(seed: int, duration: float, *, k: int = 5) -> Footage:
    """Scenes of 8-30 s, cut into shots of 1.5-6 s that vary the scene's colours."""
    rng = np.random.default_rng(seed)
    starts, colors, drift, shares = [], [], [], []
    t = 0.0
    while t < duration:
        scene_end = t + rng.uniform(8, 30)
        scene = rng.uniform(10, 245, (k, 3))
        while t < min(scene_end, duration):
            starts.append(t)
            colors.append(np.clip(scene + rng.normal(0, 10, (k, 3)), 0, 255))
            drift.append(rng.normal(0, 4, (k, 3)))
            shares.append(np.sort(rng.dirichlet(np.full(k, 2.0)))[::-1])
            t += rng.uniform(1.5, 6)
    return Footage(duration, np.array(starts), np.array(colors), np.array(drift),
                   np.array(shares))


def palettes(source: Footage, times: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray,
                                                                                      ...]:
    """Palettes of ``source`` at ``times`` (seconds of the footage), with sampling jitter:
    colors (N, k, 3) uint8 and shares (N, k), largest share first."""
    shot = np.clip(np.searchsorted(source.starts, times, side="right") - 1, 0, None)
    ends = np.append(source.starts[1:], source.duration)[shot]
    progress = (times - source.starts[shot]) / (ends - source.starts[shot]) - 0.5
    colors = source.colors[shot] + source.drift[shot] * progress[:, None, None]
    colors = np.rint(np.clip(colors + rng.normal(0, JITTER, colors.shape), 0, 255))
    shares = np.clip(source.shares[shot] + rng.normal(0, SHARE_JITTER, source.shares[shot].shape),
                     0.01, None)
    shares /= shares.sum(axis=1, keepdims=True)
    order = np.argsort(-shares, axis=1)
    shares = np.take_along_axis(shares, order, axis=1)
    colors = np.take_along_axis(colors, order[:, :, None], axis=1)
    return colors.astype(np.uint8), shares


def film(
    pieces: list[tuple[Footage, float, float]], *, spacing: float = 0.5, seed: int = 1,
    name: str = "edit.mp4",
) -> Fingerprint:
    """A film edited from ``pieces`` (footage, from, to) in order, sampled every
    ``spacing`` seconds at the slots' middles (as `sample` takes them)."""
    lengths = np.array([end - begin for _, begin, end in pieces])
    duration = float(lengths.sum())
    count = round(duration / spacing)
    times = (np.arange(count) + 0.5) * duration / count
    piece_starts = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    which = np.searchsorted(piece_starts, times, side="right") - 1
    rng = np.random.default_rng(seed)
    colors = np.empty((count, pieces[0][0].colors.shape[1], 3), np.uint8)
    shares = np.empty(colors.shape[:2])
    for p, (source, begin, _) in enumerate(pieces):
        here = which == p
        colors[here], shares[here] = palettes(source, begin + times[here] - piece_starts[p],
                                              rng)
    return make_fingerprint(colors, shares, duration=duration, name=name)
