"""What a view is made of, besides its film: the analysis settings and the view, the
Compare page's own options, and the limits of the app's controls.

The analysis options, their choices and their outer limits are `Params`'; the app only
narrows a range where a wider one would not read on a screen, and checks that it did
narrow it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

from fingerprint import Params, VideoInfo
from fingerprint.palette._cvd import CVD_KINDS, seen_with
from fingerprint.params import ColorSpace, Mode

T = TypeVar("T")

# The app's controls. More than 3000 samples is more than a screen or a poster can show;
# more than 12 colours per sample no longer reads as a palette.
SAMPLES_RANGE = (10, 3000)
CLUSTERS_RANGE = (1, 12)
# Colours in the Compare page's whole-film palettes.
COMPARE_COLORS_RANGE = (2, 16)


def _narrows(inner: tuple[int, int], outer: tuple[int, int | float]) -> bool:
    return outer[0] <= inner[0] <= inner[1] <= outer[1]


assert _narrows(SAMPLES_RANGE, (Params.MIN_SAMPLES, math.inf))
assert _narrows(CLUSTERS_RANGE, Params.CLUSTERS_RANGE)
assert SAMPLES_RANGE[0] <= Params.samples <= SAMPLES_RANGE[1]

#: The views of the samples (`fingerprint.plotting._film.view_figure`), and with them the Shots
#: view, whose columns are shots (`webapp.layers`).
SAMPLE_VIEWS = ("strip", "bands", "average", "ring", "ab", "3d")
VIEWS = (*SAMPLE_VIEWS, "shots")
VIEW_LABELS = {
    "strip": "Palette",
    "bands": "Equal bands",
    "average": "Average colour",
    "ring": "Ring",
    "ab": "Colour wheel",
    "3d": "3-D colour space",
    "shots": "Shots",
}
#: The Compare page's views of the sequence alignment
#: (`fingerprint.plotting._sequence.ALIGNMENT_VIEWS`): the whole films, or the
#: best-matching stretch of each.
ALIGNMENT_VIEWS = ("global", "local")
ALIGNMENT_VIEW_LABELS = {"global": "Whole films", "local": "Best-matching stretch"}
assert set(ALIGNMENT_VIEW_LABELS) == set(ALIGNMENT_VIEWS)
MODE_LABELS: dict[str, str] = {"fast": "Fast", "exact": "Exact"}
COLOR_SPACE_LABELS: dict[str, str] = {"lab": "CIELAB", "rgb": "RGB"}
assert set(MODE_LABELS) == set(Params.MODES)
assert set(COLOR_SPACE_LABELS) == set(Params.COLOR_SPACES)

#: The "Seen with" choices: normal vision (None), then each deficiency `seen_with` simulates.
CVD_CHOICES: tuple[str | None, ...] = (None, *CVD_KINDS)
CVD_LABELS: dict[str | None, str] = {
    None: "Normal vision", **{kind: name.capitalize() for kind, name in CVD_KINDS.items()},
}
#: The severity control's range and step: 0 is normal vision, 1 the dichromacy; the
#: model's matrices are published every 0.1.
SEVERITY_RANGE = (0.0, 1.0)
SEVERITY_STEP = 0.1

#: The fields of `Settings` that are analysis options (the rest only change the view).
ANALYSIS_FIELDS = (
    "samples", "clusters", "mode", "crop", "color_space", "start", "end", "sound", "shots",
)


@dataclass(frozen=True)
class Settings:
    """Everything a share link restores besides the film.

    The analysis options are `Params`' with its defaults, except ``samples``: None means
    automatic, `Params`' default (which the analysis caps at the frames in the span, as
    the command line's default). ``time`` is the selected sample's time, seconds from the
    film's start, or None. ``cvd`` and ``cvd_severity``: every view and poster as seen
    with that colour-vision deficiency (None: normal vision); the data keep the true
    colours.
    """

    samples: int | None = None
    clusters: int = Params.clusters
    mode: Mode = Params.mode
    crop: bool = Params.crop
    color_space: ColorSpace = Params.color_space
    start: float | None = Params.start
    end: float | None = Params.end
    sound: bool = Params.sound
    shots: bool = Params.shots
    view: str = "strip"
    time: float | None = None
    cvd: str | None = None
    cvd_severity: float = 1.0


@dataclass(frozen=True)
class CompareOptions:
    """The comparison's settings a share link restores: ``bins`` (None: the comparison's
    default), ``colors``, the size of the whole-film palettes, and ``alignment``, the
    view of the alignment (one of `ALIGNMENT_VIEWS`; None: the one that tells the films'
    story better, `webapp.alignment_view.default_view`)."""

    bins: int | None = None
    colors: int = 8
    alignment: str | None = None


def seen(value: T, settings: Settings) -> T:
    """``value`` (a fingerprint, a frame, a comparison, ...) as the settings' "Seen with"
    shows it: `seen_with`, the one recolouring every page draws through."""
    return seen_with(value, cvd=settings.cvd, severity=settings.cvd_severity)


def params_for(settings: Settings) -> Params:
    """The analysis options for a film. Raises InvalidParameterError on a bad trim."""
    return Params(
        samples=settings.samples or Params.samples,
        clusters=settings.clusters,
        mode=settings.mode,
        start=settings.start,
        end=settings.end,
        crop=settings.crop,
        color_space=settings.color_space,
        sound=settings.sound,
        shots=settings.shots,
    )


def stored_params(params: Params, info: VideoInfo) -> Params:
    """The options a film's result is stored under when analysed with ``params``: fitted
    to the film ``info`` describes (`Params.fitted`, as `fingerprint.analyze` fits them;
    a short film has fewer samples than asked). Look results up with these, never with
    ``params``. Raises InvalidParameterError when the start is past the film's end."""
    return params.fitted(info)[0]
