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
    """Change some settings. A None for a setting that is never None (a widget the browser
    sent back empty) is ignored: the setting keeps its value, and no link says "None"."""
    defaults = Settings()
    kept = {
        name: value for name, value in changes.items()
        if value is not None or getattr(defaults, name) is None
    }
    st.session_state["settings"] = replace(settings(), **kept)


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


def count_run() -> None:
    """Count this session's page runs (the router calls it once a run): `widget_key`
    tells from it whether a widget was drawn in the run before."""
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1


def widget_key(name: str, value: Any) -> str:
    """The key to draw widget ``name`` under in this run, seeded with ``value`` when new.

    A page that stops early (a trim error) does not draw its widgets. When it draws one
    again in the next run, Chromium shows a segmented control with nothing selected,
    and its next change sends "nothing" (the ``view=None`` crash after a trim error). A
    widget not drawn in the run before therefore comes back under a new key, which the
    browser draws afresh with ``value``.
    """
    run = st.session_state.get("runs", 0)
    key = st.session_state.get(f"key:{name}")
    drawn_before = st.session_state.get(f"drawn:{name}") == run - 1
    if key is None or key not in st.session_state or not drawn_before:
        if key is not None:
            st.session_state.pop(key, None)
        count = st.session_state.get(f"keys:{name}", 0) + 1
        key = f"{name}.{count}"
        st.session_state[f"keys:{name}"] = count
        st.session_state[f"key:{name}"] = key
        st.session_state[key] = value
    st.session_state[f"drawn:{name}"] = run
    return key


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
