"""Shared fixtures: each is self-contained and named for what it gives. Helpers that are
not fixtures are in `tests/support`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.synthetic_films import EDIT_CLIP, EDIT_CUT, EDIT_LENGTH, film, footage
from tests.support.videos import (
    RED,
    WHITE,
    code_frame,
    make_code,
    make_rgb,
    make_video,
    palettized,
    solid,
    truncate_copy,
    vfr_times,
    wrapped_ts,
)


@pytest.fixture
def app_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder for the app under test, never the user's cache; no movies
    folder unless the test sets one."""
    folder = tmp_path / "app-cache"
    folder.mkdir()
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("FINGERPRINT_MOVIES_DIR", raising=False)
    return folder


@pytest.fixture(scope="session")
def video_films(tmp_path_factory):
    """The synthetic films of test_video.py and test_sampling.py, made once: most show
    their frame's index as a code (videos.read_code), at 10 fps."""
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
        # B-frames used as references (x264's pyramid), and HEVC's open GOPs: frames
        # decoded after a keyframe but shown before it, predicted from the GOP before.
        "code_pyramid": make_code(d / "code_pyramid.mp4", gop=12, bframes=3,
                                  options={"b-pyramid": "normal"}),
        "code_hevc_open": make_code(d / "code_hevc_open.mp4", codec="libx265", options={
            "crf": "10", "x265-params": "keyint=12:min-keyint=12:bframes=4:open-gop=1:"
                                        "scenecut=0:log-level=error"}),
        # Variable frame rate, gaps up to 3.5 average frame intervals, with B-frames.
        "vfr": make_video(d / "vfr.mp4", [code_frame(i) for i in range(60)],
                          times=vfr_times(60), bframes=3, gop=12),
        "vfr_single": make_video(d / "vfr_single.mkv", [code_frame(i) for i in range(60)],
                                 times=vfr_times(60, seed=1), bframes=2, gop=1000),
        # The first frame at 5 s, as in a film cut with its timestamps kept.
        **{
            f"offset_{ext}": make_video(
                d / f"offset.{ext}", [code_frame(i) for i in range(60)],
                times=5.0 + np.arange(60) / 10, gop=10,
                codec="libvpx" if ext == "webm" else "libx264",
            )
            for ext in ("mp4", "mkv", "webm")
        },
        # Containers without an index (a seek lands on any packet), and AV1 (libdav1d).
        "code_ts": make_code(d / "code.ts", gop=1000, fmt="mpegts"),
        "code_ts_bframes": make_code(d / "code_bframes.ts", gop=12, bframes=3, fmt="mpegts"),
        # (MPEG-2 has no 10 fps: 25.)
        "code_ps": make_code(d / "code.mpg", gop=12, fps=25, codec="mpeg2video", fmt="mpeg"),
        "code_av1": make_code(d / "code_av1.mp4", gop=1000, codec="libsvtav1"),
        "long_mkv": make_code(d / "long.mkv", count=100, gop=10),
        "long_webm": make_code(d / "long.webm", count=100, gop=10, codec="libvpx"),
    }
    out["rgb_pal8"] = palettized(out["rgb"], d / "rgb_pal8.avi")
    out["code_ts_wrapped"] = wrapped_ts(out["code_gop10"], d / "code_wrapped.ts", after=3.0)
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, one per test module (`appserver.launch_chromium`)."""
    from playwright import sync_api

    from tests.support.appserver import launch_chromium

    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def as_streamlit_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `streamlit run app.py` gives a page test: the repository root importable (for
    `webapp`) and the app's own command line, without pytest's arguments."""
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setattr(sys, "argv", ["app.py"])


# --- films edited from one footage, for sequence alignment (`synthetic_films`) ----------
@pytest.fixture(scope="session")
def edit_footage():
    return footage(7, EDIT_LENGTH)


@pytest.fixture(scope="session")
def edit_original(edit_footage):
    return film([(edit_footage, 0, EDIT_LENGTH)], seed=1, name="original.mp4")


@pytest.fixture(scope="session")
def edit_cut(edit_footage):
    return film([(edit_footage, 0, EDIT_CUT[0]), (edit_footage, EDIT_CUT[1], EDIT_LENGTH)],
                seed=2, name="cut.mp4")


@pytest.fixture(scope="session")
def edit_clip(edit_footage):
    return film([(edit_footage, *EDIT_CLIP)], seed=5, name="clip.mp4")
