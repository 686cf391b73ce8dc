"""Movie Color Fingerprint, the Streamlit app: `streamlit run app.py [-- --movies DIR]`.

The router only: the pages (`webapp.routing.pages`), and the settings sidebar they share.
"""

# Whole before any session draws: Plotly looks pandas up in sys.modules without importing
# it, so a session building a figure while another's first run imports pandas saw a
# partially initialized module (AttributeError: ... no attribute 'Series'). A second
# import statement waits for the first to finish; a sys.modules lookup does not.
import pandas  # noqa: F401
import streamlit as st

from webapp.routing import pages, run_page
from webapp.sidebar import sidebar

st.set_page_config(
    page_title="Movie Color Fingerprint", page_icon="🎞️", layout="wide",
    initial_sidebar_state="expanded",
)
page = st.navigation(pages())
sidebar()
run_page(page)
