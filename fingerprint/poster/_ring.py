"""The ring poster's picture, as pixels and as SVG: the circular print of the original tool
(Chipdelmal/moviesColorFingerprint). Time runs clockwise from the top, each sample an
equal wedge, its palette from the inside out by share (as the Ring view draws it); the
sound, when drawn, fills the ring's hole."""

from __future__ import annotations

import math

import numpy as np

from .._theme import BACKGROUND, MUTED
from ..model import Fingerprint, to_hex
from ._bands import strip_bands
from ._canvas import check_size
from ._sound import ring_outline

__all__ = ["RING_HOLE", "ring_image", "ring_paths", "ring_picture", "ring_sound_shapes"]

#: The ring's empty centre, as a fraction of its radius: as the Ring view draws it.
RING_HOLE = 0.38
# Room around the ring, as a fraction of the picture's shorter side.
_RING_MARGIN = 0.03
# Rows of the ring computed at once: bounds its work arrays to a few MB at any size.
_RING_CHUNK_ROWS = 256


def ring_image(
    fp: Fingerprint, *, size: int, background: tuple[int, int, int] = BACKGROUND
) -> np.ndarray:
    """The ring as a ``(size, size, 3)`` uint8 image on ``background``. Its edges are
    anti-aliased."""
    check_size(size, size)
    geometry = strip_bands(fp, "share")
    bottoms = geometry.bottoms.astype(np.float32)
    n, k = len(fp), fp.k
    radius = size / 2 * (1 - 2 * _RING_MARGIN)
    inner = radius * RING_HOLE
    centre = size / 2
    back = np.asarray(background, np.float32)
    out = np.empty((size, size, 3), np.uint8)
    x = np.arange(size, dtype=np.float32) + 0.5 - centre
    for top in range(0, size, _RING_CHUNK_ROWS):
        y = np.arange(top, min(size, top + _RING_CHUNK_ROWS), dtype=np.float32) + 0.5 - centre
        dx, dy = np.broadcast_arrays(x[None, :], y[:, None])
        r = np.hypot(dx, dy)
        # Clockwise from 12 o'clock: the angle of (dx, -dy) measured from the y axis.
        turn = (np.arctan2(dx, -dy) / (2 * np.pi)) % 1.0
        sample = np.minimum((turn * n).astype(np.int64), n - 1)
        depth = np.clip((r - inner) / (radius - inner), 0.0, 1.0)
        band = np.zeros(r.shape, np.int64)
        for rank in range(k - 1):  # k is at most a few dozen; each step is whole-array
            band += depth >= bottoms[sample, rank]
        color = geometry.colors[sample, band].astype(np.float32)
        # The fraction of each pixel inside the annulus: smooth edges without supersampling.
        cover = np.clip(radius - r + 0.5, 0, 1) * np.clip(r - inner + 0.5, 0, 1)
        out[top : top + len(y)] = np.rint(back + (color - back) * cover[..., None])
    return out


def ring_picture(fp: Fingerprint, *, width: int, height: int) -> np.ndarray:
    """The ring centred on a ``width`` x ``height`` picture of the background."""
    check_size(width, height)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = BACKGROUND
    side = min(width, height)
    top, left = (height - side) // 2, (width - side) // 2
    canvas[top : top + side, left : left + side] = ring_image(fp, size=side)
    return canvas


def ring_sound_shapes(
    fp: Fingerprint, width: int, height: int
) -> list[tuple[list[tuple[float, float]], tuple[int, int, int]]]:
    """The sound in the ring's hole, as filled polygons (points, colour): a disc with the
    loudness cut out of it, each moment reaching inwards by its loudness."""
    side = min(width, height)
    hole = side / 2 * (1 - 2 * _RING_MARGIN) * RING_HOLE
    cx, cy = width / 2, height / 2
    turns = np.linspace(0.0, 1.0, 361)
    disc = list(zip((cx + hole * np.sin(2 * np.pi * turns)).tolist(),
                    (cy - hole * np.cos(2 * np.pi * turns)).tolist(), strict=True))
    return [(disc, MUTED), (ring_outline(fp, cx=cx, cy=cy, radius=hole), BACKGROUND)]


def ring_paths(fp: Fingerprint, width: int, height: int) -> list[str]:
    """One annular sector per drawn band, geometry as `ring_picture`'s."""
    side = min(width, height)
    cx, cy = width / 2, height / 2
    radius = side / 2 * (1 - 2 * _RING_MARGIN)
    inner = radius * RING_HOLE
    geometry = strip_bands(fp, "share")
    n = len(fp)
    # Each wedge reaches a hair into the next (which is drawn over it): no seams.
    overlap = 0.5 / (2 * math.pi * radius) if n > 1 else 0.0  # half a pixel, in turns

    def point(r: float, turn: float) -> str:
        angle = 2 * math.pi * turn
        return f"{cx + r * math.sin(angle):.2f} {cy - r * math.cos(angle):.2f}"

    def sector(r0: float, r1: float, start: float, end: float) -> str:
        if n == 1:  # a whole annulus: two half circles each way, the hole left empty
            return (
                f'd="M {point(r1, 0)} A {r1:.2f} {r1:.2f} 0 1 1 {point(r1, 0.5)} '
                f'A {r1:.2f} {r1:.2f} 0 1 1 {point(r1, 0)} Z M {point(r0, 0)} '
                f'A {r0:.2f} {r0:.2f} 0 1 0 {point(r0, 0.5)} '
                f'A {r0:.2f} {r0:.2f} 0 1 0 {point(r0, 0)} Z" fill-rule="evenodd"'
            )
        large = 1 if end - start > 0.5 else 0
        return (
            f'd="M {point(r1, start)} A {r1:.2f} {r1:.2f} 0 {large} 1 {point(r1, end)} '
            f'L {point(r0, end)} A {r0:.2f} {r0:.2f} 0 {large} 0 {point(r0, start)} Z"'
        )

    paths = []
    for i in range(n):
        start, end = i / n, (i + 1) / n + overlap
        for color, top, bottom in zip(
            to_hex(geometry.colors[i]), geometry.tops[i], geometry.bottoms[i], strict=True
        ):
            if bottom > top:
                r0 = inner + (radius - inner) * top
                r1 = inner + (radius - inner) * bottom
                paths.append(f'<path {sector(r0, r1, start, end)} fill="{color}"/>')
    return paths
