"""Explore one film: its fingerprint, a moment's frame and colours, posters, data, a link."""

from __future__ import annotations

import re

import streamlit as st

from fingerprint import render
from fingerprint.model import timecode
from fingerprint.share import VIEW_LABELS, VIEWS, nearest_sample, point_sample, sample_time
from pages import common

common.require_router()

POSTER_SIZES = {
    "3000 × 1000 · banner": (3000, 1000),
    "6000 × 2000 · large print": (6000, 2000),
    "1920 × 1080 · HD wallpaper": (1920, 1080),
    "3840 × 2160 · 4K wallpaper": (3840, 2160),
    "2480 × 3508 · A4 portrait, 300 dpi": (2480, 3508),
}

film = common.choose_film("explore")
if film is None:
    st.stop()
settings = common.settings()
st.markdown(f"## {film.title}")
params = common.film_params(film, settings)
fp = common.load_fingerprint(film, params) if params else None
if fp is None:
    st.stop()
st.caption(common.describe(film, fp))
if credit := common.credit_line(film):
    st.caption(credit)
for warning in fp.warnings:
    st.error(warning)

# --- the fingerprint -----------------------------------------------------------------------
common.seed_widget("w_view", settings.view)
st.segmented_control(
    "View", VIEWS, format_func=VIEW_LABELS.get, required=True, key="w_view",
    label_visibility="collapsed",
    on_change=lambda: common.update_settings(view=st.session_state["w_view"]),
)
chosen = None if settings.moment is None else nearest_sample(fp.times, settings.moment)


def _select() -> None:
    points = st.session_state["explore_chart"].selection.points
    sample = point_sample(points[0], len(fp)) if points else None
    if sample is not None:
        common.update_settings(moment=round(sample_time(fp.times, sample), 3))


slug = re.sub(r"[^a-z0-9]+", "-", film.title.lower()).strip("-") or "film"
st.plotly_chart(
    common.figure(film, fp, settings.view, chosen),
    key="explore_chart", on_select=_select, selection_mode="points", theme=None,
    config={
        "displaylogo": False,
        "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d",
                                   "zoomOut2d", "autoScale2d", "resetScale2d"],
        "toImageButtonOptions": {
            "format": "png", "scale": 2, "filename": f"{slug}-{settings.view}"
        },
    },
)

# --- the chosen moment -----------------------------------------------------------------
# Plotly reports no clicks on polar or 3-D charts to Streamlit: say so where it matters.
HINTS = {
    "ring": "Point at a wedge to see its colours; click a column in Palette to see a frame.",
    "ab": "Point at a colour to see when it appears; click it to see that frame.",
    "3d": "Drag to turn the space; point at a colour to see when it appears.",
}
if chosen is None or settings.view in ("ring", "3d"):
    st.caption(HINTS.get(settings.view, "Point at a column to see its colours; click it to "
                                        "see the frame."))
if chosen is not None:
    seconds = sample_time(fp.times, chosen)
    picture, colours = st.columns([3, 2], gap="medium")
    with picture:
        frame = common.frame_image(film, seconds)
        if frame is not None:
            st.image(frame, width="stretch")
        previous_moment = round(sample_time(fp.times, max(0, chosen - 1)), 3)
        next_moment = round(sample_time(fp.times, min(len(fp) - 1, chosen + 1)), 3)
        back, where, ahead = st.columns([1, 3, 1], vertical_alignment="center")
        back.button("◀", key="previous", disabled=chosen == 0, width="stretch",
                    on_click=common.update_settings, kwargs={"moment": previous_moment})
        where.markdown(
            f"<div style='text-align:center'><b>{timecode(seconds)}</b> · moment {chosen + 1} "
            f"of {len(fp)} · {seconds:.2f} s</div>", unsafe_allow_html=True,
        )
        ahead.button("▶", key="next", disabled=chosen == len(fp) - 1, width="stretch",
                     on_click=common.update_settings, kwargs={"moment": next_moment})
    with colours:
        palette = fp.palette(chosen)
        st.markdown(common.swatches_html(palette), unsafe_allow_html=True)
        average = "#{:02x}{:02x}{:02x}".format(*fp.average[chosen].tolist())
        st.code("\n".join(h for h, s in palette if s > 0), language=None)
        st.caption(f"Average colour {average}. Hover a code to copy it.")

# --- take it with you ------------------------------------------------------------------
st.divider()
poster, data, link = st.columns([5, 4, 5], gap="large")
bands = "equal" if settings.view == "bands" else "share"
with poster:
    st.markdown("**Poster**")
    title = st.text_input("Title on the poster", value=film.title, key="poster_title",
                          help="Leave empty for the strip alone.")
    size = st.selectbox("Size", list(POSTER_SIZES), key="poster_size")
    width, height = POSTER_SIZES[size]
    st.download_button(
        "Download poster (PNG)", on_click="ignore", type="primary", icon=":material/image:",
        data=lambda: render.poster_png(fp, width=width, height=height, bands=bands,
                                       title=title.strip() or None),
        file_name=f"{slug}-poster-{width}x{height}.png", mime="image/png",
    )
with data:
    st.markdown("**Data and figure**")
    st.download_button("Palettes (CSV)", data=lambda: fp.to_csv(header=True),
                       file_name=f"{slug}-fingerprint.csv", mime="text/csv",
                       on_click="ignore", icon=":material/table:")
    st.download_button("Fingerprint (JSON)", data=fp.to_json, file_name=f"{slug}-fingerprint.json",
                       mime="application/json", on_click="ignore", icon=":material/data_object:")
    st.download_button(
        "Strip (SVG)", on_click="ignore", icon=":material/draw:",
        data=lambda: render.strip_svg(fp, width=3000, height=1000, bands=bands),
        file_name=f"{slug}-strip.svg", mime="image/svg+xml",
    )
    st.caption("The chart's camera button saves the current view as a PNG.")
with link:
    st.markdown("**Share**")
    st.code(common.share_link(), language=None, wrap_lines=True)
    st.caption("This link reopens this film, these settings and this moment.")
