"""Sampling synthetic videos whose every frame is known: fast and exact reading, spans,
geometry, truncated files, cancelling (fingerprint/sampling.py and reader.py)."""

from __future__ import annotations

import subprocess
import threading
from time import sleep

import av
import numpy as np
import pytest

from fingerprint.decode import _reader as reader, _sampling as sampling
from fingerprint.decode._frames import working_size
from fingerprint.decode._rgb import frame_to_rgb
from fingerprint.decode._sampling import frame_at, sample, sample_times
from fingerprint.decode._video import open_video, probe
from fingerprint.errors import (
    Cancelled,
    FingerprintError,
    InvalidParameterError,
)
from fingerprint.palette._color import delta_e2000, rgb_to_lab
from tests.support.videos import (
    BLUE,
    GREEN,
    RED,
    SIZE,
    code_frame,
    ffmpeg_exe,
    make_video,
    read_code,
    solid,
)

FPS = 10
FRAME = 1 / FPS
EPS = 1e-6


def truth_at(time: float) -> tuple[int, int, int]:
    """The colour of the red/green/blue film at ``time``."""
    return (RED, GREEN, BLUE)[min(int(time // 2.0 + EPS), 2)]


def delta_e(a, b) -> np.ndarray:
    return delta_e2000(rgb_to_lab(np.asarray(a, np.uint8)), rgb_to_lab(np.asarray(b, np.uint8)))


def codes(samples) -> np.ndarray:
    return np.array([read_code(f) for f in samples.frames])


def frame_index(times: np.ndarray, fps: float = FPS) -> np.ndarray:
    return np.round(np.asarray(times) * fps).astype(int)


# --- red, green, blue -----------------------------------------------------------------


# rgb_pal8: the palette comes with the first frame only; a decoder that never saw it drew
# every frame after a seek black.
@pytest.mark.parametrize("film", ["rgb", "rgb_vp8", "rgb_pal8"])
@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize("count", [3, 12, 60])
def test_solid_colours_come_back_at_their_times(video_films, film, mode, count):
    s = sample(video_films[film], count=count, mode=mode)
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


def test_known_times_have_known_colours(video_films):
    """Targets 1, 3, 5 s: red, green, blue, in both modes and through `frame_at`."""
    for mode in ("fast", "exact"):
        s = sample(video_films["rgb"], count=3, mode=mode)
        np.testing.assert_allclose(s.targets, [1.0, 3.0, 5.0])
        for frame, colour in zip(s.frames, (RED, GREEN, BLUE), strict=True):
            assert delta_e(frame.reshape(-1, 3).mean(axis=0).round(), colour) < 3
    exact = sample(video_films["rgb"], count=3, mode="exact")
    np.testing.assert_allclose(exact.times, [1.0, 3.0, 5.0], atol=EPS)
    for time, colour in ((0.05, RED), (1.0, RED), (1.95, RED), (2.0, GREEN), (3.0, GREEN),
                         (4.0, BLUE), (5.0, BLUE), (5.95, BLUE)):
        frame = frame_at(video_films["rgb"], time, size=64)
        assert frame.shape == (36, 64, 3)
        assert delta_e(frame.reshape(-1, 3).mean(axis=0).round(), colour) < 3, time


# --- fast mode and keyframes ----------------------------------------------------------


@pytest.mark.parametrize("count", [6, 15, 30, 59, 60])
def test_fast_mode_single_keyframe_gives_distinct_moments(video_films, count):
    """One keyframe, many samples: it must decode forward, one distinct frame per sample,
    each within one frame interval of its target."""
    s = sample(video_films["code_single"], count=count, mode="fast")
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
def test_fast_mode_samples_stay_in_their_slot(video_films, film, count):
    """Keyframes at least as dense as the samples: each sample is a keyframe from its own
    slot [t - slot/2, t + slot/2), so all are distinct and each picture is its time's."""
    s = sample(video_films[film], count=count, mode="fast")
    slot = 6.0 / count
    assert len(s.times) == count
    lo, hi = s.targets - slot / 2, s.targets + slot / 2
    # A frame at a slot's upper edge belongs to the next slot.
    assert np.all((s.times >= lo - EPS) & (s.times < hi - EPS)), np.c_[lo, s.times, hi]
    assert np.all(np.diff(s.times) > EPS)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))
    if film == "code_every":
        assert np.all(np.abs(s.times * FPS - np.round(s.times * FPS)) < 1e-3)


def test_fast_mode_uses_keyframes_when_it_can(video_films):
    """With a keyframe every second and one sample per second, fast mode returns exactly
    the keyframes (0, 1, ..., 5 s)."""
    s = sample(video_films["code_gop10"], count=6, mode="fast")
    np.testing.assert_allclose(s.times, np.arange(6.0), atol=EPS)


@pytest.mark.parametrize("count", [6, 20, 59])
@pytest.mark.parametrize("film", ["code_single", "code_gop10", "code_bframes", "vfr"])
def test_fast_mode_on_a_spent_budget_keeps_true_times_and_distinct_moments(
    video_films, film, count, monkeypatch
):
    """With the decode budget spent (as on an episode at 1000 samples), a sample may be an
    earlier frame than its target, but its time is the true time of the picture returned,
    samples stay distinct and in order, and none trails its target by more than the lag."""
    monkeypatch.setattr(reader, "_FAST_START_PIXELS", 0)
    monkeypatch.setattr(reader, "_FAST_FRAMES_PER_SAMPLE", 1)
    monkeypatch.setattr(reader, "_FAST_MAX_LAG", 1.0)
    frames = plain_timeline(video_films[film])
    s = sample(video_films[film], count=count, mode="fast")
    index = np.array([np.argmin(np.abs(frames - t)) for t in s.times])
    assert np.abs(frames[index] - s.times).max() < 1e-4, "every time is a frame's"
    np.testing.assert_array_equal(codes(s), index)
    assert np.all(np.diff(s.times) > EPS), s.times
    slot = (frames[-1] + FRAME) / count
    assert np.all(s.times < s.targets + slot / 2), "never past the slot"
    assert np.all(s.targets - s.times <= 1.0 + slot / 2 + EPS), s.targets - s.times
    if count <= 20:  # with about as many samples as frames, some slots have none
        assert len(s.times) == count


def test_fast_mode_budget_binds_only_where_keyframes_are_sparse(video_films, monkeypatch):
    """A keyframe per slot costs nothing from the budget: every sample is its keyframe."""
    monkeypatch.setattr(reader, "_FAST_START_PIXELS", 0)
    monkeypatch.setattr(reader, "_FAST_FRAMES_PER_SAMPLE", 1)
    s = sample(video_films["code_gop10"], count=6, mode="fast")
    np.testing.assert_allclose(s.times, np.arange(6.0), atol=EPS)


@pytest.mark.parametrize("film", ["code_gop10", "code_bframes", "vfr_single"])
def test_fast_mode_caps_samples_at_the_distinct_frames(video_films, film):
    """More samples than frames: fast mode returns each frame at most once, in order."""
    s = sample(video_films[film], count=150, mode="fast")
    assert 40 <= len(s.times) <= 60
    assert len(s.frames) == len(s.times) == len(s.targets)
    assert np.all(np.diff(s.times) > EPS)
    assert s.ended_at is None
    assert len(set(codes(s))) == len(s.times)


# --- exact mode -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 4, 7, 25, 60, 97])
@pytest.mark.parametrize("film", ["code_every", "code_gop10", "code_single", "code_mkv"])
def test_exact_mode_is_the_frame_on_screen(video_films, film, count):
    """The last frame whose time is <= the target, for sparse and dense sampling."""
    s = sample(video_films[film], count=count, mode="exact")
    assert len(s.times) == count
    expected = np.floor(s.targets * FPS + EPS) / FPS
    np.testing.assert_allclose(s.times, expected, atol=1e-4)
    assert np.all((s.times <= s.targets + EPS) & (s.times > s.targets - FRAME - EPS))
    np.testing.assert_array_equal(codes(s), frame_index(s.times))
    assert np.all(np.diff(s.times) >= 0)


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize(
    "film", ["code_ts", "code_ts_bframes", "code_ts_wrapped", "code_ps", "code_av1"]
)
def test_containers_without_an_index_and_av1_give_each_slot_its_frame(video_films, film, mode):
    """MPEG-TS and MPEG-PS have no index, so a seek lands on any packet, and one aimed at
    the first frame lands just past it (the search goes by decode time): decoding from a
    packet that is no keyframe shows nothing until the next keyframe (in code_ts, never).
    A TS whose clock wraps has its first seconds below zero, where seeks were not aimed.
    libdav1d reads skip_frame once, when it opens: opened by a keyframe-only decode, it
    decoded keyframes only ever after."""
    fps = probe(video_films[film]).fps
    s = sample(video_films[film], count=12, mode=mode)
    assert s.ended_at is None and len(s.times) == 12
    # MPEG-PS stamps few frames: FFmpeg's parser gives the others times that can be a
    # frame off after a seek (a plain decode's are right). Left as FFmpeg gives them.
    off = 1 if film == "code_ps" else 0
    assert np.abs(codes(s) - frame_index(s.times, fps)).max() <= off
    slot = s.targets[1] - s.targets[0]
    if mode == "exact":
        on_screen = np.floor(s.targets * fps + EPS) / fps
        assert np.abs(s.times - on_screen).max() <= off / fps + 1e-4
    else:
        assert np.all((s.times >= s.targets - slot / 2 - EPS) & (s.times < s.targets + slot / 2))


def plain_timeline(path) -> np.ndarray:
    """Every frame's time, from a plain decode of the whole film."""
    with av.open(str(path)) as container:
        return np.array([f.time for f in container.decode(container.streams.video[0])])


@pytest.mark.parametrize("count", [3, 7, 23, 60, 150])
@pytest.mark.parametrize(
    "film", ["code_bframes", "vfr", "vfr_single", "code_pyramid", "code_hevc_open"]
)
def test_exact_mode_with_b_frames_and_variable_frame_rate(video_films, film, count):
    """The frame on screen can be a non-reference B-frame shown long before the target
    (a 350 ms gap at 8 fps on average): it must not be skipped as too early. B-frames that
    are references, and frames an open GOP shows before its keyframe, must be decoded."""
    frames = plain_timeline(video_films[film])
    assert len(frames) == 60
    s = sample(video_films[film], count=count, mode="exact")
    expected = np.array([frames[frames <= t + EPS].max() for t in s.targets])
    np.testing.assert_allclose(s.times, expected, atol=1e-4)
    index = np.array([np.argmin(np.abs(frames - t)) for t in s.times])
    np.testing.assert_array_equal(codes(s), index)
    for time in s.targets[:: max(1, count // 4)]:
        shown = frame_at(video_films[film], float(time), size=160)
        assert read_code(shown) == np.flatnonzero(frames <= time + EPS).max()


@pytest.mark.parametrize("film", ["code_bframes", "vfr", "code_pyramid", "code_hevc_open"])
def test_exact_mode_decodes_nothing_past_a_sample_the_next_one_seeks_from(
    video_films, film, monkeypatch
):
    """Samples in keyframe intervals of their own: each is the frame on screen, found
    without walking forward from it (`decode_frames` would decode on until a frame shows
    after the target), since the next sample seeks anyway. So is `frame_at`'s frame."""
    frames = plain_timeline(video_films[film])

    def walk(*args, **kwargs):
        raise AssertionError("decoded forward past the sample")
        yield

    monkeypatch.setattr(reader, "decode_frames", walk)
    s = sample(video_films[film], count=3, mode="exact", workers=1)
    expected = np.array([frames[frames <= t + EPS].max() for t in s.targets])
    np.testing.assert_allclose(s.times, expected, atol=1e-4)
    np.testing.assert_array_equal(codes(s), [np.argmin(np.abs(frames - t)) for t in s.times])
    for time in (0.0, 2.05, 3.33, 5.99):
        shown = frame_at(video_films[film], time, size=160)
        assert read_code(shown) == np.flatnonzero(frames <= time + EPS).max()


@pytest.mark.parametrize("count", [3, 7, 23, 60])
@pytest.mark.parametrize("film", ["code_bframes", "vfr", "vfr_single"])
def test_fast_mode_with_b_frames_and_variable_frame_rate(video_films, film, count):
    frames = plain_timeline(video_films[film])
    info = probe(video_films[film])
    s = sample(video_films[film], count=count, mode="fast", info=info)
    slot = info.duration / count
    index = np.array([np.argmin(np.abs(frames - t)) for t in s.times])
    assert np.abs(frames[index] - s.times).max() < 1e-4, "every time is a frame's"
    np.testing.assert_array_equal(codes(s), index)
    for t, time in zip(s.targets, s.times, strict=True):
        in_slot = (frames >= t - slot / 2 - EPS) & (frames < t + slot / 2 - EPS)
        if in_slot.any():
            assert t - slot / 2 - EPS <= time < t + slot / 2, (t, time)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_do_not_change_the_result(video_films, workers):
    reference = sample(video_films["code_gop10"], count=17, mode="exact", workers=1)
    s = sample(video_films["code_gop10"], count=17, mode="exact", workers=workers)
    np.testing.assert_array_equal(s.times, reference.times)
    np.testing.assert_array_equal(s.frames, reference.frames)


def test_exact_mode_decodes_with_a_decoder_per_core(video_films, monkeypatch):
    """Exact mode's frames do not depend on the split, so it takes every core (two at
    least, eight at most); fast mode's do, so it keeps two on every machine."""
    opened = []
    real = sampling.FrameReader.__init__

    def counting(self, *args, **kwargs):
        opened.append(kwargs["mode"])
        real(self, *args, **kwargs)

    monkeypatch.setattr(sampling.FrameReader, "__init__", counting)
    reference = sample(video_films["code_gop10"], count=17, mode="exact", workers=1)
    monkeypatch.setattr(sampling, "usable_cores", lambda: 4)
    opened.clear()
    s = sample(video_films["code_gop10"], count=17, mode="exact")
    assert opened == ["exact"] * 4
    np.testing.assert_array_equal(s.times, reference.times)
    np.testing.assert_array_equal(s.frames, reference.frames)
    opened.clear()
    sample(video_films["code_gop10"], count=17, mode="fast")
    assert opened == ["fast"] * 2
    for cores, count in ((1, 2), (3, 3), (64, 8)):
        monkeypatch.setattr(sampling, "usable_cores", lambda cores=cores: cores)
        assert sampling.decoder_count("exact") == count
        assert sampling.decoder_count("fast") == 2


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_each_sample_is_handed_over_as_it_is_found(video_films, mode):
    """``on_sample`` hears every sample returned, with its time and target, from the
    decoders' threads (the sound print starts on them while the frames decode)."""
    heard, threads = [], set()

    def on_sample(time, target):
        heard.append((time, target))
        threads.add(threading.current_thread().name)

    s = sample(video_films["code_gop10"], count=17, mode=mode, on_sample=on_sample)
    assert set(zip(s.times, s.targets, strict=True)) <= set(heard)
    assert len(heard) <= len(s.times) + 1  # a repeat where the two parts meet is dropped after
    assert all(name.startswith(sampling.DECODER_THREAD) for name in threads)


def test_frame_at_matches_the_code(video_films):
    for time in (0.0, 0.05, 0.1, 1.0, 2.34, 5.9, 5.99):
        frame = frame_at(video_films["code_single"], time, size=160)
        assert read_code(frame) == int(time * FPS + EPS), time


# --- start and end --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize(("start", "end"), [(1.0, 4.0), (2.0, None), (None, 3.0), (0.5, 5.5)])
def test_start_end_trim_the_span(video_films, mode, start, end):
    count = 12
    s = sample(video_films["code_gop10"], count=count, mode=mode, start=start, end=end)
    lo, hi = start or 0.0, end or 6.0
    assert len(s.times) == count
    assert np.all((s.times >= lo - EPS) & (s.times <= hi + EPS)), s.times
    assert np.all((s.targets > lo) & (s.targets < hi))
    assert np.all(np.diff(s.times) > 0)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_start_between_frames_shows_a_frame_of_the_span(video_films, mode):
    """A start between two frames: the first sample may be the frame already on screen at
    the start, never an earlier one."""
    s = sample(video_films["code_gop10"], count=10, mode=mode, start=1.05, end=2.05)
    assert np.all(s.times + FRAME > 1.05)
    assert np.all(s.times <= 2.05)
    np.testing.assert_array_equal(codes(s), frame_index(s.times))


def test_end_past_the_film_is_clamped(video_films):
    s = sample(video_films["code_gop10"], count=6, mode="exact", start=3.0, end=100.0)
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
def test_bad_sampling_parameters(video_films, kwargs, words):
    with pytest.raises(InvalidParameterError, match=words):
        sample(video_films["rgb"], **kwargs)


def test_sample_times_are_slot_middles(video_films):
    info = probe(video_films["rgb"])
    targets, slot = sample_times(info, count=4, start=1.0, end=5.0)
    assert slot == pytest.approx(1.0)
    np.testing.assert_allclose(targets, [1.5, 2.5, 3.5, 4.5])


# --- geometry: size, rotation, aspect ratio -------------------------------------------


def test_working_size_never_upscales(video_films):
    info = probe(video_films["rgb"])
    assert working_size(info, 320) == SIZE
    assert working_size(info, 80) == (80, 45)
    s = sample(video_films["rgb"], count=2, size=80)
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
def test_rotation_is_applied(video_films, film, k, corner):
    info = probe(video_films[film])
    expected_shape = (72, 128) if k == 2 else (128, 72)
    assert (info.height, info.width) == expected_shape
    assert info.rotation in (90, 180, 270)
    displayed = np.rot90(video_films["corner"], k=k)
    for mode in ("fast", "exact"):
        s = sample(video_films[film], count=2, mode=mode, info=info)
        assert s.frames.shape[1:3] == expected_shape
        assert red_corner(s.frames[0]) == corner
        assert np.abs(s.frames[0].astype(int) - displayed).mean() < 4
    shown = frame_at(video_films[film], 0.5, size=128)
    assert shown.shape[:2] == expected_shape
    assert red_corner(shown) == corner
    # The same picture FFmpeg shows.
    reference = ffmpeg_frame(video_films[film], info.width, info.height)
    assert red_corner(reference) == corner
    assert np.abs(shown.astype(int) - reference).mean() < 4


def test_sample_aspect_ratio_is_applied(video_films):
    """128x72 coded with 2:1 pixels is displayed 256x72: the working frame is 2x wider."""
    info = probe(video_films["sar"])
    assert (info.width, info.height) == (256, 72)
    s = sample(video_films["sar"], count=2, size=320)
    assert s.frames.shape[1:3] == (72, 256)
    stretched = np.repeat(video_films["corner"], 2, axis=1)
    assert red_corner(s.frames[0]) == "top-left"
    assert np.abs(s.frames[0].astype(int) - stretched).mean() < 6
    s = sample(video_films["sar"], count=2, size=128)
    assert s.frames.shape[1:3] == (36, 128)


def test_sample_aspect_ratio_then_rotation(video_films):
    """2:1 pixels stretch the coded width, then the picture turns: 72x256 displayed."""
    info = probe(video_films["sar_rot90"])
    assert (info.width, info.height) == (72, 256)
    s = sample(video_films["sar_rot90"], count=2, size=256)
    assert s.frames.shape[1:3] == (256, 72)
    expected = np.rot90(np.repeat(video_films["corner"], 2, axis=1), k=1)
    assert red_corner(s.frames[0]) == "bottom-left"
    assert np.abs(s.frames[0].astype(int) - expected).mean() < 6


# --- video_films that do not start at 0 -----------------------------------------------------


@pytest.mark.parametrize("ext", ["mp4", "mkv", "webm"])
def test_film_starting_late_is_measured_from_its_first_frame(video_films, ext):
    """Frames at 5.0 ... 10.9 s: the film is 6 s long (Matroska's duration counts from
    timestamp 0, so read naively it would be 11 s), and times count from the first frame."""
    film = video_films[f"offset_{ext}"]
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
def test_truncated_file_keeps_what_decodes(video_films, film, mode):
    """The container claims 10 s, the bytes stop about half way: samples up to the last
    decodable frame, ``ended_at`` set, every kept frame's picture matches its time."""
    info = probe(video_films[film])
    assert info.duration == pytest.approx(10.0, abs=FRAME)
    s = sample(video_films[film], count=20, mode=mode, info=info)
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
def test_cancel_from_another_thread_stops_every_decoder(video_films, mode, monkeypatch):
    held, converted = hold_decoders(monkeypatch)
    cancel = threading.Event()

    def canceller() -> None:
        held.wait(10)
        cancel.set()

    thread = threading.Thread(target=canceller)
    thread.start()
    with pytest.raises(Cancelled):
        sample(video_films["code_single"], count=40, mode=mode, cancel=cancel)
    thread.join()
    assert decoder_threads() == []
    assert len(converted) <= 2  # one frame per decoder, then they stopped


def test_a_raising_progress_callback_stops_the_decoders(video_films, monkeypatch):
    held, converted = hold_decoders(monkeypatch)

    def progress(fraction: float, message: str) -> None:
        held.wait(10)
        raise RuntimeError("the caller's own error")

    with pytest.raises(RuntimeError, match="the caller's own error"):
        sample(video_films["code_single"], count=40, mode="exact", on_progress=progress)
    assert decoder_threads() == []
    assert len(converted) <= 2


def test_cancelled_is_a_library_error():
    assert issubclass(Cancelled, FingerprintError)
    assert str(Cancelled()).endswith(".")


def test_code_frames_round_trip():
    """The helper itself: a code frame reads back, also scaled down."""
    for i in (0, 1, 37, 200, 255):
        frame = code_frame(i)
        assert read_code(frame) == i
        assert read_code(frame[::2, ::2]) == i


def test_point_scaling_keeps_real_pixels_area_scaling_blends_them():
    """Black and white pixel noise halved: area averaging makes greys, point scaling (the
    samples') keeps only pixels the full frame has, half of them white."""
    board = (np.random.default_rng(0).integers(0, 2, (360, 640)) * 255).astype(np.uint8)
    frame = av.VideoFrame.from_ndarray(np.repeat(board[:, :, None], 3, axis=2), format="rgb24")
    area = reader.frame_to_rgb(frame, width=320, height=180)
    point = reader.frame_to_rgb(frame, width=320, height=180, interpolation="POINT")
    assert len(np.unique(area)) > 3
    assert set(np.unique(point)) == {0, 255}
    assert abs((point == 255).mean() - 0.5) < 0.05


def test_point_scaling_never_repeats_pixels_of_a_stretched_frame():
    """Non-square pixels stretched to the display width are scaled as a player shows them."""
    noise = np.random.default_rng(0).integers(0, 256, (144, 176, 3), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(noise, format="rgb24")
    area = reader.frame_to_rgb(frame, width=193, height=144)
    point = reader.frame_to_rgb(frame, width=193, height=144, interpolation="POINT")
    np.testing.assert_array_equal(point, area)


def test_a_converted_frame_is_contiguous_whatever_ffmpeg_pads(tmp_path):
    """FFmpeg pads a 90-px-wide RGB frame's lines (270 bytes) for alignment; every caller
    gets plain rows (the held frames are compressed from the buffer as it is)."""
    path = make_video(tmp_path / "narrow.mp4", [solid((10, 200, 30), (90, 64))] * 3, fps=10)
    with open_video(path) as container:
        frame = next(container.decode(container.streams.video[0]))
    for rotation in (0, 90):
        rgb = frame_to_rgb(frame, width=90, height=64, rotation=rotation)
        assert rgb.flags.c_contiguous
