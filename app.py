"""Movie Color Fingerprint, the Streamlit app: `streamlit run app.py [-- --movies DIR]`.

This file plays two parts:

- imported (``streamlit run`` finds `app` below and serves it with Uvicorn, Streamlit's
  `st.App`): the server, with the upload receiver in front of Streamlit's upload route,
  so an upload goes to disk as it arrives instead of into memory (`webapp.receiving`);
- run as each visitor's script (``__name__ == "__main__"``, as Streamlit and AppTest run
  it): the router, i.e. the pages (`webapp.routing.pages`) and the settings sidebar they
  share.
"""

# Whole before any session draws: Plotly looks pandas up in sys.modules without importing
# it, so a session building a figure while another's first run imports pandas saw a
# partially initialized module (AttributeError: ... no attribute 'Series'). A second
# import statement waits for the first to finish; a sys.modules lookup does not.
import pandas  # noqa: F401
import streamlit as st

from webapp.routing import pages, run_page
from webapp.server import upload_middleware
from webapp.sidebar import sidebar
from webapp.warmup import warm_up

if __name__ == "__main__":
    st.set_page_config(
        page_title="Movie Color Fingerprint", page_icon="🎞️", layout="wide",
        initial_sidebar_state="expanded",
    )
    page = st.navigation(pages())
    sidebar()
    run_page(page)
else:
    warm_up()  # the landing page's first run, prepared before its first visitor comes
    app = st.App(__file__, middleware=upload_middleware())
