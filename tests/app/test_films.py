"""Films: ids in links, the demo table, movies-folder safety, words about a film."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from fingerprint import UnreadableFileError, VideoNotFoundError
from tests.support import ROOT
from tests.support.fingerprints import make_fingerprint
from webapp.films import (
    MAX_NAME_BYTES,
    Film,
    ago,
    demo_films,
    describe,
    in_movies,
    movie_files,
    parse_film_id,
    resolve_movie,
    slug,
    upload_name,
    upload_title,
)


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


def test_slug_and_ago_say_it_as_people_do() -> None:
    assert slug("His Girl Friday (1940)") == "his-girl-friday-1940"
    assert slug("☃") == "film"
    assert ago(1000.0, now=1030.0) == "just now"
    assert ago(0.0, now=7200.0) == "2 hours ago"
    assert ago(0.0, now=86400.0) == "1 day ago"


def test_a_symlink_loop_is_skipped_and_refused_cleanly(movies: Path) -> None:
    os.symlink(movies / "loopB.mp4", movies / "loopA.mp4")
    os.symlink(movies / "loopA.mp4", movies / "loopB.mp4")
    os.symlink(movies / "self.mp4", movies / "self.mp4")
    assert movie_files(movies) == ["a.mp4", "alias.mp4", "Noir/b.mkv"]
    for name in ("loopA.mp4", "self.mp4"):
        with pytest.raises(UnreadableFileError, match="symlink loop") as raised:
            resolve_movie(movies, name)
        assert str(movies) not in str(raised.value)


def test_in_movies_names_films_under_the_folder_only(movies: Path, tmp_path: Path) -> None:
    assert in_movies(movies, str((movies / "Noir" / "b.mkv").resolve())) == "Noir/b.mkv"
    assert in_movies(movies, str(tmp_path / "secret.mp4")) is None  # analysed elsewhere
    assert in_movies(movies, str(movies / "gone.mp4")) is None
    assert in_movies(None, str(movies / "a.mp4")) is None
    assert in_movies(movies, None) is None


@pytest.mark.parametrize(
    ("name", "stored", "title"),
    [("my film.mp4", "my film.mp4", "my film"), ("..", "upload", "upload"),
     (".", "upload", "upload"), ("", "upload", "upload"), (".mp4", "upload.mp4", "upload"),
     ("../../x.mp4", "x.mp4", "x"), ("a\\b.mkv", "b.mkv", "b"), ("a\nb\x00.mp4", "ab.mp4", "ab"),
     ("my_film.mp4", "my_film.mp4", "my film")],
)
def test_upload_names_are_safe_file_names(name: str, stored: str, title: str) -> None:
    assert upload_name(name) == stored
    assert upload_title(name) == title


def test_a_long_upload_name_keeps_its_start_and_suffix() -> None:
    name = upload_name("é" * 300 + ".mp4")
    assert name.endswith(".mp4") and name.startswith("éé")
    assert len(name.encode()) <= MAX_NAME_BYTES


def test_the_line_under_the_title_says_what_was_done_to_hdr_colours() -> None:
    sdr = make_fingerprint([[[10, 20, 30]]] * 4, duration=5400.0)
    hdr = dataclasses.replace(sdr, video=dataclasses.replace(
        sdr.video, transfer="smpte2084", primaries="bt2020", matrix="bt2020nc", hdr="pq"))
    for fp, expected in ((sdr, "1:30:00 · 64×36 · H264 · 25 fps · 4 moments"),
                         (hdr, "1:30:00 · 64×36 · H264 · HDR10 · tone-mapped to SDR · 25 fps")):
        film = Film(id="x", key="0" * 24, path=Path("x.mp4"), title="x", info=fp.video,
                    origin="movies")
        assert describe(film, fp).startswith(expected)
