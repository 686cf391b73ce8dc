"""The cache's sound print files: the loudness at each frame's time, as JSON.

Kept beside the frames they were measured at (one file per decode options), so another k,
colour space or crop re-clusters the cached frames without decoding the sound again. A
file is used only for exactly the times it was measured at; anything else reads as
missing, and the caller measures again.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np


def read_loudness(path: str | os.PathLike[str], times: np.ndarray) -> np.ndarray | None:
    """The levels in ``path`` if they were measured at exactly ``times``; else None."""
    try:
        with open(path, "rb") as fh:
            record = json.load(fh)
        saved = np.array(record["times"], np.float64)
        levels = np.array([math.nan if v is None else v for v in record["loudness"]],
                          np.float64)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, damaged or foreign
    if (saved.shape != times.shape or levels.shape != times.shape
            or not np.array_equal(saved, times) or (levels > 0).any()):
        return None  # other times, or not loudness (LUFS are never above full scale)
    return levels


def loudness_bytes(times: np.ndarray, levels: np.ndarray) -> bytes:
    """The file's contents: NaN (where the sound ended) as null."""
    return json.dumps({
        "times": np.asarray(times, np.float64).tolist(),
        "loudness": [None if math.isnan(v) else float(v) for v in levels],
    }).encode()
