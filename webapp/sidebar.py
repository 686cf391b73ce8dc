"""The settings every page shares, drawn in the sidebar and kept in the URL: the analysis,
and the colour vision every view and poster is drawn for.

Each control writes its field of `Settings` (`state.update_settings`); its choices and
range come from `webapp.settings` and `Params`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

import streamlit as st

from fingerprint import Params
from fingerprint.timecodes import timecode

from . import state
from .links import DEFAULTS, format_seconds, parse_time
from .settings import (
    ANALYSIS_FIELDS,
    CLUSTERS_RANGE,
    COLOR_SPACE_LABELS,
    CVD_CHOICES,
    CVD_LABELS,
    MODE_LABELS,
    SAMPLES_RANGE,
    SEVERITY_RANGE,
    SEVERITY_STEP,
    Settings,
)

# The widget that shows each field: the analysis's, then the colour vision's.
VISION_FIELDS = ("cvd", "cvd_severity")
WIDGETS = {field: f"w_{field}" for field in (*ANALYSIS_FIELDS, *VISION_FIELDS)}
assert set(WIDGETS) <= {f.name for f in fields(Settings)}
# Normal vision is None in the settings; a select box takes None for "nothing chosen", so
# its option is this word instead.
NORMAL = "normal"
# Fields whose control always holds a choice.
REQUIRED = ("mode", "color_space")
# The tool this project reimplements, named wherever the app mentions "the original".
ORIGINAL = "[moviesColorFingerprint](https://github.com/Chipdelmal/moviesColorFingerprint)"


def _from_widget(field: str, convert: Callable[[Any], Any] = lambda v: v) -> None:
    value = st.session_state[WIDGETS[field]]
    if value is None and field in REQUIRED:  # the browser sent a choice back empty
        st.session_state[WIDGETS[field]] = getattr(state.settings(), field)
        return
    try:
        state.update_settings(**{field: convert(value)})
    except ValueError as exc:
        st.session_state["trim_error"] = str(exc)
    else:
        st.session_state.pop("trim_error", None)


def _shots_changed() -> None:
    """Turning shots on opens the Shots view: otherwise a long analysis ends with nothing
    new on the screen. Compare shows them in its own table, whatever the view."""
    _from_widget("shots")
    if st.session_state[WIDGETS["shots"]]:
        state.update_settings(view="shots")


def _vision_changed() -> None:
    choice = st.session_state[WIDGETS["cvd"]]
    if choice is None:  # the browser sent the choice back empty: keep the one shown
        st.session_state[WIDGETS["cvd"]] = state.settings().cvd or NORMAL
        return
    state.update_settings(cvd=None if choice == NORMAL else choice)


def _time_text(seconds: float | None) -> str:
    """A trim time for its input box: h:mm:ss when whole, else exact seconds."""
    if seconds is None:
        return ""
    return timecode(seconds) if seconds == int(seconds) else format_seconds(seconds)


def _reset() -> None:
    state.update_settings(**{f: getattr(DEFAULTS, f) for f in ANALYSIS_FIELDS})
    for widget in WIDGETS.values():
        st.session_state.pop(widget, None)
    st.session_state.pop("trim_error", None)


def _vision(current: Settings) -> None:
    """The colour vision every view and poster is drawn for (`webapp.settings.seen`)."""
    st.subheader("Colour vision")
    st.selectbox(
        "Seen with", (NORMAL, *CVD_CHOICES[1:]), key=WIDGETS["cvd"],
        format_func=lambda choice: CVD_LABELS[None if choice == NORMAL else choice],
        on_change=_vision_changed,
        help="Every view, frame and poster as seen with a colour-vision deficiency (the "
        "model of Machado, Oliveira and Fernandes, 2009). About 1 man in 12 has one, most "
        "often of red or green. The numbers and the data downloads keep the true colours.",
    )
    if current.cvd is not None:
        st.slider(
            "Severity", *SEVERITY_RANGE, step=SEVERITY_STEP, key=WIDGETS["cvd_severity"],
            on_change=_from_widget, args=("cvd_severity", lambda v: round(float(v), 2)),
            help="1: the colour is not seen at all (protanopia, deuteranopia, tritanopia); "
            "below: it is seen weaker (protanomaly, ...); 0: normal vision.",
        )


def sidebar() -> Settings:
    """Draw the analysis settings every page shares, and keep the URL in step with them."""
    current = state.settings()
    for field in ANALYSIS_FIELDS:
        value = getattr(current, field)
        state.seed_widget(WIDGETS[field], _time_text(value) if field in ("start", "end") else value)
    state.seed_widget(WIDGETS["cvd"], current.cvd or NORMAL)
    state.seed_widget(WIDGETS["cvd_severity"], current.cvd_severity)
    with st.sidebar:
        for problem in state.link_problems():
            st.warning(problem)
        st.subheader("Analysis")
        st.number_input(
            "Samples (columns)", *SAMPLES_RANGE, step=50, key=WIDGETS["samples"],
            placeholder="auto", on_change=_from_widget, args=("samples",),
            help=f"How many moments are taken evenly across the film, {Params.samples} when "
            f"empty (one every {7200 // Params.samples:g} s of a two-hour film); never more "
            "than the frames in the analysed span, so a short clip gets one per frame.",
        )
        st.slider(
            "Colours per moment (k)", *CLUSTERS_RANGE, key=WIDGETS["clusters"],
            on_change=_from_widget, args=("clusters",),
            help="How many dominant colours k-means finds in each frame. Changing it reuses "
            "the decoded frames, so it is quick.",
        )
        st.segmented_control(
            "Sampling", Params.MODES, required=True, key=WIDGETS["mode"],
            format_func=MODE_LABELS.get, on_change=_from_widget, args=("mode",),
            help="Fast: a keyframe in each slot of the film, decoded alone. Exact: the frame on "
            "screen at each sample time (slower on long films).",
        )
        st.segmented_control(
            "Colour space", Params.COLOR_SPACES, required=True, key=WIDGETS["color_space"],
            format_func=COLOR_SPACE_LABELS.get, on_change=_from_widget, args=("color_space",),
            help="Where k-means measures colour differences. CIELAB follows perceived "
            f"difference; RGB is what the original, Chipdelmal's {ORIGINAL}, did.",
        )
        st.toggle(
            "Crop black bars", key=WIDGETS["crop"], on_change=_from_widget, args=("crop",),
            help="Ignore letterbox and pillarbox bars, so black is not every film's first colour.",
        )
        st.toggle(
            "Sound print", key=WIDGETS["sound"], on_change=_from_widget, args=("sound",),
            help="The loudness of the sound at each moment (EBU R128, LUFS), drawn under the "
            "strip and around the ring. Fast: 3 s of sound around each moment; Exact: all of it.",
        )
        st.toggle(
            "Shots", key=WIDGETS["shots"], on_change=_shots_changed,
            help="Find where the film cuts and a palette per shot, for the Shots view. It "
            "decodes every frame: about as long as playing the film through FFmpeg.",
        )
        start, end = st.columns(2)
        start.text_input(
            "Start", key=WIDGETS["start"], placeholder="0:00:00",
            on_change=_from_widget, args=("start", parse_time),
            help="Analyse from this time: seconds (95) or h:mm:ss (1:02:03). Empty: the start.",
        )
        end.text_input(
            "End", key=WIDGETS["end"], placeholder="the end",
            on_change=_from_widget, args=("end", parse_time),
            help="Analyse up to this time. Empty: the end of the film.",
        )
        if "trim_error" in st.session_state:
            st.error(st.session_state["trim_error"])
        st.button("Reset to defaults", on_click=_reset, type="tertiary")
        _vision(current)
    state.write_settings(state.settings())
    return state.settings()
