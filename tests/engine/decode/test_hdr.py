"""HDR and wide-gamut video to SDR colours (fingerprint/decode/_hdr.py, and its use in _rgb.py).

Known answers come from the standards, written out here independently of the engine:
SMPTE ST 2084 (PQ), ITU-R BT.2100 (HLG and its OOTF), BT.2408 (reference white at
203 cd/m²). The renditions of SDR clips are made with FFmpeg's zscale (PQ, wide gamut) or
with BT.2100's formulas (HLG: zscale applies HLG's OOTF per channel, not on luminance).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import fingerprint.decode._rgb as rgb
from fingerprint import Fingerprint, Params, VideoInfo, analyze, frame_at, probe
from fingerprint.compare._compare import palette_distance
from fingerprint.decode._hdr import (
    color_warning,
    describe_color,
    hdr_kind,
    needs_conversion,
    primaries_name,
    to_sdr,
    tone_curve,
    transfer_name,
)
from fingerprint.decode._matrices import matrix_name
from fingerprint.palette._color import delta_e2000, rgb_to_lab
from tests.support.videos import ORANGE, TEAL, WHITE, ffmpeg_exe, make_video, split

# --- the standards, independently --------------------------------------------------------
M1, M2 = 2610 / 16384, 2523 / 4096 * 128
C1, C2, C3 = 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32
HLG_A, HLG_B, HLG_C = 0.17883277, 0.28466892, 0.55991073
# BT.2087 / BT.2020: linear BT.709 RGB to linear BT.2020 RGB.
BT709_TO_BT2020 = np.array(
    [[0.6274, 0.3293, 0.0433], [0.0691, 0.9195, 0.0114], [0.0164, 0.0880, 0.8956]]
)
BT2020_LUMA = np.array([0.2627, 0.6780, 0.0593])
WHITE_NITS = 203.0


def pq_signal(nits: np.ndarray) -> np.ndarray:
    y = (np.asarray(nits, float) / 10000) ** M1
    return ((C1 + C2 * y) / (1 + C3 * y)) ** M2


def hlg_signal(display: np.ndarray) -> np.ndarray:
    """BT.2100 HLG for display light (..., 3) BT.2020 in cd/m² on a 1000 cd/m² display:
    inverse OOTF on luminance (gamma 1.2), then the OETF."""
    display = np.maximum(np.asarray(display, float), 0)
    ys = (display @ BT2020_LUMA / 1000) ** (1 / 1.2)
    with np.errstate(divide="ignore", invalid="ignore"):
        scene = np.where(ys[..., None] > 0, display / (1000 * ys[..., None] ** 0.2), 0.0)
    scene = np.clip(scene, 0, 1)
    return np.where(
        scene <= 1 / 12,
        np.sqrt(3 * scene),
        HLG_A * np.log(np.maximum(12 * scene - HLG_B, 1e-12)) + HLG_C,
    )


def sdr_linear(rgb: np.ndarray) -> np.ndarray:
    """SDR codes to display light relative to white (BT.1886, gamma 2.4)."""
    return (np.asarray(rgb, float) / 255) ** 2.4


def codes16(signal: np.ndarray) -> np.ndarray:
    return np.uint16(np.rint(np.clip(signal, 0, 1) * 65535))


def oklab_linear(lin: np.ndarray) -> np.ndarray:
    """Oklab (Ottosson 2020) of linear BT.709 light, out-of-gamut values included."""
    lms = np.asarray(lin, float) @ np.array(
        [[0.4122214708, 0.5363325363, 0.0514459929],
         [0.2119034982, 0.6806995451, 0.1073969566],
         [0.0883024619, 0.2817188376, 0.6299787005]]
    ).T
    return np.cbrt(lms) @ np.array(
        [[0.2104542553, 0.7936177850, -0.0040720468],
         [1.9779984951, -2.4285922050, 0.4505937099],
         [0.0259040371, 0.7827717662, -0.8086757660]]
    ).T


def oklab(rgb8: np.ndarray) -> np.ndarray:
    """Oklab of SDR codes, through BT.1886 light."""
    return oklab_linear(sdr_linear(rgb8))


def hue(lab: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(lab[..., 2], lab[..., 1])))


def pixel(signal: np.ndarray) -> np.ndarray:
    return codes16(signal).reshape(1, 1, 3)


# --- the conversion, on known colours ----------------------------------------------------
def test_pq_reference_white_comes_out_white() -> None:
    out = to_sdr(pixel(pq_signal([WHITE_NITS] * 3)), transfer="smpte2084", primaries="bt2020")
    assert out.dtype == np.uint8
    r, g, b = out.reshape(3).tolist()
    assert min(r, g, b) >= 250 and max(r, g, b) - min(r, g, b) <= 1


def test_hlg_reference_white_comes_out_white() -> None:
    # BT.2408: HLG reference white is 75 % signal.
    out = to_sdr(pixel(np.full(3, 0.75)), transfer="arib-std-b67", primaries="bt2020")
    r, g, b = out.reshape(3).tolist()
    assert min(r, g, b) >= 250 and max(r, g, b) - min(r, g, b) <= 1


@pytest.mark.parametrize("nits", [1000.0, 4000.0])
def test_a_bright_highlight_is_no_brighter_than_white_and_keeps_its_hue(nits: float) -> None:
    orange = np.array([1.0, 0.45, 0.08])  # linear BT.709
    lum = orange @ [0.2126, 0.7152, 0.0722]
    display = BT709_TO_BT2020 @ orange / lum * nits
    out = to_sdr(pixel(pq_signal(display)), transfer="smpte2084", primaries="bt2020")
    white = to_sdr(pixel(pq_signal([nits] * 3)), transfer="smpte2084", primaries="bt2020")
    lab, src = oklab(out.reshape(3)), oklab_linear(orange)
    assert lab[0] <= oklab(white.reshape(3))[0] + 1e-6
    assert abs(hue(lab) - hue(src)) < 2.0
    assert np.hypot(lab[1], lab[2]) > 0.5 * np.hypot(src[1], src[2])  # still orange


def test_a_saturated_bt2020_green_lands_in_gamut_with_its_hue() -> None:
    greens = np.array([[0.0, 1.0, 0.0], [0.1, 1.0, 0.1]]) * 0.4  # BT.2020, of white
    out = to_sdr(codes16(pq_signal(greens * WHITE_NITS)).reshape(1, 2, 3),
                 transfer="smpte2084", primaries="bt2020").reshape(2, 3)
    bt709 = np.linalg.solve(BT709_TO_BT2020, greens.T).T
    assert (bt709 < 0).any(axis=1).all()  # both outside BT.709
    for got, want in zip(oklab(out), oklab_linear(bt709), strict=True):
        assert abs(hue(got) - hue(want)) < 2.0
        assert abs(got[0] - want[0]) < 0.02  # lightness kept


def test_out_of_gamut_gradations_survive() -> None:
    """No hard clip: colours of one hue and lightness, all beyond BT.709 but inside
    BT.2020, land inside the SDR gamut in their order of chroma, not all on its edge."""
    lightness, angle = 0.75, np.radians(140)
    chroma = np.array([0.26, 0.268, 0.276, 0.284])
    lab = np.stack([np.full(4, lightness), chroma * np.cos(angle), chroma * np.sin(angle)], 1)
    to_lms = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                       [0.2119034982, 0.6806995451, 0.1073969566],
                       [0.0883024619, 0.2817188376, 0.6299787005]])
    to_lab = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                       [1.9779984951, -2.4285922050, 0.4505937099],
                       [0.0259040371, 0.7827717662, -0.8086757660]])
    bt709 = (np.linalg.solve(to_lab, lab.T) ** 3).T @ np.linalg.inv(to_lms).T
    bt2020 = bt709 @ BT709_TO_BT2020.T
    assert (bt709 < 0).any(axis=1).all() and (bt2020 >= 0).all()
    out = to_sdr(codes16(pq_signal(bt2020 * WHITE_NITS)).reshape(1, 4, 3),
                 transfer="smpte2084", primaries="bt2020").reshape(4, 3)
    got = oklab(out)
    assert np.all(np.abs(np.degrees(np.arctan2(got[:, 2], got[:, 1])) - 140) < 2.0)
    assert np.all(np.diff(np.hypot(got[:, 1], got[:, 2])) > 0)
    assert out.min() > 0  # a clip would put them all on the edge, one channel at 0


SDR_COLOURS = np.array(
    [[0, 0, 0], [30, 30, 30], [128, 128, 128], [200, 200, 200], [200, 150, 120],
     [60, 110, 170], [90, 140, 60], [180, 90, 70], [120, 100, 160]], np.uint8
)


@pytest.mark.parametrize(
    ("transfer", "encode"),
    [
        ("smpte2084", lambda d: pq_signal(d * WHITE_NITS)),
        ("arib-std-b67", lambda d: hlg_signal(d * WHITE_NITS)),
        ("bt709", lambda d: d ** (1 / 2.4)),  # wide-gamut SDR: BT.1886 codes, BT.2020 primaries
    ],
)
def test_sdr_colours_come_back_unchanged(transfer, encode) -> None:
    """Colours an SDR grade can show (below the knee, inside the gamut) survive HDR."""
    display = sdr_linear(SDR_COLOURS) @ BT709_TO_BT2020.T
    out = to_sdr(codes16(encode(display)).reshape(1, -1, 3), transfer=transfer,
                 primaries="bt2020").reshape(-1, 3)
    assert np.abs(out.astype(int) - SDR_COLOURS).max() <= 2


def test_the_tone_curve_keeps_shadows_and_approaches_white() -> None:
    y = np.linspace(0, 50, 5001)
    out = tone_curve(y)
    assert np.all(np.diff(out) >= 0) and out.max() < 1
    assert np.allclose(out[y <= 0.5], y[y <= 0.5])


def test_only_hdr_and_wide_gamut_need_converting() -> None:
    assert needs_conversion(transfer="smpte2084", primaries="bt2020")
    assert needs_conversion(transfer="arib-std-b67", primaries=None)
    assert needs_conversion(transfer="bt709", primaries="bt2020")
    assert not needs_conversion(transfer="bt709", primaries="bt709")
    assert not needs_conversion(transfer=None, primaries=None)


def test_colour_description_names_are_ffmpegs() -> None:
    assert transfer_name(16) == "smpte2084" and transfer_name(18) == "arib-std-b67"
    assert transfer_name(2) is None and transfer_name(None) is None
    assert primaries_name(9) == "bt2020" and matrix_name(9) == "bt2020nc"
    assert hdr_kind("smpte2084") == "pq" and hdr_kind("arib-std-b67") == "hlg"
    assert hdr_kind("bt709") is None


def info(**color) -> VideoInfo:
    return VideoInfo(name="film.mkv", duration=10.0, fps=24.0, frame_count=240, width=3840,
                     height=2160, codec="hevc", pix_fmt="yuv420p10le", rotation=0,
                     stream_index=0, **color)


def test_the_app_can_say_what_was_done() -> None:
    hdr10 = info(transfer="smpte2084", primaries="bt2020", matrix="bt2020nc", hdr="pq")
    assert describe_color(hdr10) == "HDR10 · tone-mapped to SDR"
    hlg = info(transfer="arib-std-b67", primaries="bt2020", matrix="bt2020nc", hdr="hlg")
    assert describe_color(hlg) == "HLG HDR · tone-mapped to SDR"
    wide = info(transfer="bt709", primaries="bt2020", matrix="bt2020nc")
    assert "BT.2020" in describe_color(wide)
    assert describe_color(info(transfer="bt709", primaries="bt709", matrix="bt709")) is None
    assert describe_color(info()) is None
    assert color_warning(hdr10) is None


def test_dolby_vision_without_a_base_layer_is_flagged() -> None:
    dv = info(transfer="smpte2084", primaries="bt2020", matrix="ipt-c2", hdr="pq")
    assert "approximate" in color_warning(dv)
    assert "approximate" in describe_color(dv)


def test_files_written_before_the_colour_fields_still_load(tmp_path: Path) -> None:
    fp = Fingerprint(
        video=info(transfer="smpte2084", primaries="bt2020", matrix="bt2020nc", hdr="pq"),
        params=Params(samples=1, clusters=1),
        times=np.array([1.0]),
        colors=np.zeros((1, 1, 3), np.uint8),
        shares=np.ones((1, 1)),
        average=np.zeros((1, 3), np.uint8),
    )
    data = fp.to_dict()
    assert data["video"]["hdr"] == "pq" and data["video"]["matrix"] == "bt2020nc"
    assert Fingerprint.from_dict(data).video == fp.video
    for key in ("transfer", "primaries", "matrix", "hdr"):
        del data["video"][key]
    (tmp_path / "old.json").write_text(json.dumps(data))
    old = Fingerprint.load(tmp_path / "old.json")
    assert old.video.hdr is None and old.video.transfer is None


# --- renditions of an SDR clip, through the whole engine ---------------------------------
FPS = 10
PARTS = [
    (split(ORANGE, TEAL), 1.0),
    (split((200, 150, 120), (60, 110, 170)), 1.0),
    (split((90, 140, 60), (128, 128, 128)), 1.0),
    (split((180, 40, 50), WHITE), 1.0),
]


def sdr_frames() -> list[np.ndarray]:
    frames = []
    for frame, seconds in PARTS:
        frames += [frame] * round(seconds * FPS)
    return frames


def encode_10bit(path: Path, rgb48: list[np.ndarray], *, transfer: str) -> Path:
    """16-bit non-linear BT.2020 RGB frames to 10-bit HEVC tagged with ``transfer``."""
    h, w = rgb48[0].shape[:2]
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb48le",
         "-s", f"{w}x{h}", "-r", str(FPS), "-i", "-", "-vf",
         f"setparams=color_trc={transfer}:color_primaries=bt2020:colorspace=gbr:range=pc,"
         "zscale=m=bt2020nc:r=tv,format=yuv420p10le",
         "-c:v", "libx265", "-crf", "8", "-preset", "fast", "-x265-params", "log-level=error",
         "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc",
         str(path)],
        input=b"".join(np.ascontiguousarray(f, dtype="<u2").tobytes() for f in rgb48),
        check=True,
    )
    return path


def zscale_rendition(path: Path, frames: list[np.ndarray], *, transfer: str) -> Path:
    """SDR frames through FFmpeg's zscale: BT.1886 light, BT.2020, then ``transfer`` with
    SDR white at 203 cd/m²."""
    h, w = frames[0].shape[:2]
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", f"{w}x{h}", "-r", str(FPS), "-i", "-", "-vf",
         "setparams=color_trc=bt709:color_primaries=bt709:colorspace=gbr:range=pc,"
         "zscale=t=linear,format=gbrpf32le,"
         f"zscale=p=bt2020:t={transfer}:m=bt2020nc:r=tv:npl=203,format=yuv420p10le",
         "-c:v", "libx265", "-crf", "8", "-preset", "fast", "-x265-params", "log-level=error",
         "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc",
         str(path)],
        input=b"".join(np.ascontiguousarray(f).tobytes() for f in frames),
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hdr")
    frames = sdr_frames()
    display = [sdr_linear(f) @ BT709_TO_BT2020.T for f in frames]
    return {
        "sdr": make_video(folder / "sdr.mp4", frames, fps=FPS),
        "pq": zscale_rendition(folder / "pq.mp4", frames, transfer="smpte2084"),
        "hlg": encode_10bit(
            folder / "hlg.mp4", [codes16(hlg_signal(d * WHITE_NITS)) for d in display],
            transfer="arib-std-b67",
        ),
        "wide": zscale_rendition(folder / "wide.mp4", frames, transfer="bt709"),
    }


PARAMS = Params(samples=8, mode="exact", crop=False)


def distances(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Worst sample's average-colour ΔE2000, and the mean palette distance (ΔE2000)."""
    avg = delta_e2000(rgb_to_lab(a.average).astype(float), rgb_to_lab(b.average).astype(float))
    palette = palette_distance(a.colors, a.shares, b.colors, b.shares)
    return float(avg.max()), float(palette.mean())


@pytest.mark.parametrize(
    ("name", "transfer", "hdr"),
    [("pq", "smpte2084", "pq"), ("hlg", "arib-std-b67", "hlg"), ("wide", "bt709", None)],
)
def test_renditions_fingerprint_like_their_sdr_source(clips, name, transfer, hdr) -> None:
    rendition = probe(clips[name])
    assert (rendition.transfer, rendition.primaries, rendition.matrix, rendition.hdr) == (
        transfer, "bt2020", "bt2020nc", hdr
    )
    sdr = analyze(clips["sdr"], params=PARAMS)
    fp = analyze(clips[name], params=PARAMS)
    average, palette = distances(sdr, fp)
    assert average <= 3.0 and palette <= 3.0, (average, palette)


def test_without_the_conversion_the_renditions_are_far_off(clips, monkeypatch) -> None:
    """The known-answer test above can fail: read as SDR, the same files are far off."""
    monkeypatch.setattr(rgb, "needs_conversion", lambda **_: False)
    sdr = analyze(clips["sdr"], params=PARAMS)
    for name in ("pq", "hlg"):
        average, palette = distances(sdr, analyze(clips[name], params=PARAMS))
        assert average > 5.0 and palette > 5.0, (name, average, palette)


def test_the_frame_shown_on_a_click_is_converted_the_same_way(clips) -> None:
    sdr = frame_at(clips["sdr"], 0.5, size=160)
    for name in ("pq", "hlg"):
        shown = frame_at(clips[name], 0.5, size=160)
        de = delta_e2000(rgb_to_lab(sdr).astype(float), rgb_to_lab(shown).astype(float))
        assert np.median(de) < 2.0


def test_a_dolby_vision_only_stream_is_fingerprinted_with_a_warning(tmp_path: Path) -> None:
    """An HEVC stream in a Dolby Vision sample entry (dvh1) with no colour description:
    profile 5's shape, whose picture needs the Dolby Vision metadata to be read."""
    path = tmp_path / "dv.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=s=160x90:r=10:d=1", "-c:v", "libx265", "-pix_fmt", "yuv420p10le",
         "-x265-params", "log-level=error", "-tag:v", "dvh1", str(path)],
        check=True,
    )
    found = probe(path)
    assert found.matrix == "ipt-c2" and found.hdr == "pq"
    fp = analyze(path, params=Params(samples=4, mode="exact"))
    assert color_warning(found) in fp.warnings


def test_shot_palettes_of_a_pq_rendition_are_its_sdr_sources(clips) -> None:
    # Shots scan every frame on their own fast path; HDR frames take the samples' path.
    from fingerprint.shots import detect_shots

    sdr, pq = (detect_shots(clips[n], info=probe(clips[n])) for n in ("sdr", "pq"))
    assert len(sdr) == len(pq)
    for a, b in zip(sdr, pq, strict=True):
        assert float(palette_distance(a.colors, a.shares, b.colors, b.shares)) < 3
