"""The landing page on a new server (issue 18 §4): the default demo film's fingerprint comes
from the results shipped with the app, never from an analysis; other settings, and other
films, are analysed as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fingerprint import Cache, Fingerprint
from tests.support import DEMO, ROOT
from webapp.seeding import RESULTS

APP = ROOT / "app.py"
TIMEOUT = 60
BBB = DEMO / "bbb_30s_720p_vp8.webm"


def _visit(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _strip(at: AppTest) -> dict:
    (chart,) = at.get("plotly_chart")
    return json.loads(chart.proto.spec)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The films the app analyses from now on (by file name); each still runs."""
    from webapp import analysis

    ran: list[str] = []
    real = analysis.analyze

    def counted(path: Path, **kwargs: object) -> Fingerprint:
        ran.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(analysis, "analyze", counted)
    return ran


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any analysis fails the test."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed")

    from webapp import analysis

    monkeypatch.setattr(analysis, "analyze", fail)


def test_a_new_servers_first_visitor_sees_the_shipped_fingerprint_unanalysed(
    app_cache_dir: Path, no_analysis: None
) -> None:
    at = _visit()
    assert at.markdown[0].value == "## Big Buck Bunny"
    spec = _strip(at)
    assert [t["type"] for t in spec["data"]] == ["bar"] * 5
    assert len(spec["data"][0]["x"]) == 720  # one per frame of the 30 s clip, as analysed
    # Stored where the app and the engine look results up, so the library lists it.
    shipped = Fingerprint.load(DEMO / RESULTS / "bbb-k5.json")
    stored = Cache(app_cache_dir).load_result(Cache(app_cache_dir).key(BBB), shipped.params)
    assert stored is not None and stored.to_json() == shipped.to_json()


def test_each_demo_film_opens_unanalysed_at_the_defaults(
    app_cache_dir: Path, no_analysis: None
) -> None:
    for film in ("bbb", "flower", "friday"):
        _visit(film=film)


def test_the_first_move_of_the_k_slider_is_answered_unanalysed(
    app_cache_dir: Path, no_analysis: None
) -> None:
    at = _visit()
    for k in (3, 12, 1):
        at.slider(key="w_clusters").set_value(k).run()
        assert not at.error, [e.value for e in at.error]
        assert [t["type"] for t in _strip(at)["data"]] == ["bar"] * k


def test_other_settings_are_analysed_not_taken_from_the_shipped_results(
    app_cache_dir: Path, analyses: list[str]
) -> None:
    at = _visit(samples="40")
    assert analyses == ["bbb_30s_720p_vp8.webm"]
    assert len(_strip(at)["data"][0]["x"]) == 40
    at.slider(key="w_clusters").set_value(4).run()
    assert len(_strip(at)["data"]) == 4
    assert analyses == ["bbb_30s_720p_vp8.webm"] * 2


def test_a_cleared_cache_is_seeded_again_on_the_next_visit(
    app_cache_dir: Path, no_analysis: None
) -> None:
    _visit()
    assert Cache(app_cache_dir).clear() > 0
    assert not list(app_cache_dir.glob("*/result-*.json"))
    _visit()
    assert len(list(app_cache_dir.glob("*/result-*.json"))) == 1


def _pictures(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "data:image/png;base64," in m.value]


def test_the_strip_comes_with_its_picture_and_a_view_of_no_columns_without(
    app_cache_dir: Path, no_analysis: None
) -> None:
    """Until the browser has loaded Plotly, the strip shows as a picture (webapp.preview)."""
    at = _visit()
    assert len(_pictures(at)) == 1
    at.segmented_control(key=at.session_state["key:w_view"]).set_value("ring").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
    assert _pictures(at) == []


def test_a_warmed_up_server_draws_the_landing_page_without_making_its_figure(
    app_cache_dir: Path, no_analysis: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What app.py's warm-up thread makes before the first visitor is what that visitor's
    run uses: the figure and its picture, made once; the cache folder is left alone."""
    import streamlit as st

    from webapp import analysis, warmup

    st.cache_resource.clear()
    warmup.warm()
    assert not any(app_cache_dir.iterdir())

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("made again")

    monkeypatch.setattr(analysis, "view_figure", fail)
    monkeypatch.setattr(analysis, "preview_png", fail)
    at = _visit()
    assert len(_strip(at)["data"]) == 5 and len(_pictures(at)) == 1


def test_the_warm_up_imports_what_the_landing_page_imports() -> None:
    from webapp.warmup import LANDING_PAGE, page_modules

    modules = page_modules(LANDING_PAGE)
    assert LANDING_PAGE.name == "explore.py"
    assert {"streamlit", "webapp.analysis", "webapp.chooser"} <= set(modules)
