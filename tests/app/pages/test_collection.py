"""The Collection page: its pure parts (order, clicks, link options, figures, exports) and
the page through AppTest on synthetic batch folders and on the demo films."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from fingerprint.cache._cache import content_key
from fingerprint.collection._collection import from_fingerprints, index_json, matrix_csv
from fingerprint.plotting._collection import map_figure, matrix_figure, strips_figure
from fingerprint.poster._collection import collection_poster_png, strip_rows
from tests.support import ROOT
from tests.support.batches import put_film, write_batch
from tests.support.videos import make_rgb
from webapp import links
from webapp.collection_view import CollectionOptions, clicked_film, collection_digest, order
from webapp.escaping import escape_markdown

APP = ROOT / "app.py"
TIMEOUT = 60


pytestmark = pytest.mark.usefixtures("as_streamlit_run")


@pytest.fixture(autouse=True)
def _no_collection_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINGERPRINT_COLLECTION_DIR", raising=False)


def _films(count: int = 6, titles: list[str] | None = None):
    from tests.support.batches import synthetic_fingerprint

    fps = [synthetic_fingerprint(i, samples=30) for i in range(count)]
    return fps, from_fingerprints(fps, titles=titles or [f"film {i}" for i in range(count)])


# --- pure parts --------------------------------------------------------------------------
def test_order_by_each_key_and_by_similarity() -> None:
    _, collection = _films(6, titles=["b", "C", "a", "f", "e", "d"])
    assert order(collection, CollectionOptions(sort="title")) == [2, 0, 1, 5, 4, 3]
    assert order(collection, CollectionOptions(sort="title", descending=True)) == [3, 4, 5, 1, 0, 2]
    durations = [f.duration for f in collection.films]
    assert order(collection, CollectionOptions(sort="duration")) == list(np.argsort(durations))
    matrix = np.array([[abs(i - j) for j in range(6)] for i in range(6)], dtype=float)
    # Films in memory have no key: similarity to the first film, by its distances.
    similar = order(collection, CollectionOptions(sort="similar"), matrix[0])
    assert similar == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        order(collection, CollectionOptions(sort="similar"))


def test_a_click_names_the_film_in_its_customdata_whatever_the_order() -> None:
    assert clicked_film([{"customdata": [4.0], "point_index": 0}], 6) == 4
    assert clicked_film([{"customdata": {"0": 2}}], 6) == 2
    assert clicked_film([{"customdata": [9]}], 6) is None
    assert clicked_film([{"point_index": 1}], 6) is None
    assert clicked_film([], 6) is None


def test_collection_options_round_trip_through_a_link() -> None:
    wanted = CollectionOptions(show="map", sort="similar", descending=True, near="ab" * 12)
    query = links.collection_to_query(wanted)
    assert query == {"show": "map", "sort": "similar", "desc": "1", "near": "ab" * 12}
    assert links.collection_from_query(query) == (wanted, [])
    assert links.collection_to_query(CollectionOptions()) == {}
    restored, problems = links.collection_from_query({"show": "3d", "near": "/etc/passwd"})
    assert restored == CollectionOptions() and len(problems) == 2


def test_pages_of_films_and_what_the_page_says_of_them() -> None:
    from webapp.collection_view import PAGE_FILMS, page_count, page_label, page_span, showing

    # A first visit draws one page: 200 films' strips (1.7 MB of figure at 10,000 films,
    # where 500 were 3.5 MB: docs/benchmarks.md "The Collection page at 10,000 films").
    assert PAGE_FILMS == 200
    assert page_count(0) == page_count(200) == 1 and page_count(10_000) == 50
    assert page_span(10_000, 50) == range(9_800, 10_000)
    assert page_span(10_000, 99) == page_span(10_000, 50)  # an old link's page: the last
    assert page_span(700, 4) == range(600, 700) and page_label(10_000, 2) == "201-400"
    by_title = CollectionOptions(page=2)
    assert showing(10_000, by_title) == "Films 201-400 of 10,000, by title."
    assert showing(200, by_title) == "All 200 films, by title."
    assert showing(300, CollectionOptions()) == "Films 1-200 of 300, by title."
    near = CollectionOptions(sort="similar", descending=True)
    assert showing(10, near, "*Vertigo*") == "All 10 films, farthest from *Vertigo* first."
    assert "two main axes" in showing(10_000, CollectionOptions(show="map"))
    matrix = showing(10_000, CollectionOptions(show="matrix"))
    assert "49,995,000 pairs" in matrix and matrix.startswith("Films 1-200 of 10,000")
    assert showing(800, CollectionOptions(show="matrix")) == "All 800 films, by title."
    assert showing(10_000, CollectionOptions(show="matrix", page=2)).startswith(
        "Films 201-400 of 10,000")
    assert links.collection_from_query({"page": "3"}) == (CollectionOptions(page=3), [])
    assert links.collection_from_query({"page": "0"})[1]  # ignored, and said


def test_digest_follows_the_content() -> None:
    _, a = _films(4)
    _, b = _films(4)
    _, c = _films(4, titles=["x", "film 1", "film 2", "film 3"])
    assert collection_digest(a) == collection_digest(b) != collection_digest(c)


def test_figures_are_one_trace_each_with_the_film_index_and_escaped_titles() -> None:
    fps, collection = _films(5, titles=["<b>bold</b>", "a", "b", "c", "d"])
    rows = strip_rows(fps)
    assert rows.shape == (5, 12, 1000, 3)
    strips = strips_figure(collection, rows, [4, 3, 2, 1, 0])
    assert len(strips.data) == 1 and len(strips.layout.images) == 1
    assert list(strips.data[0].customdata[:, 0]) == [4, 3, 2, 1, 0]
    assert "&lt;b&gt;bold&lt;/b&gt;" in strips.data[0].text[-1]
    assert "<b>bold</b>" not in " ".join(strips.data[0].text)
    matrix = np.arange(25, dtype=float).reshape(5, 5)
    heat = matrix_figure(collection, matrix, [1, 0, 2, 3, 4])
    assert len(heat.data) == 1 and heat.data[0].z[0][1] == matrix[1, 0]
    dots = map_figure(collection, np.zeros((5, 2)))
    assert len(dots.data) == 1 and list(dots.data[0].customdata[:, 0]) == [0, 1, 2, 3, 4]


def test_strips_of_500_films_stay_one_trace() -> None:
    fps, collection = _films(500)
    fig = strips_figure(collection, strip_rows(fps, width=50, height=4), list(range(500)))
    assert len(fig.data) == 1 and len(fig.data[0].y) == 500


def test_the_poster_has_a_row_per_film_and_their_colours() -> None:
    fps, _ = _films(3)
    rows = strip_rows(fps, width=300)
    png = collection_poster_png(["one", "two", "three"], rows, heading="Three", row_height=20)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert image.shape[1] == 32 * 2 + 420 + 300
    # Film 0 is warm (red above blue), film 1 cool: read the middle of each strip.
    first_row = 32 + 56
    warm = image[first_row + 10, 32 + 420 + 150].astype(int)
    cool = image[first_row + 20 + 2 + 10, 32 + 420 + 150].astype(int)
    assert warm[0] > warm[2] and cool[2] > cool[0]


def test_exports_list_the_films_in_order_without_their_folders() -> None:
    _, collection = _films(3, titles=["x", "y", "z"])
    matrix = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0]], dtype=float)
    lines = matrix_csv(collection, matrix, order=[2, 0, 1]).splitlines()
    assert lines[0] == "film,z,x,y" and lines[1] == "z,0.000,2.000,3.000"
    data = json.loads(index_json(collection, order=[2, 0, 1]))
    assert [f["title"] for f in data["films"]] == ["z", "x", "y"]
    assert all("/" not in f["file"] for f in data["films"])


# --- the page ------------------------------------------------------------------------------
def _page(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    at.switch_page("pages/collection.py")
    return at.run()


def _spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _customdata(trace: dict) -> list[int]:
    data = trace["customdata"]
    if isinstance(data, dict):  # Plotly's typed array: base64 float64
        import base64

        return np.frombuffer(base64.b64decode(data["bdata"]), np.float64).astype(int).tolist()
    return [int(row[0]) for row in data]


@pytest.fixture
def batch(tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "batch"
    write_batch(folder, 8, samples=40)
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    return folder


def test_the_page_draws_a_batch_folders_strips_and_sorts_them(batch: Path) -> None:
    at = _page()
    _ok(at)
    spec = _spec(at)
    assert [t["type"] for t in spec["data"]] == ["bar"]
    assert len(spec["layout"]["images"]) == 1
    assert _customdata(spec["data"][0]) == list(range(8))  # "film 0000" ... by title
    assert "8 films of the batch folder" in at.caption[0].value
    index = json.loads((batch / "collection.json").read_text())
    durations = [f["video"]["duration"] for f in index["films"]]
    at.selectbox(key="w_col_sort").select("duration").run()
    _ok(at)
    assert _customdata(_spec(at)["data"][0]) == list(np.argsort(durations))
    assert at.query_params["sort"] == "duration"
    assert "sort=duration" in at.code[-1].value  # the share link
    at.get("segmented_control")[0].set_value("matrix").run()
    _ok(at)
    assert [t["type"] for t in _spec(at)["data"]] == ["heatmap"]
    at.get("segmented_control")[0].set_value("map").run()
    _ok(at)
    assert [t["type"] for t in _spec(at)["data"]] == ["scatter"]


def test_a_batch_is_drawn_from_its_index_without_reading_a_films_json(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fingerprint import Fingerprint

    def refuse(*args, **kwargs):
        raise AssertionError("the page read a film's JSON")

    monkeypatch.setattr(Fingerprint, "load", refuse)
    monkeypatch.setattr(Fingerprint, "from_dict", refuse)
    at = _page()
    _ok(at)
    assert "8 films of the batch folder" in at.caption[0].value
    spec = _spec(at)
    assert _customdata(spec["data"][0]) == list(range(8))
    assert "film 0003" in spec["data"][0]["text"][3]  # titles and palettes from the index
    at.segmented_control(key=at.get("segmented_control")[0].key).set_value("map").run()
    _ok(at)


def test_a_finished_film_missing_from_the_index_is_counted_with_what_to_run(
    batch: Path,
) -> None:
    index = json.loads((batch / "collection.json").read_text())
    index["films"].append({**index["films"][0], "source": "/films/lost.mp4", "key": "e" * 24})
    (batch / "collection.json").write_text(json.dumps(index))
    at = _page()
    _ok(at)
    assert "8 films of the batch folder" in at.caption[0].value
    assert at.caption[1].value.startswith("1 more finished film is not in the batch's index")
    assert "run the same `fingerprint batch` command again" in at.caption[1].value


def test_a_batch_made_before_the_index_is_read_from_its_jsons_and_says_how_to_build_it(
    tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old batch"
    write_batch(folder, 8, samples=40, search_index=False)
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    films = sorted((folder / "films").glob("*.json"))
    films[2].write_text("{ not a fingerprint")
    at = _page()
    _ok(at)
    assert "8 films of the batch folder" in at.caption[0].value
    assert "has no index yet" in at.caption[1].value
    assert "`fingerprint batch` command again to build it" in at.caption[1].value
    assert at.caption[2].value.startswith("1 of them has no fingerprint that can be read")
    assert len(_customdata(_spec(at)["data"][0])) == 8  # its row is drawn, empty


def test_past_a_page_of_films_the_strips_come_a_page_at_a_time(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 3 films, a whole matrix up to 4 and then pages of 2 (200, 1,000 and 200 in
    the app): 8 films are three pages of strips; the Distances view is a page's films,
    four pages of them; the map has every film."""
    from webapp import collection_figures, collection_view

    monkeypatch.setattr(collection_view, "PAGE_FILMS", 3)
    monkeypatch.setattr(collection_view, "MATRIX_PAGE", 2)
    monkeypatch.setattr(collection_view, "MATRIX_FILMS", 4)
    monkeypatch.setattr(collection_figures, "MATRIX_FILMS", 4)
    at = _page(sort="duration")
    _ok(at)
    index = json.loads((batch / "collection.json").read_text())
    by_duration = [int(i) for i in np.argsort([f["video"]["duration"] for f in index["films"]])]
    assert _customdata(_spec(at)["data"][0]) == by_duration[:3]
    assert at.caption[1].value == escape_markdown("Films 1-3 of 8, by running time.")
    at.selectbox(key="w_col_page").select(3).run()
    _ok(at)
    assert _customdata(_spec(at)["data"][0]) == by_duration[6:]
    assert at.query_params["page"] == "3" and "page=3" in at.code[-1].value
    at.get("segmented_control")[0].set_value("matrix").run()  # a new view: its first page
    _ok(at)
    assert at.caption[1].value.startswith(escape_markdown("Films 1-2 of 8"))
    at.selectbox(key="w_col_page").select(2).run()
    _ok(at)
    heat = _spec(at)["data"][0]
    assert heat["type"] == "heatmap" and len(heat["x"]) == 2
    assert "28 pairs" in at.caption[1].value  # what the whole matrix would be
    assert at.caption[1].value.startswith(escape_markdown("Films 3-4 of 8"))
    assert len(at.selectbox(key="w_col_page").options) == 4
    at.get("segmented_control")[0].set_value("map").run()
    _ok(at)
    assert sorted(_customdata(_spec(at)["data"][0])) == list(range(8))
    # A new order starts at its first page again.
    at.get("segmented_control")[0].set_value("strips").run()
    at.selectbox(key="w_col_sort").select("title").run()
    _ok(at)
    assert _customdata(_spec(at)["data"][0]) == [0, 1, 2]
    assert "page" not in at.query_params


def test_a_share_link_reopens_the_same_view(batch: Path) -> None:
    index = json.loads((batch / "collection.json").read_text())
    near = index["films"][5]["key"]
    at = _page(sort="similar", near=near, desc="0")
    _ok(at)
    first = _customdata(_spec(at)["data"][0])
    assert first[0] == 5
    assert at.selectbox(key="w_col_near").value == 5
    link = at.code[-1].value
    assert f"near={near}" in link and "sort=similar" in link
    # A new session from the link's query: the same rows in the same order.
    query = dict(pair.split("=") for pair in link.lstrip("?").split("&"))
    again = _page(**query)
    _ok(again)
    assert _customdata(_spec(again)["data"][0]) == first


def test_a_bad_link_still_opens_and_says_what_it_ignored(batch: Path) -> None:
    at = _page(show="everything", near="../../etc")
    assert not at.exception
    assert len(at.warning) == 2
    assert [t["type"] for t in _spec(at)["data"]] == ["bar"]


def test_a_click_on_a_batch_film_opens_it_on_explore(
    tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "films").mkdir()
    video = make_rgb(tmp_path / "films" / "rgb clip.mp4")
    folder = tmp_path / "batch"
    fps = write_batch(folder, 3, samples=20)
    put_film(folder, 1, fps[1], video, content_key(video))
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    at = _page(samples="20")
    _ok(at)
    # What the chart's click handler leaves for the next run (a click cannot be simulated).
    at.session_state["collection:open"] = [content_key(video)]
    at.run()
    _ok(at)
    assert at.markdown[0].value == "## rgb clip"  # Explore, on that film, analysed
    assert at.query_params["film"] == content_key(video)
    assert len(at.get("plotly_chart")) == 1


def test_the_library_lists_analysed_demo_films_and_opens_two_on_compare(
    app_cache_dir: Path,
) -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["samples"] = "20"
    at.run()  # Explore analyses Big Buck Bunny
    at.session_state["film:explore"] = "flower"
    at.run()  # and Flower
    at.switch_page("pages/collection.py").run()
    _ok(at)
    # And His Girl Friday, which the page fingerprints itself (tests/test_library.py).
    assert "3 films of this server's library" in at.caption[0].value
    hover = " ".join(_spec(at)["data"][0]["text"])
    assert "Big Buck Bunny" in hover and "Flower" in hover and "#" in hover
    at.multiselect(key="col_compare_films").select(0).select(1).run()
    at.button(key="col_compare").click().run()
    _ok(at)
    assert {at.query_params["a"], at.query_params["b"]} == {"bbb", "flower"}
    assert any(m.value == "#### Big Buck Bunny" for m in at.markdown)

