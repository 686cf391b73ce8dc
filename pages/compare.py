"""Compare two films: both fingerprints on a shared 0-100 % time axis, the difference
strip, the curves, the scores and the whole-film palettes; the two films' moments
aligned in order (what one has and the other lacks, where a clip comes from); exports
and a link.

Films A and B come from the same chooser as the Explore page (query parameters ``a`` and
``b``); film A is the film being explored, unless a link names one. The analysis
settings are the sidebar's, the comparison's own (``bins``, ``top``) are on this page.
Everything is in the URL, so the address bar is a share link.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
import streamlit as st

from fingerprint import Fingerprint, Params
from fingerprint.compare._compare import (
    MAX_BINS,
    Comparison,
    compare,
    default_bins,
    same_fingerprint,
)
from fingerprint.compare._sequence import SequenceAlignment, align_sequences
from fingerprint.compare._sequence_text import gap_lines, local_line, score_meaning
from fingerprint.palette._cvd import cvd_label, seen_with
from fingerprint.plotting._compare import comparison_figure, curves_figure
from fingerprint.plotting._sequence import alignment_figure
from fingerprint.poster._comparison import comparison_png
from webapp import state
from webapp.alignment_view import chosen_view
from webapp.analysis import CHART_CONFIG, film_params, load_fingerprint
from webapp.chooser import choose_film
from webapp.escaping import escape_markdown
from webapp.films import credit_line, describe, slug
from webapp.layers import compare_shots
from webapp.routing import require_router
from webapp.settings import ALIGNMENT_VIEW_LABELS, ALIGNMENT_VIEWS, COMPARE_COLORS_RANGE
from webapp.swatches import swatches_html

require_router()


# The demo films a comparison opens with when nothing chose its films.
DEFAULT_A, DEFAULT_B = "bbb", "flower"


@st.cache_resource(max_entries=16, show_spinner=False)
def _comparison(
    key_a: str, params_a: Params, key_b: str, params_b: Params, bins: int | None,
    colors: int, names: tuple[str, str], cvd: str | None, severity: float, _a: Fingerprint,
    _b: Fingerprint,
) -> tuple[Comparison, Comparison, go.Figure, go.Figure]:
    # Keyed by the films' content and options: once per comparison, not once per rerun.
    # Measured on the true colours, drawn as the sidebar's colour vision sees them: the
    # scores and the downloads are the films', the pictures the viewer's.
    result = compare(_a, _b, bins=bins, colors=colors)
    shown = seen_with(result, cvd=cvd, severity=severity)
    return (result, shown, comparison_figure(shown, names=names),
            curves_figure(result, names=names))


@st.cache_resource(max_entries=16, show_spinner=False)
def _alignment(
    key_a: str, params_a: Params, key_b: str, params_b: Params, names: tuple[str, str],
    _a: Fingerprint, _b: Fingerprint,
) -> tuple[SequenceAlignment, dict[str, go.Figure]]:
    # About a second for two 1000-moment films: once per pair of films, as `_comparison`.
    result = align_sequences(_a, _b)
    return result, {view: alignment_figure(result, _a, _b, view=view, names=names)
                    for view in ALIGNMENT_VIEWS}


def _film_a_follows_explore() -> str:
    """The default film A: the film being explored (the link's ``film``).

    When the explored film changed since this page last took it, it replaces film A, so
    Explore, then Compare, always compares the film just explored; a link's ``a`` wins on
    the page's first run.
    """
    explored = st.query_params.get("film")
    taken = st.session_state.get("compare:explored")
    st.session_state["compare:explored"] = explored
    if explored and taken is not None and explored != taken:
        st.session_state["film:compare_a"] = explored  # the chooser's choice, as a click makes it
    return explored or DEFAULT_A


def _number(value: float, fmt: str) -> str:
    return "n/a" if math.isnan(value) else format(value, fmt)


# --- films -----------------------------------------------------------------------------
st.markdown("## Compare two films")
st.caption(
    "Both films on one time axis, 0 to 100 % of each one's running time, so films of any "
    "lengths line up: how they use colour over time, and how alike they are."
)
options = state.compare_options()
settings = state.settings()
default_a = _film_a_follows_explore()
defaults = {"A": default_a, "B": DEFAULT_B if default_a != DEFAULT_B else DEFAULT_A}
films = {}
for tag, column in zip("AB", st.columns(2, gap="large"), strict=True):
    with column:
        st.markdown(f"**Film {tag}**")
        films[tag] = choose_film(f"compare_{tag.lower()}", param=tag.lower(),
                                 default=defaults[tag])
        if films[tag] is not None:
            st.markdown(f"#### {escape_markdown(films[tag].title)}")
if films["A"] is None or films["B"] is None:
    missing = " and ".join(f"film {t}" for t in "AB" if films[t] is None)
    st.info(f"Choose {missing} above to compare.")
    st.stop()

fingerprints: dict[str, Fingerprint | None] = {}
for tag in "AB":
    film = films[tag]
    params = film_params(film, settings)
    if params is None:
        fingerprints[tag] = None
        continue
    waiting = st.empty()  # cleared at once when the film's fingerprint is on disk already
    ready = "Film A is ready. " if tag == "B" and fingerprints.get("A") else ""
    waiting.info(f"{ready}Fingerprinting film {tag} ({escape_markdown(film.title)}), or "
                 "waiting for another "
                 "session that is: the comparison appears when both films are ready.")
    fingerprints[tag] = load_fingerprint(film, params)
    waiting.empty()
failed = [t for t in "AB" if fingerprints[t] is None]
if failed:
    names = " and ".join(f"film {t} ({escape_markdown(films[t].title)})" for t in failed)
    st.warning(
        f"No comparison: {names} could not be fingerprinted, for the reason above. "
        "Choose another film, or change the settings in the sidebar."
    )
    st.stop()
fp_a, fp_b = fingerprints["A"], fingerprints["B"]
assert fp_a is not None and fp_b is not None
left, right = st.columns(2, gap="large")
for column, tag, fp in ((left, "A", fp_a), (right, "B", fp_b)):
    with column:
        st.caption(describe(films[tag], fp))
        if credit := credit_line(films[tag]):
            st.caption(credit)
        for note in fp.warnings:  # what the result covers: a note, as on Explore
            st.info(f"Film {tag}: {note}", icon=":material/info:")
same_film = films["A"].key == films["B"].key and fp_a.params == fp_b.params
if same_film or same_fingerprint(fp_a, fp_b):
    fp_b = fp_a  # one object: the file round trip must not leave a 1e-7 "difference"
    st.info(
        "Film A and film B are the same film with the same settings, so they are identical: "
        "similarity 1, no difference anywhere. Choose another film for B to compare."
    )

# --- options ---------------------------------------------------------------------------
bins_key = state.widget_key("w_cmp_bins", options.bins)
top_key = state.widget_key("w_cmp_top", options.colors)
auto_bins = default_bins(fp_a, fp_b)
bins_col, top_col, _ = st.columns([2, 2, 3])
bins_col.number_input(
    "Bins (columns of the comparison)", min_value=1, max_value=MAX_BINS, step=50,
    key=bins_key, placeholder=f"auto: {auto_bins}",
    on_change=lambda: state.update_compare_options(bins=st.session_state[bins_key]),
    help="The shared time axis is cut into this many equal bins. Each bin shows the moment "
    "of each film nearest its centre. Empty: as many as the film with more samples has "
    "(at most 1000).",
)
top_col.slider(
    "Colours in the whole-film palettes", *COMPARE_COLORS_RANGE, key=top_key,
    on_change=lambda: state.update_compare_options(colors=st.session_state[top_key]),
    help="Every palette of a film clustered together into this many colours.",
)
options = state.compare_options()
state.write_compare_options(options)

names = (films["A"].title, films["B"].title)  # as the page calls them, in every figure
result, shown, strips, curves = _comparison(
    films["A"].key, fp_a.params, films["B"].key, fp_b.params, options.bins, options.colors,
    names, settings.cvd, settings.cvd_severity, fp_a, fp_b,
)
scores = result.scores

# --- scores ----------------------------------------------------------------------------
similarity, difference, correlation, where = st.columns(4)
similarity.metric(
    "Palette similarity", f"{scores.palette_similarity:.2f}",
    help="0 to 1, from the earth mover's distance between the two whole-film palettes "
    f"({scores.palette_distance:.1f} ΔE2000 here): 1 identical, 0.5 at 10 ΔE, near 0 for "
    "opposite colours. Blind to when colours occur.",
)
difference.metric(
    "Mean difference", f"{scores.mean_difference:.1f} ΔE",
    help="The mean of the difference strip: per bin, the least total colour change "
    "(ΔE2000 × share) that turns one palette into the other. About 2 is just noticeable, "
    "10 clearly different.",
)
correlation.metric(
    "Curve correlation", _number(scores.temporal_correlation, "+.2f"),
    help="Mean Pearson correlation of the lightness, chroma and warmth curves over time: "
    "+1 the films brighten, saturate and warm together, −1 in opposite directions. n/a "
    "when a curve is flat.",
)
where.metric(
    "Most different at", f"{100 * scores.max_difference_at:.0f} %",
    help=f"Where the difference strip peaks ({scores.max_difference:.1f} ΔE2000).",
)

# --- the figures -----------------------------------------------------------------------
st.plotly_chart(strips, key="compare_strips", theme=None, config=CHART_CONFIG)
st.caption("Point anywhere to see both films' colours at the same relative time."
           + (f" Drawn as seen with {cvd_label(settings.cvd, settings.cvd_severity)}; the "
              "scores, the curves, the CSV and the JSON are measured on the true colours."
              if settings.cvd else ""))
# --- moment by moment -------------------------------------------------------------------
st.markdown("**Moment by moment: what one film has and the other lacks**")
st.caption(
    "The two films' moments paired in order, each on its own running time, as two "
    "editions of a film line up: a cut scene or an added one is a gap (red), and the "
    "joins after it lean by its length; a clip's best-matching stretch is where it comes "
    "from."
)
alignment, alignment_figures = _alignment(
    films["A"].key, fp_a.params, films["B"].key, fp_b.params, names, fp_a, fp_b,
)
view = chosen_view(options.alignment, alignment)
view_key = state.widget_key("w_cmp_align", view)
if options.alignment is None:
    st.session_state[view_key] = view  # no choice yet: follow the films
st.radio(
    "Show", ALIGNMENT_VIEWS, key=view_key, horizontal=True,
    format_func=ALIGNMENT_VIEW_LABELS.__getitem__, label_visibility="collapsed",
    on_change=lambda: state.update_compare_options(alignment=st.session_state[view_key]),
    help="Whole films: every moment paired or left in a gap. Best-matching stretch: the "
    "part of each film that matches best, as a clip in the film it was cut from.",
)
score_col, paired_col, third_col = st.columns(3)
score_col.metric(
    "Alignment score", f"{alignment.score:.2f}",
    help="0 to 1: how much of both films pairs up moment by moment, in order. 1 the same "
    "moments in the same order; a pair counts less the further apart its colours, a "
    f"moment left in a gap counts 0. A gap costs {alignment.gap_open:g} ΔE2000 to open "
    f"and {alignment.gap:g} a moment, so pairs closer than about {2 * alignment.gap:g} "
    "ΔE are kept and a long stretch further apart becomes a gap.",
)
paired_col.metric(
    "Moments paired", f"{100 * alignment.matched:.0f} %",
    help="The share of both films' moments the whole-film alignment pairs; the others "
    "are in gaps.",
)
if view == "global":
    third_col.metric("Gaps", str(len(alignment.gaps)),
                     help="Stretches one film has and the other lacks (red below).")
else:
    stretch = ("none" if alignment.local is None
               else f"{alignment.local['a'][1] - alignment.local['a'][0]:.1f} s")
    third_col.metric("Best-matching stretch", stretch,
                     help="How long the best-matching stretch of film A is (outlined below).")
st.caption(score_meaning(alignment))
st.plotly_chart(alignment_figures[view], key="compare_alignment", theme=None,
                config=CHART_CONFIG)
for line in gap_lines(alignment) if view == "global" else [local_line(alignment)]:
    st.caption(escape_markdown(line))

st.markdown("**Lightness, colourfulness and warmth over time**")
st.plotly_chart(curves, key="compare_curves", theme=None, config=CHART_CONFIG)

st.markdown("**Whole-film palettes**")
left, right = st.columns(2, gap="large")
for column, tag, palette in ((left, "A", shown.palette_a), (right, "B", shown.palette_b)):
    with column:
        st.caption(f"{tag} · {escape_markdown(films[tag].title)}")
        st.markdown(swatches_html(palette.pairs(), height=260), unsafe_allow_html=True)

compare_shots(fp_a, fp_b, (films["A"].title, films["B"].title))

# --- take it with you ------------------------------------------------------------------
st.divider()
stem = f"{slug(films['A'].title)}-vs-{slug(films['B'].title)}"
data, link = st.columns([4, 5], gap="large")
with data:
    st.markdown("**Image and data**")
    st.download_button(
        "Comparison (PNG)", on_click="ignore", type="primary", icon=":material/image:",
        data=lambda: comparison_png(shown, names=names, alignment=alignment),
        file_name=f"{stem}.png",
        mime="image/png",
    )
    st.download_button(
        "Bins (CSV)", data=result.to_csv, file_name=f"{stem}.csv", mime="text/csv",
        on_click="ignore", icon=":material/table:",
    )
    st.download_button(
        "Comparison (JSON)", data=lambda: result.to_json(alignment=alignment),
        file_name=f"{stem}.json",
        mime="application/json", on_click="ignore", icon=":material/data_object:",
    )
with link:
    st.markdown("**Share**")
    st.code(state.share_link(), language=None, wrap_lines=True)
    st.caption("This link reopens both films with these settings.")
