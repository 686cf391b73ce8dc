"""The film choosers of the Collection page and of its search: a selectbox of the films,
or, past `title_filter.LIST_ALL` films, a box to type part of a title over a selectbox
of the films it matches (`title_filter.matching`), so a chooser of 10,000 films never
sends the browser 10,000 options. Each returns indices into the titles given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import streamlit as st

from . import title_filter
from .escaping import escape_markdown

Visibility = Literal["visible", "hidden", "collapsed"]


def _find(key: str, count: int, visibility: Visibility,
          on_change: Callable[[], Any] | None = None) -> str:
    return st.text_input(
        f"Find a film of {count:,} by its title", key=f"{key}:find", on_change=on_change,
        placeholder=f"Part of a title (of {count:,} films)", label_visibility=visibility,
    )


def _say(matches: title_filter.Matches, query: str) -> None:
    line = title_filter.matches_line(matches, query)
    if line:  # holds the visitor's words: text, never Markdown
        st.caption(escape_markdown(line))


def choose_film(
    label: str, titles: Sequence[str], key: str, *,
    on_change: Callable[[], Any] | None = None, label_visibility: Visibility = "visible",
) -> int:
    """One film, by its index in ``titles``; its widget's value is
    ``st.session_state[key]`` (the first film until one is chosen)."""
    count = len(titles)
    current = st.session_state.get(key, 0)
    if not isinstance(current, int) or not 0 <= current < count:
        st.session_state[key] = current = 0
    options: Sequence[int] = range(count)
    found, query = None, ""

    def _first_match() -> None:
        # What is typed chooses its first match, so a button under the chooser opens the
        # film looked for, not the one chosen before.
        first = title_filter.matching(titles, st.session_state[f"{key}:find"], limit=1)
        if first.films:
            st.session_state[key] = first.films[0]
            if on_change is not None:
                on_change()

    if title_filter.filtered(count):
        query = _find(key, count, label_visibility, _first_match)
        found = title_filter.matching(titles, query, keep=[current])
        options = found.films
    choice = st.selectbox(label, options, format_func=titles.__getitem__, key=key,
                          on_change=on_change, label_visibility=label_visibility)
    if found is not None:
        _say(found, query)
    return current if choice is None else choice


def choose_films(
    label: str, titles: Sequence[str], key: str, *, max_selections: int,
    placeholder: str, label_visibility: Visibility = "visible",
) -> list[int]:
    """Up to ``max_selections`` films, by their indices in ``titles``."""
    count = len(titles)
    chosen = [i for i in st.session_state.get(key, []) if isinstance(i, int) and 0 <= i < count]
    if key in st.session_state:
        st.session_state[key] = chosen
    options: Sequence[int] = range(count)
    found, query = None, ""
    if title_filter.filtered(count):
        query = _find(key, count, label_visibility)
        found = title_filter.matching(titles, query, keep=chosen)
        options = found.films
    picked = st.multiselect(label, options, format_func=titles.__getitem__, key=key,
                            max_selections=max_selections, label_visibility=label_visibility,
                            placeholder=placeholder)
    if found is not None:
        _say(found, query)
    return list(picked)
