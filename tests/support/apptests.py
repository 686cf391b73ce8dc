"""The app through Streamlit's AppTest, opened as a link opens it: one way for the page
tests (the `as_streamlit_run` fixture in conftest sets up what `streamlit run app.py`
would)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

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
