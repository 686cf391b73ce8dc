"""Movie Color Fingerprint, the Streamlit app: `streamlit run app.py [-- --movies DIR]`.

The router only: the pages (`common.pages`), and the settings sidebar they share.
"""

import streamlit as st

from pages import common

st.set_page_config(
    page_title="Movie Color Fingerprint", page_icon="🎞️", layout="wide",
    initial_sidebar_state="expanded",
)
page = st.navigation(common.pages())
common.sidebar()
common.run_page(page)
