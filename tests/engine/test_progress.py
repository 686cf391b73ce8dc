"""Waiting on decoder threads while the caller reports progress (`fingerprint._progress`),
and the three stages that use it stopping when the report fails."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from fingerprint._progress import wait_reporting
from fingerprint.decode._video import probe
from fingerprint.shots import _find as shots, _scan
from tests.support.videos import ORANGE, TEAL, make_video, solid


def _until_halted(halt: threading.Event) -> str:
    for _ in range(1000):  # at most 10 s: a broken halt fails instead of hanging
        if halt.wait(0.01):
            return "halted"
    return "ran on"


def test_a_failing_report_halts_the_workers_and_propagates():
    halt = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(_until_halted, halt) for _ in range(2)]

        def report() -> None:
            raise RuntimeError("the page went away")

        with pytest.raises(RuntimeError, match="went away"):
            wait_reporting(futures, report=report, halt=halt)
    assert [f.result() for f in futures] == ["halted", "halted"]


def test_a_worker_error_reaches_the_caller():
    def fail() -> None:
        raise ValueError("broken file")

    with ThreadPoolExecutor(1) as pool:
        futures = [pool.submit(fail)]
        with pytest.raises(ValueError, match="broken file"):
            wait_reporting(futures, report=None, halt=threading.Event())


def test_shots_stop_decoding_when_the_report_fails(tmp_path, monkeypatch):
    """Finding shots used to decode to the end of the film after its progress callback
    raised (a visitor who left): its decoders now stop within a frame or two."""
    frames = [solid(ORANGE)] * 300 + [solid(TEAL)] * 300
    film = make_video(tmp_path / "long.mp4", frames, fps=10)
    seen = []
    small = _scan.small_rgb

    def slow_small_rgb(*args, **kwargs):
        seen.append(1)
        time.sleep(0.002)  # 600 frames take over a second: the first report comes first
        return small(*args, **kwargs)

    monkeypatch.setattr(_scan, "small_rgb", slow_small_rgb)

    def report(fraction: float, message: str) -> None:
        raise RuntimeError("the page went away")

    with pytest.raises(RuntimeError, match="went away"):
        shots.detect_shots(film, info=probe(film), workers=2, on_progress=report)
    assert len(seen) < 300  # of 600: main decoded them all before raising
