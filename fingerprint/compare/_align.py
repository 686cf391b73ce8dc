"""Films on a shared time axis: each film's samples placed on 0-1 of its analysed span,
cut into equal bins, with a palette and curves per bin.

- **Alignment.** Each film's samples are placed on a normalised time axis, 0 to 1 of its
  analysed span (``params.start``..``params.end``, else the whole film; cut short to the
  last decoded sample when the video stopped decoding early), so films of different
  lengths and sample counts line up by relative running time. The axis is cut into
  ``bins`` equal bins. A bin's *palette* is the palette of the sample nearest the bin's
  centre: a palette is a set of colours and does not average, and a real sample's palette
  is what the user sees in the fingerprint. The *curves* (numbers) are averaged over the
  samples that fall in each bin, and interpolated where a bin holds none.
- **Curves** (per sample, from the share-weighted palette in CIELAB): lightness L*,
  chroma C*ab, and *warmth*, the share-weighted mean of each colour's (a*, b*) projected
  on the orange-blue axis (hue angle 60° to 240°): positive warm, negative cool, 0
  neutral or balanced, in CIELAB units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidParameterError
from ..model import COLOR, Fingerprint, VideoInfo
from ..palette._color import as_rgb, rgb_to_lab
from ..params import Params
from ._transport import normalised

__all__ = [
    "CURVES",
    "MAX_BINS",
    "Aligned",
    "align",
    "analysed_span",
    "bin_centres",
    "check_bins",
    "curves",
    "positions",
    "resample",
]

#: The most bins a film is cut into.
MAX_BINS = 2000
#: Curve names, in display order.
CURVES = ("lightness", "chroma", "warmth")
# Hue angle (degrees, CIELAB) of the warm pole; the cool pole is opposite it.
_WARM_HUE = 60.0


def analysed_span(fp: Fingerprint) -> tuple[float, float]:
    """(start, end) seconds of the span the fingerprint covers: its ``start``/``end``
    settings, else the whole film; ended at the last decoded sample's slot when the video
    stopped decoding early (fewer samples than asked for)."""
    lo = 0.0 if fp.params.start is None else float(fp.params.start)
    hi = float(fp.video.duration)
    if fp.params.end is not None:
        hi = min(hi, float(fp.params.end))
    times = np.asarray(fp.times, dtype=np.float64)
    if len(times) and len(times) < fp.params.samples and np.isfinite(times).all():
        slot = (hi - lo) / fp.params.samples
        hi = min(hi, float(times.max()) + slot / 2)
    if not hi > lo:  # a degenerate header: fall back on the samples themselves
        lo, hi = float(np.min(times)), float(np.max(times))
        if not hi > lo:
            hi = lo + 1.0
    return lo, hi


def positions(fp: Fingerprint) -> np.ndarray:
    """Each sample's place on the normalised time axis, 0 to 1 of the analysed span."""
    lo, hi = analysed_span(fp)
    return np.clip((np.asarray(fp.times, dtype=np.float64) - lo) / (hi - lo), 0.0, 1.0)


def bin_centres(bins: int) -> np.ndarray:
    """Centres of ``bins`` equal bins of the normalised axis [0, 1]."""
    return (np.arange(bins) + 0.5) / bins


def resample(values: np.ndarray, where: np.ndarray, *, bins: int) -> np.ndarray:
    """Per-sample ``values`` (N, ...) at sorted positions ``where`` (N,) onto ``bins`` bins:
    the mean of the samples inside each bin, linear interpolation for bins with none."""
    values = np.asarray(values, dtype=np.float64)
    where = np.asarray(where, dtype=np.float64)
    flat = values.reshape(len(values), -1)
    index = np.minimum((where * bins).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    out = np.empty((bins, flat.shape[1]))
    centres = bin_centres(bins)
    for col in range(flat.shape[1]):
        sums = np.bincount(index, weights=flat[:, col], minlength=bins)
        out[:, col] = np.where(
            counts > 0, sums / np.maximum(counts, 1), np.interp(centres, where, flat[:, col])
        )
    return out.reshape((bins, *values.shape[1:]))


@dataclass(frozen=True, eq=False)
class Aligned:
    """One film on the shared axis of ``bins`` bins.

    ``index`` (bins,) the sample shown in each bin (nearest the bin's centre), ``times``
    its time in seconds, ``colors``/``shares``/``average`` its palette and mean colour;
    ``lightness``, ``chroma`` and ``warmth`` (bins,) the curves averaged over each bin's
    samples. ``span`` is the analysed span in seconds.
    """

    video: VideoInfo
    params: Params
    span: tuple[float, float]
    index: np.ndarray
    times: np.ndarray
    colors: np.ndarray = field(metadata=COLOR)
    shares: np.ndarray
    average: np.ndarray = field(metadata=COLOR)
    lightness: np.ndarray
    chroma: np.ndarray
    warmth: np.ndarray

    @property
    def name(self) -> str:
        return self.video.name

    def curve(self, name: str) -> np.ndarray:
        if name not in CURVES:
            raise InvalidParameterError(f"no curve {name!r}; curves are {', '.join(CURVES)}.")
        return getattr(self, name)

    def fingerprint(self) -> Fingerprint:
        """The aligned film as a `Fingerprint` of one sample per bin, for everything that
        draws fingerprints (strips, posters)."""
        return Fingerprint(
            video=self.video, params=self.params, times=self.times, colors=self.colors,
            shares=self.shares, average=self.average,
        )


def align(fp: Fingerprint, *, bins: int) -> Aligned:
    """Put a film on ``bins`` equal bins of its normalised running time (see the module
    docstring), whatever its length and number of samples."""
    bins = check_bins(bins)
    order = np.argsort(np.asarray(fp.times, dtype=np.float64), kind="stable")
    where = positions(fp)[order]
    colors, shares = fp.colors[order], normalised(fp.shares[order])
    # Nearest sample to each bin centre: the neighbour left or right of its insertion point.
    centres = bin_centres(bins)
    right = np.clip(np.searchsorted(where, centres), 0, len(where) - 1)
    left = np.maximum(right - 1, 0)
    nearest = np.where(np.abs(where[left] - centres) <= np.abs(where[right] - centres), left, right)
    per_sample = curves(colors, shares)
    binned = resample(np.stack(per_sample, axis=1), where, bins=bins)
    return Aligned(
        video=fp.video,
        params=fp.params,
        span=analysed_span(fp),
        index=order[nearest],
        times=np.asarray(fp.times, dtype=np.float64)[order][nearest],
        colors=colors[nearest],
        shares=shares[nearest],
        average=np.asarray(fp.average)[order][nearest],
        lightness=binned[:, 0],
        chroma=binned[:, 1],
        warmth=binned[:, 2],
    )


def curves(colors: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per palette (colors (N, k, 3) uint8, shares (N, k)): share-weighted lightness L*,
    chroma C*ab and warmth (a*, b* on the orange-blue axis; positive warm)."""
    lab = rgb_to_lab(as_rgb(colors)).astype(np.float64)
    w = normalised(shares)
    angle = math.radians(_WARM_HUE)
    lightness = (w * lab[..., 0]).sum(axis=-1)
    chroma = (w * np.hypot(lab[..., 1], lab[..., 2])).sum(axis=-1)
    warmth = (w * (lab[..., 1] * math.cos(angle) + lab[..., 2] * math.sin(angle))).sum(axis=-1)
    return lightness, chroma, warmth


def check_bins(bins: int) -> int:
    """``bins`` as an int, refused unless it is a whole number from 1 to `MAX_BINS`."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise InvalidParameterError(f"bins must be a whole number, not {bins!r}.")
    if not 1 <= bins <= MAX_BINS:
        raise InvalidParameterError(f"bins must be between 1 and {MAX_BINS}, not {bins}.")
    return int(bins)
