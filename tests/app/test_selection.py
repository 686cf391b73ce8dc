"""A chart click or a link's time to the selected sample, and back."""

from __future__ import annotations

import numpy as np
import pytest

from webapp.selection import nearest_sample, point_sample, sample_time


def test_point_sample_reads_customdata_then_index() -> None:
    assert point_sample({"customdata": [37.0, 0.4], "point_index": 2}, 100) == 37
    assert point_sample({"customdata": 5}, 100) == 5
    # What Streamlit reported for a click on the colour wheel.
    wheel = {"curve_number": 0, "point_index": 3570, "x": 0, "y": 0,
             "customdata": {"0": 7, "1": 0.006335, "2": 0.548, "3": 0, "4": 0}}
    assert point_sample(wheel, 720) == 7
    assert point_sample({"point_index": 12, "x": "0:00:01 · moment 13 of 100"}, 100) == 12
    assert point_sample({"point_number": 3}, 100) == 3


@pytest.mark.parametrize(
    "point", [{}, {"point_index": 100}, {"point_index": -1}, {"customdata": ["x"]},
              {"customdata": []}]
)
def test_point_sample_refuses_points_that_name_no_sample(point: dict) -> None:
    assert point_sample(point, 100) is None


def test_sample_to_time_and_back() -> None:
    times = np.array([0.5, 1.5, 2.6, 3.4])
    assert sample_time(times, 2) == 2.6
    assert nearest_sample(times, 2.6) == 2
    assert nearest_sample(times, 100.0) == 3
    assert nearest_sample(times, 0.0) == 0
    # A link's time survives a change of sample count: the nearest frame in the new set.
    assert nearest_sample(np.linspace(0.25, 3.75, 8), 2.6) == 5


