"""``fingerprint compare A B``, run as a user would: known edits of a synthesized film
found where they were made, the JSON's format, errors as one line each.

The films are solid-colour segments at known times, 32x18 px at 2 fps: the analysis
takes every frame (240 for the 2-minute film), and each segment's colour is its own, so
an edit's place is known to the frame.
"""

from __future__ import annotations

import colorsys
import json
from pathlib import Path

import numpy as np
import pytest

from fingerprint.cli._main import main
from tests.support.videos import make_video, noise, solid

FPS = 2
SIZE = (32, 18)
LENGTH = 120.0  # seconds of the original film
SEGMENT = 10.0  # seconds of each colour
# The tolerance for an edit's place: 2 % of the film's length.
TOLERANCE = 0.02 * LENGTH


def _colors(count: int) -> list[tuple[int, int, int]]:
    """Colours around the hue circle, lighter and darker by turns, so that neighbours
    differ by far more than a gap costs (ΔE2000 ≥ 10)."""
    out = []
    for i in range(count):
        r, g, b = colorsys.hsv_to_rgb(i / count, 0.8, 0.95 if i % 2 else 0.55)
        out.append((round(255 * r), round(255 * g), round(255 * b)))
    return out


def _frames(seconds: float, start: float = 0.0) -> list[np.ndarray]:
    """The original film's frames from ``start`` for ``seconds``."""
    colors = _colors(round(LENGTH / SEGMENT))
    first, count = round(start * FPS), round(seconds * FPS)
    return [solid(colors[int((first + i) / FPS // SEGMENT)], SIZE) for i in range(count)]


def _other(seconds: float) -> list[np.ndarray]:
    """Footage the original has not: grey, then near white."""
    half = round(seconds * FPS / 2)
    return [solid((60, 60, 60), SIZE)] * half + [solid((235, 235, 225), SIZE)] * half


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("compare")
    frames = _frames(LENGTH)
    cut = frames[: round(43.5 * FPS)] + frames[round(67.5 * FPS):]  # 43.5-67.5 s removed
    inserted = frames[: round(50 * FPS)] + _other(10) + frames[round(50 * FPS):]
    return {
        "original": make_video(d / "original.mp4", frames, fps=FPS),
        "cut": make_video(d / "cut.mp4", cut, fps=FPS),
        "inserted": make_video(d / "inserted.mp4", inserted, fps=FPS),
        "clip": make_video(d / "clip.mp4", _frames(20, start=73), fps=FPS),  # 73-93 s
    }


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module: the original film is analysed once."""
    return tmp_path_factory.mktemp("compare-cache")


def compare_json(a: Path, b: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["compare", str(a), str(b), "--json", "--cache-dir", str(cache)]) == 0
    return json.loads(capsys.readouterr().out)


# --- known answers ----------------------------------------------------------------------
def test_a_cut_is_a_gap_in_the_original_where_it_was_cut(films, cache, capsys) -> None:
    data = compare_json(films["original"], films["cut"], cache, capsys)
    alignment = data["alignment"]
    assert len(alignment["gaps"]) == 1
    (gap,) = alignment["gaps"]
    assert gap["film"] == "a"
    assert abs(gap["start"] - 43.5) <= TOLERANCE and abs(gap["end"] - 67.5) <= TOLERANCE
    # To the frame, in fact: solid segments leave no doubt where the cut is.
    assert abs(gap["start"] - 43.5) <= 1 / FPS and abs(gap["end"] - 67.5) <= 1 / FPS
    # Everything else is paired: the score says how much of both films that is.
    assert 0.75 < alignment["score"] < 1
    # The comparison's own format, with the alignment added.
    assert data["format"] == "movie-color-fingerprint-comparison" and data["version"] == 1
    assert {"palette_similarity", "mean_difference", "temporal_correlation"} <= set(
        data["scores"])
    assert data["films"]["a"]["name"] == "original.mp4"


def test_an_insertion_is_a_gap_in_the_edited_film(films, cache, capsys) -> None:
    alignment = compare_json(films["original"], films["inserted"], cache, capsys)["alignment"]
    assert [gap["film"] for gap in alignment["gaps"]] == ["b"]
    gap = alignment["gaps"][0]
    assert abs(gap["start"] - 50) <= TOLERANCE and abs(gap["end"] - 60) <= TOLERANCE


def test_the_local_alignment_finds_where_a_clip_comes_from(films, cache, capsys) -> None:
    alignment = compare_json(films["clip"], films["original"], cache, capsys)["alignment"]
    local = alignment["local"]
    assert local["a"] == pytest.approx([0, 20], abs=1.0)
    assert local["b"] == pytest.approx([73, 93], abs=1.0)
    # Globally, the rest of the film is one gap on each side of the clip.
    assert [(g["film"], round(g["start"]), round(g["end"])) for g in alignment["gaps"]] == [
        ("b", 0, 73), ("b", 93, 120)]


def test_the_summary_names_the_gap_and_the_stretch(films, cache, capsys) -> None:
    status = main(["compare", str(films["original"]), str(films["cut"]),
                   "--cache-dir", str(cache)])
    out = capsys.readouterr().out
    assert status == 0
    assert "alignment score" in out and "1 the same moments in the same order" in out
    gap = next(line for line in out.splitlines() if "not in B" in line)
    assert "A 0:00:43" in gap and "0:01:07" in gap
    assert "best match" in out and "Traceback" not in out


# --- errors -----------------------------------------------------------------------------
def test_bad_films_get_one_line_each_and_exit_1(films, tmp_path, capsys) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(noise(3000))
    missing = tmp_path / "missing.mp4"
    status = main(["compare", str(junk), str(missing), "--cache-dir", str(tmp_path / "c")])
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    errors = captured.err.strip().splitlines()
    assert errors == [line for line in errors if line.startswith("error: ")]
    assert len(errors) == 2 and "Traceback" not in captured.err
    assert errors[0].startswith(f"error: {junk}: ") and "not a video" in errors[0]
    assert errors[1].startswith(f"error: {missing}: ") and "no such file" in errors[1]


def test_one_bad_film_stops_the_comparison(films, cache, tmp_path, capsys) -> None:
    status = main(["compare", str(films["clip"]), str(tmp_path / "missing.mp4"),
                   "--json", "--cache-dir", str(cache)])
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ""
    lines = captured.err.strip().splitlines()
    # The good film's note (fewer samples than asked: every frame), then the bad one's error.
    assert [line.split(":")[0] for line in lines] == ["warning", "error"]
    assert lines[1].startswith(f"error: {tmp_path / 'missing.mp4'}: ")


def test_options_are_checked_before_any_work(films, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(films["clip"]), str(films["cut"]), "--samples", "0"])
    assert exit_info.value.code == 2
    assert "samples must be between 1 and 3000, not 0" in capsys.readouterr().err
