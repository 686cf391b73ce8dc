"""The Collection page at scale (issue 19): what keeps 10,000 films light. Choosers that
list the titles typed, the strips as a picture until the chart is drawn, the server's
warm-up, the map in WebGL (docs/benchmarks.md "The Collection page at 10,000 films")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fingerprint.plotting._collection import map_figure
from tests.app.pages.test_collection import _customdata, _films, _ok, _page, _spec
from tests.support.batches import write_batch
from webapp.escaping import escape_markdown

pytestmark = pytest.mark.usefixtures("as_streamlit_run")


@pytest.fixture
def batch(tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """8 films, "film 0000" to "film 0007", as the page's FINGERPRINT_COLLECTION_DIR."""
    folder = tmp_path / "batch"
    write_batch(folder, 8, samples=40)
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    return folder


def test_the_map_of_many_films_is_drawn_with_webgl(monkeypatch: pytest.MonkeyPatch) -> None:
    """SVG dots up to MAP_WEBGL_FILMS films, one WebGL trace past it: 10,000 SVG dots took
    8.5 s to show (docs/benchmarks.md "The Collection page at 10,000 films")."""
    from fingerprint.plotting import _collection

    assert _collection.MAP_WEBGL_FILMS == 1000
    _, collection = _films(4)
    assert map_figure(collection, np.zeros((4, 2))).data[0].type == "scatter"
    monkeypatch.setattr(_collection, "MAP_WEBGL_FILMS", 3)
    dots = map_figure(collection, np.arange(8.0).reshape(4, 2))
    assert len(dots.data) == 1 and dots.data[0].type == "scattergl"
    assert list(dots.data[0].customdata[:, 0]) == [0, 1, 2, 3]  # a click still names a film


def test_past_a_few_hundred_films_the_choosers_list_the_titles_typed(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Choosers list every film up to title_filter.LIST_ALL (200 in the app; 3 here);
    past it, the films whose titles hold what is typed, at most MATCHES (50; 2 here),
    never 10,000 options. What is typed chooses its first match."""
    from webapp import title_filter

    monkeypatch.setattr(title_filter, "LIST_ALL", 3)
    monkeypatch.setattr(title_filter, "MATCHES", 2)
    at = _page(sort="similar")
    _ok(at)
    # The film chosen (the first), then MATCHES others; none chosen to compare yet.
    first = ["film 0000", "film 0001", "film 0002"]
    assert at.selectbox(key="col_explore_film").options == first
    assert at.selectbox(key="w_col_near").options == first
    assert at.multiselect(key="col_compare_films").options == first[:2]
    at.text_input(key="col_explore_film:find").input("0006").run()
    _ok(at)
    assert at.selectbox(key="col_explore_film").value == 6
    assert at.selectbox(key="col_explore_film").options == ["film 0006"]
    at.text_input(key="w_col_near:find").input("film 0003").run()  # reorders by it
    _ok(at)
    assert at.selectbox(key="w_col_near").value == 3 and at.query_params["near"]
    assert _customdata(_spec(at)["data"][0])[0] == 3
    at.text_input(key="col_compare_films:find").input("film 0007").run()
    at.multiselect(key="col_compare_films").select(7).run()
    at.text_input(key="col_compare_films:find").input("film 0002").run()
    _ok(at)
    assert at.multiselect(key="col_compare_films").options == ["film 0007", "film 0002"]
    at.multiselect(key="col_compare_films").select(2).run()
    assert at.multiselect(key="col_compare_films").value == [7, 2]
    assert not at.button(key="col_compare").disabled
    at.text_input(key="col_explore_film:find").input("*nope*").run()
    _ok(at)
    assert escape_markdown("No title holds “*nope*”.") in [c.value for c in at.caption]


def test_a_page_of_many_strips_shows_them_as_a_picture_until_the_chart_is_drawn(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 60 films a page hides their titles (3 here): its strips come as a picture too
    (webapp.preview), in the chart's box, in the session's first run; a page showing
    titles has none."""
    import streamlit as st

    from fingerprint.plotting import _collection

    st.cache_resource.clear()
    at = _page()
    _ok(at)
    assert not [m for m in at.markdown if "fingerprint-preview" in m.value]
    st.cache_resource.clear()
    monkeypatch.setattr(_collection, "_MAX_TICK_TITLES", 3)
    at = _page()
    _ok(at)
    pictures = [m.value for m in at.markdown if "fingerprint-preview" in m.value]
    assert len(pictures) == 1 and "data:image/jpeg;base64," in pictures[0]
    # Only until the session's first chart: the browser has Plotly after it.
    at.selectbox(key="w_col_sort").select("duration").run()
    _ok(at)
    assert not [m for m in at.markdown if "fingerprint-preview" in m.value]
    assert _spec(at)["data"][0]["type"] == "bar"
    st.cache_resource.clear()


def test_a_warmed_up_server_draws_the_batch_without_listing_it_again(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a batch folder, app.py's warm-up lists its films and makes the first view's
    figure before the first visitor comes; that visitor's run uses them."""
    import streamlit as st

    from webapp import collection_figures, library, warmup

    st.cache_resource.clear()
    warmup.warm_collection()

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("made again")

    monkeypatch.setattr(library, "list_batch", fail)
    monkeypatch.setattr(collection_figures, "strips_figure", fail)
    at = _page()
    _ok(at)
    assert _customdata(_spec(at)["data"][0]) == list(range(8))
    st.cache_resource.clear()


def test_the_warm_up_of_a_folder_that_cannot_be_read_leaves_the_server_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from webapp import warmup

    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(tmp_path / "no batch here"))
    warmup.warm_collection()  # no collection.json: said in the log, nothing raised
    assert "could not be read" in caplog.text
    monkeypatch.setattr(warmup, "warm", lambda: None)
    monkeypatch.setattr(warmup, "warm_collection", lambda: None)
    names = [t.name for t in warmup.warm_up()]
    assert names == ["warm up the landing page", "warm up the Collection page"]
    monkeypatch.delenv("FINGERPRINT_COLLECTION_DIR")
    assert [t.name for t in warmup.warm_up()] == ["warm up the landing page"]
