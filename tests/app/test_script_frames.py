"""The colour script's frames as the app asks for them (`webapp.script_frames`, no
Streamlit): one queue job per film, shots and size, weighed by its memory; its work stores
the frames, which later posters read without a job; the poster's file name says frames."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fingerprint import Cache, probe
from fingerprint.model import Shot
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_code, read_code
from webapp.script_frames import (
    FRAMES_WEIGHT,
    LONG_SHOTS,
    frames_job,
    frames_mb,
    poster_name,
    shows_frames,
    stored_frames,
)


def shot(start: float, end: float) -> Shot:
    return Shot(start, end, np.array([[10, 20, 30]], np.uint8), np.array([1.0]))


@pytest.fixture(scope="module")
def code_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_code(tmp_path_factory.mktemp("app-thumbs") / "code.mp4", count=40, fps=10)


@pytest.fixture
def with_shots(code_film: Path):
    return replace(make_fingerprint([[[1, 2, 3]]]), video=probe(code_film),
                   shots=(shot(0.0, 1.0), shot(1.0, 3.0), shot(3.0, 3.9)))


def test_one_job_per_film_shots_and_size(code_film: Path, with_shots, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    key, _, weight, long, mb = frames_job(cache, "abc", code_film, with_shots, 96)
    assert key == frames_job(cache, "abc", code_film, with_shots, 96)[0]
    assert key != frames_job(cache, "abc", code_film, with_shots, 128)[0]
    assert key != frames_job(cache, "xyz", code_film, with_shots, 96)[0]
    fewer = replace(with_shots, shots=with_shots.shots[:2])
    assert key != frames_job(cache, "abc", code_film, fewer, 96)[0]
    assert weight == FRAMES_WEIGHT and not long
    many = replace(with_shots, shots=with_shots.shots * (LONG_SHOTS // 3 + 1))
    assert frames_job(cache, "abc", code_film, many, 96)[3]  # a long walk
    assert mb == frames_mb(with_shots, 96) < frames_mb(with_shots, 768) < frames_mb(many, 768)


def test_the_jobs_work_stores_the_frames_for_every_later_poster(
    code_film: Path, with_shots, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    key = cache.key(code_film)
    assert stored_frames(cache, key, with_shots, 80) is None
    _, work, *_ = frames_job(cache, key, code_film, with_shots, 80)
    reports: list[float] = []
    frames = work(threading.Event(), lambda fraction, message: reports.append(fraction))
    assert [read_code(f) for f in frames] == [5, 20, 34]  # each shot's middle
    assert reports[-1] == 1.0
    np.testing.assert_array_equal(stored_frames(cache, key, with_shots, 80), frames)
    assert stored_frames(cache, key, with_shots, 96) is None  # another size: another job


def test_the_posters_name_says_when_it_shows_frames() -> None:
    assert shows_frames("script", "frames")
    assert not shows_frames("script", "palettes") and not shows_frames("ring", "frames")
    assert poster_name("bbb", "script", "frames", 3000, 1000, None) == "bbb-script-frames-3000x1000"
    assert poster_name("bbb", "script", "palettes", 3000, 1000, "deutan") == (
        "bbb-script-3000x1000-deutan")
    assert poster_name("bbb", "ring", "frames", 3000, 3000, None) == "bbb-ring-3000x3000"
