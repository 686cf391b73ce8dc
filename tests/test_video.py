"""Probing and sampling synthetic videos whose every frame is known (fingerprint/video.py,
sampling.py and reader.py)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import threading
from time import sleep

import av
import numpy as np
import pytest
from videos import (
    BLUE,
    GREEN,
    RED,
    RGB_FPS,
    SIZE,
    WHITE,
    code_frame,
    ffmpeg_exe,
    make_code,
    make_rgb,
    make_video,
    read_code,
    solid,
    truncate_copy,
    vfr_times,
)

from fingerprint import reader, sampling, video
from fingerprint.color import delta_e2000, rgb_to_lab
from fingerprint.errors import (
    Cancelled,
    DecodeError,
    FingerprintError,
    InvalidParameterError,
    NotAVideoError,
    NoVideoStreamError,
    UnreadableFileError,
    VideoNotFoundError,
)
from fingerprint.sampling import frame_at, sample, sample_times, working_size
from fingerprint.video import probe

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
AUDIO_ONLY = os.path.join(DATA, "audio_only_trex_roar_2s.mp3")

FPS = 10
FRAME = 1 / FPS
EPS = 1e-6


@pytest.fixture(scope="session")
def films(tmp_path_factory):
    """Every synthetic film of this module, made once."""
    d = tmp_path_factory.mktemp("video")
    out = {
        "rgb": make_rgb(d / "rgb.mp4"),
        "rgb_vp8": make_rgb(d / "rgb.webm", codec="libvpx"),
        # 60 frames whose picture encodes their index, with three keyframe layouts.
        "code_every": make_code(d / "code_every.mp4", gop=1),
        "code_gop10": make_code(d / "code_gop10.mp4", gop=10),
        "code_single": make_code(d / "code_single.mp4", gop=1000),
        "code_mkv": make_code(d / "code.mkv", gop=10),
        # Written like a pipe: the container never gets its duration.
        "code_nodur_mkv": make_code(d / "code_nodur.mkv", gop=10, seekable=False),
        "code_nodur_webm": make_code(
            d / "code_nodur.webm", gop=10, codec="libvpx", fmt="webm", seekable=False
        ),
        # B-frames: non-reference frames, decoded after the frame shown after them.
        "code_bframes": make_code(d / "code_bframes.mp4", gop=12, bframes=3),
        # Variable frame rate, gaps up to 3.5 average frame intervals, with B-frames.
        "vfr": make_video(d / "vfr.mp4", [code_frame(i) for i in range(60)],
                          times=vfr_times(60), bframes=3, gop=12),
        "vfr_single": make_video(d / "vfr_single.mkv", [code_frame(i) for i in range(60)],
                                 times=vfr_times(60, seed=1), bframes=2, gop=1000),
        # The first frame at 5 s, as in a film cut with its timestamps kept.
        **{
            f"offset_{ext}": make_video(
                d / f"offset.{ext}", [code_frame(i) for i in range(60)],
                times=5.0 + np.arange(60) / FPS, gop=10,
                codec="libvpx" if ext == "webm" else "libx264",
            )
            for ext in ("mp4", "mkv", "webm")
        },
        "long_mkv": make_code(d / "long.mkv", count=100, gop=10),
        "long_webm": make_code(d / "long.webm", count=100, gop=10, codec="libvpx"),
    }
    out["trunc_mkv"] = truncate_copy(out["long_mkv"], d / "trunc.mkv")
    out["trunc_webm"] = truncate_copy(out["long_webm"], d / "trunc.webm")
    # A red block in the top-left corner of the coded picture.
    corner = solid((0, 0, 0), (128, 72))
    corner[:24, :32] = RED
    corner[-24:, -32:] = WHITE
    out["corner"] = corner
    out["rot90"] = make_video(d / "rot90.mp4", [corner] * 10, rotation=90)
    out["rot270"] = make_video(d / "rot270.mp4", [corner] * 10, rotation=-90)
    out["rot180"] = make_video(d / "rot180.mp4", [corner] * 10, rotation=180)
    out["sar"] = make_video(d / "sar.mp4", [corner] * 10, sar=(2, 1))
    out["sar_rot90"] = make_video(d / "sar_rot90.mp4", [corner] * 10, sar=(2, 1), rotation=90)
    return out


def truth_at(time: float) -> tuple[int, int, int]:
    """The colour of the red/green/blue film at ``time``."""
    return (RED, GREEN, BLUE)[min(int(time // 2.0 + EPS), 2)]


def delta_e(a, b) -> np.ndarray:
    return delta_e2000(rgb_to_lab(np.asarray(a, np.uint8)), rgb_to_lab(np.asarray(b, np.uint8)))


def codes(samples) -> np.ndarray:
    return np.array([read_code(f) for f in samples.frames])


def frame_index(times: np.ndarray, fps: float = FPS) -> np.ndarray:
    return np.round(np.asarray(times) * fps).astype(int)


# --- probe ----------------------------------------------------------------------------


def test_probe_describes_the_film(films):
    info = probe(films["rgb"])
    assert info.name == "rgb.mp4"
    assert info.duration == pytest.approx(6.0, abs=FRAME)
    assert info.fps == pytest.approx(RGB_FPS)
    assert (info.width, info.height) == SIZE
    assert info.codec == "h264"
    assert info.rotation == 0
    assert info.stream_index == 0
    assert info.start_time == pytest.approx(0.0, abs=EPS)
    assert not info.duration_estimated


@pytest.mark.parametrize("name", ["code_nodur_mkv", "code_nodur_webm"])
def test_container_without_duration_is_measured(films, name):
    info = probe(films[name])
    assert info.duration_estimated
    # 60 frames at 10 fps: the last frame starts at 5.9 s and lasts 0.1 s.
    assert info.duration == pytest.approx(6.0, abs=2 * FRAME)
    for mode in ("fast", "exact"):
        s = sample(films[name], count=12, mode=mode, info=info)
        assert s.ended_at is None
        assert len(s.times) == 12
        assert np.all(np.diff(s.times) > 0)
        np.testing.assert_array_equal(codes(s), frame_index(s.times))


def test_frame_count_claims_are_never_used(films):
    """Sampling must not depend on the container's frame count: a wrong claim (too many,
    too few) gives exactly the same frames and times."""
    info = probe(films["code_gop10"])
    assert info.frame_count == 60
    for mode in ("fast", "exact"):
        reference = sample(films["code_gop10"], count=20, mode=mode, info=info)
        for claim in (None, 3, 86, 10**6):
            lying = dataclasses.replace(info, frame_count=claim)
            s = sample(films["code_gop10"], count=20, mode=mode, info=lying)
            np.testing.assert_array_equal(s.times, reference.times)
            np.testing.assert_array_equal(s.frames, reference.frames)


# --- red, green, blue -----------------------------------------------------------------


@pytest.mark.parametrize("film", ["rgb", "rgb_vp8"])
@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize("count", [3, 12, 60])
def test_solid_colours_come_back_at_their_times(films, film, mode, count):
    s = sample(films[film], count=count, mode=mode)
    assert s.frames.shape == (count, SIZE[1], SIZE[0], 3)
    assert s.frames.dtype == np.uint8
    assert s.ended_at is None
    assert np.all(np.diff(s.times) > 0), "samples follow time"
    slot = 6.0 / count
    np.testing.assert_allclose(s.targets, (np.arange(count) + 0.5) * slot)
    for frame, time, target in zip(s.frames, s.times, s.targets, strict=True):
        mean = frame.reshape(-1, 3).mean(axis=0).round()
        assert delta_e(mean, truth_at(time)) < 3, (time, mean)
        if mode == "exact":
            assert target - FRAME - EPS < time <= target + EPS
        else:
            assert target - slot / 2 - EPS <= time < target + slot / 2


def test_known_times_have_known_colours(films):
    """Targets 1, 3, 5 s: red, green, blue, in both modes and through `frame_at`."""
    for mode in ("fast", "exact"):
        s = sample(films["rgb"], count=3, mode=mode)
        np.testing.assert_allclose(s.targets, [1.0, 3.0, 5.0])
        for frame, colour in zip(s.frames, (RED, GREEN, BLUE), strict=True):
            assert delta_e(frame.reshape(-1, 3).mean(axis=0).round(), colour) < 3
    exact = sample(films["rgb"], count=3, mode="exact")
    np.testing.assert_allclose(exact.times, [1.0, 3.0, 5.0], atol=EPS)
    for time, colour in ((0.05, RED), (1.0, RED), (1.95, RED), (2.0, GREEN), (3.0, GREEN),
                         (4.0, BLUE), (5.0, BLUE), (5.95, BLUE)):
        frame = frame_at(films["rgb"], time, size=64)
        assert frame.shape == (36, 64, 3)
        assert delta_e(frame.reshape(-1, 3).mean(axis=0).round(), colour) < 3, time


# --- fast mode and keyframes ----------------------------------------------------------


@pytest.mark.parametrize("count", [6, 15, 30, 59, 60])
def test_fast_mode_single_keyframe_gives_distinct_moments(films, count):
    """One keyframe, many samples: it must decode forward, one distinct frame per sample,
    each within one frame interval of its target."""
    s = sample(films["code_single"], count=count, mode="fast")
    slot = 6.0 / count
    assert len(s.times) == count
    assert np.all(np.diff(s.times) > EPS), s.times
    # The only keyframe (0 s) is a valid answer for the first slot; every other sample
    # was decoded forward to its target.
    keyframe = (s.times == 0.0) & (s.targets - slot / 2 <= EPS)
    near = np.abs(s.times - s.targets) <= FRAME + EPS
    assert np.all(keyframe | near), s.times - s.targets
    assert np.all(near[1:])
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


@pytest.mark.parametrize("count", [5, 6, 12, 30, 59, 60])
@pytest.mark.parametrize("film", ["code_every", "code_gop10", "code_mkv"])
def test_fast_mode_samples_stay_in_their_slot(films, film, count):
    """Keyframes at least as dense as the samples: each sample is a keyframe from its own
    slot [t - slot/2, t + slot/2), so all are distinct and each picture is its time's."""
    s = sample(films[film], count=count, mode="fast")
    slot = 6.0 / count
    assert len(s.times) == count
    lo, hi = s.targets - slot / 2, s.targets + slot / 2
    # A frame at a slot's upper edge belongs to the next slot.
    assert np.all((s.times >= lo - EPS) & (s.times < hi - EPS)), np.c_[lo, s.times, hi]
    assert np.all(np.diff(s.times) > EPS)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))
    if film == "code_every":
        assert np.all(np.abs(s.times * FPS - np.round(s.times * FPS)) < 1e-3)


def test_fast_mode_uses_keyframes_when_it_can(films):
    """With a keyframe every second and one sample per second, fast mode returns exactly
    the keyframes (0, 1, ..., 5 s)."""
    s = sample(films["code_gop10"], count=6, mode="fast")
    np.testing.assert_allclose(s.times, np.arange(6.0), atol=EPS)


@pytest.mark.parametrize("count", [6, 20, 59])
@pytest.mark.parametrize("film", ["code_single", "code_gop10", "code_bframes", "vfr"])
def test_fast_mode_on_a_spent_budget_keeps_true_times_and_distinct_moments(
    films, film, count, monkeypatch
):
    """With the decode budget spent (as on an episode at 1000 samples), a sample may be an
    earlier frame than its target, but its time is the true time of the picture returned,
    samples stay distinct and in order, and none trails its target by more than the lag."""
    monkeypatch.setattr(reader, "_FAST_START_PIXELS", 0)
    monkeypatch.setattr(reader, "_FAST_FRAMES_PER_SAMPLE", 1)
    monkeypatch.setattr(reader, "_FAST_MAX_LAG", 1.0)
    frames = plain_timeline(films[film])
    s = sample(films[film], count=count, mode="fast")
    index = np.array([np.argmin(np.abs(frames - t)) for t in s.times])
    assert np.abs(frames[index] - s.times).max() < 1e-4, "every time is a frame's"
    np.testing.assert_array_equal(codes(s), index)
    assert np.all(np.diff(s.times) > EPS), s.times
    slot = (frames[-1] + FRAME) / count
    assert np.all(s.times < s.targets + slot / 2), "never past the slot"
    assert np.all(s.targets - s.times <= 1.0 + slot / 2 + EPS), s.targets - s.times
    if count <= 20:  # with about as many samples as frames, some slots have none
        assert len(s.times) == count


def test_fast_mode_budget_binds_only_where_keyframes_are_sparse(films, monkeypatch):
    """A keyframe per slot costs nothing from the budget: every sample is its keyframe."""
    monkeypatch.setattr(reader, "_FAST_START_PIXELS", 0)
    monkeypatch.setattr(reader, "_FAST_FRAMES_PER_SAMPLE", 1)
    s = sample(films["code_gop10"], count=6, mode="fast")
    np.testing.assert_allclose(s.times, np.arange(6.0), atol=EPS)


@pytest.mark.parametrize("film", ["code_gop10", "code_bframes", "vfr_single"])
def test_fast_mode_caps_samples_at_the_distinct_frames(films, film):
    """More samples than frames: fast mode returns each frame at most once, in order."""
    s = sample(films[film], count=150, mode="fast")
    assert 40 <= len(s.times) <= 60
    assert len(s.frames) == len(s.times) == len(s.targets)
    assert np.all(np.diff(s.times) > EPS)
    assert s.ended_at is None
    assert len(set(codes(s))) == len(s.times)


# --- exact mode -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 4, 7, 25, 60, 97])
@pytest.mark.parametrize("film", ["code_every", "code_gop10", "code_single", "code_mkv"])
def test_exact_mode_is_the_frame_on_screen(films, film, count):
    """The last frame whose time is <= the target, for sparse and dense sampling."""
    s = sample(films[film], count=count, mode="exact")
    assert len(s.times) == count
    expected = np.floor(s.targets * FPS + EPS) / FPS
    np.testing.assert_allclose(s.times, expected, atol=1e-4)
    assert np.all((s.times <= s.targets + EPS) & (s.times > s.targets - FRAME - EPS))
    np.testing.assert_array_equal(codes(s), frame_index(s.times))
    assert np.all(np.diff(s.times) >= 0)


def plain_timeline(path) -> np.ndarray:
    """Every frame's time, from a plain decode of the whole film."""
    with av.open(str(path)) as container:
        return np.array([f.time for f in container.decode(container.streams.video[0])])


@pytest.mark.parametrize("count", [3, 7, 23, 60, 150])
@pytest.mark.parametrize("film", ["code_bframes", "vfr", "vfr_single"])
def test_exact_mode_with_b_frames_and_variable_frame_rate(films, film, count):
    """The frame on screen can be a non-reference B-frame shown long before the target
    (a 350 ms gap at 8 fps on average): it must not be skipped as too early."""
    frames = plain_timeline(films[film])
    assert len(frames) == 60
    s = sample(films[film], count=count, mode="exact")
    expected = np.array([frames[frames <= t + EPS].max() for t in s.targets])
    np.testing.assert_allclose(s.times, expected, atol=1e-4)
    index = np.array([np.argmin(np.abs(frames - t)) for t in s.times])
    np.testing.assert_array_equal(codes(s), index)
    for time in s.targets[:: max(1, count // 4)]:
        shown = frame_at(films[film], float(time), size=160)
        assert read_code(shown) == np.flatnonzero(frames <= time + EPS).max()


@pytest.mark.parametrize("count", [3, 7, 23, 60])
@pytest.mark.parametrize("film", ["code_bframes", "vfr", "vfr_single"])
def test_fast_mode_with_b_frames_and_variable_frame_rate(films, film, count):
    frames = plain_timeline(films[film])
    info = probe(films[film])
    s = sample(films[film], count=count, mode="fast", info=info)
    slot = info.duration / count
    index = np.array([np.argmin(np.abs(frames - t)) for t in s.times])
    assert np.abs(frames[index] - s.times).max() < 1e-4, "every time is a frame's"
    np.testing.assert_array_equal(codes(s), index)
    for t, time in zip(s.targets, s.times, strict=True):
        in_slot = (frames >= t - slot / 2 - EPS) & (frames < t + slot / 2 - EPS)
        if in_slot.any():
            assert t - slot / 2 - EPS <= time < t + slot / 2, (t, time)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_do_not_change_the_result(films, workers):
    reference = sample(films["code_gop10"], count=17, mode="exact", workers=1)
    s = sample(films["code_gop10"], count=17, mode="exact", workers=workers)
    np.testing.assert_array_equal(s.times, reference.times)
    np.testing.assert_array_equal(s.frames, reference.frames)


def test_frame_at_matches_the_code(films):
    for time in (0.0, 0.05, 0.1, 1.0, 2.34, 5.9, 5.99):
        frame = frame_at(films["code_single"], time, size=160)
        assert read_code(frame) == int(time * FPS + EPS), time


# --- start and end --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize(("start", "end"), [(1.0, 4.0), (2.0, None), (None, 3.0), (0.5, 5.5)])
def test_start_end_trim_the_span(films, mode, start, end):
    count = 12
    s = sample(films["code_gop10"], count=count, mode=mode, start=start, end=end)
    lo, hi = start or 0.0, end or 6.0
    assert len(s.times) == count
    assert np.all((s.times >= lo - EPS) & (s.times <= hi + EPS)), s.times
    assert np.all((s.targets > lo) & (s.targets < hi))
    assert np.all(np.diff(s.times) > 0)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_start_between_frames_shows_a_frame_of_the_span(films, mode):
    """A start between two frames: the first sample may be the frame already on screen at
    the start, never an earlier one."""
    s = sample(films["code_gop10"], count=10, mode=mode, start=1.05, end=2.05)
    assert np.all(s.times + FRAME > 1.05)
    assert np.all(s.times <= 2.05)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


def test_end_past_the_film_is_clamped(films):
    s = sample(films["code_gop10"], count=6, mode="exact", start=3.0, end=100.0)
    assert np.all((s.times >= 3.0) & (s.times < 6.0))


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"count": 0}, "samples"),
        ({"count": 5, "start": 7.0}, "past the end"),
        ({"count": 5, "start": 3.0, "end": 2.0}, "must come after"),
        ({"count": 5, "mode": "slow"}, "mode"),
    ],
)
def test_bad_sampling_parameters(films, kwargs, words):
    with pytest.raises(InvalidParameterError, match=words):
        sample(films["rgb"], **kwargs)


def test_sample_times_are_slot_middles(films):
    info = probe(films["rgb"])
    targets, slot = sample_times(info, count=4, start=1.0, end=5.0)
    assert slot == pytest.approx(1.0)
    np.testing.assert_allclose(targets, [1.5, 2.5, 3.5, 4.5])


# --- geometry: size, rotation, aspect ratio -------------------------------------------


def test_working_size_never_upscales(films):
    info = probe(films["rgb"])
    assert working_size(info, 320) == SIZE
    assert working_size(info, 80) == (80, 45)
    s = sample(films["rgb"], count=2, size=80)
    assert s.frames.shape == (2, 45, 80, 3)


def ffmpeg_frame(path, width: int, height: int) -> np.ndarray:
    """The first frame as FFmpeg's own player pipeline shows it (autorotate, SAR kept)."""
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def red_corner(frame: np.ndarray) -> str:
    """Which corner of ``frame`` holds the red block."""
    h, w = frame.shape[:2]
    corners = {
        "top-left": frame[: h // 8, : w // 8],
        "top-right": frame[: h // 8, -w // 8 :],
        "bottom-left": frame[-h // 8 :, : w // 8],
        "bottom-right": frame[-h // 8 :, -w // 8 :],
    }
    red = {k: float(v[..., 0].mean()) - float(v[..., 1:].mean()) for k, v in corners.items()}
    return max(red, key=red.get)


@pytest.mark.parametrize(
    ("film", "k", "corner"),
    # FFmpeg's display rotation is counter-clockwise: 90 puts the top-left at the bottom-left.
    [("rot90", 1, "bottom-left"), ("rot270", -1, "top-right"), ("rot180", 2, "bottom-right")],
)
def test_rotation_is_applied(films, film, k, corner):
    info = probe(films[film])
    expected_shape = (72, 128) if k == 2 else (128, 72)
    assert (info.height, info.width) == expected_shape
    assert info.rotation in (90, 180, 270)
    displayed = np.rot90(films["corner"], k=k)
    for mode in ("fast", "exact"):
        s = sample(films[film], count=2, mode=mode, info=info)
        assert s.frames.shape[1:3] == expected_shape
        assert red_corner(s.frames[0]) == corner
        assert np.abs(s.frames[0].astype(int) - displayed).mean() < 4
    shown = frame_at(films[film], 0.5, size=128)
    assert shown.shape[:2] == expected_shape
    assert red_corner(shown) == corner
    # The same picture FFmpeg shows.
    reference = ffmpeg_frame(films[film], info.width, info.height)
    assert red_corner(reference) == corner
    assert np.abs(shown.astype(int) - reference).mean() < 4


def test_sample_aspect_ratio_is_applied(films):
    """128x72 coded with 2:1 pixels is displayed 256x72: the working frame is 2x wider."""
    info = probe(films["sar"])
    assert (info.width, info.height) == (256, 72)
    s = sample(films["sar"], count=2, size=320)
    assert s.frames.shape[1:3] == (72, 256)
    stretched = np.repeat(films["corner"], 2, axis=1)
    assert red_corner(s.frames[0]) == "top-left"
    assert np.abs(s.frames[0].astype(int) - stretched).mean() < 6
    s = sample(films["sar"], count=2, size=128)
    assert s.frames.shape[1:3] == (36, 128)


def test_sample_aspect_ratio_then_rotation(films):
    """2:1 pixels stretch the coded width, then the picture turns: 72x256 displayed."""
    info = probe(films["sar_rot90"])
    assert (info.width, info.height) == (72, 256)
    s = sample(films["sar_rot90"], count=2, size=256)
    assert s.frames.shape[1:3] == (256, 72)
    expected = np.rot90(np.repeat(films["corner"], 2, axis=1), k=1)
    assert red_corner(s.frames[0]) == "bottom-left"
    assert np.abs(s.frames[0].astype(int) - expected).mean() < 6


# --- films that do not start at 0 -----------------------------------------------------


@pytest.mark.parametrize("ext", ["mp4", "mkv", "webm"])
def test_film_starting_late_is_measured_from_its_first_frame(films, ext):
    """Frames at 5.0 ... 10.9 s: the film is 6 s long (Matroska's duration counts from
    timestamp 0, so read naively it would be 11 s), and times count from the first frame."""
    film = films[f"offset_{ext}"]
    info = probe(film)
    assert info.start_time == pytest.approx(5.0, abs=EPS)
    assert info.duration == pytest.approx(6.0, abs=FRAME + EPS)
    for mode in ("fast", "exact"):
        s = sample(film, count=12, mode=mode, info=info)
        assert s.ended_at is None
        assert len(s.times) == 12
        assert np.all(np.diff(s.times) > 0)
        np.testing.assert_array_equal(codes(s), frame_index(s.times))
    assert read_code(frame_at(film, 1.0, size=160)) == 10


# --- truncated files ------------------------------------------------------------------


@pytest.mark.parametrize("film", ["trunc_mkv", "trunc_webm"])
@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_truncated_file_keeps_what_decodes(films, film, mode):
    """The container claims 10 s, the bytes stop about half way: samples up to the last
    decodable frame, ``ended_at`` set, every kept frame's picture matches its time."""
    info = probe(films[film])
    assert info.duration == pytest.approx(10.0, abs=FRAME)
    s = sample(films[film], count=20, mode=mode, info=info)
    assert s.ended_at is not None
    assert 2.0 < s.ended_at < 8.0
    assert s.ended_at == pytest.approx(s.times.max())
    assert 4 <= len(s.times) < 20
    assert len(s.frames) == len(s.times) == len(s.targets)
    # Distinct moments up to the end; only the last frame may repeat, for targets just
    # past it (within the engine's end-of-file tolerance of two slots).
    before = s.times < s.ended_at - EPS
    assert np.all(np.diff(s.times[before]) > 0)
    assert np.all(s.targets - s.ended_at <= 2 * 0.5 + EPS)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


# --- bad input ------------------------------------------------------------------------


def assert_plain_sentence(error: BaseException, name: str) -> None:
    message = str(error)
    assert name in message, message
    assert "\n" not in message and "Traceback" not in message
    assert message[-1] in ".)", message


def test_missing_file(tmp_path):
    with pytest.raises(VideoNotFoundError) as err:
        probe(tmp_path / "nope.mp4")
    assert_plain_sentence(err.value, "nope.mp4")
    with pytest.raises(VideoNotFoundError):
        sample(tmp_path / "nope.mp4", count=3)


def test_folder(tmp_path):
    folder = tmp_path / "film.mp4"
    folder.mkdir()
    with pytest.raises(UnreadableFileError) as err:
        probe(folder)
    assert_plain_sentence(err.value, "film.mp4")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.mp4", b""),
        ("random.mp4", np.random.default_rng(1).integers(0, 256, 50_000, np.uint8).tobytes()),
        ("notes.txt", b"This is a text file, not a film.\n" * 100),
        ("fake.mkv", b"\x1a\x45\xdf\xa3" + b"\x00" * 300),
    ],
)
def test_not_a_video(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NotAVideoError) as err:
        probe(path)
    assert_plain_sentence(err.value, name)


def test_audio_only():
    with pytest.raises(NoVideoStreamError) as err:
        probe(AUDIO_ONLY)
    assert_plain_sentence(err.value, "audio_only_trex_roar_2s.mp3")
    assert "audio" in str(err.value)


@pytest.mark.parametrize("ext", ["mp3", "m4a"])
def test_audio_with_cover_art_has_no_video(tmp_path, ext):
    """A cover picture is a video stream to FFmpeg, but not a film."""
    cover = tmp_path / "cover.png"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=red:s=64x64", "-frames:v", "1", str(cover)], check=True)
    song = tmp_path / f"song.{ext}"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", AUDIO_ONLY, "-i", str(cover), "-map", "0",
         "-map", "1", "-c:a", "copy" if ext == "mp3" else "aac", "-c:v", "copy",
         "-disposition:v", "attached_pic", str(song)],
        check=True,
    )
    with pytest.raises(NoVideoStreamError) as err:
        probe(song)
    assert_plain_sentence(err.value, song.name)
    assert "cover art" in str(err.value)
    assert "video)" not in str(err.value) and "video," not in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable(films, tmp_path):
    path = tmp_path / "locked.mp4"
    path.write_bytes(films["rgb"].read_bytes())
    path.chmod(0)
    try:
        with pytest.raises(UnreadableFileError) as err:
            probe(path)
        assert_plain_sentence(err.value, "locked.mp4")
    finally:
        path.chmod(0o644)


def test_unreadable_even_as_root(films, tmp_path, monkeypatch):
    """The permission check itself, for runs as root (where chmod 000 still reads)."""

    path = tmp_path / "locked.mp4"
    path.write_bytes(films["rgb"].read_bytes())
    monkeypatch.setattr(video.os, "access", lambda p, mode: False)
    with pytest.raises(UnreadableFileError) as err:
        sample(path, count=3)
    assert_plain_sentence(err.value, "locked.mp4")
    assert "permission" in str(err.value)


def test_header_only_file_is_refused_cleanly(films, tmp_path):
    """The first few hundred bytes of a real film: whatever is missing, the error is ours."""
    path = truncate_copy(films["long_mkv"], tmp_path / "stub.mkv", fraction=0.02)
    with pytest.raises(FingerprintError) as err:
        sample(path, count=5)
    assert isinstance(err.value, NotAVideoError | DecodeError)
    assert_plain_sentence(err.value, "stub.mkv")


def test_raw_stream_without_timestamps_is_refused_with_a_way_out(tmp_path):
    """A raw .h264 elementary stream has neither timestamps nor seeking: a clear error
    naming the file, whose suggested remux then fingerprints."""
    raw = make_code(tmp_path / "raw.h264", count=30, gop=10, fmt="h264")
    with pytest.raises(DecodeError) as err:
        probe(raw)
    assert_plain_sentence(err.value, "raw.h264")
    assert "-c copy" in str(err.value)
    remuxed = tmp_path / "film.mkv"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(raw), "-c", "copy", str(remuxed)],
                   check=True)
    s = sample(remuxed, count=6, mode="exact")
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


def test_code_frames_round_trip():
    """The helper itself: a code frame reads back, also scaled down."""
    for i in (0, 1, 37, 200, 255):
        frame = code_frame(i)
        assert read_code(frame) == i
        assert read_code(frame[::2, ::2]) == i


# --- cancelling -----------------------------------------------------------------------


def decoder_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(sampling.DECODER_THREAD)]


def hold_decoders(monkeypatch) -> tuple[threading.Event, list[int]]:
    """Make each decoder stop at its first frame until told to stop: the work is then
    certainly mid-decode when the test cancels. Returns the event set once a decoder is
    held, and a list that counts the frames converted."""
    held, converted = threading.Event(), []
    to_rgb = reader.FrameReader.to_rgb

    def holding(self, frame):
        converted.append(1)
        held.set()
        for _ in range(1000):  # at most 10 s, so a broken cancel fails instead of hanging
            if self.stop():
                break
            sleep(0.01)
        return to_rgb(self, frame)

    monkeypatch.setattr(reader.FrameReader, "to_rgb", holding)
    return held, converted


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_cancel_from_another_thread_stops_every_decoder(films, mode, monkeypatch):
    held, converted = hold_decoders(monkeypatch)
    cancel = threading.Event()

    def canceller() -> None:
        held.wait(10)
        cancel.set()

    thread = threading.Thread(target=canceller)
    thread.start()
    with pytest.raises(Cancelled):
        sample(films["code_single"], count=40, mode=mode, cancel=cancel)
    thread.join()
    assert decoder_threads() == []
    assert len(converted) <= 2  # one frame per decoder, then they stopped


def test_a_raising_progress_callback_stops_the_decoders(films, monkeypatch):
    held, converted = hold_decoders(monkeypatch)

    def progress(fraction: float, message: str) -> None:
        held.wait(10)
        raise RuntimeError("the caller's own error")

    with pytest.raises(RuntimeError, match="the caller's own error"):
        sample(films["code_single"], count=40, mode="exact", on_progress=progress)
    assert decoder_threads() == []
    assert len(converted) <= 2


def test_cancelled_is_a_library_error():
    assert issubclass(Cancelled, FingerprintError)
    assert str(Cancelled()).endswith(".")
