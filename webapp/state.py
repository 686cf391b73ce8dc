"""The session's settings, kept in the URL so that the address bar is always a share link.

The settings live in ``st.session_state["settings"]`` (a `Settings`), read from the URL
on a session's first run and written back to it on every run; the Compare page's options
likewise in ``st.session_state["compare_options"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from . import links
from .settings import CompareOptions, Settings


def settings() -> Settings:
    """This session's settings; on its first run, those in the URL."""
    if "settings" not in st.session_state:
        restored, problems = links.from_query(st.query_params.to_dict())
        st.session_state["settings"] = restored
        st.session_state["link_problems"] = problems
    return st.session_state["settings"]


def update_settings(**changes: Any) -> None:
    st.session_state["settings"] = replace(settings(), **changes)


def link_problems() -> list[str]:
    """What the link had that was ignored, as sentences; each is reported once."""
    return [_sentence(p) for p in st.session_state.pop("link_problems", [])]


def compare_options() -> CompareOptions:
    """This session's comparison options; on its first run, those in the URL (a bad value
    is shown as a warning where the page calls this first)."""
    if "compare_options" not in st.session_state:
        restored, problems = links.compare_from_query(st.query_params.to_dict())
        st.session_state["compare_options"] = restored
        for problem in problems:
            st.warning(_sentence(problem))
    return st.session_state["compare_options"]


def update_compare_options(**changes: Any) -> None:
    st.session_state["compare_options"] = replace(compare_options(), **changes)


def _sentence(problem: str) -> str:
    return problem[0].upper() + problem[1:]


def seed_widget(widget: str, value: Any) -> None:
    """Give a widget its value from the settings when it has none: on the first run, and
    after Streamlit dropped it because another page did not draw it."""
    if widget not in st.session_state:
        st.session_state[widget] = value


def write_query(wanted: Mapping[str, str], names: Sequence[str]) -> None:
    """Make the URL's parameters ``names`` say ``wanted`` (absent: deleted), leaving the
    others, such as the films', to their owners."""
    to_set, to_delete = links.query_changes(st.query_params.to_dict(), wanted, names)
    for name, value in to_set.items():
        st.query_params[name] = value
    for name in to_delete:
        del st.query_params[name]


def write_settings(current: Settings) -> None:
    """Put the settings in the URL, under today's parameter names."""
    write_query(links.to_query(current), links.settings_param_names())


def write_compare_options(options: CompareOptions) -> None:
    write_query(links.compare_to_query(options), list(links.COMPARE_PARAM_NAMES.values()))


def share_link() -> str:
    """The address that reopens this view: the page's URL and its query parameters."""
    base = st.context.url or ""
    query = urlencode(st.query_params.to_dict())
    return f"{base}?{query}" if query else base
