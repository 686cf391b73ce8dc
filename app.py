"""Movie Color Fingerprint, the Streamlit app: `streamlit run app.py [-- --movies DIR]`.

The router only: the pages, and the settings sidebar they share.
"""

import streamlit as st

from pages import common

st.set_page_config(
    page_title="Movie Color Fingerprint", page_icon="🎞️", layout="wide",
    initial_sidebar_state="expanded",
)
page = st.navigation(
    [
        st.Page("pages/explore.py", title="Explore", icon=":material/movie:", default=True),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
        st.Page("pages/about.py", title="About & help", icon=":material/help:"),
    ]
)
common.sidebar()
page.run()
