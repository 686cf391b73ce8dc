"""The Collection page's library (issue 19 part 1): films analysed at the app's defaults
are found, whatever their length; the page fingerprints the library's other films itself
through the server's queue; and the counts it states add up. Pure parts first, then the
page through AppTest."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from fingerprint import (
    Cache,
    DecodeError,
    Fingerprint,
    Params,
    VideoInfo,
    analyze,
    probe,
)
from fingerprint.cache import Entry
from fingerprint.errors import CacheWriteError
from tests.support import ROOT
from tests.support.apptests import said
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_rgb
from webapp.films import DemoFilm
from webapp.library_films import (
    Failures,
    LibraryFilm,
    Tally,
    failure_lines,
    library_films,
    progress_text,
    set_aside,
    shelve,
    tally_lines,
)
from webapp.messages import analysis_failure
from webapp.settings import stored_params

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


def _info(duration: float, fps: float = 25.0) -> VideoInfo:
    return VideoInfo(name="x.mp4", duration=duration, fps=fps, frame_count=None, width=64,
                     height=36, codec="h264", pix_fmt="yuv420p", rotation=0, stream_index=0)


def _demo(film_id: str, title: str) -> DemoFilm:
    return DemoFilm(id=film_id, path=Path(f"/demo/{film_id}.mp4"), title=title, credit="c",
                    licence="l", licence_url="u", source_url="s", description="d")


def _key(n: int) -> str:
    return f"{n:024x}"


# --- the library's films --------------------------------------------------------------------
def test_the_library_is_every_demo_film_and_the_movies_folders_analysed_films(
    tmp_path: Path,
) -> None:
    movies = tmp_path / "movies"
    (movies / "noir").mkdir(parents=True)
    (movies / "noir" / "The_Big_Sleep.mkv").touch()
    (tmp_path / "elsewhere.mp4").touch()
    demos = [_demo("bbb", "Big Buck Bunny"), _demo("flower", "Flower")]
    keys = {demos[0].path: _key(1), demos[1].path: _key(2)}
    entries = [  # most recent first, as Cache.entries lists them
        Entry(_key(3), _info(60), str(movies / "noir" / "The_Big_Sleep.mkv"), 30.0),
        Entry(_key(2), _info(5), str(demos[1].path), 20.0),
        Entry(_key(4), _info(9), str(tmp_path / "app-cache" / "uploads" / "k" / "mine.mp4"), 10.0),
        Entry(_key(5), _info(9), str(tmp_path / "elsewhere.mp4"), 5.0),
    ]
    films = library_films(demos, entries, movies, keys.__getitem__)
    assert [(f.title, f.open_id) for f in films] == [
        ("Big Buck Bunny", "bbb"), ("Flower", "flower"), ("The Big Sleep", _key(3)),
    ]
    # A demo film never analysed here is in the library all the same, to fingerprint.
    assert films[0].info is None and films[0].key == _key(1)
    assert films[1].info == _info(5) and films[1].analysed_at == 20.0
    assert films[2].path == (movies / "noir" / "The_Big_Sleep.mkv").resolve()
    # Without a movies folder: the demo films only.
    assert [f.title for f in library_films(demos, entries, None, keys.__getitem__)] == [
        "Big Buck Bunny", "Flower",
    ]


def _fp(params: Params) -> Fingerprint:
    return make_fingerprint(np.zeros((params.samples, 2, 3)), params=params)


def test_each_film_is_shown_pending_or_failed_and_results_are_looked_up_fitted() -> None:
    films = [
        LibraryFilm(_key(1), "short, stored", "a", Path("/a"), _info(4.0)),  # 100 frames
        LibraryFilm(_key(2), "long, stored", "b", Path("/b"), _info(3600.0)),
        LibraryFilm(_key(3), "analysed with other options", "c", Path("/c"), _info(60.0)),
        LibraryFilm(_key(4), "never analysed", "d", Path("/d")),
        LibraryFilm(_key(5), "shorter than the start", "e", Path("/e"), _info(8.0)),
    ]
    params = Params(start=10.0)
    stored = {  # as `analyze` stores them: fitted to each film
        _key(1): None,
        _key(2): stored_params(params, films[1].info),
    }
    asked = []

    def load(key: str, options: Params) -> Fingerprint | None:
        asked.append((key, options))
        return _fp(options) if stored.get(key) == options else None

    # No start: the short film's result, stored with 100 samples, is found.
    stored[_key(1)] = stored_params(Params(), films[0].info)
    shelf = shelve(films, Params(), load)
    assert stored[_key(1)].samples == 100 and (_key(1), stored[_key(1)]) in asked
    assert [f.title for f, _ in shelf.shown] == ["short, stored"]
    assert [f.title for f in shelf.pending] == [
        "long, stored", "analysed with other options", "never analysed", "shorter than the start",
    ]
    shelf = shelve(films, params, load)
    assert [f.title for f, _ in shelf.shown] == ["long, stored"]
    assert [f.title for f, _ in shelf.failed] == ["short, stored", "shorter than the start"]
    assert "past the end of the film" in shelf.failed[1][1]
    # Every film in exactly one state: the counts add up to the library.
    assert len(shelf) == len(films)
    assert sorted(f.key for f in [*(f for f, _ in shelf.shown), *shelf.pending,
                                  *(f for f, _ in shelf.failed)]) == sorted(f.key for f in films)


def test_a_film_that_failed_is_set_aside_until_it_may_be_tried_again() -> None:
    films = [LibraryFilm(_key(n), f"film {n}", _key(n), Path(f"/{n}")) for n in range(3)]
    failures = Failures(retry=600)
    failures.add(_key(1), Params(), "Broken.", now=1000.0)
    # On the failures' clock: the test's own times, not the machine's (its monotonic
    # clock is its uptime, past 1600 s on any machine up for half an hour).
    pending, failed = set_aside(films, failures, Params(), now=1001.0)
    assert [f.title for f in pending] == ["film 0", "film 2"]
    assert [(f.title, why) for f, why in failed] == [("film 1", "Broken.")]
    # Failed with these options only; and tried again once the retry time has passed.
    assert failures.reason(_key(1), Params(samples=20)) is None
    assert failures.reason(_key(1), Params(), now=1599.0) == "Broken."
    assert failures.reason(_key(1), Params(), now=1600.0) is None
    assert failures.reason(_key(1), Params(), now=1000.0) is None  # forgotten


# --- what the page says ---------------------------------------------------------------------
@pytest.mark.parametrize(("shown", "fingerprinting", "failed"), [
    (3, 0, 0), (1, 0, 0), (0, 3, 0), (1, 1, 1), (2, 0, 1), (0, 0, 2), (1, 5, 0),
])
def test_the_counts_the_page_states_add_up_to_the_library(
    shown: int, fingerprinting: int, failed: int
) -> None:
    counts = Tally(shown, fingerprinting, failed)
    assert counts.total == shown + fingerprinting + failed
    lines = tally_lines(counts)
    assert said(lines) == counts
    assert len(lines) == (1 if shown == counts.total else 2)
    assert lines[0].startswith("1 film of" if counts.total == shown == 1 else str(shown))


def test_titles_are_text_in_the_failures_and_the_progress() -> None:
    film = LibraryFilm(_key(1), "[log in](https://x.y) *now*", _key(1), Path("/x"))
    line = failure_lines([(film, "Could not decode.")])[0]
    assert "[log in](" not in line and r"\[log in\]" in line and line.endswith(r"decode\.")
    value, text = progress_text(Tally(1, 3, 0), film.title, 0.5, "decoding: 3/20",
                                ahead=None, slots=2)
    assert value == pytest.approx(1.5 / 4)
    assert r"\[log in\]" in text and "50%" in text and "1 of 4 shown" in text
    value, text = progress_text(Tally(0, 2, 1), film.title, 0.0, "", ahead=1, slots=2)
    assert value == 0 and "waiting for 1 other film ahead of yours" in text
    assert r"\[log in\]" in text


def test_a_failed_analysis_says_why_without_a_server_path(tmp_path: Path) -> None:
    path = tmp_path / "films" / "night.mkv"
    assert analysis_failure(DecodeError(f"{path} could not be decoded at 0:01:00."),
                            "night", path) == "night.mkv could not be decoded at 0:01:00."
    assert analysis_failure(OSError(errno.ENOSPC, "full", str(path)), "night", path) == (
        "Could not fingerprint night: the server's disk is full."
    )
    assert "not enough memory" in analysis_failure(MemoryError(), "night", path)
    assert str(tmp_path) not in analysis_failure(
        CacheWriteError(f"cannot write {tmp_path}/cache/x"), "night", path
    )


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


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_the_issues_newcomer_sees_the_films_they_opened_and_the_third(
    app_cache_dir: Path,
) -> None:
    """Issue 19: Big Buck Bunny on Explore, Flower on Compare, then Collection, all at the
    defaults (1000 samples, fitted to 720 and 150 frames): the two, and His Girl Friday,
    which the page fingerprints itself."""
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
    assert "Big Buck Bunny" in hover and "Flower" in hover and "His Girl Friday" in hover
    assert said(_captions(at)) == Tally(3)
    assert _captions(at)[0].startswith("3 films of this server's library")


def test_a_first_visitor_sees_the_demo_films_and_an_upload_never(app_cache_dir: Path) -> None:
    # An upload another visitor analysed sits in the cache under uploads/.
    (app_cache_dir / "uploads" / "k").mkdir(parents=True)
    clip = make_rgb(app_cache_dir / "uploads" / "k" / "secret name.mp4")
    analyze(clip, params=Params(samples=20), cache=Cache(app_cache_dir))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["samples"] = "20"
    at.switch_page("pages/collection.py").run()  # the Collection, first
    _ok(at)
    assert said(_captions(at)) == Tally(3)
    hover = _hover(at)
    assert hover.count("</b>") == 3 and "secret" not in hover
    assert "secret" not in " ".join(_captions(at))
    assert len(Cache(app_cache_dir).entries()) == 4  # the demo films, analysed by the page


def test_films_the_settings_do_not_fit_are_counted_as_failed_and_said_why(
    app_cache_dir: Path,
) -> None:
    # Flower (5 s) and His Girl Friday (6 s) end before a start at 10 s. Flower was
    # analysed before (the page knows its length); His Girl Friday never (its analysis
    # says so).
    analyze(ROOT / "demo" / "flower_5s_540p_h264.mp4", params=Params(samples=20),
            cache=Cache(app_cache_dir))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["samples"] = "20"
    at.query_params["start"] = "10"
    at.switch_page("pages/collection.py").run()
    _ok(at)
    assert said(_captions(at)) == Tally(shown=1, failed=2)
    assert "Big Buck Bunny" in _hover(at)
    expander = at.get("expander")
    assert len(expander) == 1
    reasons = [c.value for c in expander[0].caption]
    assert [r.split("\\:")[0] for r in reasons] == ["Flower", "His Girl Friday \\(1940\\)"]
    assert all("past the end of the film" in r for r in reasons)
