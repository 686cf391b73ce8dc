"""PySceneDetect's content detector with its frame score taken in two OpenCV calls."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np


@functools.cache
def content_detector() -> type:
    """PySceneDetect's `ContentDetector`, its frame score (the mean change of hue,
    saturation and lightness from the last frame) taken in two OpenCV calls instead of its
    fifteen numpy ones: the same numbers (tests/test_shots.py checks), at a 128-px frame
    where each call costs more than its arithmetic. A class made on first use, as
    PySceneDetect is imported then (`Boundaries`)."""
    import cv2
    from scenedetect.detectors import ContentDetector

    class HsvChange(ContentDetector):
        _last_hsv: np.ndarray | None = None

        def _calculate_frame_score(self, timecode: Any, frame_img: np.ndarray) -> float:
            if self._weights.delta_edges or self.stats_manager is not None:
                return super()._calculate_frame_score(timecode, frame_img)  # edges: its own
            hsv = cv2.cvtColor(frame_img, cv2.COLOR_BGR2HSV)
            last, self._last_hsv = self._last_hsv, hsv
            if last is None:
                return 0.0
            pixels = float(hsv.shape[0] * hsv.shape[1])
            hue, sat, lum, _ = cv2.sumElems(cv2.absdiff(hsv, last))  # exact integer sums
            components = (hue / pixels, sat / pixels, lum / pixels, 0.0)
            # As ContentDetector weighs them, operation for operation.
            return sum(c * w for c, w in zip(components, self._weights, strict=True)) / sum(
                abs(w) for w in self._weights)

    return HsvChange
