"""The app through Streamlit's AppTest, opened as a link opens it: one way for the page
tests (the `as_streamlit_run` fixture in conftest sets up what `streamlit run app.py`
would); and the counts the Collection page's captions state, for AppTest and browser
tests alike."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from webapp.library_films import Tally

from . import ROOT

APP = ROOT / "app.py"


def open_app(*, page: str | None = None, timeout: float = 60, **query: str) -> AppTest:
    """The app at a link with these parameters (then on ``page``, e.g.
    ``"pages/compare.py"``), run, and failing the test if the page raised."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def said(lines: list[str]) -> Tally:
    """The counts the page's captions state, read back from their words."""
    text = " ".join(lines)
    first = re.match(r"(\d+)(?: of the (\d+))? films? of this server's library", text)
    assert first is not None, text
    fingerprinting = re.search(r"(\d+) being fingerprinted", text)
    failed = re.search(r"(\d+) could not be fingerprinted", text)
    counts = Tally(int(first[1]), int(fingerprinting[1]) if fingerprinting else 0,
                   int(failed[1]) if failed else 0)
    assert counts.total == int(first[2] or first[1]), text  # they add up to the library
    return counts
