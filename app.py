"""Movie Color Fingerprint, the Streamlit app: `streamlit run app.py [-- --movies DIR]`.

The router only: the pages (`webapp.routing.pages`), and the settings sidebar they share.
"""

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
