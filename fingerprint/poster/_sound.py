"""The sound print's drawing scale and shapes, shared by the figures and the posters (as
`bands` is for the colours): loudness on a fixed scale, `FLOOR` (silence) to `CEILING`
LUFS, so two films' prints compare."""

from __future__ import annotations

import numpy as np

from ..model import Fingerprint
from ..sound._loudness import FLOOR

# The top of the scale: loud film sound peaks near -10 LUFS short-term; 0 is full scale.
CEILING = 0.0


def levels(fp: Fingerprint) -> np.ndarray:
    """Each sample's loudness on the drawing scale, 0 (silence or no sound) to 1 (0 LUFS)."""
    if fp.loudness is None:
        return np.zeros(len(fp))
    scaled = (np.nan_to_num(fp.loudness, nan=FLOOR) - FLOOR) / (CEILING - FLOOR)
    return np.clip(scaled, 0.0, 1.0)


def strip_outline(fp: Fingerprint, *, width: float, top: float, height: float) -> list[tuple]:
    """The polygon of the loudness as a filled area in the band [top, top + height] of a
    poster ``width`` wide: one step per sample, silence on the band's bottom edge."""
    x = np.linspace(0.0, width, len(fp) + 1)
    y = top + height * (1 - levels(fp))
    bottom = top + height
    # Each sample a flat step: its left and right edge at its level.
    steps = zip(np.repeat(x, 2)[1:-1].tolist(), np.repeat(y, 2).tolist(), strict=True)
    return [(0.0, bottom), *steps, (float(width), bottom)]


def ring_outline(fp: Fingerprint, *, cx: float, cy: float, radius: float) -> list[tuple]:
    """The polygon of the loudness inside a ring's hole of ``radius``: each moment's
    wedge reaches inwards from the hole's edge by its loudness (at most 60 % of the way to
    the centre); time runs clockwise from the top, as the ring's does."""
    n = len(fp)
    turn = np.linspace(0.0, 1.0, 4 * n + 1)
    sample = np.minimum((turn * n).astype(int), n - 1)
    r = radius * (1 - 0.6 * levels(fp)[sample])
    angle = 2 * np.pi * turn
    return list(zip((cx + r * np.sin(angle)).tolist(), (cy - r * np.cos(angle)).tolist(),
                    strict=True))
