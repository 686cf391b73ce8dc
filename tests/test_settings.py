"""The app's settings: defaults and choices from Params, automatic samples, the
analysis options for a film."""

from __future__ import annotations

from dataclasses import fields

from fingerprint import Params, VideoInfo
from webapp.settings import (
    ANALYSIS_FIELDS,
    CLUSTERS_RANGE,
    COLOR_SPACE_LABELS,
    MODE_LABELS,
    SAMPLES_RANGE,
    Settings,
    auto_samples,
    params_for,
)


def _info(duration: float = 30.0, fps: float | None = 24.0) -> VideoInfo:
    return VideoInfo(
        name="film.mp4", duration=duration, fps=fps, frame_count=None, width=1280,
        height=720, codec="h264", pix_fmt="yuv420p", rotation=0, stream_index=0,
    )


def test_settings_defaults_are_params_defaults() -> None:
    defaults, params = Settings(), Params()
    for name in ANALYSIS_FIELDS:
        if name != "samples":  # None: automatic
            assert getattr(defaults, name) == getattr(params, name), name
    assert set(ANALYSIS_FIELDS) <= {f.name for f in fields(Params)}


def test_app_limits_lie_within_params() -> None:
    assert Params.CLUSTERS_RANGE[0] <= CLUSTERS_RANGE[0] <= CLUSTERS_RANGE[1]
    assert CLUSTERS_RANGE[1] <= Params.CLUSTERS_RANGE[1]
    assert SAMPLES_RANGE[0] >= Params.MIN_SAMPLES
    assert tuple(MODE_LABELS) == Params.MODES
    assert tuple(COLOR_SPACE_LABELS) == Params.COLOR_SPACES


# --- params ----------------------------------------------------------------------------
def test_auto_samples_is_one_per_frame_up_to_1000() -> None:
    assert auto_samples(_info(30.0, 24.0)) == 720
    assert auto_samples(_info(7200.0, 24.0)) == 1000
    assert auto_samples(_info(30.0, 24.0), 10.0, 20.0) == 240
    assert auto_samples(_info(30.0, None)) == 1000
    assert auto_samples(_info(0.2, 24.0)) == 10  # the controls' minimum


def test_params_for_uses_settings_and_auto_samples() -> None:
    info = _info()
    assert params_for(Settings(), info) == Params(samples=720)
    chosen = Settings(samples=50, clusters=3, mode="exact", crop=False, color_space="rgb",
                      start=1.0, end=2.0)
    assert params_for(chosen, info) == Params(
        samples=50, clusters=3, mode="exact", crop=False, color_space="rgb", start=1.0, end=2.0
    )


