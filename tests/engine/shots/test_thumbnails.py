"""Each shot's middle frame (`shot_frames`, `script_frames`): a film whose every frame shows
its own index says which frame each thumbnail is; the cache answers a second call without
opening the film, counts its entry and drops a damaged one; a cancel stops it."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from fingerprint import (
    Cache,
    Cancelled,
    ShotsNeededError,
    VideoNotFoundError,
    frame_at,
    probe,
    script_frames as script_frames_public,
)
from fingerprint._script_frames import script_frames
from fingerprint.cache._thumbnails import thumbnails_path
from fingerprint.model import Shot
from fingerprint.shots import ShotFrames, _thumbnails, shot_frames, shot_middles
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_code, read_code

FPS = 10


@pytest.fixture(scope="module")
def code_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A keyframe every 10 frames: reaching a middle means seeking, then decoding on.
    return make_code(tmp_path_factory.mktemp("thumbs") / "code.mp4", count=60, fps=FPS, gop=10)


def shot(start: float, end: float) -> Shot:
    return Shot(start, end, np.array([[10, 20, 30]], np.uint8), np.array([1.0]))


# Shots whose middles are far from their starts: 0-1.1 s, 1.1-2.7 s, 2.7-5.9 s.
SHOTS = (shot(0.0, 1.1), shot(1.1, 2.7), shot(2.7, 5.9))


@pytest.fixture
def with_shots(code_film: Path):
    return replace(make_fingerprint([[[1, 2, 3]]]), video=probe(code_film), shots=SHOTS)


def test_each_thumbnail_is_the_frame_on_screen_at_its_shots_middle(code_film: Path) -> None:
    middles = shot_middles(SHOTS)
    np.testing.assert_allclose(middles, [0.55, 1.9, 4.3])
    found = shot_frames(code_film, middles, size=80)
    assert isinstance(found, ShotFrames) and len(found) == 3
    assert found.frames.shape == (3, 45, 80, 3) and found.frames.dtype == np.uint8
    # The middle's frame, not the start's (0, 11, 27).
    assert [read_code(f) for f in found.frames] == [5, 19, 43]
    np.testing.assert_allclose(found.times, [0.5, 1.9, 4.3], atol=1e-6)


def test_times_in_any_order_come_back_in_that_order(code_film: Path) -> None:
    found = shot_frames(code_film, np.array([4.35, 0.25, 2.05]), size=80)
    assert [read_code(f) for f in found.frames] == [43, 2, 20]


def test_progress_is_reported_per_shot_and_a_cancel_stops_the_walk(code_film: Path) -> None:
    seen: list[tuple[float, str]] = []
    shot_frames(code_film, shot_middles(SHOTS), size=80,
                on_progress=lambda f, m: seen.append((f, m)))
    assert [f for f, _ in seen] == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert seen[-1][1] == "shot frames: 3/3"
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        # Set once the first thumbnail is in: the second is never decoded.
        shot_frames(code_film, shot_middles(SHOTS), size=80, cancel=cancel,
                    on_progress=lambda f, m: cancel.set())


def test_a_missing_film_is_the_librarys_error(tmp_path: Path) -> None:
    with pytest.raises(VideoNotFoundError):
        shot_frames(tmp_path / "gone.mp4", np.array([1.0]), info=None)


def test_a_fingerprint_without_shots_has_no_frames_to_show(code_film: Path) -> None:
    assert script_frames_public is script_frames
    with pytest.raises(ShotsNeededError, match="add --shots"):
        script_frames(code_film, make_fingerprint([[[1, 2, 3]]]), size=80)


def test_the_cache_answers_a_second_call_without_opening_the_film(
    code_film: Path, with_shots, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "cache")
    first = script_frames(code_film, with_shots, size=80, cache=cache)
    assert [read_code(f) for f in first.frames] == [5, 19, 43]
    stats = cache.info()
    assert stats.entries == 1 and stats.bytes > 0  # counted: cache info, the cap
    # From now on, any decoder opened fails the test.
    def no_decoding(*args, **kwargs):
        raise AssertionError("the film was opened again")

    monkeypatch.setattr(_thumbnails, "FrameReader", no_decoding)
    again = Cache(tmp_path / "cache")
    second = script_frames(code_film, with_shots, size=80, cache=again)
    np.testing.assert_array_equal(second.frames, first.frames)
    np.testing.assert_array_equal(second.times, first.times)
    # Another size is another entry: decoded (here, refused).
    with pytest.raises(AssertionError, match="opened again"):
        script_frames(code_film, with_shots, size=64, cache=again)
    assert again.clear() > 0 and again.info().entries == 0


def test_a_damaged_entry_reads_as_missing_and_is_decoded_again(
    code_film: Path, with_shots, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    script_frames(code_film, with_shots, size=80, cache=cache)
    path = thumbnails_path(cache, cache.key(code_film), shot_middles(SHOTS), 80)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    found = script_frames(code_film, with_shots, size=80, cache=cache)
    assert [read_code(f) for f in found.frames] == [5, 19, 43]
    assert path.read_bytes() != bytes(data)  # stored again


def test_a_cancel_saves_nothing(code_film: Path, with_shots, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        script_frames(code_film, with_shots, size=80, cache=cache, cancel=cancel)
    assert cache.info().entries == 0


@pytest.mark.parametrize("rotation", [0, 90])
def test_a_thumbnail_is_the_frame_shown_at_its_time_as_displayed(
    tmp_path: Path, rotation: int
) -> None:
    film = make_code(tmp_path / "turned.mp4", count=30, fps=FPS, rotation=rotation)
    found = shot_frames(film, np.array([0.45, 2.15]), size=80)
    # As `frame_at` shows a moment: turned upright, the long side 80 px.
    assert found.frames.shape == ((2, 45, 80, 3) if rotation == 0 else (2, 80, 45, 3))
    for frame, t in zip(found.frames, (0.45, 2.15), strict=True):
        np.testing.assert_array_equal(frame, frame_at(film, t, size=80))
