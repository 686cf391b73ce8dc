"""Compare two films' colour: whole-film palettes, the difference strip, and scores.

Pure functions on two `Fingerprint`s (numpy in, numpy out, no Streamlit). The films are
put on a shared time axis by `fingerprint.compare._align`; palettes are compared by the earth
mover's distance of `fingerprint.compare._transport`.

Choices, and why:

- **Difference strip.** Per bin, the earth mover's distance (ΔE2000) between the two
  films' palettes there (`fingerprint.compare._transport` says why that distance).
- **Whole-film palette.** Every (colour, share) point of the film clustered together by
  share-weighted k-means in CIELAB (the colour space the palettes were found in);
  identical colours are pooled first, in a canonical order, so the result does not depend
  on the order of the samples (a time-reversed film has the same palette, exactly).
- **Scores.** ``palette_distance``: the EMD (ΔE2000) between the two whole-film palettes;
  ``palette_similarity = 1 / (1 + (palette_distance / SIMILARITY_SCALE)²)``: 1.0 exactly
  for identical palettes, flat near 0 so differences under the just-noticeable ~2 ΔE
  barely count (0.96 at 2 ΔE), one half at 10 ΔE (clearly different), under 0.05 for
  opposite colours (50 ΔE and more); it ignores *when* colours occur. The temporal
  scores do not: the Pearson correlation of each curve over the aligned bins (and their
  mean), and the mean and maximum of the difference strip.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidParameterError
from ..model import COLOR, Fingerprint, to_hex
from ..palette._color import as_rgb, lab_to_rgb, rgb_to_lab
from ..palette._kmeans import weighted_kmeans
from ._align import CURVES, MAX_BINS, Aligned, align, bin_centres, check_bins
from ._transport import normalised, palette_distance

if TYPE_CHECKING:
    from ._sequence import SequenceAlignment

__all__ = [
    "MAX_BINS",
    "MAX_PALETTE_COLORS",
    "SIMILARITY_SCALE",
    "Comparison",
    "FilmPalette",
    "Scores",
    "compare",
    "correlation",
    "default_bins",
    "film_palette",
    "same_fingerprint",
    "similarity",
]

FORMAT_NAME = "movie-color-fingerprint-comparison"
FORMAT_VERSION = 1

#: ΔE2000 distance at which `similarity` falls to one half.
SIMILARITY_SCALE = 10.0
#: The most colours a whole-film palette may have.
MAX_PALETTE_COLORS = 64


def similarity(distance: float | np.ndarray, *, scale: float = SIMILARITY_SCALE) -> Any:
    """A ΔE2000 distance to a 0-1 similarity, ``1 / (1 + (distance / scale)²)``: exactly
    1.0 at 0, one half at ``scale``, falling like 1/d² beyond."""
    d = np.maximum(np.asarray(distance, dtype=np.float64), 0.0)
    return 1.0 / (1.0 + (d / scale) ** 2)


# --- whole-film palette ---------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FilmPalette:
    """A film's top colours over its whole running time: colors (c, 3) uint8 sRGB and
    shares (c,), largest first, summing to 1."""

    colors: np.ndarray = field(metadata=COLOR)
    shares: np.ndarray

    def pairs(self) -> list[tuple[str, float]]:
        return list(zip(to_hex(self.colors), self.shares.tolist(), strict=True))


def film_palette(fp: Fingerprint, *, colors: int = 8, seed: int = 0) -> FilmPalette:
    """Cluster every (colour, share) point of the film by share-weighted k-means in CIELAB
    into at most ``colors`` colours; each sample weighs the same. Independent of the
    order of the samples."""
    if not 1 <= colors <= MAX_PALETTE_COLORS:
        raise InvalidParameterError(
            f"colors must be between 1 and {MAX_PALETTE_COLORS}, not {colors}."
        )
    rgb = as_rgb(fp.colors).reshape(-1, 3)
    weight = (normalised(fp.shares) / max(len(fp), 1)).reshape(-1)
    keep = weight > 0
    rgb, weight = rgb[keep], weight[keep]
    # Canonical order (colour, then weight) before pooling, so the sums do not depend on
    # the order of the samples.
    order = np.lexsort((weight, rgb[:, 2], rgb[:, 1], rgb[:, 0]))
    rgb, weight = rgb[order], weight[order]
    unique, inverse = np.unique(rgb, axis=0, return_inverse=True)
    pooled = np.bincount(inverse.reshape(-1), weights=weight, minlength=len(unique))
    lab = rgb_to_lab(unique).astype(np.float64)
    if len(unique) <= colors:
        centres, mass = lab, pooled
    else:
        centres, mass = weighted_kmeans(lab, pooled, k=colors, seed=seed)
    out = lab_to_rgb(centres)
    order = np.argsort(-mass, kind="stable")
    mass = mass[order]
    return FilmPalette(colors=out[order], shares=mass / mass.sum())


# --- scores -----------------------------------------------------------------------------
def correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of two curves; 1.0 for identical curves (even flat ones), NaN
    when one is flat and the other is not (no correlation is defined)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape == y.shape and np.array_equal(x, y):
        return 1.0
    dx, dy = x - x.mean(), y - y.mean()
    scale = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    # Flat to rounding: a curve whose spread is ~1e-12 of its level has no shape to correlate.
    flat = 1e-9 * max(1.0, float(np.abs(x).max()), float(np.abs(y).max())) * len(x)
    if scale <= flat**2 or len(x) < 2:
        return math.nan
    return float(np.clip((dx * dy).sum() / scale, -1.0, 1.0))


@dataclass(frozen=True)
class Scores:
    """How alike two films are.

    ``palette_similarity`` 0-1 from ``palette_distance`` (ΔE2000 EMD between the whole-film
    palettes; blind to time). ``correlation`` per curve (Pearson, -1..1, NaN when
    undefined) and ``temporal_correlation`` their mean over the defined ones.
    ``mean_difference``/``max_difference`` of the difference strip (ΔE2000), the latter at
    ``max_difference_at`` (0-1 of the running time).
    """

    palette_similarity: float
    palette_distance: float
    mean_difference: float
    max_difference: float
    max_difference_at: float
    lightness_correlation: float
    chroma_correlation: float
    warmth_correlation: float

    @property
    def temporal_correlation(self) -> float:
        values = [v for v in self.correlations().values() if not math.isnan(v)]
        return float(np.mean(values)) if values else math.nan

    def correlations(self) -> dict[str, float]:
        return {name: getattr(self, f"{name}_correlation") for name in CURVES}


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two films compared on ``bins`` bins of normalised running time (``centres``, 0-1).

    ``difference`` (bins,) the ΔE2000 EMD between the two palettes in each bin.
    """

    a: Aligned
    b: Aligned
    palette_a: FilmPalette
    palette_b: FilmPalette
    centres: np.ndarray
    difference: np.ndarray
    scores: Scores
    settings: dict[str, Any]

    @property
    def bins(self) -> int:
        return len(self.centres)

    # --- exports ------------------------------------------------------------------------
    def to_dict(self, *, alignment: SequenceAlignment | None = None) -> dict[str, Any]:
        """Everything shown, as plain JSON-ready data (documented in the module docstring
        of `fingerprint.compare`); with the films' ``alignment``
        (`fingerprint.compare._sequence`), its data under ``"alignment"`` too: one file
        for the command line and the page, still this format (a key added)."""

        def film(side: Aligned, palette: FilmPalette) -> dict[str, Any]:
            return {
                "name": side.name,
                "span": [round(side.span[0], 6), round(side.span[1], 6)],
                "palette": [{"color": c, "share": round(s, 6)} for c, s in palette.pairs()],
            }

        def side_bin(side: Aligned, i: int) -> dict[str, Any]:
            return {
                "time": round(float(side.times[i]), 6),
                "sample": int(side.index[i]),
                "colors": to_hex(side.colors[i]),
                "shares": [round(float(s), 6) for s in side.shares[i]],
                **{name: _num(side.curve(name)[i]) for name in CURVES},
            }

        scores = {
            "palette_similarity": _num(self.scores.palette_similarity),
            "palette_distance": _num(self.scores.palette_distance),
            "mean_difference": _num(self.scores.mean_difference),
            "max_difference": _num(self.scores.max_difference),
            "max_difference_at": _num(self.scores.max_difference_at),
            "temporal_correlation": _num(self.scores.temporal_correlation),
            "correlation": {k: _num(v) for k, v in self.scores.correlations().items()},
        }
        extra = {} if alignment is None else {"alignment": alignment.to_dict()}
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "settings": dict(self.settings),
            "films": {"a": film(self.a, self.palette_a), "b": film(self.b, self.palette_b)},
            "scores": scores,
            "bins": [
                {
                    "position": round(float(p), 6),
                    "difference": _num(d),
                    "a": side_bin(self.a, i),
                    "b": side_bin(self.b, i),
                }
                for i, (p, d) in enumerate(zip(self.centres, self.difference, strict=True))
            ],
            **extra,
        }

    def to_json(self, *, alignment: SequenceAlignment | None = None) -> str:
        return json.dumps(self.to_dict(alignment=alignment), indent=1, allow_nan=False)

    def to_csv(self) -> str:
        """One row per bin: position (%), difference, then for each film its sample time,
        curves and palette (color/share columns)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        header = ["bin", "position_percent", "difference"]
        for tag, side in (("a", self.a), ("b", self.b)):
            header += [f"time_{tag}", *(f"{name}_{tag}" for name in CURVES)]
            header += [
                f"{what}_{tag}_{i + 1}" for i in range(side.colors.shape[1])
                for what in ("color", "share")
            ]
        writer.writerow(header)
        for i, (p, d) in enumerate(zip(self.centres, self.difference, strict=True)):
            row = [str(i), _fixed(100 * p), _fixed(d)]
            for side in (self.a, self.b):
                row += [_fixed(side.times[i]), *(_fixed(side.curve(n)[i]) for n in CURVES)]
                row += [
                    v for c, s in zip(to_hex(side.colors[i]), side.shares[i], strict=True)
                    for v in (c, f"{s:.4f}")
                ]
            writer.writerow(row)
        return buf.getvalue()


def default_bins(a: Fingerprint, b: Fingerprint) -> int:
    """As many bins as the film with more samples has, at most 1000: no sample of either
    film is skipped, and the strips stay a screen wide."""
    return max(1, min(max(len(a), len(b)), 1000))


def compare(
    a: Fingerprint, b: Fingerprint, *, bins: int | None = None, colors: int = 8, seed: int = 0
) -> Comparison:
    """Compare two films: align both on ``bins`` bins of normalised running time (default
    `default_bins`), the per-bin palette difference, curves, whole-film palettes of at most
    ``colors`` colours, and the scores (see the module docstrings for each choice)."""
    bins = default_bins(a, b) if bins is None else check_bins(bins)
    side_a, side_b = align(a, bins=bins), align(b, bins=bins)
    difference = palette_distance(side_a.colors, side_a.shares, side_b.colors, side_b.shares)
    difference = np.maximum(difference, 0.0)
    palette_a = film_palette(a, colors=colors, seed=seed)
    palette_b = film_palette(b, colors=colors, seed=seed)
    distance = float(
        palette_distance(palette_a.colors, palette_a.shares, palette_b.colors, palette_b.shares)
    )
    distance = max(distance, 0.0)
    worst = int(np.argmax(difference))
    centres = bin_centres(bins)
    scores = Scores(
        palette_similarity=float(similarity(distance)),
        palette_distance=distance,
        mean_difference=float(difference.mean()),
        max_difference=float(difference[worst]),
        max_difference_at=float(centres[worst]),
        **{f"{n}_correlation": correlation(side_a.curve(n), side_b.curve(n)) for n in CURVES},
    )
    return Comparison(
        a=side_a,
        b=side_b,
        palette_a=palette_a,
        palette_b=palette_b,
        centres=centres,
        difference=difference,
        scores=scores,
        settings={"bins": bins, "colors": colors, "seed": seed,
                  "similarity_scale": SIMILARITY_SCALE},
    )


def same_fingerprint(a: Fingerprint, b: Fingerprint) -> bool:
    """True when two fingerprints hold the same film analysed the same way (the same
    data): comparing them can only say "identical"."""
    same_shape = a.colors.shape == b.colors.shape and a.times.shape == b.times.shape
    return (
        a.video == b.video
        and a.params == b.params
        and same_shape
        and np.array_equal(a.colors, b.colors)
        # Times and shares are stored to 6 decimals: a saved and reloaded copy is the same.
        and np.allclose(a.times, b.times, rtol=0, atol=1e-6)
        and np.allclose(a.shares, b.shares, rtol=0, atol=1e-6)
    )


def _fixed(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` decimals for a CSV cell; a value that rounds to zero is
    "0.000", never "-0.000" (adding 0.0 turns -0.0 into 0.0)."""
    return f"{round(float(x), digits) + 0.0:.{digits}f}"


def _num(x: float) -> float | None:
    """A float for JSON: rounded, NaN as null."""
    x = float(x)
    return None if math.isnan(x) else round(x, 6)
