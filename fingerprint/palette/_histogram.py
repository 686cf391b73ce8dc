"""Colour histograms: each frame's pixels as the colours of a grid, with their counts.

A frame of 57,600 pixels (320×180) holds tens of thousands of distinct colours, but a few
thousand once each sRGB channel is cut into 32 levels of 8 codes (a bin a few ΔE2000
wide). k-means on those bins, each weighted by its pixel count and placed at the mean of
its pixels, is k-means on every pixel of the frame up to where a bin's pixels would have
been split between two clusters (`fingerprint.palette._kmeans.histogram_palettes`). A
frame of few colours (greys, a black-and-white film) is binned finer, down to its exact
colours, as long as it keeps to `BIN_BUDGET` bins: there the clusters are close, and
8-code bins would straddle them. The histograms do not depend on k or the colour space,
so another k reclusters them without the frames (`fingerprint.cache`).

A bin's mean is kept in fixed point, 1/32 of a code (``MEAN_SCALE``): exact enough for
any colour difference a person sees, and what makes a bin's CIELAB colour a table lookup.
Everything is a pure function on numpy arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import InvalidParameterError
from ._color import RGB_TO_XYZN, check_frames, srgb_to_linear, xyzn_to_lab

__all__ = [
    "MEAN_SCALE",
    "Histograms",
    "cell_starts",
    "color_histograms",
    "extend",
    "frames_of",
    "histogram_points",
]

# Levels per channel: 2**5 = 32 (bins of 8 codes) at least, finer (up to every code) while
# the frame keeps to BIN_BUDGET bins (docs/benchmarks.md, "Fourth round: histograms").
COARSEST_BITS = 5
BIN_BUDGET = 4096
MEAN_SCALE = 32  # a bin's mean colour in 1/32 of a code
# Frames whose keys are made at once: 4 frames' keys at 320 px (0.9 MB) stay in a core's
# L2 cache through the three lookups that build them; 16 (3.7 MB) did not, and 100 frames'
# histograms took 102 ms instead of 81 (the same bins).
_CHUNK = 4


def _spread(codes: np.ndarray) -> np.ndarray:
    """Each bit i of an 8-bit code moved to bit 3i."""
    out = np.zeros_like(codes)
    for i in range(8):
        out |= ((codes >> i) & 1) << (3 * i)
    return out


# A pixel's sort key interleaves its channels' bits, most significant first (red, green,
# blue, then the next bit of each): the key's top 3L bits are its bin at L bits a channel,
# so sorting a frame's keys groups the pixels of each bin together at every level at once.
_CODES = np.arange(256, dtype=np.uint32)
_KEY = np.stack([_spread(_CODES) << 2, _spread(_CODES) << 1, _spread(_CODES)])
# 12 interleaved bits (4 of each channel) back to the channels, packed in one int64 at
# 21-bit spacing (red << 42 | green << 21 | blue), so one sum adds all three: each sum of
# offsets inside a bin of at most 8 codes stays below 2**21 for up to 299,593 pixels.
_TWELVE = np.arange(4096, dtype=np.int64)
_UNPACK = sum(
    (((_TWELVE >> (3 * i + 2)) & 1) << (42 + i))
    | (((_TWELVE >> (3 * i + 1)) & 1) << (21 + i))
    | (((_TWELVE >> (3 * i)) & 1) << i)
    for i in range(4)
)
_FIELD = 2**21 - 1
_PACKED_PIXELS = _FIELD // 7


class Histograms(NamedTuple):
    """The occupied bins of ``n`` frames, frame after frame: frame ``i`` has bins
    ``offsets[i]:offsets[i + 1]``. ``counts`` (B,) uint32 pixels per bin; ``means``
    (B, 3) uint16 mean sRGB codes of its pixels times `MEAN_SCALE`; ``pixels`` per frame."""

    offsets: np.ndarray
    counts: np.ndarray
    means: np.ndarray
    pixels: int


def color_histograms(frames: np.ndarray) -> Histograms:
    """The colour histogram of each frame of an ``(N, H, W, 3)`` uint8 stack (any view):
    bins of 8 codes a channel, finer for a frame of few colours (`BIN_BUDGET`)."""
    frames = check_frames(frames)
    n, h, w, _ = frames.shape
    if h * w == 0:
        raise InvalidParameterError("frames must have at least one pixel.")
    whole = None
    for lo in range(0, n, _CHUNK):
        chunk = frames[lo : lo + _CHUNK]
        keys = np.take(_KEY[0], chunk[..., 0])
        keys |= np.take(_KEY[1], chunk[..., 1])
        keys |= np.take(_KEY[2], chunk[..., 2])
        keys = keys.reshape(len(chunk), h * w)
        keys.sort(axis=1)
        bins = [_frame_bins(frame_keys) for frame_keys in keys]
        del keys
        whole = extend(whole, Histograms(
            offsets=np.cumsum([0] + [len(c) for c, _ in bins]),
            counts=np.concatenate([c for c, _ in bins]),
            means=np.concatenate([m for _, m in bins]),
            pixels=h * w,
        ))
    if whole is None:
        return Histograms(np.zeros(1, np.int64), np.zeros(0, np.uint32),
                          np.zeros((0, 3), np.uint16), h * w)
    return whole


def frames_of(histograms: Histograms, lo: int, hi: int) -> Histograms:
    """The histograms of frames ``lo:hi`` (views, no copy)."""
    offsets = histograms.offsets[lo : hi + 1]
    return Histograms(
        offsets=offsets - offsets[0],
        counts=histograms.counts[offsets[0] : offsets[-1]],
        means=histograms.means[offsets[0] : offsets[-1]],
        pixels=histograms.pixels,
    )


def extend(whole: Histograms | None, part: Histograms) -> Histograms:
    """``whole`` (None: nothing yet) with ``part``'s frames after its own. ``whole``'s
    arrays grow in place and must have no views: a large array's realloc copies nothing
    (the kernel remaps its pages), so a film's histograms are never held twice while
    they are gathered (joining them at the end added 26 MB to a cold run's peak)."""
    if whole is None:
        return Histograms(np.array(part.offsets), np.array(part.counts), np.array(part.means),
                          part.pixels)
    start = len(whole.counts)
    counts, means = whole.counts, whole.means
    counts.resize(start + len(part.counts), refcheck=False)
    counts[start:] = part.counts
    means.resize((start + len(part.counts), 3), refcheck=False)
    means[start:] = part.means
    offsets = np.concatenate([whole.offsets, part.offsets[1:] + start])
    return Histograms(offsets, counts, means, whole.pixels)


def _frame_bins(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One frame's sorted keys to its bins' counts and mean codes (fixed point), at the
    finest level that keeps to `BIN_BUDGET` bins, or the coarsest."""
    # Two neighbours are in one bin at L bits a channel when their keys agree above the
    # 3 (8 - L) bits below it.
    change = keys[1:] ^ keys[:-1]
    for bits in range(8, COARSEST_BITS - 1, -1):
        low = 3 * (8 - bits)
        # Counted on a comparison, located once: `flatnonzero` of the shifted keys at
        # every level was 3/4 of the histograms' time (docs/benchmarks.md, "Fast mode:
        # where the seconds go").
        if np.count_nonzero(change >= 1 << low) < BIN_BUDGET:
            break
    edges = np.flatnonzero(change >= 1 << low)
    starts = np.concatenate([[0], edges + 1])
    counts = np.diff(starts, append=len(keys))
    first = keys[starts] & ~np.uint32(2**low - 1)
    corner = _UNPACK[first & 4095] + (_UNPACK[first >> 12] << 4)
    parts = np.stack([corner >> 42, (corner >> 21) & _FIELD, corner & _FIELD], axis=1)
    if not low:
        offsets_sum = np.zeros_like(parts)  # every bin is one colour
    elif len(keys) <= _PACKED_PIXELS:
        packed = np.add.reduceat(_UNPACK[keys & (2**low - 1)], starts)
        offsets_sum = np.stack([packed >> 42, (packed >> 21) & _FIELD, packed & _FIELD], 1)
    else:  # sums that could overflow their fields: one channel at a time
        offsets = _UNPACK[keys & (2**low - 1)]
        offsets_sum = np.stack(
            [np.add.reduceat((offsets >> s) & _FIELD, starts) for s in (42, 21, 0)], axis=1
        )
    # Rounded to the nearest 1/32 code: it stays inside its bin.
    half = counts[:, None] // 2
    means = parts * MEAN_SCALE + (offsets_sum * MEAN_SCALE + half) // counts[:, None]
    return counts.astype(np.uint32), means.astype(np.uint16)


def cell_starts(means: np.ndarray, bounds: np.ndarray, budget: int) -> np.ndarray:
    """Where cells of a coarser grid start among frames' bins in `color_histograms`' order
    (frame ``i`` is ``bounds[i]:bounds[i + 1]`` of ``means``): each frame's grid is the
    finest, at most as fine as its bins, with at most ``budget`` cells. Indices into the
    bins, sorted, every frame's first bin among them; a cell is a run of bins up to the
    next start, as the bins are in key order."""
    codes = (means >> int(np.log2(MEAN_SCALE))).astype(np.intp)
    keys = np.take(_KEY[0], codes[:, 0])
    keys |= np.take(_KEY[1], codes[:, 1])
    keys |= np.take(_KEY[2], codes[:, 2])
    # The fewest top key bits that tell each bin's cell from its predecessor's: a grid
    # of 2**t cells (t bits of the key: each channel halved in turn) splits them when
    # t reaches it.
    highest = np.frexp((keys[1:] ^ keys[:-1]).astype(np.float64))[1]  # bit length
    split = 25 - np.maximum(highest, 1)
    n = len(bounds) - 1
    frame = np.repeat(np.arange(n), np.diff(bounds))[1:]
    inner = np.ones(len(split), bool)
    inner[bounds[1:-1] - 1] = False  # a frame's first bin starts a cell whatever it is
    # Cells of each frame with each number of key bits 0-24: 1, plus the bins that split
    # from their predecessor there or with fewer bits.
    found = np.bincount(frame[inner] * 25 + split[inner], minlength=n * 25).reshape(n, 25)
    cells = 1 + np.cumsum(found, axis=1)
    level = 24 - np.argmax(cells[:, ::-1] <= budget, axis=1)  # the finest within budget
    begins = np.ones(len(means), bool)
    begins[1:] = ~inner | (split <= level[frame])
    return np.flatnonzero(begins)


# Each channel's fixed-point code to its share of normalised XYZ, as `_color`'s uint8 path
# does per code: a bin's CIELAB colour is three lookups and the cube roots.
_FINE_LINEAR = srgb_to_linear(np.arange(256 * MEAN_SCALE) / (255.0 * MEAN_SCALE))
_FINE_XYZN = np.ascontiguousarray(
    (_FINE_LINEAR[None, :, None] * RGB_TO_XYZN.T[:, None, :]).astype(np.float32)
)


def histogram_points(means: np.ndarray, color_space: str) -> np.ndarray:
    """Bins' mean colours (B, 3) fixed point to float32 points of the colour space:
    CIELAB, or sRGB codes for ``"rgb"``."""
    means = np.asarray(means)
    if color_space == "rgb":
        return means.astype(np.float32) * np.float32(1 / MEAN_SCALE)
    xyzn = np.take(_FINE_XYZN[0], means[:, 0], axis=0)
    xyzn += np.take(_FINE_XYZN[1], means[:, 1], axis=0)
    xyzn += np.take(_FINE_XYZN[2], means[:, 2], axis=0)
    lab = np.empty(xyzn.shape, np.float32)
    xyzn_to_lab(xyzn, lab)
    return lab
