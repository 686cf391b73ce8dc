"""Explore one film: its fingerprint, a moment's frame and colours, posters, data, a link."""

from __future__ import annotations

import streamlit as st

from fingerprint.palette import cvd_label
from fingerprint.poster import (
    POSTER_SIZES,
    SCRIPT_PANELS,
    drawable_kinds,
    poster_png,
    poster_svg,
    script_frame_size,
)
from fingerprint.poster._kinds import DRAWERS
from fingerprint.timecodes import timecode
from webapp.analysis import (
    CHART_CONFIG,
    chart_preview,
    figure,
    film_params,
    frame_image,
    load_fingerprint,
    script_thumbnails,
)
from webapp.chooser import choose_film
from webapp.escaping import escape_markdown
from webapp.films import credit_line, describe, slug
from webapp.layers import loudness_trace, shots_view
from webapp.routing import require_router
from webapp.script_frames import poster_name, shows_frames
from webapp.selection import nearest_sample, point_sample, sample_time
from webapp.settings import VIEW_LABELS, VIEWS, seen
from webapp.state import settings, share_link, update_settings, widget_key
from webapp.swatches import swatches_html

require_router()

# Height of the shown frame at most, in % of the window's: with the ◀ ▶ row under it, a
# portrait frame still fits a laptop screen.
FRAME_MAX_VH = 62

# The poster of each view that has one (the colour spaces have none).
POSTER_OF_VIEW = {"strip": "palette", "bands": "bands", "average": "average", "ring": "ring",
                  "shots": "script"}

film = choose_film("explore")
if film is None:
    st.stop()
current = settings()
st.markdown(f"## {escape_markdown(film.title)}")
params = film_params(film, current)
fp = load_fingerprint(film, params) if params else None
if fp is None:
    st.stop()
st.caption(describe(film, fp))
if credit := credit_line(film):
    st.caption(credit)
for note in fp.warnings:  # what the result covers (samples capped, a clamped end): a note
    st.info(note, icon=":material/info:")

# --- the fingerprint -----------------------------------------------------------------------
view_key = widget_key("w_view", current.view)


def _change_view() -> None:
    view = st.session_state[view_key]
    if view in VIEWS:
        update_settings(view=view)
    else:  # the browser sent no view: keep the one shown, and show it selected again
        st.session_state[view_key] = settings().view


with st.container(key="explore_view"):  # its placeholder's height: webapp/preview.py
    st.segmented_control(
        "View", VIEWS, format_func=VIEW_LABELS.get, required=True, key=view_key,
        label_visibility="collapsed", on_change=_change_view,
    )
chosen = None if current.time is None else nearest_sample(fp.times, current.time)


def _select() -> None:
    points = st.session_state["explore_chart"].selection.points
    sample = point_sample(points[0], len(fp)) if points else None
    if sample is not None:
        update_settings(time=round(sample_time(fp.times, sample), 3))


stem = slug(film.title)
if current.view == "shots":
    shots_view(film, fp, current)
else:
    chart = figure(film, fp, current, chosen)
    # The columns as a picture until the browser has loaded Plotly and drawn the chart.
    with st.container(key="explore_strip"):
        if (preview := chart_preview(film, fp, current, chart)) is not None:
            with st.container(key="explore_preview"):
                st.markdown(preview, unsafe_allow_html=True)
        st.plotly_chart(
            chart, key="explore_chart", on_select=_select, selection_mode="points", theme=None,
            config={
                **CHART_CONFIG,
                "toImageButtonOptions": {"format": "png", "scale": 2,
                                         "filename": f"{stem}-{current.view}"},
            },
        )
    loudness_trace(film, fp, current.view)

# --- the selected sample -----------------------------------------------------------------
# Plotly reports no clicks on polar or 3-D charts to Streamlit: say so where it matters.
HINTS = {
    "ring": "Point at a wedge to see its colours; click a column in Palette to see a frame.",
    "ab": "Point at a colour to see when it appears; click it to see that frame.",
    "3d": "Drag to turn the space; point at a colour to see when it appears.",
}
if current.view != "shots" and (chosen is None or current.view in ("ring", "3d")):
    st.caption(HINTS.get(current.view, "Point at a column to see its colours; click it to "
                                        "see the frame."))
if chosen is not None and current.view != "shots":
    seconds = sample_time(fp.times, chosen)
    picture, colors = st.columns([3, 2], gap="medium")
    # A portrait frame at the column's width is taller than a screen: its height is
    # capped, so the frame, its ◀ ▶ and the strip above fit on one screen.
    st.html(f"<style>.st-key-explore_frame img {{max-height: {FRAME_MAX_VH}vh; "
            "width: auto !important; max-width: 100%; margin: 0 auto; display: block;}</style>")
    with picture:
        frame = frame_image(film, seconds, current)
        if frame is not None:
            with st.container(key="explore_frame"):
                st.image(frame, width="stretch")
        previous_time = round(sample_time(fp.times, max(0, chosen - 1)), 3)
        next_time = round(sample_time(fp.times, min(len(fp) - 1, chosen + 1)), 3)
        back, where, ahead = st.columns([1, 3, 1], vertical_alignment="center")
        # Streamlit's shortcuts: the arrow keys step unless the focus is in a text box.
        back.button("◀", key="previous", disabled=chosen == 0, width="stretch",
                    shortcut="Left", on_click=update_settings, kwargs={"time": previous_time})
        where.markdown(
            f"<div style='text-align:center'><b>{timecode(seconds)}</b> · moment {chosen + 1} "
            f"of {len(fp)} · {seconds:.2f} s</div>", unsafe_allow_html=True,
        )
        ahead.button("▶", key="next", disabled=chosen == len(fp) - 1, width="stretch",
                     shortcut="Right", on_click=update_settings, kwargs={"time": next_time})
    with colors:
        shown = seen(fp, current)  # as the sidebar's colour vision sees them, codes too
        palette = shown.palette(chosen)
        st.markdown(swatches_html(palette), unsafe_allow_html=True)
        average = "#{:02x}{:02x}{:02x}".format(*shown.average[chosen].tolist())
        st.code("\n".join(h for h, s in palette if s > 0), language=None)
        st.caption(f"Average colour {average}. Hover a code to copy it.")

# --- take it with you ------------------------------------------------------------------
st.divider()
poster, data, link = st.columns([5, 4, 5], gap="large")
with poster:
    st.markdown("**Poster**")
    kinds = drawable_kinds(fp)  # the colour script once the shots are found
    kind = POSTER_OF_VIEW.get(current.view)
    if kind not in kinds:
        if st.session_state.get("poster_kind") not in kinds:  # the script, shots now off
            st.session_state.pop("poster_kind", None)
        kind = st.selectbox("Poster of", kinds, key="poster_kind",
                            format_func=lambda k: DRAWERS[k].label)
    else:
        st.caption(f"Of the view above: {DRAWERS[kind].label}.")
    panels = next(iter(SCRIPT_PANELS))
    if DRAWERS[kind].framed is not None:  # the colour script: palettes, or frames too
        panels = st.radio(
            "Panels", tuple(SCRIPT_PANELS), key="poster_panels", horizontal=True,
            format_func=lambda p: SCRIPT_PANELS[p].label,
            help="Frames and palettes: each shot's middle frame with its palette beside "
            "it, decoded from the film once (then kept for every poster).")
    # Keyed by film, so that another film starts from its own title and credit.
    title = st.text_input("Title on the poster", value=film.title, key=f"poster_title_{film.id}",
                          help="Drawn as typed. Leave empty for the picture alone.")
    credit = st.text_input(
        "Credit on the poster", key=f"poster_credit_{film.id}",
        value=" · ".join(p for p in (film.credit, film.licence) if p),
        help="The demo films' licences ask for their credit. Leave empty for none.",
    )
    size = st.selectbox("Size", POSTER_SIZES, key="poster_size",
                        format_func=lambda s: f"{s.width} × {s.height} · {s.label}")
    sound = fp.loudness is not None and st.checkbox(
        "Sound on the poster", key="poster_sound",
        help="The loudness as a band under the strip, or inside the ring's hole.")
    frames = None
    if shows_frames(kind, panels):  # decoded here, with a progress bar, before the buttons
        frames = script_thumbnails(
            film, fp, script_frame_size(fp, width=size.width, height=size.height))
    options = {
        "kind": kind, "width": size.width, "height": size.height, "dpi": size.dpi,
        "title": title.strip() or None, "credit": credit.strip() or None, "sound": sound,
        "cvd": current.cvd, "cvd_severity": current.cvd_severity, "frames": frames,
    }
    name = poster_name(stem, kind, panels, size.width, size.height, current.cvd)
    missing = shows_frames(kind, panels) and frames is None  # the reason is shown above
    st.download_button(
        "Download poster (PNG)", on_click="ignore", type="primary", icon=":material/image:",
        data=lambda: poster_png(fp, **options), file_name=f"{name}.png",
        mime="image/png", disabled=missing,
    )
    st.download_button(
        "Poster (SVG)", on_click="ignore", icon=":material/draw:",
        data=lambda: poster_svg(fp, **options), file_name=f"{name}.svg",
        mime="image/svg+xml", disabled=missing,
    )
    st.caption(f"Exactly {size.width} × {size.height} pixels, caption included"
               + (f"; {size.dpi} dpi for print." if size.dpi else ".")
               + (f" As seen with {cvd_label(current.cvd, current.cvd_severity)}, the "
                  "sidebar's colour vision." if current.cvd else ""))
with data:
    st.markdown("**Data and figure**")
    st.download_button("Palettes (CSV)", data=lambda: fp.to_csv(header=True),
                       file_name=f"{stem}-fingerprint.csv", mime="text/csv",
                       on_click="ignore", icon=":material/table:")
    st.download_button("Fingerprint (JSON)", data=fp.to_json, file_name=f"{stem}-fingerprint.json",
                       mime="application/json", on_click="ignore", icon=":material/data_object:")
    st.caption("The chart's camera button saves the current view as a PNG."
               + (" The CSV and the JSON keep the film's true colours." if current.cvd else ""))
with link:
    st.markdown("**Share**")
    st.code(share_link(), language=None, wrap_lines=True)
    st.caption("This link reopens this film, these settings and this moment.")
