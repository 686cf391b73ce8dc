"""The sidebar's "Seen with" through AppTest: choosing a deficiency redraws every view with
the simulated colours (the strip, the shots, Compare's palettes, Collection's map), keeps
the choice in the link, and the posters follow it; the colour script is offered once the
shots are found."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fingerprint.model import from_hex, to_hex
from fingerprint.palette import simulate_cvd
from tests.support import ROOT
from tests.support.apptests import open_app
from tests.support.batches import write_batch

pytestmark = pytest.mark.usefixtures("as_streamlit_run", "app_cache_dir")
TIMEOUT = 120


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _bar_colors(spec: dict) -> list[list[str]]:
    """Each bar trace's colours, one per column."""
    return [trace["marker"]["color"] for trace in spec["data"] if trace["type"] == "bar"]


def _simulated(codes: list[str], kind: str, severity: float = 1.0) -> list[str]:
    return to_hex(simulate_cvd(from_hex(codes), kind=kind, severity=severity))


def _seen_with(at: AppTest):
    return at.selectbox(key="w_cvd")


def test_choosing_deuteranopia_redraws_the_strip_in_the_simulated_colours() -> None:
    at = open_app(film="bbb", samples="10")
    true = _bar_colors(_charts(at)[0])
    assert _seen_with(at).value == "normal"
    assert _seen_with(at).options == ["Normal vision", "Protanopia", "Deuteranopia",
                                      "Tritanopia"]
    assert not [s for s in at.slider if s.label == "Severity"]  # only with a deficiency
    _seen_with(at).set_value("deutan").run()
    _ok(at)
    seen = _bar_colors(_charts(at)[0])
    assert seen == [_simulated(rank, "deutan") for rank in true]
    assert seen != true
    assert at.query_params["cvd"] == "deutan"
    assert "cvd=deutan" in at.code[-1].value  # the share link
    # The severity: a milder deficiency, simulated at that severity.
    at.slider(key="w_cvd_severity").set_value(0.5).run()
    _ok(at)
    assert _bar_colors(_charts(at)[0]) == [_simulated(rank, "deutan", 0.5) for rank in true]
    assert at.query_params["cvd_severity"] == "0.5"
    captions = " ".join(c.value for c in at.caption)
    assert "As seen with deuteranomaly, severity 0.5" in captions
    assert "keep the film's true colours" in captions
    # Back to normal vision: the true colours, and nothing about vision in the link.
    _seen_with(at).set_value("normal").run()
    _ok(at)
    assert _bar_colors(_charts(at)[0]) == true
    assert "cvd" not in at.query_params


def test_a_link_opens_with_its_colour_vision_and_the_selected_moments_palette_seen() -> None:
    normal = open_app(film="bbb", samples="10", view="average", t="1.5")
    seen = open_app(film="bbb", samples="10", view="average", t="1.5", cvd="tritan",
                    cvd_severity="0.7")
    assert _seen_with(seen).value == "tritan"
    assert seen.slider(key="w_cvd_severity").value == pytest.approx(0.7)
    assert _bar_colors(_charts(seen)[0]) == [
        _simulated(c, "tritan", 0.7) for c in _bar_colors(_charts(normal)[0])]
    # The chosen moment's colours, as codes to copy: seen too.
    codes = normal.code[0].value.splitlines()
    assert seen.code[0].value.splitlines() == _simulated(codes, "tritan", 0.7)


def test_the_shots_view_and_its_poster_follow_the_colour_vision() -> None:
    normal = open_app(film="bbb", samples="10", shots="1", view="shots")
    seen = open_app(film="bbb", samples="10", shots="1", view="shots", cvd="protan")
    true_shots = _bar_colors(_charts(normal)[0])
    assert _bar_colors(_charts(seen)[0]) == [_simulated(c, "protan") for c in true_shots]
    captions = " ".join(c.value for c in seen.caption)
    assert "Of the view above: Colour script." in captions
    assert "As seen with protanopia" in captions


def test_the_colour_script_is_a_poster_choice_once_the_shots_are_found() -> None:
    without = open_app(film="bbb", samples="10", view="ab")
    chooser = next(s for s in without.selectbox if s.label == "Poster of")
    assert "Colour script" not in chooser.options
    with_shots = open_app(film="bbb", samples="10", view="ab", shots="1")
    chooser = next(s for s in with_shots.selectbox if s.label == "Poster of")
    assert chooser.options[-1] == "Colour script"
    chooser.set_value("script").run()
    _ok(with_shots)
    # Shots off again: the script is no longer offered, and the page still draws.
    with_shots.toggle(key="w_shots").set_value(False).run()
    _ok(with_shots)
    chooser = next(s for s in with_shots.selectbox if s.label == "Poster of")
    assert "Colour script" not in chooser.options


def _compare(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page("pages/compare.py")
    return at.run()


def _palette_codes(at: AppTest) -> list[str]:
    """The whole-film palettes' hex codes, as their swatches show them."""
    return [code for m in at.markdown for code in re.findall(r"<span>(#[0-9a-f]{6})</span>",
                                                              m.value)]


def test_compare_draws_seen_and_measures_true() -> None:
    normal = _compare(a="bbb", b="flower", samples="10")
    seen = _compare(a="bbb", b="flower", samples="10", cvd="deutan")
    _ok(seen)
    codes = _palette_codes(normal)
    assert codes and _palette_codes(seen) == _simulated(codes, "deutan")
    # The scores are the films' own, whatever the viewer's eyes.
    assert {m.label: m.value for m in seen.metric} == {m.label: m.value for m in normal.metric}
    assert "measured on the true colours" in " ".join(c.value for c in seen.caption)


def test_collection_map_dots_are_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "batch"
    write_batch(folder, 5, samples=30)
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))

    def dots(**query: str) -> list[str]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        for name, value in {"show": "map", **query}.items():
            at.query_params[name] = value
        at.switch_page("pages/collection.py")
        at.run()
        _ok(at)
        return _charts(at)[0]["data"][0]["marker"]["color"]

    true = dots()
    assert dots(cvd="protan") == _simulated(true, "protan")
    assert np.array_equal(from_hex(dots(cvd="protan", cvd_severity="0")), from_hex(true))
