"""What the palettes need of decoded samples, whatever k or the colour space.

Bars, each frame's average colour and colour histogram depend on the frames and the crop
only; made once (`fingerprint._summarise.summarise_samples`) and cached beside the frames,
they let another k or colour space recluster without loading or converting a frame
(`fingerprint.cache`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._histogram import Histograms

__all__ = ["ColorSummary"]


@dataclass(frozen=True)
class ColorSummary:
    """Decoded samples as clustering sees them: their ``times``, ``targets`` and
    ``ended_at`` (as `fingerprint.decode.DecodedFrames`), the frames' working ``height``
    and ``width``, the black ``bars`` cropped (top, bottom, left, right; zeros without the
    crop), and of the cropped frames each one's ``average`` colour (N, 3) uint8 and colour
    ``histograms``."""

    times: np.ndarray
    targets: np.ndarray
    ended_at: float | None
    height: int
    width: int
    bars: tuple[int, int, int, int]
    average: np.ndarray
    histograms: Histograms

    def __len__(self) -> int:
        return len(self.times)
