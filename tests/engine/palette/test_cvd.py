"""Colour-vision deficiency: the published matrices, known colours, the red/green pair."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fingerprint.errors import InvalidParameterError
from fingerprint.palette import (
    CVD_KINDS,
    CVD_SEVERITIES,
    cvd_matrix,
    delta_e2000,
    rgb_to_lab,
    simulate_cvd,
)

# Machado, Oliveira & Fernandes (2009), matrices from the authors' table, typed again here
# (row by row) so that a slip in the module's table shows.
PUBLISHED = {
    ("protan", 0.3): [[0.630323, 0.465641, -0.095964], [0.069181, 0.890046, 0.040773],
                      [-0.006308, -0.007724, 1.014032]],
    ("protan", 1.0): [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                      [-0.003882, -0.048116, 1.051998]],
    ("deutan", 0.1): [[0.866435, 0.177704, -0.044139], [0.049567, 0.939063, 0.011370],
                      [-0.003453, 0.007233, 0.996220]],
    ("deutan", 0.7): [[0.457771, 0.731899, -0.189670], [0.226409, 0.731012, 0.042579],
                      [-0.011595, 0.034333, 0.977261]],
    ("deutan", 1.0): [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                      [-0.011820, 0.042940, 0.968881]],
    ("tritan", 0.5): [[1.017277, 0.027029, -0.044306], [-0.006113, 0.958479, 0.047634],
                      [0.006379, 0.248708, 0.744913]],
    ("tritan", 1.0): [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                      [0.004733, 0.691367, 0.303900]],
}

# Known colours at full severity, worked out independently (`_reference` below, plain
# Python floats). One by hand: red is linear (1, 0, 0), so deuteranopia gives the first
# column (0.367322, 0.280085, -0.011820), clipped to (0.367322, 0.280085, 0); encoded,
# 1.055 * 0.367322^(1/2.4) - 0.055 = 0.6401 -> 163, and 0.5658 -> 144: #a39000.
KNOWN = {
    ("deutan", (255, 0, 0)): (163, 144, 0),
    ("deutan", (0, 255, 0)): (239, 214, 58),
    ("deutan", (0, 0, 255)): (0, 61, 251),
    ("protan", (255, 0, 0)): (109, 95, 0),
    ("protan", (230, 120, 20)): (153, 134, 0),
    ("tritan", (0, 0, 255)): (0, 107, 150),
    ("tritan", (0, 255, 0)): (0, 247, 217),
}

RUST, LEAF = (0xB5, 0x54, 0x3C), (0x5F, 0x8A, 0x3A)  # the red/green pair


def _reference(rgb: tuple[int, int, int], m: list[list[float]]) -> tuple[int, ...]:
    """The model in scalar Python: sRGB decode, the matrix, clip, encode, round."""

    def decode(code: int) -> float:
        x = code / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    def encode(y: float) -> int:
        y = min(max(y, 0.0), 1.0)
        return round(255 * (12.92 * y if y <= 0.0031308 else 1.055 * y ** (1 / 2.4) - 0.055))

    linear = [decode(c) for c in rgb]
    return tuple(encode(sum(m[r][i] * linear[i] for i in range(3))) for r in range(3))


def _delta(x: tuple[int, ...] | np.ndarray, y: tuple[int, ...] | np.ndarray) -> float:
    return float(delta_e2000(rgb_to_lab(np.asarray(x, np.uint8)),
                             rgb_to_lab(np.asarray(y, np.uint8))))


# --- the matrices -----------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "severity"), sorted(PUBLISHED))
def test_published_matrices(kind: str, severity: float) -> None:
    np.testing.assert_array_equal(cvd_matrix(kind, severity), PUBLISHED[kind, severity])


def test_every_tabulated_severity_is_returned_as_published() -> None:
    for kind in CVD_KINDS:
        for s in CVD_SEVERITIES:
            m = cvd_matrix(kind, float(s))
            # Each published matrix keeps white white (rows sum to 1, to the table's 6
            # decimals), whatever the kind and severity.
            np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=2e-6)
    np.testing.assert_array_equal(cvd_matrix("deutan", 0.0), np.eye(3))


def test_between_severities_the_matrix_is_interpolated_linearly() -> None:
    lower, upper = np.array(PUBLISHED["tritan", 0.5]), cvd_matrix("tritan", 0.6)
    np.testing.assert_allclose(cvd_matrix("tritan", 0.55), (lower + upper) / 2, atol=1e-12)
    np.testing.assert_allclose(cvd_matrix("tritan", 0.525), 0.75 * lower + 0.25 * upper,
                               atol=1e-12)
    # Continuous across a tabulated severity.
    np.testing.assert_allclose(cvd_matrix("protan", 0.3 - 1e-9), cvd_matrix("protan", 0.3),
                               atol=1e-6)


# --- simulated colours ------------------------------------------------------------------
def test_severity_zero_is_the_identity() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (64, 48, 3), dtype=np.uint8)
    codes = np.arange(256, dtype=np.uint8)
    every_code = np.stack([codes, np.roll(codes, 85), np.roll(codes, 170)], axis=-1)
    for kind in CVD_KINDS:
        np.testing.assert_array_equal(simulate_cvd(image, kind=kind, severity=0.0), image)
        np.testing.assert_array_equal(simulate_cvd(every_code, kind=kind, severity=0), every_code)


@pytest.mark.parametrize(("kind", "rgb"), sorted(KNOWN))
def test_known_colours_at_full_severity(kind: str, rgb: tuple[int, int, int]) -> None:
    assert tuple(simulate_cvd(np.array(rgb), kind=kind).tolist()) == KNOWN[kind, rgb]
    assert _reference(rgb, PUBLISHED[kind, 1.0]) == KNOWN[kind, rgb]


def test_random_colours_agree_with_the_scalar_model() -> None:
    rng = np.random.default_rng(1)
    colours = rng.integers(0, 256, (200, 3))
    for (kind, severity), m in PUBLISHED.items():
        got = simulate_cvd(colours, kind=kind, severity=severity)
        expected = [_reference(tuple(c), m) for c in colours.tolist()]
        # float32 arithmetic may land a value on the other side of a rounding boundary.
        assert np.abs(got.astype(int) - np.array(expected)).max() <= 1


def test_greys_stay_grey() -> None:
    codes = np.arange(0, 256, 5, dtype=np.uint8)
    greys = np.repeat(codes[:, None], 3, axis=1)
    for kind in CVD_KINDS:
        for severity in (0.35, 1.0):
            assert np.abs(simulate_cvd(greys, kind=kind, severity=severity).astype(int)
                          - greys).max() <= 1


def test_the_red_green_pair_merges_for_a_deuteranope() -> None:
    pair = np.array([RUST, LEAF], np.uint8)
    normal = _delta(RUST, LEAF)
    assert normal > 40 and round(normal) == 47
    seen = simulate_cvd(pair, kind="deutan", severity=1.0)
    assert _delta(seen[0], seen[1]) < 2
    # Already under 10 at severity 0.8, and the difference shrinks as severity grows.
    deltas = [_delta(*simulate_cvd(pair, kind="deutan", severity=s)) for s in (0.0, 0.4, 0.8, 1.0)]
    assert deltas[2] < 10
    assert deltas == sorted(deltas, reverse=True)
    assert math.isclose(deltas[0], normal)
    # A tritanope tells red from green: the pair stays far apart.
    assert _delta(*simulate_cvd(pair, kind="tritan")) > 40


def test_any_shape_in_and_out() -> None:
    rng = np.random.default_rng(2)
    for shape in [(3,), (7, 3), (10, 5, 3), (2, 4, 6, 3)]:
        rgb = rng.integers(0, 256, shape, dtype=np.uint8)
        out = simulate_cvd(rgb, kind="protan", severity=0.6)
        assert out.shape == shape and out.dtype == np.uint8
    # Whole numbers as another integer type are taken too.
    assert simulate_cvd([255, 0, 0], kind="deutan").tolist() == [163, 144, 0]


# --- refusals ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["deuteranopia", "red", "", None, "DEUTAN"])
def test_unknown_kind_is_refused(kind: object) -> None:
    with pytest.raises(InvalidParameterError, match="protan, deutan, tritan"):
        simulate_cvd(np.array([1, 2, 3]), kind=kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("severity", [-0.1, 1.01, math.nan, math.inf, True, "1"])
def test_severity_out_of_range_is_refused(severity: object) -> None:
    with pytest.raises(InvalidParameterError, match="from 0"):
        simulate_cvd(np.array([1, 2, 3]), kind="tritan", severity=severity)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError):
        cvd_matrix("tritan", severity)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [np.zeros((4, 2), np.uint8), np.array([300, 0, 0]),
                                 np.array([0.5, 0.5, 0.5])])
def test_bad_colours_are_refused(bad: np.ndarray) -> None:
    with pytest.raises(InvalidParameterError):
        simulate_cvd(bad, kind="deutan")
