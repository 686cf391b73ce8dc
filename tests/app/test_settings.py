"""The app's settings: defaults and choices from Params, the analysis options
for a film."""

from __future__ import annotations

from dataclasses import fields

from fingerprint import Params
from webapp.settings import (
    ANALYSIS_FIELDS,
    CLUSTERS_RANGE,
    COLOR_SPACE_LABELS,
    MODE_LABELS,
    SAMPLES_RANGE,
    Settings,
    params_for,
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
def test_params_for_uses_settings_and_params_defaults() -> None:
    # Samples left empty are Params' default, as on the command line; the analysis caps
    # them at the frames in the span.
    assert params_for(Settings()) == Params()
    chosen = Settings(samples=50, clusters=3, mode="exact", crop=False, color_space="rgb",
                      start=1.0, end=2.0)
    assert params_for(chosen) == Params(
        samples=50, clusters=3, mode="exact", crop=False, color_space="rgb", start=1.0, end=2.0
    )


