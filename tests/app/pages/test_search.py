"""The Collection page's search: its pure parts (`webapp.search_view`) and the page
through AppTest on a synthetic batch folder with its index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fingerprint import Params, analyze
from fingerprint.cache._cache import content_key
from fingerprint.collection._listing import list_batch
from fingerprint.collection._search import open_search, search_colors
from fingerprint.errors import InvalidParameterError
from tests.support import ROOT
from tests.support.batches import put_film, write_batch
from tests.support.videos import make_rgb
from webapp import search_view
from webapp.search_view import (
    THUMB_PALETTE,
    THUMB_STRIP,
    THUMB_WIDTH,
    add_color,
    color_rows,
    page_films,
    parse_query,
    thumbnail,
)

APP = ROOT / "app.py"
TIMEOUT = 60

pytestmark = pytest.mark.usefixtures("as_streamlit_run")


@pytest.fixture
def batch(tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "batch"
    write_batch(folder, 6, samples=40)
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    return folder


def test_typed_colours_are_hex_codes_or_a_sentence() -> None:
    assert parse_query(" #C0392B, 2c3e50 ") == ["#c0392b", "#2c3e50"]
    for bad, message in (("", "type a colour"), ("red", "not a colour"),
                         ("#c0392", "not a colour"), ("#000000 " * 9, "at most")):
        with pytest.raises(InvalidParameterError, match=message):
            parse_query(bad)
    assert add_color("#c0392b", "#2C3E50") == "#c0392b #2c3e50"
    assert add_color("#c0392b", "#c0392b") == "#c0392b"
    assert add_color("nonsense", "#2c3e50") == "#2c3e50"


def test_a_hit_shows_its_strip_around_the_moment_over_its_palette(batch: Path) -> None:
    search = open_search(batch)
    hit = search_colors(search, ["#e67820"], top=1)[0]
    image = thumbnail(search.index, hit.film, hit.time)
    assert image.shape == (THUMB_STRIP + THUMB_PALETTE, THUMB_WIDTH, 3)
    marked = np.flatnonzero((image[:THUMB_STRIP] == 255).all(axis=(0, 2)))
    assert len(marked) >= 1  # the moment's white line
    palette = search_view.palette_of(search.index, hit.moment)
    first = [int(palette[0][0][i : i + 2], 16) for i in (1, 3, 5)]
    assert (image[THUMB_STRIP + 2, 1] == first).all()  # its largest colour leads the bar
    whole = thumbnail(search.index, hit.film, None)  # a film: its whole strip
    assert whole.shape == image.shape


def test_rows_say_where_and_how_close_and_which_page_film_opens(batch: Path) -> None:
    search = open_search(batch)
    hits = search_colors(search, ["#e67820"], top=3)
    positions = page_films(search.index, search.index.collection)
    assert positions == list(range(len(search.index.collection)))
    rows = color_rows(hits, positions)
    assert rows[0].title == hits[0].title and rows[0].page_film == hits[0].film
    assert rows[0].timecode.count(":") == 2 and "ΔE" in rows[0].detail
    assert f"{hits[0].share:.0%} of the frame" in rows[0].detail


def _page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("pages/collection.py")
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_the_page_searches_by_colour_and_like_a_hit(batch: Path) -> None:
    at = _page()
    _ok(at)
    at.text_input(key="w_search_text").set_value("#e67820").run()
    _ok(at)
    hits = search_colors(open_search(batch), ["#e67820"], top=20, per_film=3)
    titles = [m.value for m in at.markdown if m.value.startswith("**film")]
    assert titles and titles[0].startswith(f"**film {hits[0].title[5:]}**")
    assert len(at.get("image")) == len(hits)
    at.button(key="w_search_like_0").click().run()  # moments like the first hit
    _ok(at)
    assert at.session_state["w_search_mode"] == "moment"
    assert at.selectbox(key="w_search_film").value == hits[0].film
    assert any("palette distance" in m.value for m in at.markdown)
    mode = next(c for c in at.get("segmented_control") if c.key == "w_search_mode")
    mode.set_value("film").run()
    _ok(at)
    assert sum("palette distance" in m.value for m in at.markdown) == 5  # the 5 others


def test_a_bad_colour_is_a_warning_not_an_error(batch: Path) -> None:
    at = _page()
    at.text_input(key="w_search_text").set_value("#12345").run()
    _ok(at)
    assert "not a colour" in at.warning[0].value


def test_a_hit_opens_its_film_on_explore_at_its_moment(
    tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "films").mkdir()
    video = make_rgb(tmp_path / "films" / "rgb clip.mp4")
    folder = tmp_path / "batch"
    fps = write_batch(folder, 3, samples=20)
    put_film(folder, 1, fps[1], video, content_key(video))
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["samples"] = "20"
    at.switch_page("pages/collection.py").run()
    _ok(at)
    # The page's films are the index's, in its order: the clip's row came last.
    titles = [f.title for f in list_batch(folder).collection.films]
    assert titles == ["film 0000", "film 0002", "rgb clip"]
    at.session_state["search:open"] = (2, 1.5)  # what a hit's Open button leaves
    at.run()
    _ok(at)
    assert at.markdown[0].value == "## rgb clip"
    assert at.query_params["t"] == "1.5"


def test_clicking_open_on_a_hit_shows_that_moment_on_explore(
    tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch folder whose index also holds a real clip (red, green, blue, 2 s each):
    searching pure green finds it at 2-4 s, and its Open button opens Explore there."""
    (tmp_path / "films").mkdir()
    video = make_rgb(tmp_path / "films" / "rgb clip.mp4")
    folder = tmp_path / "batch"
    write_batch(folder, 3, samples=20)
    fp = analyze(video, params=Params(samples=12), cache=None)
    put_film(folder, 1, fp, video, content_key(video))
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["samples"] = "12"
    at.switch_page("pages/collection.py").run()
    at.text_input(key="w_search_text").set_value("#00ff00").run()
    _ok(at)
    hit = search_colors(open_search(folder), ["#00ff00"], top=1)[0]
    assert hit.title == "rgb clip" and 2.0 <= hit.time <= 4.0
    at.button(key="w_search_open_0").click().run()
    _ok(at)
    assert at.markdown[0].value == "## rgb clip"
    assert float(at.query_params["t"]) == pytest.approx(hit.time, abs=1e-3)


def test_the_library_searches_the_demo_films_and_a_hit_opens_explore_there(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No batch folder: the page fingerprints the three demo films itself, and searches
    them. Flower's red bloom (#ef4530 at 4.6 s, 12 % of the frame, in the demo's own
    fingerprint at 20 samples) comes at its end: the best hit is Flower, in its last
    second, and its Open button shows Flower on Explore at that time."""
    monkeypatch.delenv("FINGERPRINT_COLLECTION_DIR", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["samples"] = "20"
    at.switch_page("pages/collection.py").run()
    _ok(at)
    assert "3 films of this server's library" in at.caption[0].value
    assert not any("works on a batch folder" in c.value for c in at.caption)
    at.text_input(key="w_search_text").set_value("#ef4530").run()
    _ok(at)
    rows = [m.value for m in at.markdown if m.value.startswith("**")
            and "ΔE" in m.value]
    assert rows and rows[0].startswith("**Flower**")
    assert all("His Girl Friday" not in row for row in rows)  # black and white: no red
    at.button(key="w_search_open_0").click().run()
    _ok(at)
    assert at.query_params["film"] == "flower"
    assert 4.0 <= float(at.query_params["t"]) <= 5.005
    assert any(m.value == "## Flower" for m in at.markdown)


def test_the_library_search_is_cached_by_the_films_and_the_settings(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second session on the same films and settings searches without indexing them
    again; other settings (other fingerprints) make another index."""
    from webapp import search_panel

    monkeypatch.delenv("FINGERPRINT_COLLECTION_DIR", raising=False)
    built = []
    real = search_panel.search_index
    monkeypatch.setattr(search_panel, "search_index", lambda index: built.append(
        [f.title for f in index.collection.films]) or real(index))
    search_panel._library_search.clear()
    for samples in ("20", "20", "24"):
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.query_params["samples"] = samples
        at.switch_page("pages/collection.py").run()
        at.text_input(key="w_search_text").set_value("#ef4530").run()
        _ok(at)
    assert len(built) == 2
    assert built[0] == ["Big Buck Bunny", "Flower", "His Girl Friday (1940)"]


def test_a_batch_without_an_index_says_how_to_build_it(
    tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "batch"
    write_batch(folder, 3, samples=20, search_index=False)
    monkeypatch.setenv("FINGERPRINT_COLLECTION_DIR", str(folder))
    at = _page()
    _ok(at)
    assert any("no search index yet" in c.value for c in at.caption)
