"""Colour maths: sRGB transfer function, CIELAB (D65), CIEDE2000 and mean colours.

Everything is a pure function on numpy arrays. Colours are ``(..., 3)`` arrays; frames are
``(N, H, W, 3)`` uint8 sRGB stacks. Palettes (k-means) are in `fingerprint.palette._kmeans`.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError

__all__ = [
    "as_rgb",
    "average_color",
    "check_frames",
    "delta_e2000",
    "lab_to_rgb",
    "linear_to_srgb",
    "rgb_to_lab",
    "srgb_to_linear",
]

# sRGB primaries to CIE XYZ (IEC 61966-2-1, D65). Each row is divided by its sum, the D65
# white point implied by the matrix itself, so that sRGB white lands exactly on L=100, a=b=0.
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
RGB_TO_XYZN = _RGB_TO_XYZ / _RGB_TO_XYZ.sum(axis=1, keepdims=True)
_XYZN_TO_RGB = np.linalg.inv(RGB_TO_XYZN)
# (L + 16, a, b) to (fx, fy, fz), the cube-rooted coordinates CIELAB is linear in.
_LAB_TO_F = np.linalg.inv([[0.0, 116.0, 0.0], [500.0, -500.0, 0.0], [0.0, 200.0, -200.0]])
_DELTA = 6.0 / 29.0
_LAB_BLOCK = 32768  # pixels per pass of rgb_to_lab


def _as_float(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def srgb_to_linear(x: np.ndarray) -> np.ndarray:
    """Decode sRGB values in [0, 1] to linear light (IEC 61966-2-1 piecewise curve)."""
    x = _as_float(x)
    # The max() keeps the power away from negative bases; those values take the other branch.
    return np.where(x <= 0.04045, x / 12.92, ((np.maximum(x, 0.04045) + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(x: np.ndarray) -> np.ndarray:
    """Encode linear light in [0, 1] with the sRGB transfer curve (IEC 61966-2-1)."""
    x = _as_float(x)
    return np.where(
        x <= 0.0031308, x * 12.92, 1.055 * np.maximum(x, 0.0031308) ** (1 / 2.4) - 0.055
    )


_LINEAR_LUT = srgb_to_linear(np.arange(256) / 255.0)
# Per channel, each code's contribution to normalised XYZ: a pixel's XYZ is three lookups
# and two sums. Large BLAS products with 3 columns run erratically (thread hand-offs), so
# the per-pixel path avoids them.
_XYZN_LUT = np.ascontiguousarray(
    (_LINEAR_LUT[None, :, None] * RGB_TO_XYZN.T[:, None, :]).astype(np.float32)
)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB ``(..., 3)`` (uint8, or float in [0, 1]) to float32 CIELAB under D65.

    uint8 input is linearised through 256-entry tables: this is the per-pixel hot path.
    """
    rgb = np.asarray(rgb)
    _check_triplets(rgb, "rgb")
    if rgb.dtype != np.uint8 and not np.issubdtype(rgb.dtype, np.floating):
        raise InvalidParameterError(f"rgb must be uint8 or float in [0, 1], not {rgb.dtype}.")
    flat = rgb.reshape(-1, 3)
    lab = np.empty(flat.shape, np.float32)
    # Blocks keep the temporaries in cache; whole-array passes would be memory bound.
    for start in range(0, len(flat), _LAB_BLOCK):
        block = slice(start, start + _LAB_BLOCK)
        _block_to_lab(flat[block], lab[block])
    return lab.reshape(rgb.shape)


def _block_to_lab(rgb: np.ndarray, out: np.ndarray) -> None:
    if rgb.dtype == np.uint8:
        xyzn = np.take(_XYZN_LUT[0], rgb[:, 0], axis=0)
        xyzn += np.take(_XYZN_LUT[1], rgb[:, 1], axis=0)
        xyzn += np.take(_XYZN_LUT[2], rgb[:, 2], axis=0)
    else:
        xyzn = (srgb_to_linear(rgb) @ RGB_TO_XYZN.T).astype(np.float32)
    xyzn_to_lab(xyzn, out)


def xyzn_to_lab(xyzn: np.ndarray, out: np.ndarray) -> None:
    """float32 XYZ normalised to the white (P, 3) into CIELAB ``out``; ``xyzn`` is
    overwritten."""
    # CIE's linear segment below (6/29)^3 is the tangent of the cube root there, so clamping
    # then adding the tangent's correction equals the piecewise curve, without a select.
    f = np.cbrt(np.maximum(xyzn, _DELTA**3))
    np.minimum(xyzn - _DELTA**3, 0, out=xyzn)
    xyzn *= 1 / (3 * _DELTA**2)
    f += xyzn
    fx, fy, fz = f[:, 0], f[:, 1], f[:, 2]
    np.multiply(fy, 116, out=out[:, 0])
    out[:, 0] -= 16
    np.subtract(fx, fy, out=out[:, 1])
    out[:, 1] *= 500
    np.subtract(fy, fz, out=out[:, 2])
    out[:, 2] *= 200


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIELAB (D65) ``(..., 3)`` to uint8 sRGB, rounded, out-of-gamut colours clipped."""
    lab = np.asarray(lab, dtype=np.float64)
    _check_triplets(lab, "lab")
    f = (lab + np.array([16.0, 0.0, 0.0])) @ _LAB_TO_F.T
    xyzn = np.where(f > _DELTA, f**3, 3 * _DELTA**2 * (f - 4 / 29))
    linear = np.clip(xyzn @ _XYZN_TO_RGB.T, 0.0, 1.0)
    return np.rint(linear_to_srgb(linear) * 255).astype(np.uint8)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (kL = kC = kH = 1) between broadcastable Lab arrays.

    Follows Sharma, Wu and Dalal (2005), including their hue-angle conventions, so it
    reproduces their published test data. Computed in float64, or in float32 when both
    inputs are float32: twice as fast, within 1e-4 ΔE (bench/search.py ``ratio``; the
    colour search measures hundreds of thousands of index colours a search).
    """
    lab1, lab2 = np.asarray(lab1), np.asarray(lab2)
    single = lab1.dtype == np.float32 and lab2.dtype == np.float32
    lab1 = lab1.astype(np.float32 if single else np.float64, copy=False)
    lab2 = lab2.astype(np.float32 if single else np.float64, copy=False)
    _check_triplets(lab1, "lab1")
    _check_triplets(lab2, "lab2")
    l1, a1, b1 = np.moveaxis(lab1, -1, 0)
    l2, a2, b2 = np.moveaxis(lab2, -1, 0)

    c_mean7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c_mean7 / (c_mean7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    achromatic = c1p * c2p == 0

    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(achromatic, 0.0, dh)
    d_hue = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)

    # Mean hue across the 0/360 wrap: average the short way round the circle.
    h_sum = h1p + h2p
    h_mean = np.where(
        np.abs(h1p - h2p) <= 180,
        h_sum / 2,
        np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2),
    )
    h_mean = np.where(achromatic, h_sum, h_mean)

    l_mean = (l1 + l2) / 2
    c_mean_p = (c1p + c2p) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(h_mean - 30))
        + 0.24 * np.cos(np.radians(2 * h_mean))
        + 0.32 * np.cos(np.radians(3 * h_mean + 6))
        - 0.20 * np.cos(np.radians(4 * h_mean - 63))
    )
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean_p
    s_h = 1 + 0.015 * c_mean_p * t
    r_c = 2 * np.sqrt(c_mean_p**7 / (c_mean_p**7 + 25.0**7))
    r_t = -np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c

    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_hue / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh)


def average_color(frames: np.ndarray) -> np.ndarray:
    """Gamma-correct mean colour of each frame: ``(N, H, W, 3)`` uint8 to ``(N, 3)`` uint8.

    Averaging sRGB codes directly darkens mixtures (black + white gives 128, not 188).
    Per-channel histograms make the linear-light mean exact without float copies of the stack.
    """
    frames = check_frames(frames)
    n, h, w, _ = frames.shape
    if h * w == 0:
        raise InvalidParameterError("frames must have at least one pixel.")
    counts = np.empty((n, 3, 256), dtype=np.int64)
    for i, frame in enumerate(frames):
        pixels = frame.reshape(-1, 3)  # a view: `bincount` reads each channel strided
        for c in range(3):
            counts[i, c] = np.bincount(pixels[:, c], minlength=256)
    linear_mean = counts @ _LINEAR_LUT / (h * w)
    return np.rint(linear_to_srgb(linear_mean) * 255).astype(np.uint8)


def _check_triplets(x: np.ndarray, name: str) -> None:
    if x.ndim < 1 or x.shape[-1] != 3:
        raise InvalidParameterError(f"{name} must have shape (..., 3), not {x.shape}.")


def check_frames(frames: np.ndarray) -> np.ndarray:
    """``frames`` as an array, refused unless it is an ``(N, H, W, 3)`` uint8 stack."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise InvalidParameterError(
            f"frames must be an (N, H, W, 3) uint8 array, not {frames.dtype} {frames.shape}."
        )
    return frames


def as_rgb(colors: np.ndarray) -> np.ndarray:
    """sRGB colours as uint8, from any integer array of codes 0-255."""
    colors = np.asarray(colors)
    if colors.dtype == np.uint8:
        return colors
    in_range = colors.size == 0 or (colors.min() >= 0 and colors.max() <= 255)
    if not np.issubdtype(colors.dtype, np.integer) or not in_range:
        raise InvalidParameterError("colours must be sRGB codes, whole numbers from 0 to 255.")
    return colors.astype(np.uint8)
