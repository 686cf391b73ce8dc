"""Share links: time parsing, settings and the Compare page's options to and from a query,
old parameter names, and the URL updates."""

from __future__ import annotations

import pytest

from fingerprint.compare._compare import MAX_BINS
from webapp.links import (
    DEFAULTS,
    compare_from_query,
    compare_to_query,
    format_seconds,
    from_query,
    parse_time,
    query_changes,
    settings_param_names,
    to_query,
)
from webapp.settings import CompareOptions, Settings


# --- time ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "seconds"),
    [("", None), ("  ", None), (None, None), ("90", 90.0), ("90.5", 90.5), ("1:30", 90.0),
     ("1:02:03", 3723.0), ("0:00:03.25", 3.25)],
)
def test_parse_time(text: str | None, seconds: float | None) -> None:
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["abc", "-5", "1:60", "1:2:3:4", "1.5:00", "1e3", "nan"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


# --- settings <-> query ----------------------------------------------------------------
def test_defaults_make_an_empty_query() -> None:
    assert to_query(Settings()) == {}
    assert from_query({}) == (DEFAULTS, [])


def test_every_setting_round_trips() -> None:
    settings = Settings(
        samples=400, clusters=8, mode="exact", crop=False, color_space="rgb", start=12.5,
        end=90.0, view="ring", time=33.375,
    )
    query = to_query(settings)
    assert query == {
        "samples": "400", "k": "8", "mode": "exact", "crop": "0", "color_space": "rgb",
        "start": "12.5", "end": "90", "view": "ring", "t": "33.375",
    }
    assert from_query(query) == (settings, [])


def test_bad_values_fall_back_to_defaults_with_a_message() -> None:
    settings, problems = from_query(
        {"k": "99", "samples": "lots", "mode": "slow", "view": "heatmap", "crop": "maybe",
         "start": "-3", "t": "1:2:3:4", "film": "bbb", "utm_source": "x"}
    )
    assert settings == DEFAULTS
    assert len(problems) == 7
    assert any("k='99'" in p and "between 1 and 12" in p for p in problems)


def test_query_accepts_lists_and_timecodes() -> None:
    settings, problems = from_query({"k": ["3", "7"], "start": "0:01:00", "end": "1:30"})
    assert problems == []
    assert (settings.clusters, settings.start, settings.end) == (7, 60.0, 90.0)


def test_end_before_start_is_dropped() -> None:
    settings, problems = from_query({"start": "50", "end": "10"})
    assert (settings.start, settings.end) == (None, None)
    assert problems == ["ignored start and end in the link: the end must come after the start."]


def test_the_colour_vision_round_trips_and_stays_out_of_a_normal_link() -> None:
    assert to_query(Settings(cvd_severity=0.4)) == {"cvd_severity": "0.4"}
    for settings, query in [
        (Settings(cvd="deutan"), {"cvd": "deutan"}),
        (Settings(cvd="protan", cvd_severity=0.6), {"cvd": "protan", "cvd_severity": "0.6"}),
        (Settings(cvd="tritan", cvd_severity=0.0, view="ring"),
         {"cvd": "tritan", "cvd_severity": "0", "view": "ring"}),
    ]:
        assert to_query(settings) == query
        assert from_query(query) == (settings, [])
    # A link from before the choice existed opens with normal vision.
    assert from_query({"film": "bbb", "view": "ring"}) == (Settings(view="ring"), [])


def test_a_bad_colour_vision_in_a_link_falls_back_to_normal_vision() -> None:
    settings, problems = from_query({"cvd": "green", "cvd_severity": "2", "k": "3"})
    assert (settings.cvd, settings.cvd_severity, settings.clusters) == (None, 1.0, 3)
    assert problems == [
        "ignored cvd='green' in the link: must be one of protan, deutan, tritan.",
        "ignored cvd_severity='2' in the link: must be a number from 0 to 1.",
    ]
    assert from_query({"cvd_severity": "nan"})[1]


def test_old_parameter_names_still_open_and_new_links_use_new_names() -> None:
    old_link = {"colors": "rgb", "k": "3", "film": "bbb"}
    settings, problems = from_query(old_link)
    assert problems == []
    assert (settings.color_space, settings.clusters) == ("rgb", 3)
    assert to_query(settings) == {"color_space": "rgb", "k": "3"}
    assert "colors" in settings_param_names()  # so the page drops it from the address bar
    # Today's name wins over an old one in the same link.
    assert from_query({"colors": "rgb", "color_space": "lab"})[0].color_space == "lab"
    _, problems = from_query({"colors": "hsv"})
    assert problems == ["ignored color_space='hsv' in the link: must be one of lab, rgb."]


def test_link_choices_come_from_params() -> None:
    _, problems = from_query({"mode": "slow", "color_space": "xyz"})
    assert problems == [
        "ignored mode='slow' in the link: must be one of fast, exact.",
        "ignored color_space='xyz' in the link: must be one of lab, rgb.",
    ]


# --- the Compare page's options --------------------------------------------------------
def test_compare_options_round_trip_and_defaults_stay_out_of_the_link() -> None:
    assert compare_to_query(CompareOptions()) == {}
    assert compare_from_query({}) == (CompareOptions(), [])
    options = CompareOptions(bins=40, colors=4)
    assert compare_to_query(options) == {"bins": "40", "top": "4"}
    assert compare_from_query({"bins": "40", "top": "4", "a": "bbb"}) == (options, [])


def test_compare_options_refuse_bad_values_with_a_message() -> None:
    options, problems = compare_from_query({"bins": "zero", "top": "1000"})
    assert options == CompareOptions()
    assert problems == [
        f"ignored bins='zero' in the link: must be a whole number between 1 and {MAX_BINS}.",
        "ignored top='1000' in the link: must be a whole number between 2 and 16.",
    ]


def test_the_alignment_view_is_kept_in_the_link_once_chosen() -> None:
    # None: the page picks the view that tells the films' story; a choice is kept.
    assert "align" not in compare_to_query(CompareOptions())
    options = CompareOptions(alignment="local")
    assert compare_to_query(options) == {"align": "local"}
    assert compare_from_query({"align": "local"}) == (options, [])
    options, problems = compare_from_query({"align": "sideways"})
    assert options.alignment is None
    assert problems == ["ignored align='sideways' in the link: must be one of global, local."]


def test_options_round_trip_through_a_link() -> None:
    # Moved from tests/test_compare.py with the codec it tests.
    assert compare_to_query(CompareOptions()) == {}
    options = CompareOptions(bins=250, colors=5)
    assert compare_to_query(options) == {"bins": "250", "top": "5"}
    assert compare_from_query(compare_to_query(options)) == (options, [])
    got, problems = compare_from_query({"bins": "lots", "top": ["3", "99"], "a": "bbb"})
    assert got == CompareOptions() and len(problems) == 2
    assert "bins='lots'" in problems[0] and "top='99'" in problems[1]
    assert compare_from_query({"bins": " 12 "})[0].bins == 12


# --- the address bar -------------------------------------------------------------------
def test_query_changes_send_only_differences_and_leave_other_parameters() -> None:
    current = {"film": "bbb", "k": "3", "samples": "40", "colors": "rgb"}
    wanted = {"k": "3", "mode": "exact", "color_space": "rgb"}
    to_set, to_delete = query_changes(current, wanted, settings_param_names())
    assert to_set == {"mode": "exact", "color_space": "rgb"}
    assert sorted(to_delete) == ["colors", "samples"]


@pytest.mark.parametrize("seconds", [99999999.0, 1234.567, 0.001, 0.0, 7200.0, 33.375, 5e11])
def test_times_in_links_read_back_exactly(seconds: float) -> None:
    settings = Settings(time=seconds, start=seconds, end=seconds + 1)
    query = to_query(settings)
    assert "e" not in query["t"].lower()
    assert parse_time(query["t"]) == seconds
    assert from_query(query) == (settings, [])


def test_times_are_written_to_the_millisecond() -> None:
    assert format_seconds(1234.5674) == "1234.567"
    assert format_seconds(90.0) == "90"
    assert format_seconds(12.5) == "12.5"
