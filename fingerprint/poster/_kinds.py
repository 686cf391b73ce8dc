"""The kinds of poster, one registry: how each draws its picture (as pixels and as SVG),
what its caption says, and where it puts the sound. `poster` and `poster_svg` look a kind
up here; a new kind is one entry, never another branch in them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Literal

import numpy as np

from .._theme import MUTED
from ..errors import FingerprintError
from ..model import Fingerprint
from ..timecodes import timecode
from ._framed import framed_image, framed_svg
from ._ring import ring_paths, ring_picture, ring_sound_shapes
from ._script import check_shots, script_details, script_image, script_rects
from ._sound import strip_outline
from ._strips import average_image, average_rects, strip_image, strip_rects

__all__ = ["DRAWERS", "POSTER_KINDS", "Drawer", "Framed", "PosterKind", "Shapes",
           "drawable_kinds"]

PosterKind = Literal["palette", "bands", "average", "ring", "script"]
#: Filled polygons (points, colour) drawn over a picture: the sound.
Shapes = list[tuple[list[tuple[float, float]], tuple[int, int, int]]]


@dataclass(frozen=True)
class Framed:
    """A kind's picture with frames: ``image(fp, width, height, frames=...)`` and
    ``svg(fp, width, height, frames=...)``, as `Drawer`'s, ``frames`` (N, H, W, 3) uint8."""

    image: Callable[..., np.ndarray]
    svg: Callable[..., list[str]]


@dataclass(frozen=True)
class Drawer:
    """One kind of poster. ``image(fp, width, height)``: its picture, ``(height, width, 3)``
    uint8; ``svg(fp, width, height)``: the same picture as SVG elements; ``crisp``: its SVG
    is flat rectangles (drawn with crisp edges; curves are left anti-aliased);
    ``details(fp)``: the caption's line about the analysis; ``sound_band``: a strip gives
    the bottom of its room to the sound, as a band under it; ``sound(fp, width, picture,
    band)``: the sound's shapes (None: this kind draws no sound); ``check(fp)``: raises a
    FingerprintError when ``fp`` lacks what this kind draws. ``label`` names the kind
    for people (the app), ``about`` says what it is (the command line's help).
    ``framed``: the picture with a frame per shot given (`Framed`), for the one kind that
    can show frames (None: this kind shows none)."""

    label: str
    about: str
    image: Callable[[Fingerprint, int, int], np.ndarray]
    svg: Callable[[Fingerprint, int, int], list[str]]
    details: Callable[[Fingerprint], str]
    crisp: bool = True
    sound_band: bool = False
    sound: Callable[[Fingerprint, int, int, int], Shapes] | None = None
    check: Callable[[Fingerprint], None] = lambda fp: None
    framed: Framed | None = None


def moments_line(fp: Fingerprint, *, each: str | None = None) -> str:
    """``720 moments · 1:30:00 · 5 colours each``: a strip's caption line."""
    return f"{len(fp)} moments · {timecode(fp.video.duration)} · {each or f'{fp.k} colours each'}"


def _band_sound(fp: Fingerprint, width: int, picture: int, band: int) -> Shapes:
    """The loudness as an area in the band under a strip's picture."""
    return [(strip_outline(fp, width=width, top=picture - band, height=band), MUTED)]


def _strip(bands: Literal["share", "equal"]) -> dict:
    return {
        "image": lambda fp, w, h: strip_image(fp, width=w, height=h, bands=bands),
        "svg": partial(strip_rects, bands=bands),
        "details": moments_line,
        "sound_band": True,
        "sound": _band_sound,
    }


#: Every kind of poster, in the order they are offered.
DRAWERS: MappingProxyType[str, Drawer] = MappingProxyType({
    "palette": Drawer(
        "Palette", "the strip, bands as tall as each colour's share", **_strip("share")
    ),
    "bands": Drawer("Equal bands", "equal bands", **_strip("equal")),
    "average": Drawer(
        "Average colour", "the classic barcode of average colours",
        image=lambda fp, w, h: average_image(fp, width=w, height=h), svg=average_rects,
        details=partial(moments_line, each="average colour"), sound_band=True,
        sound=_band_sound,
    ),
    "ring": Drawer(
        "Ring", "the circular print, as Chipdelmal/moviesColorFingerprint drew it",
        image=lambda fp, w, h: ring_picture(fp, width=w, height=h), svg=ring_paths,
        details=moments_line, crisp=False,
        sound=lambda fp, w, picture, band: ring_sound_shapes(fp, w, picture),
    ),
    # No sound: a panel is a shot, and a shot's loudness is not measured.
    "script": Drawer(
        "Colour script", "the film's shots in order, one panel each showing its palette "
        "(or its middle frame too: --script), as a studio's colour script (needs --shots)",
        image=lambda fp, w, h: script_image(fp, width=w, height=h), svg=script_rects,
        details=script_details, check=check_shots,
        framed=Framed(image=framed_image, svg=framed_svg),
    ),
})
#: The posters there are, as `poster` takes them.
POSTER_KINDS: tuple[PosterKind, ...] = tuple(DRAWERS)  # type: ignore[assignment]


def drawable_kinds(fp: Fingerprint) -> tuple[PosterKind, ...]:
    """The kinds of poster ``fp`` holds what they draw for (the colour script needs shots),
    in `POSTER_KINDS` order: what a page offers."""
    def drawable(kind: str) -> bool:
        try:
            DRAWERS[kind].check(fp)
        except FingerprintError:
            return False
        return True

    return tuple(kind for kind in POSTER_KINDS if drawable(kind))
