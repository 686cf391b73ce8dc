"""HDR and wide-gamut pictures to the SDR colours the rest of the engine measures.

Every colour the engine reports is an SDR (BT.709 / sRGB) colour. A PQ (HDR10) or HLG
stream, or SDR in BT.2020 primaries, holds other numbers for the same colours; read as SDR
they come out washed out and wrong. `to_sdr` turns such a picture, decoded to RGB in its own
primaries and transfer (16-bit codes), into the SDR picture a good down-conversion shows:

1. signal to linear display light: the PQ EOTF (SMPTE ST 2084), or the HLG inverse OETF
   and its OOTF on luminance with the system gamma of a 1000 cd/m² display (ITU-R
   BT.2100); SDR signals through the BT.1886 display EOTF (gamma 2.4);
2. source primaries to BT.709 (exact, in linear light);
3. reference white (203 cd/m², ITU-R BT.2408) becomes SDR white, and each colour's
   largest channel above a knee rolls off smoothly in PQ's perceptual scale toward white,
   which nothing passes however bright (`tone_curve`); scaling all three channels alike
   keeps a highlight's hue and saturation;
4. colours outside the BT.709 gamut move toward the grey of their own Oklab lightness,
   at constant Oklab hue; the chroma beyond a threshold is compressed (ACES reference gamut
   compression's curve) rather than clipped, so gradations survive;
5. encode with the inverse BT.1886 EOTF: the codes an SDR grade of the same picture holds,
   which the engine reads like every SDR film's.

Wide-gamut SDR gets steps 1, 2, 4 and 5. The constants were set with bench/hdr.py
(docs/benchmarks.md, "HDR and wide gamut").
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np

from ..errors import InvalidParameterError
from ..model import VideoInfo

__all__ = [
    "REFERENCE_WHITE",
    "color_warning",
    "describe_color",
    "hdr_kind",
    "needs_conversion",
    "primaries_name",
    "to_sdr",
    "tone_curve",
    "transfer_name",
]

Hdr = Literal["pq", "hlg"]

# FFmpeg's names (libavutil/pixdesc.c) for the ISO/IEC 23091-2 code points streams carry;
# 2 ("unspecified") and unknown codes are None.
_TRANSFERS = {
    1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "linear",
    9: "log100", 10: "log316", 11: "iec61966-2-4", 12: "bt1361e", 13: "iec61966-2-1",
    14: "bt2020-10", 15: "bt2020-12", 16: "smpte2084", 17: "smpte428", 18: "arib-std-b67",
}
_PRIMARIES = {
    1: "bt709", 4: "bt470m", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "film",
    9: "bt2020", 10: "smpte428", 11: "smpte431", 12: "smpte432", 22: "ebu3213",
}
_HDR_TRANSFERS: dict[str, Hdr] = {"smpte2084": "pq", "arib-std-b67": "hlg"}
# Matrices no YCbCr-to-RGB conversion here can undo: Dolby Vision profile 5's IPTPQc2 and
# BT.2100 ICtCp. Their pictures come out with approximate colours.
_UNREADABLE_MATRICES = {"ipt-c2": "Dolby Vision without an HDR10 base layer",
                        "ictcp": "ICtCp (BT.2100)"}

# CIE 1931 xy of the red, green and blue primaries; all with the D65 white point.
_D65 = (0.3127, 0.3290)
_CHROMATICITIES = {
    "bt709": ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060)),
    "bt2020": ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046)),
    "smpte432": ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)),  # Display P3
}
_WIDE_PRIMARIES = {"bt2020", "smpte432"}

REFERENCE_WHITE = 203.0  # cd/m², ITU-R BT.2408: HDR graphics/diffuse white = SDR white
_HLG_DISPLAY_PEAK = 1000.0  # cd/m², the reference display BT.2100's HLG OOTF is set for
_HLG_GAMMA = 1.2  # BT.2100 system gamma at 1000 cd/m²
_SDR_GAMMA = 2.4  # BT.1886 display EOTF (zero black level)

# bench/hdr.py: the tone curve's knee, as a fraction of reference white, and how sharply
# it bends (the exponent n of u / (1 + u^n)^(1/n) in PQ's scale). Lower knees keep more
# highlight detail but grey the reference white; these keep 203 cd/m² white at 250+ of
# 255 and SDR sources within 1 ΔE2000 of their HDR renditions (docs/benchmarks.md).
_TONE_KNEE = 0.8
_TONE_SHARPNESS = 4.0
# bench/hdr.py: colours nearer the gamut boundary than this fraction of the way from grey
# keep their chroma; beyond it, chroma is compressed (ACES reference gamut compression's
# curve, its power) so that `_GAMUT_LIMIT` lands on the SDR boundary.
_GAMUT_THRESHOLD = 0.9
_GAMUT_POWER = 1.2
# The far edge of Display P3, the gamut HDR is mastered in, as `_compress_gamut` measures
# it (chroma over the BT.709 boundary's at the same Oklab lightness and hue: 1.41 at most
# over P3's surface; BT.2020's reaches 3.58). Colours beyond P3, rare in real pictures,
# land on the boundary with their hue.
_GAMUT_LIMIT = 1.41

# SMPTE ST 2084 constants.
_M1, _M2 = 2610 / 16384, 2523 / 4096 * 128
_C1, _C2, _C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
_PQ_PEAK = 10000.0
# ARIB STD-B67 (BT.2100 HLG) constants.
_HLG_A, _HLG_B, _HLG_C = 0.17883277, 0.28466892, 0.55991073

_CODES = 65536  # 16-bit RGB codes the decoder delivers
_ENCODE_STEPS = 4096  # entries of the output table, indexed by sqrt(linear)


def transfer_name(code: int | None) -> str | None:
    """FFmpeg's name for a transfer characteristic code (None: unspecified or unknown)."""
    return _TRANSFERS.get(int(code)) if code is not None else None


def primaries_name(code: int | None) -> str | None:
    """FFmpeg's name for a colour primaries code (None: unspecified or unknown)."""
    return _PRIMARIES.get(int(code)) if code is not None else None


def hdr_kind(transfer: str | None) -> Hdr | None:
    """``"pq"`` or ``"hlg"`` for an HDR transfer characteristic, None for SDR."""
    return _HDR_TRANSFERS.get(transfer or "")


def needs_conversion(*, transfer: str | None, primaries: str | None) -> bool:
    """True when the decoded RGB is not already SDR BT.709: an HDR transfer or wide
    primaries. Everything else keeps the plain 8-bit path."""
    return hdr_kind(transfer) is not None or primaries in _WIDE_PRIMARIES


def to_sdr(
    rgb: np.ndarray, *, transfer: str | None, primaries: str | None
) -> np.ndarray:
    """``(..., 3)`` uint16 full-range non-linear RGB, in the stream's own ``primaries`` and
    ``transfer`` (FFmpeg names), to uint8 SDR: what a BT.709 display shows of it.

    Unknown primaries are taken as BT.709 and any SDR transfer as BT.1886. Call it only
    where `needs_conversion` says so: plain SDR takes the engine's 8-bit path.
    """
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint16 or rgb.shape[-1:] != (3,):
        raise InvalidParameterError(f"rgb must be (..., 3) uint16, not {rgb.shape} {rgb.dtype}.")
    kind = hdr_kind(transfer)
    source = primaries if primaries in _CHROMATICITIES else "bt709"
    # Planar (3, pixels) float32 from here on: per-channel passes over contiguous rows.
    light = np.take(_decode_table(kind), rgb.reshape(-1, 3).T)  # 1.0 = reference white
    if kind == "hlg":
        # OOTF: display light = peak * Ys^(gamma - 1) * scene light, Ys the scene luminance.
        gain = _luminance(light, _rgb_to_xyz(source)[1]) ** np.float32(_HLG_GAMMA - 1)
        gain *= np.float32(_HLG_DISPLAY_PEAK / REFERENCE_WHITE)
        light *= gain
    if source != "bt709":
        light = _mix(light, _conversion(source))
    if kind is not None:
        _roll_off(light)
    _compress_gamut(light)
    return np.ascontiguousarray(_encode(light).T).reshape(rgb.shape)


def describe_color(info: VideoInfo) -> str | None:
    """What the engine did to a film's colours, in a few words for under its title (e.g.
    "HDR10 · tone-mapped to SDR"); None for ordinary SDR video, which needs no words."""
    warning = _unreadable(info)
    if warning:
        return f"{warning} · colours approximate"
    hdr = info.hdr
    wide = info.primaries in _WIDE_PRIMARIES
    if hdr == "pq":
        name = "HDR10" if info.primaries == "bt2020" else "HDR (PQ)"
        return f"{name} · tone-mapped to SDR"
    if hdr == "hlg":
        return "HLG HDR · tone-mapped to SDR"
    if wide:
        return f"Wide gamut ({_gamut_label(info.primaries)}) · mapped to SDR colours"
    return None


def color_warning(info: VideoInfo) -> str | None:
    """The warning a fingerprint carries when its colours cannot be reconstructed (None
    when they can)."""
    what = _unreadable(info)
    if what is None:
        return None
    return (
        f"The video is {what}: its colours cannot be reconstructed without the "
        f"enhancement data this program does not read, so every colour here is "
        f"approximate. A version with an HDR10 or SDR picture gives true colours."
    )


def _unreadable(info: VideoInfo) -> str | None:
    return _UNREADABLE_MATRICES.get(info.matrix or "")


def _gamut_label(primaries: str) -> str:
    return {"bt2020": "BT.2020", "smpte432": "Display P3"}.get(primaries, primaries)


# --- the steps --------------------------------------------------------------------------
def _pq_to_nits(e: np.ndarray) -> np.ndarray:
    p = np.power(np.clip(e, 0.0, 1.0), 1 / _M2)
    return _PQ_PEAK * np.power(np.maximum(p - _C1, 0.0) / (_C2 - _C3 * p), 1 / _M1)


def _nits_to_pq(nits: np.ndarray) -> np.ndarray:
    y = np.power(np.maximum(nits, 0.0) / _PQ_PEAK, _M1)
    return np.power((_C1 + _C2 * y) / (1 + _C3 * y), _M2)


def _hlg_to_scene(e: np.ndarray) -> np.ndarray:
    """HLG inverse OETF: signal to scene light in [0, 1]."""
    e = np.clip(e, 0.0, 1.0)
    return np.where(e <= 0.5, e * e / 3, (np.exp((e - _HLG_C) / _HLG_A) + _HLG_B) / 12)


_TABLES: dict[str | None, np.ndarray] = {}


def _decode_table(kind: Hdr | None) -> np.ndarray:
    """Per 16-bit code, linear light with reference white at 1.0 (HLG: scene light, before
    its OOTF). A 65536-entry lookup is cheaper than the curves per pixel."""
    if kind not in _TABLES:
        e = np.arange(_CODES) / (_CODES - 1)
        if kind == "pq":
            table = _pq_to_nits(e) / REFERENCE_WHITE
        elif kind == "hlg":
            table = _hlg_to_scene(e)
        else:
            table = e**_SDR_GAMMA
        _TABLES[kind] = table.astype(np.float32)
    return _TABLES[kind]


@functools.cache
def _rgb_to_xyz(primaries: str) -> np.ndarray:
    """RGB to CIE XYZ (Y = 1 for white) for primaries with the D65 white point."""
    xy = np.array([*_CHROMATICITIES[primaries], _D65])
    xyz = np.stack([xy[:, 0] / xy[:, 1], np.ones(4), (1 - xy.sum(axis=1)) / xy[:, 1]])
    return xyz[:, :3] * np.linalg.solve(xyz[:, :3], xyz[:, 3])


@functools.cache
def _conversion(primaries: str) -> np.ndarray:
    """Linear ``primaries`` RGB to linear BT.709 RGB."""
    return np.linalg.inv(_rgb_to_xyz("bt709")) @ _rgb_to_xyz(primaries)


# Per-channel sums on planar (3, n) arrays, not matrix products: BLAS products with 3
# columns run erratically (thread hand-offs), as colour.py measured.
def _luminance(light: np.ndarray, weights: np.ndarray) -> np.ndarray:
    y = light[0] * np.float32(weights[0])
    y += light[1] * np.float32(weights[1])
    y += light[2] * np.float32(weights[2])
    return y


def _mix(light: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    out = np.empty_like(light)
    for i, row in enumerate(matrix):
        out[i] = _luminance(light, row)
    return out


def tone_curve(y: np.ndarray) -> np.ndarray:
    """Relative luminance (1.0 = reference white) to SDR luminance in [0, 1]: unchanged
    below the knee, then bending in PQ's perceptual scale toward white, which it
    approaches but never passes however bright the source."""
    y = np.asarray(y, dtype=np.float64)
    white = _nits_to_pq(np.float64(REFERENCE_WHITE))
    knee = _nits_to_pq(np.float64(_TONE_KNEE * REFERENCE_WHITE))
    u = np.maximum(_nits_to_pq(y * REFERENCE_WHITE) - knee, 0.0) / (white - knee)
    n = _TONE_SHARPNESS
    bent = knee + (white - knee) * u / np.power(1 + u**n, 1 / n)
    return np.where(y > _TONE_KNEE, _pq_to_nits(bent) / REFERENCE_WHITE, y)


def _roll_off(light: np.ndarray) -> None:
    """Scale each pixel's RGB by tone_curve(m) / m, m its largest channel, in place: a
    highlight keeps its hue and saturation and becomes as bright as SDR can show it."""
    peak = np.maximum(np.maximum(light[0], light[1]), light[2])
    bright = np.flatnonzero(peak > _TONE_KNEE)
    if bright.size:
        pb = peak[bright]
        light[:, bright] *= (tone_curve(pb) / pb).astype(np.float32)


# Oklab (Ottosson 2020): linear BT.709 RGB to cone responses, and cube-rooted responses
# to (L, a, b). Its hue lines are straight where CIELAB's bend (blue, green), so holding
# L and h while shrinking chroma keeps the hue a viewer sees.
_RGB_TO_LMS = np.array(
    [[0.4122214708, 0.5363325363, 0.0514459929],
     [0.2119034982, 0.6806995451, 0.1073969566],
     [0.0883024619, 0.2817188376, 0.6299787005]]
)
_LMS_TO_RGB = np.linalg.inv(_RGB_TO_LMS)
_BISECTIONS = 8  # boundary found to 0.4 % of its chroma: below one 8-bit code
_CHEAP_CUT = 0.7  # see _compress_gamut
_SLACK = np.float32(2e-3)  # Oklab's hue line from blue to grey dips 7e-4 below R = 0: inside


_BT709_LUMA = _rgb_to_xyz("bt709")[1]


def _compress_gamut(light: np.ndarray) -> None:
    """Bring every colour inside [0, 1] BT.709 RGB by shrinking its Oklab chroma at fixed
    lightness and hue.

    r is a colour's chroma over the largest displayable chroma at its lightness and hue
    (r > 1: out of gamut). Below `_GAMUT_THRESHOLD` nothing changes; above, r is
    compressed so that `_GAMUT_LIMIT` (the far edge of Display P3) lands on the boundary:
    gradations survive where a clip would flatten them. ``light`` is planar (3, n),
    changed in place.
    """
    # A cheap first cut in linear light: how far each colour is from the grey of its
    # luminance, as a fraction of the way to the cube's faces. Over 800,000 colours of the
    # BT.709 and BT.2020 cubes, every colour past the threshold measured 0.77 or more.
    y = _luminance(light, _BT709_LUMA)
    spread = light - y
    tiny = np.float32(1e-6)  # black has no chroma to lose: 0 / tiny, not 0 / 0
    below = -np.minimum(np.minimum(spread[0], spread[1]), spread[2]) / np.maximum(y, tiny)
    above = np.maximum(np.maximum(spread[0], spread[1]), spread[2]) / np.maximum(1 - y, tiny)
    maybe = np.flatnonzero(~((below <= _CHEAP_CUT) & (above <= _CHEAP_CUT)))
    if not maybe.size:
        return
    # In cube-rooted cone space, grey of the same Oklab lightness L is (L, L, L), and
    # scaling the distance to it scales the chroma at fixed L and hue.
    cone = np.cbrt(_mix(light[:, maybe], _RGB_TO_LMS))
    grey = _luminance(cone, _LAB_L)
    offset = cone - grey
    # Only colours past the threshold change: those whose chroma scaled by 1/t leaves.
    search = 1 / _GAMUT_THRESHOLD
    inner = ~_inside(grey + np.float32(search) * offset)
    near = maybe[inner]
    if not near.size:
        return
    grey, offset = grey[inner], offset[:, inner]
    lo = np.zeros(len(near), np.float32)  # inside
    hi = np.full(len(near), search, np.float32)  # outside
    for _ in range(_BISECTIONS):
        mid = (lo + hi) * np.float32(0.5)
        inside = _inside(grey + mid * offset)
        lo = np.where(inside, mid, lo)
        hi = np.where(inside, hi, mid)
    r = 1 / np.maximum(lo, np.float32(1e-6))
    t, s = _gamut_scale()
    x = np.maximum(r - t, 0) / s
    squeezed = np.where(
        r > t, t + s * x / np.power(1 + np.power(x, _GAMUT_POWER), 1 / _GAMUT_POWER), r
    )
    # Beyond the source gamut: onto the boundary itself (lo is the last inside step).
    scale = np.minimum(squeezed / r, lo).astype(np.float32)
    cone = grey + scale * offset
    light[:, near] = _mix(cone * cone * cone, _LMS_TO_RGB)


def _gamut_scale() -> tuple[float, float]:
    """ACES's compression curve f(r) = t + s x / (1 + x^p)^(1/p), x = (r - t) / s: slope 1
    at the threshold t, and s set so that `_GAMUT_LIMIT` lands on 1."""
    t, p, lim = _GAMUT_THRESHOLD, _GAMUT_POWER, _GAMUT_LIMIT
    return t, (lim - t) / (((1 - t) / (lim - t)) ** -p - 1) ** (1 / p)


# Oklab L from the cube-rooted cone responses.
_LAB_L = np.array([0.2104542553, 0.7936177850, -0.0040720468])


def _inside(cone: np.ndarray) -> np.ndarray:
    """Which cube-rooted cone responses (3, n) are displayable BT.709 colours."""
    rgb = _mix(cone * cone * cone, _LMS_TO_RGB)
    low = np.minimum(np.minimum(rgb[0], rgb[1]), rgb[2])
    high = np.maximum(np.maximum(rgb[0], rgb[1]), rgb[2])
    return (low >= -_SLACK) & (high <= 1 + _SLACK)


# sqrt-spaced: BT.1886's inverse is steep near black, where linear steps must be finest.
_ENCODE_TABLE = np.rint(
    255 * (np.linspace(0.0, 1.0, _ENCODE_STEPS) ** 2) ** (1 / _SDR_GAMMA)
).astype(np.uint8)


def _encode(light: np.ndarray) -> np.ndarray:
    """Linear BT.709 light in [0, 1] to 8-bit codes (inverse BT.1886)."""
    index = np.clip(light, np.float32(0), np.float32(1))
    np.sqrt(index, out=index)
    index *= np.float32(_ENCODE_STEPS - 1)
    index += np.float32(0.5)
    # uint16 indices: np.take is several times faster with them than with intp.
    return np.take(_ENCODE_TABLE, index.astype(np.uint16))
