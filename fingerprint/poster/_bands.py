"""The fingerprint strip's band model: which colour fills which part of each column.

Each column is one sample; its palette is stacked top to bottom, largest share on top,
either as tall as each colour's share (``"share"``) or in equal bands as the original
tool drew it (``"equal"``). The Plotly strip and the posters (PNG, SVG) both draw this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import InvalidParameterError
from ..model import Fingerprint

__all__ = ["BANDS", "Bands", "StripBands", "hoverable", "strip_bands"]

Bands = Literal["share", "equal"]
#: The band styles, as `strip_bands` takes them.
BANDS: tuple[Bands, ...] = ("share", "equal")


@dataclass(frozen=True, eq=False)
class StripBands:
    """Per sample (N) and palette rank (k): ``colors`` (N, k, 3) uint8 drawn in each band,
    ``heights`` (N, k) each band's fraction of the column, and ``bottoms`` (N, k) the
    cumulative lower edges from the top, 0-1, the last exactly 1."""

    colors: np.ndarray
    heights: np.ndarray
    bottoms: np.ndarray

    @property
    def tops(self) -> np.ndarray:
        """The upper edge of each band (N, k), 0-1 from the top."""
        return np.concatenate([np.zeros((len(self.bottoms), 1)), self.bottoms[:, :-1]], axis=1)


def strip_bands(fp: Fingerprint, bands: Bands = "share") -> StripBands:
    """The band geometry of ``fp``'s strip in style ``bands``.

    ``"equal"`` gives each colour the same height; a colour that no pixel chose (share 0)
    would be arbitrary, so its band shows the column's main colour instead.
    """
    if bands == "equal":
        colors = np.where((fp.shares > 0)[..., None], fp.colors, fp.colors[:, :1])
        heights = np.full(fp.shares.shape, 1.0 / fp.k)
        bottoms = np.broadcast_to(np.arange(1, fp.k + 1) / fp.k, fp.shares.shape)
    elif bands == "share":
        colors, heights = fp.colors, fp.shares
        bottoms = np.cumsum(fp.shares, axis=1)
        bottoms[:, -1] = 1.0  # rounding must never leave a gap at the bottom
    else:
        raise InvalidParameterError(f"bands must be one of {', '.join(BANDS)}, not {bands!r}.")
    return StripBands(colors=colors, heights=heights, bottoms=bottoms)


def hoverable(heights: np.ndarray) -> np.ndarray:
    """Band heights for a Plotly bar trace: a band of no height as NaN, which Plotly draws
    as nothing and leaves out of the hover's list; as 0 it listed a flat frame's (a black
    frame's, a title card's) k - 1 empty colours at 0 %."""
    return np.where(heights > 0, heights, np.nan)

