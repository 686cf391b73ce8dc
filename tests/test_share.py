"""Share links, time parsing, column → sample → time, demo table, movies-folder safety."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from fingerprint import Params, UnreadableFileError, VideoInfo, VideoNotFoundError
from fingerprint.model import timecode
from fingerprint.share import (
    DEFAULTS,
    Settings,
    auto_samples,
    demo_films,
    from_query,
    movie_files,
    nearest_sample,
    params_for,
    parse_film_id,
    parse_time,
    point_sample,
    resolve_movie,
    sample_time,
    to_query,
)

ROOT = Path(__file__).resolve().parent.parent


def _info(duration: float = 30.0, fps: float | None = 24.0) -> VideoInfo:
    return VideoInfo(
        name="film.mp4", duration=duration, fps=fps, frame_count=None, width=1280,
        height=720, codec="h264", pix_fmt="yuv420p", rotation=0, stream_index=0,
    )


# --- time ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00:00"), (59.99, "0:00:59"), (61, "0:01:01"), (3600, "1:00:00"), (7325.5, "2:02:05")],
)
def test_timecode(seconds: float, text: str) -> None:
    assert timecode(seconds) == text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("", None), ("  ", None), (None, None), ("90", 90.0), ("90.5", 90.5), ("1:30", 90.0),
     ("1:02:03", 3723.0), ("0:00:03.25", 3.25)],
)
def test_parse_time(text: str | None, seconds: float | None) -> None:
    assert parse_time(text) == seconds


@pytest.mark.parametrize("text", ["abc", "-5", "1:60", "1:2:3:4", "1.5:00", "1e3", "nan"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


# --- settings <-> query ----------------------------------------------------------------
def test_defaults_make_an_empty_query() -> None:
    assert to_query(Settings()) == {}
    assert from_query({}) == (DEFAULTS, [])


def test_every_setting_round_trips() -> None:
    settings = Settings(
        samples=400, clusters=8, mode="exact", crop=False, color_space="rgb", start=12.5,
        end=90.0, view="ring", moment=33.375,
    )
    query = to_query(settings)
    assert query == {
        "samples": "400", "k": "8", "mode": "exact", "crop": "0", "colors": "rgb",
        "start": "12.5", "end": "90", "view": "ring", "t": "33.375",
    }
    assert from_query(query) == (settings, [])


def test_bad_values_fall_back_to_defaults_with_a_message() -> None:
    settings, problems = from_query(
        {"k": "99", "samples": "lots", "mode": "slow", "view": "heatmap", "crop": "maybe",
         "start": "-3", "t": "1:2:3:4", "film": "bbb", "utm_source": "x"}
    )
    assert settings == DEFAULTS
    assert len(problems) == 7
    assert any("k='99'" in p and "between 1 and 12" in p for p in problems)


def test_query_accepts_lists_and_timecodes() -> None:
    settings, problems = from_query({"k": ["3", "7"], "start": "0:01:00", "end": "1:30"})
    assert problems == []
    assert (settings.clusters, settings.start, settings.end) == (7, 60.0, 90.0)


def test_end_before_start_is_dropped() -> None:
    settings, problems = from_query({"start": "50", "end": "10"})
    assert (settings.start, settings.end) == (None, None)
    assert problems == ["ignored start and end in the link: the end must come after the start."]


# --- params ----------------------------------------------------------------------------
def test_auto_samples_is_one_per_frame_up_to_1000() -> None:
    assert auto_samples(_info(30.0, 24.0)) == 720
    assert auto_samples(_info(7200.0, 24.0)) == 1000
    assert auto_samples(_info(30.0, 24.0), 10.0, 20.0) == 240
    assert auto_samples(_info(30.0, None)) == 1000
    assert auto_samples(_info(0.2, 24.0)) == 10  # the controls' minimum


def test_params_for_uses_settings_and_auto_samples() -> None:
    info = _info()
    assert params_for(Settings(), info) == Params(samples=720)
    chosen = Settings(samples=50, clusters=3, mode="exact", crop=False, color_space="rgb",
                      start=1.0, end=2.0)
    assert params_for(chosen, info) == Params(
        samples=50, clusters=3, mode="exact", crop=False, color_space="rgb", start=1.0, end=2.0
    )


# --- columns, samples, moments ---------------------------------------------------------
def test_point_sample_reads_customdata_then_index() -> None:
    assert point_sample({"customdata": [37.0, 0.4], "point_index": 2}, 100) == 37
    assert point_sample({"customdata": 5}, 100) == 5
    # What Streamlit reported for a click on the colour wheel.
    wheel = {"curve_number": 0, "point_index": 3570, "x": 0, "y": 0,
             "customdata": {"0": 7, "1": 0.006335, "2": 0.548, "3": 0, "4": 0}}
    assert point_sample(wheel, 720) == 7
    assert point_sample({"point_index": 12, "x": "0:00:01 · moment 13 of 100"}, 100) == 12
    assert point_sample({"point_number": 3}, 100) == 3


@pytest.mark.parametrize(
    "point", [{}, {"point_index": 100}, {"point_index": -1}, {"customdata": ["x"]},
              {"customdata": []}]
)
def test_point_sample_refuses_points_that_name_no_sample(point: dict) -> None:
    assert point_sample(point, 100) is None


def test_sample_to_time_and_back() -> None:
    times = np.array([0.5, 1.5, 2.6, 3.4])
    assert sample_time(times, 2) == 2.6
    assert nearest_sample(times, 2.6) == 2
    assert nearest_sample(times, 100.0) == 3
    assert nearest_sample(times, 0.0) == 0
    # A moment survives a change of sample count: the nearest frame in the new set.
    assert nearest_sample(np.linspace(0.25, 3.75, 8), 2.6) == 5


# --- films -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "parsed"),
    [("bbb", "bbb"), (" BBB ", "bbb"), ("0123456789abcdef01234567", "0123456789abcdef01234567"),
     ("../etc/passwd", None), ("", None), (None, None), ("a" * 40, None), ("1abc", None)],
)
def test_parse_film_id(value: str | None, parsed: str | None) -> None:
    assert parse_film_id(value) == parsed


def test_demo_films_are_bundled_with_credits() -> None:
    films = demo_films(ROOT / "demo")
    assert 3 <= len(films) <= 4
    assert next(iter(films)) == "bbb"
    for film in films.values():
        assert film.path.is_file()
        assert film.credit and film.licence
        assert film.path.stat().st_size < 3_000_000  # keep the repository small
    assert "Blender Foundation" in films["bbb"].credit
    attribution = (ROOT / "demo" / "ATTRIBUTION.md").read_text()
    assert all(f.path.name in attribution for f in films.values())


# --- movies folder ---------------------------------------------------------------------
@pytest.fixture
def movies(tmp_path: Path) -> Path:
    root = tmp_path / "Movies"
    (root / "Noir").mkdir(parents=True)
    (root / "a.mp4").write_bytes(b"x")
    (root / "Noir" / "b.mkv").write_bytes(b"x")
    (root / "notes.txt").write_text("x")
    (root / ".hidden.mp4").write_bytes(b"x")
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"x")
    os.symlink(secret, root / "escape.mp4")
    os.symlink(root / "a.mp4", root / "alias.mp4")
    return root


def test_movie_files_lists_videos_inside_only(movies: Path) -> None:
    assert movie_files(movies) == ["a.mp4", "alias.mp4", "Noir/b.mkv"]


def test_resolve_movie_opens_files_under_the_folder(movies: Path) -> None:
    assert resolve_movie(movies, "Noir/b.mkv") == (movies / "Noir" / "b.mkv").resolve()
    assert resolve_movie(movies, "alias.mp4") == (movies / "a.mp4").resolve()


@pytest.mark.parametrize(
    "name",
    ["../secret.mp4", "Noir/../../secret.mp4", "escape.mp4", "", ".", "a.mp4\x00.txt"],
)
def test_resolve_movie_refuses_anything_outside(movies: Path, name: str) -> None:
    with pytest.raises(UnreadableFileError):
        resolve_movie(movies, name)


def test_resolve_movie_refuses_absolute_paths(movies: Path) -> None:
    with pytest.raises(UnreadableFileError):
        resolve_movie(movies, str(movies / "a.mp4"))
    with pytest.raises(UnreadableFileError):
        resolve_movie(movies, "/etc/passwd")


def test_resolve_movie_missing_file(movies: Path) -> None:
    with pytest.raises(VideoNotFoundError):
        resolve_movie(movies, "gone.mp4")
    with pytest.raises(VideoNotFoundError):
        resolve_movie(movies, "Noir")
