"""`seen_with`: any result, as a colour-blind viewer sees it. Every colour it holds is
`simulate_cvd` of the true one; nothing else changes, and normal vision is the result
itself."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.collection._collection import from_fingerprints
from fingerprint.compare._compare import compare
from fingerprint.errors import InvalidParameterError
from fingerprint.model import Shot
from fingerprint.palette import cvd_label, seen_with, simulate_cvd
from tests.support.fingerprints import make_fingerprint

RUST, LEAF, SKY = (181, 84, 60), (95, 138, 58), (40, 90, 200)


def film(shots: bool = True):
    fp = make_fingerprint(
        [[RUST, LEAF], [LEAF, SKY], [SKY, RUST]], [[0.7, 0.3], [0.6, 0.4], [1.0, 0.0]],
        average=[RUST, LEAF, SKY],
    )
    if not shots:
        return fp
    from dataclasses import replace

    return replace(fp, shots=(
        Shot(0.0, 4.0, np.array([RUST, LEAF], np.uint8), np.array([0.7, 0.3])),
        Shot(4.0, 10.0, np.array([SKY, LEAF], np.uint8), np.array([0.5, 0.5])),
    ))


def test_a_fingerprint_seen_has_every_colour_simulated_and_nothing_else_changed() -> None:
    fp = film()
    seen = seen_with(fp, cvd="deutan", severity=0.7)
    np.testing.assert_array_equal(seen.colors, simulate_cvd(fp.colors, kind="deutan",
                                                            severity=0.7))
    np.testing.assert_array_equal(seen.average, simulate_cvd(fp.average, kind="deutan",
                                                             severity=0.7))
    for shot, true in zip(seen.shots, fp.shots, strict=True):
        np.testing.assert_array_equal(shot.colors, simulate_cvd(true.colors, kind="deutan",
                                                                severity=0.7))
        assert (shot.start, shot.end) == (true.start, true.end)
        assert shot.shares is true.shares
    assert seen.times is fp.times and seen.shares is fp.shares
    assert seen.video is fp.video and seen.params is fp.params
    # The true colours are left as they were (a copy, never in place).
    assert fp.colors[0, 0].tolist() == list(RUST)


def test_normal_vision_is_the_value_itself() -> None:
    fp = film()
    assert seen_with(fp, cvd=None) is fp
    assert seen_with(fp, cvd=None, severity=0.3) is fp


def test_frames_and_strip_images_are_simulated_whole() -> None:
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (9, 16, 3), dtype=np.uint8)
    np.testing.assert_array_equal(seen_with(frame, cvd="tritan"),
                                  simulate_cvd(frame, kind="tritan"))


def test_a_fingerprint_without_shots_stays_without() -> None:
    seen = seen_with(film(shots=False), cvd="protan")
    assert seen.shots is None


def test_a_comparison_is_drawn_seen_and_measured_true() -> None:
    a, b = film(), film(shots=False)
    result = compare(a, b, bins=3, colors=2)
    seen = seen_with(result, cvd="deutan")
    np.testing.assert_array_equal(seen.a.colors, simulate_cvd(result.a.colors, kind="deutan"))
    np.testing.assert_array_equal(seen.b.average, simulate_cvd(result.b.average, kind="deutan"))
    np.testing.assert_array_equal(seen.palette_a.colors,
                                  simulate_cvd(result.palette_a.colors, kind="deutan"))
    # The numbers are the true colours' (what the page measures and exports).
    assert seen.scores is result.scores and seen.difference is result.difference
    assert seen.a.lightness is result.a.lightness
    np.testing.assert_array_equal(seen.a.fingerprint().colors, seen.a.colors)


def test_a_collection_is_seen_film_by_film() -> None:
    collection = from_fingerprints([film(), film(shots=False)], titles=["x", "y"])
    seen = seen_with(collection, cvd="protan", severity=1.0)
    for mine, true in zip(seen.films, collection.films, strict=True):
        np.testing.assert_array_equal(mine.palette.colors,
                                      simulate_cvd(true.palette.colors, kind="protan"))
        assert (mine.title, mine.lightness) == (true.title, true.lightness)


@pytest.mark.parametrize(("cvd", "severity"), [("red", 1.0), ("deutan", 1.5)])
def test_bad_choices_are_refused_even_with_nothing_to_recolour(cvd: str, severity: float) -> None:
    with pytest.raises(InvalidParameterError):
        seen_with(film(), cvd=cvd, severity=severity)


def test_labels_name_the_dichromacy_at_full_severity_and_the_anomaly_below() -> None:
    assert cvd_label("deutan") == "deuteranopia"
    assert cvd_label("protan", 0.6) == "protanomaly, severity 0.6"
    assert cvd_label("tritan", 1) == "tritanopia"
