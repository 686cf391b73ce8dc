"""Known answers for the colour maths: published Lab values and CIEDE2000 test data, and
gamma-correct means."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.errors import InvalidParameterError
from fingerprint.palette._color import (
    average_color,
    delta_e2000,
    lab_to_rgb,
    linear_to_srgb,
    rgb_to_lab,
    srgb_to_linear,
)
from tests.support.fingerprints import split_frame

# Sharma, Wu and Dalal (2005), Table 1: (L1, a1, b1), (L2, a2, b2), CIEDE2000. Pairs 9-16
# straddle the 0/360 hue wrap and the mean-hue branches; 7-8 have zero chroma.
SHARMA = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]

RED, TEAL, NAVY = (200, 30, 40), (20, 140, 130), (25, 30, 90)


# --- transfer function and CIELAB -------------------------------------------------------


def test_srgb_transfer_known_values_and_inverse() -> None:
    assert srgb_to_linear(np.array(0.5)) == pytest.approx(0.214041, abs=1e-6)
    assert srgb_to_linear(np.array(0.04)) == pytest.approx(0.04 / 12.92)
    assert linear_to_srgb(np.array(0.5)) == pytest.approx(0.735357, abs=1e-6)
    x = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(x)), x, atol=1e-12)


@pytest.mark.parametrize(
    ("rgb", "lab"),
    [
        ((255, 0, 0), (53.2408, 80.0925, 67.2032)),
        ((255, 255, 255), (100.0, 0.0, 0.0)),
        ((0, 0, 0), (0.0, 0.0, 0.0)),
        ((0, 0, 255), (32.2970, 79.1875, -107.8602)),
    ],
)
def test_rgb_to_lab_known_values(rgb: tuple[int, int, int], lab: tuple[float, ...]) -> None:
    from_uint8 = rgb_to_lab(np.array(rgb, np.uint8))
    from_float = rgb_to_lab(np.array(rgb) / 255.0)
    assert from_uint8.dtype == np.float32
    np.testing.assert_allclose(from_uint8, lab, atol=2e-3)
    np.testing.assert_allclose(from_float, lab, atol=2e-3)


def test_rgb_lab_round_trip_is_exact_on_a_grid() -> None:
    levels = np.r_[0:256:5, 255].astype(np.uint8)
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1)
    np.testing.assert_array_equal(lab_to_rgb(rgb_to_lab(grid)), grid)


def test_rgb_to_lab_keeps_shape() -> None:
    assert rgb_to_lab(np.zeros((2, 4, 5, 3), np.uint8)).shape == (2, 4, 5, 3)


def test_lab_to_rgb_clips_out_of_gamut() -> None:
    rgb = lab_to_rgb(np.array([[120.0, 0, 0], [-5.0, 0, 0], [50.0, 200.0, 0.0]]))
    assert rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[0], [255, 255, 255])
    np.testing.assert_array_equal(rgb[1], [0, 0, 0])
    assert rgb[2, 0] == 255 and rgb[2, 1] == 0  # a red beyond the gamut, clipped


@pytest.mark.parametrize("bad", [np.zeros((4, 2)), np.zeros((2, 3), np.int32)])
def test_rgb_to_lab_rejects_bad_input(bad: np.ndarray) -> None:
    with pytest.raises(InvalidParameterError):
        rgb_to_lab(bad)


# --- CIEDE2000 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("lab1", "lab2", "expected"), SHARMA)
def test_delta_e2000_matches_sharma(lab1: tuple, lab2: tuple, expected: float) -> None:
    assert float(delta_e2000(np.array(lab1), np.array(lab2))) == pytest.approx(expected, abs=1e-4)
    assert float(delta_e2000(np.array(lab2), np.array(lab1))) == pytest.approx(expected, abs=1e-4)


def test_delta_e2000_broadcasts() -> None:
    lab1 = np.array([pair[0] for pair in SHARMA])
    lab2 = np.array([pair[1] for pair in SHARMA])
    table = delta_e2000(lab1[:, None, :], lab2[None, :, :])
    assert table.shape == (len(SHARMA), len(SHARMA))
    np.testing.assert_allclose(np.diag(table), [pair[2] for pair in SHARMA], atol=1e-4)
    assert float(delta_e2000(lab1[3], lab1[3])) == 0.0


# --- average colour -------------------------------------------------------------------------


def test_average_color_is_gamma_correct() -> None:
    frame = split_frame((0, 0, 0), (255, 255, 255), left_fraction=0.5)
    np.testing.assert_array_equal(average_color(frame[None]), [[188, 188, 188]])


def test_average_color_of_solid_frames_and_views() -> None:
    frames = np.zeros((3, 40, 60, 3), np.uint8)
    frames[0] = RED
    frames[1] = TEAL
    frames[2, :, :30] = NAVY  # the other half is black, but cropped away below
    average = average_color(frames[:, :, :30])
    assert average.shape == (3, 3) and average.dtype == np.uint8
    np.testing.assert_array_equal(average, [RED, TEAL, NAVY])
