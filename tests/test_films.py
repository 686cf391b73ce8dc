"""Films: ids in links, the demo table, movies-folder safety, words about a film."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fingerprint import UnreadableFileError, VideoNotFoundError
from webapp.films import ago, demo_films, movie_files, parse_film_id, resolve_movie, slug

ROOT = Path(__file__).resolve().parent.parent


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
