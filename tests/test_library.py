"""The Collection page's library (issue 19 part 1): films analysed at the app's defaults
are found, whatever their length; the page fingerprints the library's other films itself
through the server's queue; and the counts it states add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from videos import make_rgb

from fingerprint import Cache, Params, analyze, probe

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
TIMEOUT = 120

pytestmark = pytest.mark.usefixtures("as_streamlit_run")


@pytest.fixture(autouse=True)
def _no_collection_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINGERPRINT_COLLECTION_DIR", raising=False)


@pytest.fixture
def movies(tmp_path: Path, app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "movies"
    folder.mkdir()
    monkeypatch.setenv("FINGERPRINT_MOVIES_DIR", str(folder))
    return folder


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _hover(at: AppTest) -> str:
    charts = at.get("plotly_chart")
    assert len(charts) == 1, [c.value for c in at.caption] + [i.value for i in at.info]
    return " ".join(json.loads(charts[0].proto.spec)["data"][0]["text"])


# --- films shorter than the default samples ----------------------------------------------
def test_a_film_analysed_at_the_defaults_is_found_though_it_has_fewer_frames(
    movies: Path, app_cache_dir: Path
) -> None:
    from webapp import library
    from webapp.settings import Settings, stored_params

    # 60 frames: the default 1000 samples are fitted to 60, and the result stored so.
    clip = make_rgb(movies / "rgb_clip.mp4")
    stored = analyze(clip, params=Params(), cache=Cache(app_cache_dir))
    assert stored.params.samples == 60
    assert stored_params(Params(), probe(clip)) == stored.params
    films = library.page_films(Settings())
    assert "rgb clip" in [film.title for film in films.collection.films]


def test_the_issues_newcomer_sees_the_films_they_opened(app_cache_dir: Path) -> None:
    """Issue 19: Big Buck Bunny on Explore, Flower on Compare, then Collection, all at the
    defaults (1000 samples, fitted to 720 and 150 frames)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()  # Explore: Big Buck Bunny
    _ok(at)
    at.switch_page("pages/compare.py").run()
    at.session_state["film:compare_a"] = "flower"
    at.session_state["film:compare_b"] = "bbb"
    at.run()
    _ok(at)
    at.switch_page("pages/collection.py").run()
    _ok(at)
    hover = _hover(at)
    assert "Big Buck Bunny" in hover and "Flower" in hover
    assert "0 films" not in " ".join(c.value for c in at.caption)
