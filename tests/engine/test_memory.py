"""What keeps a run's peak memory down (figures in docs/benchmarks.md, never asserted here):
the allocator settings, frames held compressed while decoding, and optional layers whose
libraries load only when asked for."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from fingerprint import Params, analyze
from fingerprint._memory import limit_arenas, release_free_memory
from fingerprint.decode import _sampling as sampling
from fingerprint.decode._rgb import frame_to_rgb
from fingerprint.decode._video import open_video
from tests.support import ROOT
from tests.support.videos import make_video, solid


def test_allocator_calls_are_safe_to_repeat():
    on_glibc = sys.platform.startswith("linux") and subprocess.run(
        ["ldd", "--version"], capture_output=True, text=True
    ).stdout.lower().count("glibc")
    for _ in range(2):
        assert limit_arenas() is bool(on_glibc)
        assert release_free_memory() is None


@pytest.mark.parametrize("width", [96, 90])  # 90 px: lines padded in FFmpeg's frames
def test_held_frames_come_back_exactly(tmp_path, width):
    """Frames are compressed while the decoders run: what comes back is what was decoded."""
    noise = np.random.default_rng(0).integers(0, 256, (20, 64, width, 3), dtype=np.uint8)
    path = make_video(tmp_path / "noise.mp4", list(noise), fps=10)
    got = sampling.sample(path, count=6, mode="exact", size=width)
    with open_video(path) as container:
        stream = container.streams.video[0]
        decoded = [frame_to_rgb(f, width=width, height=64) for f in container.decode(stream)]
    times = np.arange(20) / 10
    assert len(got.frames) == 6
    for frame, t in zip(got.frames, got.times, strict=True):
        assert np.array_equal(frame, decoded[int(np.argmin(np.abs(times - t)))])


@pytest.mark.parametrize("module", ["fingerprint.cli._main", "fingerprint._outputs"])
def test_shot_libraries_load_only_for_shots(module):
    """OpenCV and PySceneDetect cost 24 MB of every run's peak: only shots need them."""
    code = f"import sys, {module}; print('cv2' in sys.modules, 'scenedetect' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_an_analysis_without_shots_does_not_load_them(tmp_path):
    path = make_video(tmp_path / "film.mp4", [solid((200, 40, 40))] * 20)
    code = (
        "import sys; from fingerprint import Params, analyze; "
        f"analyze({str(path)!r}, params=Params(samples=4)); "
        "print('cv2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
    assert analyze(path, params=Params(samples=4, shots=True)).shots is not None
