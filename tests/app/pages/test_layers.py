"""The optional layers through AppTest: the Shots view and the sound print on the Explore
page, the shot statistics on the Compare page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptests import open_app

pytestmark = pytest.mark.usefixtures("as_streamlit_run")


def _open(**query: str) -> AppTest:
    return open_app(timeout=120, **query)


def test_shots_view_asks_for_shots_then_shows_them(app_cache_dir: Path) -> None:
    at = _open(film="bbb", samples="10", view="shots")
    assert any("Turn on **Shots**" in i.value for i in at.info)
    at = _open(film="bbb", samples="10", view="shots", shots="1", t="13")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Shots"] == "4"
    assert metrics["Median shot length"].endswith(" s")
    # t=13 s falls in the second shot (11.8-15.7 s): its span is shown under its frame.
    assert any("shot 2 of 4" in m.value for m in at.markdown)


def test_sound_print_adds_a_trace_and_a_poster_option(app_cache_dir: Path) -> None:
    at = _open(film="bbb", samples="10", sound="1")
    assert any(c.label == "Sound on the poster" for c in at.checkbox)
    # The trace spans the strip's columns, each level under its column: a bar reaches
    # half a column past its moment, where a line's own axis would end.
    strip, trace = (json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    assert trace["layout"]["xaxis"]["range"] == [-0.5, len(strip["data"][0]["x"]) - 0.5]
    assert not at.error
    at = _open(film="bbb", samples="10")
    assert not any(c.label == "Sound on the poster" for c in at.checkbox)


def test_compare_shows_both_films_shot_statistics(app_cache_dir: Path) -> None:
    at = open_app(page="pages/compare.py", timeout=180, a="bbb", b="flower", samples="10",
                  shots="1")
    shots = [m.value for m in at.metric if m.label == "Shots"]
    assert shots == ["4", "1"]


def test_turning_shots_on_opens_the_shots_view(app_cache_dir: Path) -> None:
    """A long analysis must end with something new on the screen: the Shots view."""
    at = _open(film="bbb", samples="10", view="strip")
    at.toggle(key=next(t.key for t in at.toggle if t.label == "Shots")).set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.query_params["view"] == "shots"
    assert {m.label: m.value for m in at.metric}["Shots"] == "4"
    # Turning them off again leaves the view alone (it then asks for shots).
    at.toggle(key=next(t.key for t in at.toggle if t.label == "Shots")).set_value(False).run()
    assert any("Turn on **Shots**" in i.value for i in at.info)
