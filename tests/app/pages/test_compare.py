"""The Compare page, through Streamlit's AppTest: demo films, share links, and every way a
comparison can be impossible (the same film twice, a film that fails, a film another
session is still analysing), each with a message and never an exception."""

from __future__ import annotations

import json
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from fingerprint import Cache
from tests.support import ROOT

TIMEOUT = 180


# Every test gets an empty cache of its own (conftest's app_cache_dir).
pytestmark = pytest.mark.usefixtures("app_cache_dir")


def open_compare(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page("pages/compare.py")
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def test_two_demo_films_are_compared():
    at = open_compare(a="bbb", b="flower", samples="12")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "#### Big Buck Bunny" in shown and "#### Flower" in shown
    values = metrics(at)
    assert set(values) == {"Palette similarity", "Mean difference", "Curve correlation",
                           "Most different at", "Alignment score", "Moments paired", "Gaps"}
    similarity = float(values["Palette similarity"])
    assert 0 <= similarity < 0.9  # an animated film against real flowers
    assert float(values["Mean difference"].split()[0]) > 5
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # the strips with the difference, the alignment, the curves
    assert len(at.get("download_button")) == 3
    # The address bar is a share link: both films and the settings.
    assert at.query_params["a"] == "bbb" and at.query_params["b"] == "flower"
    assert at.query_params["samples"] == "12"


def figure(at: AppTest, key: str) -> dict:
    """The Plotly figure of the chart drawn under ``key``, as the browser gets it."""
    (chart,) = [c for c in at.get("plotly_chart") if key in c.proto.id]
    return json.loads(chart.proto.spec)


def test_the_alignment_of_two_demo_films_is_shown():
    at = open_compare(a="bbb", b="flower", samples="12")
    assert not at.exception, at.exception
    values = metrics(at)
    score = float(values["Alignment score"])
    assert 0 <= score <= 1
    assert values["Moments paired"].endswith(" %") and values["Gaps"].isdigit()
    shown = texts(at)
    assert "Moment by moment: what one film has and the other lacks" in shown
    assert "1 means the same moments in the same order, 0 nothing in common" in shown
    # The figure: both strips, a gap mark per gap listed under it.
    spec = figure(at, "compare_alignment")
    assert len(spec["layout"]["images"]) == 2
    gaps = [s for s in spec["layout"].get("shapes", []) if s["name"].startswith("gap")]
    assert len(gaps) == int(values["Gaps"])
    assert sum(line.startswith("Only in ") for line in shown.splitlines()) == len(gaps)
    assert {t["name"] for t in spec["data"]} >= {"joins", "pairs", "gaps"}
    # The best-matching stretch instead: kept in the link.
    at.radio(key=at.session_state["key:w_cmp_align"]).set_value("local").run()
    assert not at.exception, at.exception
    assert at.query_params["align"] == "local"
    assert "Best-matching stretch" in metrics(at) and "Gaps" not in metrics(at)
    assert "Best match: A " in texts(at) or "No stretch of one film" in texts(at)
    # And the JSON download carries the alignment.
    assert len(at.get("download_button")) == 3


def test_a_film_against_itself_aligns_moment_for_moment():
    at = open_compare(a="flower", b="flower", samples="10")
    assert not at.exception, at.exception
    values = metrics(at)
    assert values["Alignment score"] == "1.00" and values["Moments paired"] == "100 %"
    assert values["Gaps"] == "0" and "No gaps" in texts(at)
    joins = [t for t in figure(at, "compare_alignment")["data"] if t["name"] == "joins"]
    x = [v for v in joins[0]["x"] if v is not None]
    assert len(x) == 20 and x[0::2] == x[1::2]  # each moment joined straight down


def test_a_share_link_reproduces_the_comparison():
    at = open_compare(a="flower", b="friday", samples="10", k="3", bins="40", top="4")
    assert not at.exception, at.exception
    assert at.number_input(key=at.session_state["key:w_cmp_bins"]).value == 40
    assert at.slider(key=at.session_state["key:w_cmp_top"]).value == 4
    first = metrics(at)
    again = open_compare(a="flower", b="friday", samples="10", k="3", bins="40", top="4")
    assert metrics(again) == first
    # Changing an option writes it back to the link.
    at.slider(key=at.session_state["key:w_cmp_top"]).set_value(6).run()
    assert not at.exception, at.exception
    assert at.query_params["top"] == "6" and at.query_params["bins"] == "40"
    at.number_input(key=at.session_state["key:w_cmp_bins"]).set_value(100).run()
    assert at.query_params["bins"] == "100"
    assert not at.exception, at.exception


def test_a_bad_link_value_is_reported_and_ignored():
    at = open_compare(a="flower", b="friday", samples="10", bins="zero", top="1000")
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Ignored bins='zero'" in shown and "Ignored top='1000'" in shown
    assert "Palette similarity" in metrics(at)


def test_a_film_against_itself_says_so():
    at = open_compare(a="flower", b="flower", samples="10")
    assert not at.exception, at.exception
    assert any("same film with the same settings" in i.value for i in at.info)
    values = metrics(at)
    assert values["Palette similarity"] == "1.00"
    assert values["Mean difference"] == "0.0 ΔE"


def test_a_film_that_fails_stops_the_comparison_with_a_message():
    # Starting at 10 s is fine for the 30 s film, past the end of the 5 s one.
    at = open_compare(a="bbb", b="flower", samples="10", start="10")
    assert not at.exception, at.exception
    assert any("past the end" in e.value for e in at.error)
    assert any("No comparison: film B (Flower)" in w.value for w in at.warning)
    assert not at.metric


def test_a_film_the_server_does_not_have_asks_for_another():
    at = open_compare(a="bbb", b="0123456789abcdef01234567", samples="10")
    assert not at.exception, at.exception
    assert any("does not have" in e.value for e in at.error)
    assert any("Choose film B above" in i.value for i in at.info)
    assert not at.metric


def test_a_film_another_session_is_analysing_is_waited_for(app_cache_dir):
    """Another session holds film B's lock: the page waits for it, then compares."""
    cache = Cache(app_cache_dir)
    key = cache.key(ROOT / "demo" / "flower_5s_540p_h264.mp4")
    held, release = threading.Event(), threading.Event()

    def other_session() -> None:
        with cache.lock(key):
            held.set()
            release.wait(20)

    thread = threading.Thread(target=other_session)
    thread.start()
    held.wait(5)
    threading.Timer(2.0, release.set).start()
    started = time.monotonic()
    try:
        at = open_compare(a="friday", b="flower", samples="10")
    finally:
        release.set()
        thread.join()
    assert time.monotonic() - started >= 1.5
    assert not at.exception, at.exception
    assert "Palette similarity" in metrics(at)
