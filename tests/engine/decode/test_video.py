"""Probing synthetic videos and refusing bad input (fingerprint/video.py)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess

import numpy as np
import pytest

from fingerprint import Params, analyze
from fingerprint.decode import _video as video
from fingerprint.decode._sampling import sample
from fingerprint.decode._video import probe
from fingerprint.errors import (
    DecodeError,
    FingerprintError,
    NotAVideoError,
    NoVideoStreamError,
    UnreadableFileError,
    VideoNotFoundError,
)
from tests.support import clip
from tests.support.videos import (
    RGB_FPS,
    SIZE,
    ffmpeg_exe,
    make_code,
    noise,
    read_code,
    truncate_copy,
)

AUDIO_ONLY = str(clip("audio_only_trex_roar_2s.mp3"))

FPS = 10
FRAME = 1 / FPS
EPS = 1e-6


def codes(samples) -> np.ndarray:
    return np.array([read_code(f) for f in samples.frames])


def frame_index(times: np.ndarray, fps: float = FPS) -> np.ndarray:
    return np.round(np.asarray(times) * fps).astype(int)


# --- probe ----------------------------------------------------------------------------


def test_probe_describes_the_film(video_films):
    info = probe(video_films["rgb"])
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
def test_container_without_duration_is_measured(video_films, name):
    info = probe(video_films[name])
    assert info.duration_estimated
    # 60 frames at 10 fps: the last frame starts at 5.9 s and lasts 0.1 s.
    assert info.duration == pytest.approx(6.0, abs=2 * FRAME)
    for mode in ("fast", "exact"):
        s = sample(video_films[name], count=12, mode=mode, info=info)
        assert s.ended_at is None
        assert len(s.times) == 12
        assert np.all(np.diff(s.times) > 0)
        np.testing.assert_array_equal(codes(s), frame_index(s.times))


def test_frame_count_claims_are_never_used(video_films):
    """Sampling must not depend on the container's frame count: a wrong claim (too many,
    too few) gives exactly the same frames and times."""
    info = probe(video_films["code_gop10"])
    assert info.frame_count == 60
    for mode in ("fast", "exact"):
        reference = sample(video_films["code_gop10"], count=20, mode=mode, info=info)
        for claim in (None, 3, 86, 10**6):
            lying = dataclasses.replace(info, frame_count=claim)
            s = sample(video_films["code_gop10"], count=20, mode=mode, info=lying)
            np.testing.assert_array_equal(s.times, reference.times)
            np.testing.assert_array_equal(s.frames, reference.frames)


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


@pytest.mark.parametrize("address", ["https://example.com/film.mp4", "file:///films/a.mkv"])
def test_a_web_address_is_named_as_given(address):
    """Not "no such file: https:/example.com/film.mp4": a `Path` folds the "//"."""
    with pytest.raises(VideoNotFoundError) as err:
        probe(address)
    assert str(err.value) == (
        f"{address} is a web address; films are read from files: download it first."
    )


def test_a_file_under_a_folder_named_like_a_scheme_is_read(tmp_path, monkeypatch):
    """Only a path that is no file is taken for a web address."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a:").mkdir()
    shutil.copy(clip("synth_short_1s_240p_h264.mp4"), tmp_path / "a:" / "film.mp4")
    assert probe("a://film.mp4").name == "film.mp4"


def test_a_title_with_a_colon_is_a_file_not_a_protocol(tmp_path, monkeypatch):
    """Given relative, as a shell passes it: FFmpeg alone takes the part before the colon
    for a protocol ("Protocol not found")."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(clip("synth_short_1s_240p_h264.mp4"), tmp_path / "Alien: Covenant.mp4")
    fp = analyze("Alien: Covenant.mp4", params=Params(samples=3, clusters=2))
    assert fp.video.name == "Alien: Covenant.mp4" and len(fp) == 3


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
        ("random.mp4", noise(50_000)),
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
def test_unreadable(video_films, tmp_path):
    path = tmp_path / "locked.mp4"
    path.write_bytes(video_films["rgb"].read_bytes())
    path.chmod(0)
    try:
        with pytest.raises(UnreadableFileError) as err:
            probe(path)
        assert_plain_sentence(err.value, "locked.mp4")
    finally:
        path.chmod(0o644)


def test_unreadable_even_as_root(video_films, tmp_path, monkeypatch):
    """The permission check itself, for runs as root (where chmod 000 still reads)."""

    path = tmp_path / "locked.mp4"
    path.write_bytes(video_films["rgb"].read_bytes())
    monkeypatch.setattr(video.os, "access", lambda p, mode: False)
    with pytest.raises(UnreadableFileError) as err:
        sample(path, count=3)
    assert_plain_sentence(err.value, "locked.mp4")
    assert "permission" in str(err.value)


def test_header_only_file_is_refused_cleanly(video_films, tmp_path):
    """The first few hundred bytes of a real film: whatever is missing, the error is ours."""
    path = truncate_copy(video_films["long_mkv"], tmp_path / "stub.mkv", fraction=0.02)
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
