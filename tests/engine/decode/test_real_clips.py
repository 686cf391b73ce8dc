"""Real clips from tests/data and demo/ (see tests/data/README.md): every one fingerprinted,
or refused with the right error, with properties each clip is known to have."""

from __future__ import annotations

import math
import re
import subprocess

import av
import numpy as np
import pytest

from fingerprint import Params, analyze, frame_at, probe, sample
from fingerprint.decode._frames import working_size
from fingerprint.decode._rgb import frame_to_rgb
from fingerprint.errors import NoVideoStreamError
from fingerprint.palette._color import average_color, delta_e2000, rgb_to_lab
from tests.support import clip
from tests.support.videos import ffmpeg_exe

EDGE = 1e-3  # fingerprint.decode._reader.SLOT_EDGE
EPS = 1e-6
COUNT = 40

PHONE = "synth_phone_2s_720p_rot180_vfr_h264.mp4"
PILLARBOX = "synth_pillarbox_6s_360p_bw_h264.mp4"
CLIPS = [
    "asl_thanks_2s_480p_h264.mkv",
    "bbb_30s_720p_vp8.webm",
    "bbb_3s_720p_h264_quicktime.mov",
    "cars_30s_432p_h264.mp4",
    "flower_5s_540p_h264.mp4",
    "flower_5s_540p_vp8.webm",
    "friday_6s_480p_bw_h264.mp4",
    "people_139s_432p_h264.mp4",
    PHONE,
    PILLARBOX,
    "synth_short_1s_240p_h264.mp4",
]
# Frames that decode, counted by the README (and checked below by a straight decode).
FRAMES = {
    "asl_thanks_2s_480p_h264.mkv": 51,
    "bbb_30s_720p_vp8.webm": 720,
    "bbb_3s_720p_h264_quicktime.mov": 82,
    "flower_5s_540p_h264.mp4": 150,
    "flower_5s_540p_vp8.webm": 150,
    "people_139s_432p_h264.mp4": 1394,
    PHONE: 25,
    PILLARBOX: 144,
    "synth_short_1s_240p_h264.mp4": 30,
}
# The phone clip's gaps between frames in ms (make_clips.PHONE_GAPS_MS): truly variable.
PHONE_GAPS_MS = [
    100, 67, 133, 100, 83, 117, 67, 100, 150, 83, 100, 67,
    117, 100, 133, 83, 67, 100, 117, 83, 100, 133, 67, 100,
]


_TIMELINES: dict[str, np.ndarray] = {}


def timeline(name: str) -> np.ndarray:
    """Every frame's time (s from the film's start), from a plain decode of the whole clip:
    the reference the sampled times are checked against."""
    if name not in _TIMELINES:
        info = probe(clip(name))
        with av.open(str(clip(name))) as container:
            stream = container.streams[info.stream_index]
            stream.thread_type = "AUTO"
            times = [f.time for f in container.decode(stream)]
        _TIMELINES[name] = np.array(times) - info.start_time
    return _TIMELINES[name]


_FINGERPRINTS: dict[tuple[str, str], object] = {}


def fingerprint(name: str, mode: str):
    if (name, mode) not in _FINGERPRINTS:
        _FINGERPRINTS[name, mode] = analyze(
            clip(name), params=Params(samples=COUNT, clusters=5, mode=mode)
        )
    return _FINGERPRINTS[name, mode]


def delta_e(a, b) -> np.ndarray:
    return delta_e2000(rgb_to_lab(np.asarray(a, np.uint8)), rgb_to_lab(np.asarray(b, np.uint8)))


# --- every clip -----------------------------------------------------------------------


@pytest.mark.parametrize("name", CLIPS)
def test_straight_decode_matches_the_readme(name):
    frames = timeline(name)
    assert np.all(np.diff(frames) > 0)
    if name in FRAMES:
        assert len(frames) == FRAMES[name]
    if name == PHONE:
        np.testing.assert_allclose(np.diff(frames) * 1000, PHONE_GAPS_MS, atol=0.5)


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize("name", CLIPS)
def test_every_clip_is_fingerprinted(name, mode):
    fp = fingerprint(name, mode)
    info = fp.video
    frames = timeline(name)
    # Clips with fewer frames than COUNT are sampled once per frame, and say so.
    count = min(COUNT, math.floor(info.duration * info.fps + 1e-3))
    notes = () if count == COUNT else (
        f"The analysed span has {count} frames, so it was sampled {count} times, not "
        f"{COUNT}: every sample is a distinct frame.",)
    if mode == "fast" and len(fp) < count:
        # Fast mode never repeats a frame: where fewer distinct frames are reachable than
        # samples, each is taken at most once, and it says so.
        assert len(frames) < 2 * count
        assert fp.warnings[:-1] == notes and "distinct frames" in fp.warnings[-1]
        assert np.all(np.diff(fp.times) > 0)
        return
    assert len(fp) == count
    assert fp.warnings == notes
    assert fp.colors.shape == (count, 5, 3)
    np.testing.assert_allclose(fp.shares.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(np.diff(fp.shares, axis=1) <= 0)
    # Sane times: real frames, in order, within the film.
    assert np.all(np.diff(fp.times) >= 0)
    assert np.all((fp.times >= -EPS) & (fp.times <= info.duration + EPS))
    nearest = np.abs(fp.times[:, None] - frames[None, :]).min(axis=1)
    assert nearest.max() < 1e-4, "every sample time is a frame's time"
    targets = (np.arange(count) + 0.5) * info.duration / count
    slot = info.duration / count
    if mode == "exact":
        expected = np.array([frames[frames <= t + EPS].max() for t in targets])
        np.testing.assert_allclose(fp.times, expected, atol=1e-4)
    else:
        for i, (t, time) in enumerate(zip(targets, fp.times, strict=True)):
            # Slots end 1 ms early: Matroska stamps times to the millisecond, rounded down.
            lo, hi = t - slot / 2 - EDGE, t + slot / 2 - EDGE
            in_slot = frames[(frames >= lo) & (frames < hi)]
            if len(in_slot):
                assert lo <= time < hi, (i, t, time)
        assert np.all(np.diff(fp.times) > 0), "every sample a distinct moment"
    # Strictly increasing wherever the clip has at least one frame per slot.
    if len(frames) >= 2 * count and np.diff(frames).max() < slot:
        assert np.all(np.diff(fp.times) > 0)


@pytest.mark.parametrize("name", CLIPS)
def test_working_frames_have_the_display_shape(name):
    info = probe(clip(name))
    width, height = working_size(info, 320)
    assert max(width, height) == min(320, max(info.width, info.height))
    s = sample(clip(name), count=3, mode="exact", info=info)
    assert s.frames.shape == (3, height, width, 3)
    assert s.ended_at is None
    # A real picture, not a blank buffer.
    assert s.frames.std() > 5


def test_audio_only_is_refused():
    with pytest.raises(NoVideoStreamError, match=re.escape("audio_only_trex_roar_2s.mp3")):
        analyze(clip("audio_only_trex_roar_2s.mp3"), params=Params(samples=COUNT))


# --- clip by clip ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize("name", ["friday_6s_480p_bw_h264.mp4", PILLARBOX])
def test_black_and_white_films_stay_grey(name, mode):
    fp = fingerprint(name, mode)
    chroma = np.hypot(*np.moveaxis(rgb_to_lab(fp.colors)[..., 1:], -1, 0))
    assert chroma.max() < 8, chroma.max()
    average = rgb_to_lab(fp.average)
    assert np.hypot(average[:, 1], average[:, 2]).max() < 8
    # Not all one grey either: a film, with light and dark.
    assert np.ptp(average[:, 0]) > 5 or np.ptp(rgb_to_lab(fp.colors)[..., 0]) > 30


def test_the_two_flower_encodes_agree():
    """The same footage as H.264/MP4 and VP8/WebM: at the same times, nearly the same
    colours (the containers' durations differ, so the span is given explicitly)."""
    params = Params(samples=COUNT, clusters=5, mode="exact", start=0.0, end=4.9)
    mp4 = analyze(clip("flower_5s_540p_h264.mp4"), params=params)
    webm = analyze(clip("flower_5s_540p_vp8.webm"), params=params)
    assert np.abs(mp4.times - webm.times).max() < 1 / 29.97 + EPS
    average = delta_e(mp4.average, webm.average)
    assert average.mean() < 1.5 and average.max() < 4, average
    # Each palette colour has a close match in the other film's palette at that moment.
    lab_a, lab_b = rgb_to_lab(mp4.colors), rgb_to_lab(webm.colors)
    nearest = delta_e2000(lab_a[:, :, None], lab_b[:, None, :]).min(axis=2)
    weighted = (nearest * mp4.shares).sum(axis=1)
    assert weighted.mean() < 3, weighted
    # Green and purple leaves first, a red bloom last: the films change the same way.
    np.testing.assert_allclose(
        rgb_to_lab(mp4.average).mean(axis=0), rgb_to_lab(webm.average).mean(axis=0), atol=2
    )


def raw_frame(name: str, time: float, size: int, interpolation: str = "AREA") -> np.ndarray:
    """The coded picture on screen at ``time``, no rotation applied, at working size."""
    info = probe(clip(name))
    width, height = working_size(info, size)
    coded = (height, width) if info.rotation in (90, 270) else (width, height)
    with av.open(str(clip(name))) as container:
        stream = container.streams[info.stream_index]
        shown = None
        for frame in container.decode(stream):
            if frame.time - info.start_time > time + EPS:
                break
            shown = frame
        return frame_to_rgb(
            shown, width=coded[0], height=coded[1], rotation=0, interpolation=interpolation
        )


def test_rotated_phone_clip_comes_out_as_displayed():
    name = PHONE
    info = probe(clip(name))
    assert info.rotation == 180
    assert (info.width, info.height) == (1280, 720)
    for time in (0.0, 0.95, 2.2):
        shown = frame_at(clip(name), time, size=320)
        raw = raw_frame(name, time, 320)
        assert shown.shape == raw.shape == (180, 320, 3)
        turned = np.rot90(raw, k=2).astype(int)
        assert np.abs(shown.astype(int) - turned).mean() < 1.0
        # And the rotation matters: the unrotated picture is far off.
        assert np.abs(shown.astype(int) - raw).mean() > 5 * np.abs(shown - turned).mean()
    # Samples are point-scaled (reader.Interpolation): compare like with like.
    s = sample(clip(name), count=5, mode="exact", info=info)
    for frame, time in zip(s.frames, s.times, strict=True):
        turned = np.rot90(raw_frame(name, time, 320, "POINT"), k=2).astype(int)
        assert np.abs(frame.astype(int) - turned).mean() < 1.0


def test_rotated_phone_clip_matches_ffmpeg_orientation():
    """FFmpeg's own player pipeline (autorotate) shows the same picture, up to its
    choice of colour matrix for untagged video."""
    name = PHONE
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(clip(name)), "-frames:v", "1",
         "-vf", "scale=320:180:flags=area", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout
    reference = np.frombuffer(raw, np.uint8).reshape(180, 320).astype(float)
    shown = frame_at(clip(name), 0.0, size=320).astype(float).mean(axis=2)
    same = np.corrcoef(shown.ravel(), reference.ravel())[0, 1]
    flipped = np.corrcoef(np.rot90(shown, 2).ravel(), reference.ravel())[0, 1]
    assert same > 0.95 and same > flipped + 0.1, (same, flipped)


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_pillarbox_bars_are_found(mode):
    fp = fingerprint(PILLARBOX, mode)
    assert fp.crop is not None
    top, bottom, left, right = fp.crop
    # make_clips.PILLARBOX_BAR: 80 of 640 columns each side, to a pixel of the 320 px
    # working frame; no rows.
    expected = 80 / 640
    assert left == pytest.approx(expected, abs=1 / 320)
    assert right == pytest.approx(expected, abs=1 / 320)
    assert top == bottom == 0
    # With the crop off, black bars join the palette.
    uncropped = analyze(
        clip(PILLARBOX),
        params=Params(samples=COUNT, clusters=5, mode=mode, crop=False),
    )
    assert uncropped.crop is None
    dark = rgb_to_lab(uncropped.colors)[..., 0] < 8
    dark_share = (uncropped.shares * dark).sum(axis=1)
    assert np.median(dark_share) > 0.2  # the bars are a quarter of the frame


def test_friday_video_is_stream_1():
    info = probe(clip("friday_6s_480p_bw_h264.mp4"))
    assert info.stream_index == 1
    with av.open(str(clip("friday_6s_480p_bw_h264.mp4"))) as container:
        assert container.streams[0].type == "audio"
        assert container.streams[1].type == "video"
    assert (info.width, info.height) == (640, 480)


def test_quicktime_claiming_86_frames():
    name = "bbb_3s_720p_h264_quicktime.mov"
    info = probe(clip(name))
    assert info.frame_count == 86  # the container's claim...
    assert len(timeline(name)) == 82  # ...while 82 decode
    for mode in ("fast", "exact"):
        s = sample(clip(name), count=86, mode=mode, info=info)
        assert s.ended_at is None
        # Exact mode shows the frame on screen at each time; fast mode each frame once.
        assert len(s.times) == (86 if mode == "exact" else 82)
        assert np.all(np.diff(s.times) >= 0 if mode == "exact" else np.diff(s.times) > 0)
        assert s.times.max() <= timeline(name).max() + EPS


def test_full_range_mkv_has_the_right_brightness():
    """yuvj420p (full range): the same pixels as FFmpeg's own rgb24 conversion; reading it
    as limited range would differ by about 9 levels per pixel."""
    name = "asl_thanks_2s_480p_h264.mkv"
    info = probe(clip(name))
    assert info.pix_fmt == "yuvj420p"
    width, height = working_size(info, 320)
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(clip(name)), "-fps_mode", "passthrough",
         "-vf", f"scale={width}:{height}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-"],
        check=True, capture_output=True,
    ).stdout
    reference = np.frombuffer(out, np.uint8).reshape(-1, height, width, 3)
    assert len(reference) == FRAMES[name]
    s = sample(clip(name), count=10, mode="exact", info=info)
    frames = timeline(name)
    index = [int(np.argmin(np.abs(frames - t))) for t in s.times]
    ours, theirs = s.frames.astype(int), reference[index].astype(int)
    assert np.abs(ours - theirs).mean() < 2
    assert np.abs(ours.mean() - theirs.mean()) < 1
    average = delta_e(average_color(s.frames), average_color(reference[index]))
    assert average.max() < 1.5, average
