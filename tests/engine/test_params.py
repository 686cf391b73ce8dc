"""The options and their checks, fitted to a film (fingerprint/params.py)."""

from __future__ import annotations

import dataclasses

import pytest

from fingerprint import InvalidParameterError, Params, VideoInfo


def info() -> VideoInfo:
    return VideoInfo(name="film.mp4", duration=12.5, fps=23.976, frame_count=300, width=320,
                     height=180, codec="h264", pix_fmt="yuv420p", rotation=90, stream_index=1,
                     start_time=0.5, duration_estimated=True)


def test_fitted_caps_samples_at_the_frames_of_the_span():
    film = info()
    # 12.5 s at 23.976 fps is 299 frames; 2 s to 7 s is 119.
    params, notes = Params(samples=1000).fitted(film)
    assert params.samples == 299
    assert notes == ("The analysed span has 299 frames, so it was sampled 299 times, not "
                     "1000: every sample is a distinct frame.",)
    assert Params(samples=1000, start=2, end=7).fitted(film)[0].samples == 119
    assert Params(samples=50).fitted(film) == (Params(samples=50), ())


def test_a_span_of_one_frame_is_sampled_once():
    still = dataclasses.replace(info(), duration=0.04, fps=25.0, frame_count=1)
    params, notes = Params().fitted(still)
    assert params.samples == 1
    assert notes == ("The analysed span has 1 frame, so it was sampled once, not 1000.",)


def test_fitted_clamps_an_end_past_the_film_and_refuses_a_start_past_it():
    film = info()
    params, notes = Params(samples=10, start=5, end=3600).fitted(film)
    assert (params.start, params.end) == (5, None)
    assert notes == ("The end (1:00:00) is past the end of the film (0:00:12): it was "
                     "analysed to its end.",)
    with pytest.raises(InvalidParameterError, match=r"start \(0:00:12\) is at or past the end"):
        Params(start=12.5).fitted(film)


def test_samples_are_bounded():
    assert Params(samples=Params.MAX_SAMPLES).samples == Params.MAX_SAMPLES
    with pytest.raises(InvalidParameterError, match="between 1 and 3000, not 100000"):
        Params(samples=100_000)
