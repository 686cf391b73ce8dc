"""The strip posters' pictures, as pixels and as SVG: the palette strip (bands as tall as
each colour's share, or equal) and the classic average-colour barcode. Time runs left to
right, one equal column per sample."""

from __future__ import annotations

import numpy as np

from ..model import Fingerprint, to_hex
from ._bands import Bands, strip_bands
from ._canvas import check_size

__all__ = ["average_image", "average_rects", "strip_image", "strip_rects"]


def _columns(fp: Fingerprint, width: int) -> np.ndarray:
    """The sample each pixel column shows: equal widths, time left to right."""
    return np.minimum((np.arange(width) * len(fp)) // width, len(fp) - 1)


def strip_image(fp: Fingerprint, *, width: int, height: int, bands: Bands = "share") -> np.ndarray:
    """The strip as an ``(height, width, 3)`` uint8 image: time left to right, each
    column's palette top to bottom (largest share on top)."""
    check_size(width, height)
    geometry = strip_bands(fp, bands)
    edges = np.asarray(geometry.bottoms)
    column = _columns(fp, width)
    rows = (np.arange(height) + 0.5) / height
    # For every pixel, the first band whose lower edge is below it: the number of edges
    # at or above its row's middle. Each sample's edges are placed on the rows once (the
    # first row at or below each), and a running count down the rows gives the band, so
    # the work is per sample and row, not per pixel and band (a 3000 x 1000 poster of
    # k = 7 compared 21 million pairs).
    # Counted along each sample's own row of memory, in int16 (a sample has at most
    # 32,767 edges): across samples in int32 the running count took 9 ms of a 3000 x 1000
    # poster, now 2.5 ms.
    first_row = np.searchsorted(rows, edges, side="left")
    placed = np.zeros((len(fp), height + 1), np.int16)
    np.add.at(placed, (np.broadcast_to(np.arange(len(fp))[:, None], edges.shape), first_row), 1)
    band = np.minimum(np.cumsum(placed[:, :height], axis=1, dtype=np.int16), fp.k - 1).T
    # Each sample's column of colours once, then copied to the pixel columns it covers.
    flat = np.arange(len(fp))[None, :] * fp.k + band
    return np.take(np.asarray(geometry.colors).reshape(-1, 3)[flat], column, axis=1)


def average_image(fp: Fingerprint, *, width: int, height: int) -> np.ndarray:
    """The classic movie barcode as an ``(height, width, 3)`` uint8 image: each column
    one moment's average colour, time left to right."""
    check_size(width, height)
    return np.broadcast_to(fp.average[_columns(fp, width)][None], (height, width, 3)).copy()


def strip_rects(fp: Fingerprint, width: int, height: int, *, bands: Bands = "share") -> list[str]:
    """One rectangle per drawn band (zero-share bands are not drawn), columns a hair wider
    than their slot so that no seam shows between them."""
    col_w = width / len(fp)
    geometry = strip_bands(fp, bands)
    rects = []
    for i in range(len(fp)):
        x = i * col_w
        for color, top, bottom in zip(
            to_hex(geometry.colors[i]), geometry.tops[i], geometry.bottoms[i], strict=True
        ):
            if bottom > top:
                rects.append(
                    f'<rect x="{x:.2f}" y="{top * height:.2f}" width="{col_w + 0.05:.2f}" '
                    f'height="{(bottom - top) * height:.2f}" fill="{color}"/>'
                )
    return rects


def average_rects(fp: Fingerprint, width: int, height: int) -> list[str]:
    """One full-height rectangle per sample, in its average colour."""
    col_w = width / len(fp)
    return [
        f'<rect x="{i * col_w:.2f}" y="0" width="{col_w + 0.05:.2f}" height="{height}" '
        f'fill="{color}"/>'
        for i, color in enumerate(to_hex(fp.average))
    ]
