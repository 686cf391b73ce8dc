"""Times as people read and type them (fingerprint/timecodes.py)."""

from __future__ import annotations

import pytest

from fingerprint.timecodes import parse_time, timecode


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (59.99, "0:00:59"), (61, "0:01:01"), (3600, "1:00:00"), (7325.5, "2:02:05")],
)
def test_timecode(seconds: float, text: str) -> None:
    assert timecode(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00.0"), (59.99, "0:00:59.9"), (43.5, "0:00:43.5"), (0.3, "0:00:00.3"),
     (7325.25, "2:02:05.2")],
)
def test_timecode_with_tenths(seconds: float, text: str) -> None:
    assert timecode(seconds, tenths=True) == text


@pytest.mark.parametrize(("text", "seconds"), [("0:00:01", 1.0), ("1:30", 90.0),
                                               ("1:02:03.5", 3723.5), ("", None)])
def test_parse_time_reads_people_times(text, seconds):
    assert parse_time(text) == seconds
