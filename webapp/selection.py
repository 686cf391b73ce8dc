"""The selected sample: which one a chart click names, and which one a link's time names.
Pure, no Streamlit.

A link holds the selected sample's time, not its index, so that it survives a change of
the sample count; the page turns it back into the nearest sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def point_sample(point: Mapping[str, Any], count: int) -> int | None:
    """The sample a clicked chart point stands for, or None if it names none.

    Every trace of `fingerprint.plotting._film` carries the sample index as ``customdata[0]``
    (Streamlit reports a row as a list, or as ``{"0": ..., "1": ...}``); without it the
    point's index is the sample, since every strip trace has one point per sample.
    """
    custom = point.get("customdata")
    index: Any = None
    if isinstance(custom, Mapping):  # how Streamlit reports a typed-array row
        index = custom.get("0")
    elif isinstance(custom, Sequence) and not isinstance(custom, str) and custom:
        index = custom[0]
    elif isinstance(custom, (int, float)):
        index = custom
    if index is None:
        index = point.get("point_index", point.get("point_number"))
    try:
        index = int(index)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def sample_time(times: np.ndarray, index: int) -> float:
    """Seconds from the film's start of sample ``index``'s frame."""
    return float(times[index])


def nearest_sample(times: np.ndarray, seconds: float) -> int:
    """The sample whose frame is nearest to ``seconds``: a link's time survives a change
    of the sample count."""
    return int(np.argmin(np.abs(np.asarray(times, dtype=np.float64) - seconds)))
