"""The app's pages and the router that runs them (app.py is the router's script)."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from . import state

_ROUTED = "routed"
_LOG = logging.getLogger(__name__)
# What a visitor reads when a page fails unexpectedly; the traceback goes to the server's
# log (and .streamlit/config.toml keeps Streamlit's own error details from the browser).
UNEXPECTED = (
    "Something went wrong on this page. Change a setting or choose another film to go on; "
    "if it happens again, reload the page."
)


def pages() -> list[StreamlitPage]:
    """The app's pages, in the order the navigation lists them."""
    return [
        st.Page("pages/explore.py", title="Explore", icon=":material/movie:", default=True),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
        st.Page("pages/collection.py", title="Collection", icon=":material/view_list:"),
        st.Page("pages/about.py", title="About & help", icon=":material/help:"),
    ]


def run_page(page: StreamlitPage) -> None:
    """Run the page the router chose, telling it that the router ran (`require_router`)."""
    st.session_state[_ROUTED] = True
    state.count_run()
    try:
        page.run()
    except Exception:  # st.stop and st.rerun are BaseExceptions: they pass through
        _LOG.exception("the page %s failed", page.title)
        st.error(UNEXPECTED, icon=":material/error:")


def require_router() -> None:
    """First thing on every page: when Streamlit ran the page without the router
    (app.py), hand the run to the router.

    With a ``pages/`` folder next to app.py, Streamlit treats the app as a legacy
    multipage app until some session calls st.navigation (then, as its documentation
    says, it ignores the folder across all sessions). Until then, a share link to a page
    of a freshly started server (``/compare?a=…``) ran that page alone: no shared
    settings, and the folder's files as navigation. AppTest even looks for the folder
    before every run. A run the router did not mark (`run_page`) is such a run: the
    router's own st.navigation call here ends that mode for good and picks the page the
    URL names, and the rerun runs app.py, which draws the sidebar and this page with the
    link's query.
    """
    if st.session_state.pop(_ROUTED, False):
        return
    st.navigation(pages())
    st.rerun()
