"""Colour-vision deficiency: how a palette, a frame or a poster looks to a protanope,
deuteranope or tritanope.

- `CVD_KINDS`: the three kinds (``"protan"``, ``"deutan"``, ``"tritan"``) and their names.
- `cvd_matrix`: the simulation matrix for a kind and a severity (0 normal vision, 1 dichromacy).
- `simulate_cvd`: sRGB codes ``(..., 3)`` as seen with a deficiency, same shape, uint8.
- `seen_with`: anything drawn (a fingerprint, a comparison, a collection, a frame) as seen
  with a deficiency: every drawing recolours its data with it, never colour by colour.
- `cvd_label`: the deficiency's name as a caption says it.

The model is Machado, Oliveira and Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6): one 3×3 matrix per kind and
severity, applied to *linear* RGB (sRGB decoded, the matrix, clipped to the gamut, sRGB
encoded). Its authors published the matrices for severities 0.0, 0.1, ..., 1.0; between
them the matrix is interpolated linearly, as they suggest. Protanomaly and deuteranomaly
at severity 1 are the dichromacies (protanopia, deuteranopia); for tritanopia the model is
less exact (the paper says so: it is derived for anomalous trichromacy), yet it is the
published and widely used one. Every matrix keeps greys grey (its rows sum to 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np

from ..errors import InvalidParameterError
from ..model import is_color_field
from ._color import as_rgb, linear_to_srgb, srgb_to_linear

__all__ = ["CVD_KINDS", "CVD_SEVERITIES", "cvd_label", "cvd_matrix", "seen_with", "simulate_cvd"]

T = TypeVar("T")

#: Severities at which the matrices are published.
CVD_SEVERITIES = np.round(np.linspace(0.0, 1.0, 11), 1)

# Machado, Oliveira & Fernandes (2009), the table of matrices on the authors' page
# (www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/CVD_Simulation.html), one row per
# severity 0.0..1.0, each matrix row by row. Checked against colour-science's
# colour/blindness/datasets/machado2010.py.
_PROTAN = (
    (1.000000, 0.000000, -0.000000, 0.000000, 1.000000, 0.000000, -0.000000, -0.000000, 1.000000),
    (0.856167, 0.182038, -0.038205, 0.029342, 0.955115, 0.015544, -0.002880, -0.001563, 1.004443),
    (0.734766, 0.334872, -0.069637, 0.051840, 0.919198, 0.028963, -0.004928, -0.004209, 1.009137),
    (0.630323, 0.465641, -0.095964, 0.069181, 0.890046, 0.040773, -0.006308, -0.007724, 1.014032),
    (0.539009, 0.579343, -0.118352, 0.082546, 0.866121, 0.051332, -0.007136, -0.011959, 1.019095),
    (0.458064, 0.679578, -0.137642, 0.092785, 0.846313, 0.060902, -0.007494, -0.016807, 1.024301),
    (0.385450, 0.769005, -0.154455, 0.100526, 0.829802, 0.069673, -0.007442, -0.022190, 1.029632),
    (0.319627, 0.849633, -0.169261, 0.106241, 0.815969, 0.077790, -0.007025, -0.028051, 1.035076),
    (0.259411, 0.923008, -0.182420, 0.110296, 0.804340, 0.085364, -0.006276, -0.034346, 1.040622),
    (0.203876, 0.990338, -0.194214, 0.112975, 0.794542, 0.092483, -0.005222, -0.041043, 1.046265),
    (0.152286, 1.052583, -0.204868, 0.114503, 0.786281, 0.099216, -0.003882, -0.048116, 1.051998),
)
_DEUTAN = (
    (1.000000, 0.000000, -0.000000, 0.000000, 1.000000, 0.000000, -0.000000, -0.000000, 1.000000),
    (0.866435, 0.177704, -0.044139, 0.049567, 0.939063, 0.011370, -0.003453, 0.007233, 0.996220),
    (0.760729, 0.319078, -0.079807, 0.090568, 0.889315, 0.020117, -0.006027, 0.013325, 0.992702),
    (0.675425, 0.433850, -0.109275, 0.125303, 0.847755, 0.026942, -0.007950, 0.018572, 0.989378),
    (0.605511, 0.528560, -0.134071, 0.155318, 0.812366, 0.032316, -0.009376, 0.023176, 0.986200),
    (0.547494, 0.607765, -0.155259, 0.181692, 0.781742, 0.036566, -0.010410, 0.027275, 0.983136),
    (0.498864, 0.674741, -0.173604, 0.205199, 0.754872, 0.039929, -0.011131, 0.030969, 0.980162),
    (0.457771, 0.731899, -0.189670, 0.226409, 0.731012, 0.042579, -0.011595, 0.034333, 0.977261),
    (0.422823, 0.781057, -0.203881, 0.245752, 0.709602, 0.044646, -0.011843, 0.037423, 0.974421),
    (0.392952, 0.823610, -0.216562, 0.263559, 0.690210, 0.046232, -0.011910, 0.040281, 0.971630),
    (0.367322, 0.860646, -0.227968, 0.280085, 0.672501, 0.047413, -0.011820, 0.042940, 0.968881),
)
_TRITAN = (
    (1.000000, 0.000000, -0.000000, 0.000000, 1.000000, 0.000000, -0.000000, -0.000000, 1.000000),
    (0.926670, 0.092514, -0.019184, 0.021191, 0.964503, 0.014306, 0.008437, 0.054813, 0.936750),
    (0.895720, 0.133330, -0.029050, 0.029997, 0.945400, 0.024603, 0.013027, 0.104707, 0.882266),
    (0.905871, 0.127791, -0.033662, 0.026856, 0.941251, 0.031893, 0.013410, 0.148296, 0.838294),
    (0.948035, 0.089490, -0.037526, 0.014364, 0.946792, 0.038844, 0.010853, 0.193991, 0.795156),
    (1.017277, 0.027029, -0.044306, -0.006113, 0.958479, 0.047634, 0.006379, 0.248708, 0.744913),
    (1.104996, -0.046633, -0.058363, -0.032137, 0.971635, 0.060503, 0.001336, 0.317922, 0.680742),
    (1.193214, -0.109812, -0.083402, -0.058496, 0.979410, 0.079086, -0.002346, 0.403492, 0.598854),
    (1.257728, -0.139648, -0.118081, -0.078003, 0.975409, 0.102594, -0.003316, 0.501214, 0.502102),
    (1.278864, -0.125333, -0.153531, -0.084748, 0.957674, 0.127074, -0.000989, 0.601151, 0.399838),
    (1.255528, -0.076749, -0.178779, -0.078411, 0.930809, 0.147602, 0.004733, 0.691367, 0.303900),
)

# The one registry of kinds: its name at full severity (the dichromacy) and below it (the
# anomalous trichromacy), and the published matrices (11, 3, 3).
_TABLES = {
    "protan": ("protanopia", "protanomaly", _PROTAN),
    "deutan": ("deuteranopia", "deuteranomaly", _DEUTAN),
    "tritan": ("tritanopia", "tritanomaly", _TRITAN),
}
#: Kind → the deficiency's name, in display order.
CVD_KINDS = MappingProxyType({kind: name for kind, (name, _, _) in _TABLES.items()})
_MATRICES = {kind: np.array(rows).reshape(-1, 3, 3) for kind, (_, _, rows) in _TABLES.items()}

# Decoding a code is a lookup: 256 linear values, float32 because images are large and the
# result is rounded to 8 bits anyway.
_DECODE = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)


def cvd_matrix(kind: str, severity: float = 1.0) -> np.ndarray:
    """The (3, 3) linear-RGB matrix for ``kind`` at ``severity`` (0-1): a published one at
    0.0, 0.1, ..., 1.0, linearly interpolated between them."""
    table = _MATRICES[_check_kind(kind)]
    position = _check_severity(severity) * (len(CVD_SEVERITIES) - 1)
    lower = min(math.floor(position), len(CVD_SEVERITIES) - 2)
    weight = position - lower
    return (1.0 - weight) * table[lower] + weight * table[lower + 1]


def simulate_cvd(rgb: np.ndarray, *, kind: str, severity: float = 1.0) -> np.ndarray:
    """sRGB codes ``(..., 3)`` (uint8, or whole numbers 0-255) as seen with ``kind`` of
    deficiency at ``severity``: same shape, uint8.

    Works on a colour (3,), a palette stack (N, k, 3), a frame (H, W, 3), anything (..., 3):
    decode to linear light, apply `matrix`, clip to the gamut, encode, round.
    """
    rgb = as_rgb(rgb)
    if rgb.ndim < 1 or rgb.shape[-1] != 3:
        raise InvalidParameterError(
            f"colours must have shape (..., 3), not {rgb.shape}; pass sRGB triplets."
        )
    m = cvd_matrix(kind, severity).astype(np.float32)
    linear = _DECODE[rgb]
    # Channel by channel: large products with 3 columns run erratically (see color.py).
    out = np.empty(rgb.shape, np.uint8)
    for c in range(3):
        mixed = linear[..., 0] * m[c, 0] + linear[..., 1] * m[c, 1] + linear[..., 2] * m[c, 2]
        out[..., c] = np.rint(linear_to_srgb(np.clip(mixed, 0.0, 1.0)) * 255)
    return out


def seen_with(value: T, *, cvd: str | None, severity: float = 1.0) -> T:
    """``value`` as seen with the deficiency ``cvd`` at ``severity`` (None: normal vision,
    ``value`` itself). ``value`` is sRGB codes ``(..., 3)`` (a frame, a strip image), or a
    frozen dataclass: a copy with every field declared as colours (`model.COLOR`)
    simulated, in nested dataclasses and tuples of them too (a fingerprint's shots, a
    comparison's films, a collection's palettes). Nothing else changes: the times, the
    shares and every number measured from the true colours stay as they are.
    """
    if cvd is None:
        return value
    _check_kind(cvd)
    _check_severity(severity)
    def see(rgb: np.ndarray) -> np.ndarray:
        return simulate_cvd(rgb, kind=cvd, severity=severity)

    return see(value) if isinstance(value, np.ndarray) else _recolored(value, see)


def _recolored(value: Any, see: Callable[[np.ndarray], np.ndarray]) -> Any:
    """``value`` with its colour fields seen; its other arrays (times, shares) are not
    colours, whatever their shape."""
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            old = getattr(value, f.name)
            new = see(old) if is_color_field(f) and old is not None else _recolored(old, see)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, tuple) and any(is_dataclass(item) for item in value):
        return tuple(_recolored(item, see) for item in value)
    return value


def cvd_label(cvd: str, severity: float = 1.0) -> str:
    """The deficiency as a caption names it: ``"deuteranopia"`` at full severity,
    ``"deuteranomaly, severity 0.6"`` below (the model's partial severities are the
    anomalous trichromacies)."""
    full, partial, _ = _TABLES[_check_kind(cvd)]
    severity = _check_severity(severity)
    return full if severity == 1.0 else f"{partial}, severity {severity:g}"


def _check_kind(kind: str) -> str:
    if not isinstance(kind, str) or kind not in _TABLES:
        raise InvalidParameterError(
            f"colour-vision deficiency must be one of {', '.join(_TABLES)}, not {kind!r}."
        )
    return kind


def _check_severity(severity: float) -> float:
    ok = isinstance(severity, (int, float, np.integer, np.floating)) and not isinstance(
        severity, bool
    )
    if not ok or not 0.0 <= float(severity) <= 1.0:  # NaN fails the comparison too
        raise InvalidParameterError(
            f"severity must be a number from 0 (normal vision) to 1 (full deficiency), "
            f"not {severity!r}."
        )
    return float(severity)
