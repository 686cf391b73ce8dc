"""Many films at once: their strips stacked (the filmography poster, a page of films at a
time), the distances between them, a map of them; a click opens a film on Explore, two
chosen open on Compare."""

from __future__ import annotations

import streamlit as st

from fingerprint import FingerprintError
from fingerprint.collection._collection import index_json, matrix_csv
from fingerprint.poster._collection import collection_poster_png
from webapp import collection_figures, film_picker, library, state
from webapp.analysis import CHART_CONFIG
from webapp.collection_view import (
    PAGE_FILMS,
    SHOW_LABELS,
    SHOWS,
    SORT_LABELS,
    SORTS,
    batch_lines,
    clicked_film,
    near_index,
    page_count,
    page_label,
    page_size,
    paged,
    showing,
)
from webapp.escaping import escape_markdown
from webapp.library_films import failure_lines, tally_lines
from webapp.messages import hide_paths
from webapp.routing import require_router
from webapp.settings import seen

require_router()

st.markdown("## Collection")
options = library.options()
settings = state.settings()
try:
    films = library.page_films(settings)
except FingerprintError as exc:
    st.error(escape_markdown(hide_paths(str(exc))))
    st.stop()
collection = films.collection
if films.origin == "batch":
    for line in batch_lines(len(collection), films.missing, indexed=films.indexed):
        st.caption(line)
else:
    for line in tally_lines(films.tally):
        st.caption(line)
    if films.failed:
        with st.expander("Films that could not be fingerprinted"):
            for line in failure_lines(films.failed):
                st.caption(line)
# The library's films still to fingerprint: their progress here, once the page is drawn.
progress = st.empty()
if not len(collection):
    if films.pending:
        library.fingerprint_pending(films, settings, progress)  # reruns the page when done
    st.info("No films to show: none of the library's films could be fingerprinted with "
            "the sidebar's settings." if films.failed else "No films to show yet.")
    st.stop()

# --- a click or a button, from the callbacks of this run ---------------------------------
# Streamlit cannot switch pages from a callback: the callbacks below leave the films'
# content keys here, and the page opens them before it draws anything.
pending = st.session_state.pop("collection:open", None)
if pending:
    where = {f.key: i for i, f in enumerate(collection.films)}
    wanted = [where[key] for key in pending if key in where]
    try:
        if len(wanted) == 1:
            library.open_on_explore(films, wanted[0])
        elif len(wanted) == 2:
            library.open_on_compare(films, *wanted)
    except FingerprintError as exc:
        st.error(escape_markdown(hide_paths(str(exc))))


def _open(*indices: int) -> None:
    st.session_state["collection:open"] = [collection.films[i].key for i in indices]


# --- the view ----------------------------------------------------------------------------
titles = [f.title for f in collection.films]
show_key = state.widget_key("w_col_show", options.show)  # see widget_key: a fresh control
state.seed_widget("w_col_sort", options.sort)
state.seed_widget("w_col_desc", options.descending)
state.seed_widget("w_col_near", near_index(collection, options.near))
state.seed_widget("w_col_page", min(options.page, page_count(len(collection), options.show)))
# Keyed: their placeholders' height, in webapp/preview.py.
with st.container(key="collection_controls"):
    show_col, sort_col, near_col, desc_col = st.columns([3, 2, 3, 1], vertical_alignment="bottom")
    show_col.segmented_control(
        "View", SHOWS, format_func=SHOW_LABELS.get, required=True, key=show_key,
        on_change=lambda: library.update_options(show=st.session_state[show_key], page=1),
    )
    # A new view or order starts at its first page: its first films are what was asked for.
    sort_col.selectbox(
        "Order", SORTS, format_func=SORT_LABELS.get, key="w_col_sort",
        on_change=lambda: library.update_options(sort=st.session_state["w_col_sort"], page=1),
    )
    if options.sort == "similar":
        with near_col:
            film_picker.choose_film(
                "Similar to", titles, "w_col_near",
                on_change=lambda: library.update_options(
                    near=collection.films[st.session_state["w_col_near"]].key, page=1),
            )
    desc_col.toggle(
        "Reverse", key="w_col_desc",
        on_change=lambda: library.update_options(descending=st.session_state["w_col_desc"],
                                                 page=1),
    )
options = library.options()
library.write_options(options)

# --- which films: all of them, or a page of them ------------------------------------------
near_title = titles[near_index(collection, options.near)] if options.sort == "similar" else None
with st.container(key="collection_pages"):
    what_col, page_col = st.columns([5, 2], vertical_alignment="bottom")
    what_col.caption(escape_markdown(showing(len(collection), options, near_title)))
    if paged(len(collection), options.show):
        pages = page_count(len(collection), options.show)
        if st.session_state["w_col_page"] > pages:
            st.session_state["w_col_page"] = pages
        page_col.selectbox(
            f"Films, {page_size(options.show)} at a time", range(1, pages + 1), key="w_col_page",
            format_func=lambda page: page_label(len(collection), page, options.show),
            on_change=lambda: library.update_options(page=st.session_state["w_col_page"]),
        )


def _clicked() -> None:
    points = st.session_state["collection_chart"].selection.points
    index = clicked_film(points, len(collection))
    if index is not None:
        _open(index)


# The strips as a picture until the browser has loaded Plotly and drawn the chart: on this
# session's first chart only (Plotly is loaded after it; the picture is 0.5 MB a run).
first_chart = not st.session_state.get("collection:charted", False)
st.session_state["collection:charted"] = True
with st.container(key="collection_strips"):
    if first_chart and (preview := collection_figures.preview(films, options, settings)):
        with st.container(key="collection_preview"):
            st.markdown(preview, unsafe_allow_html=True)
    st.plotly_chart(
        collection_figures.figure(films, options, settings), key="collection_chart",
        on_select=_clicked, selection_mode="points", theme=None,
        config={**CHART_CONFIG,
                "toImageButtonOptions": {"format": "png", "filename": "collection"}},
    )
st.caption({
    "strips": "Point at a film to see its running time and palette; click it to open it "
              "on Explore.",
    "matrix": "Point at a cell for two films' distance: the earth mover's distance between "
              "their whole-film palettes, in ΔE2000 (0 the same colours).",
    "map": "Films near each other have similar whole-film palettes; each dot is its film's "
           "dominant colour. Click one to open it on Explore.",
}[options.show])


def _search() -> None:
    """By colour, moments and films like one (webapp/search_panel.py). Imported only now,
    once the chart is on its way: the search's modules import scikit-learn, 1.3 s on a
    fresh server at load 10 (python -X importtime), which the strips need not wait for."""
    from webapp import search_panel

    search_panel.draw(films)


_search()

# --- open and compare ----------------------------------------------------------------------
st.divider()
explore_col, compare_col = st.columns([2, 3], gap="large")
with explore_col:
    st.markdown("**Open a film**")
    film_picker.choose_film("Film", titles, "col_explore_film", label_visibility="collapsed")
    st.button("Open on Explore", icon=":material/movie:", key="col_explore",
              on_click=lambda: _open(st.session_state["col_explore_film"]))
with compare_col:
    st.markdown("**Compare two films**")
    pair = film_picker.choose_films("Two films", titles, "col_compare_films", max_selections=2,
                                    label_visibility="collapsed", placeholder="Choose two films")
    st.button("Open on Compare", icon=":material/compare:", key="col_compare",
              disabled=len(pair) != 2,
              on_click=lambda: _open(*st.session_state["col_compare_films"]))

# --- take it with you --------------------------------------------------------------------
st.divider()
data, link = st.columns([4, 5], gap="large")
rows = collection_figures.film_order(films, options)
on_page = collection_figures.shown(films, options)
with data:
    st.markdown("**Poster and data**")
    st.download_button(
        "Poster of the strips (PNG)", on_click="ignore", type="primary", icon=":material/image:",
        data=lambda: collection_poster_png(
            [titles[i] for i in on_page], seen(films.rows[on_page], settings),
        ),
        file_name="collection-strips.png", mime="image/png",
    )
    st.download_button(
        "Distances (CSV)", on_click="ignore", icon=":material/table:",
        data=lambda: matrix_csv(*collection_figures.matrix(films, options)),
        file_name="collection-distances.csv", mime="text/csv",
    )
    st.download_button(
        "Films (JSON)", on_click="ignore", icon=":material/data_object:",
        data=lambda: index_json(collection, order=rows), file_name="collection.json",
        mime="application/json",
    )
    st.caption(("In the order shown, titles as written." if len(collection) <= PAGE_FILMS else
                "In the order shown, titles as written: the poster and the distances of the "
                "films shown, every film's data.")
               + (" The poster is drawn as the sidebar's colour vision sees it; the "
                  "distances and the JSON keep the films' true colours." if settings.cvd else ""))
with link:
    st.markdown("**Share**")
    st.code(state.share_link(), language=None, wrap_lines=True)
    st.caption("This link reopens this view, in this order, of these films.")

# --- the library's films still to fingerprint, once the page is drawn ----------------------
library.fingerprint_pending(films, settings, progress)  # reruns the page when one is done
