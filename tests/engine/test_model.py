"""The result model and its files: JSON (the documented format) and CSV
(fingerprint/model.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import fields

import numpy as np
import pytest

from fingerprint import (
    Fingerprint,
    FingerprintFormatError,
    Params,
    VideoInfo,
    analyze,
)
from fingerprint.model import FORMAT_NAME, FORMAT_VERSION, from_hex, to_hex
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_rgb

HEX = re.compile(r"^#[0-9a-f]{6}$")


def info() -> VideoInfo:
    return VideoInfo(name="film.mp4", duration=12.5, fps=23.976, frame_count=300, width=320,
                     height=180, codec="h264", pix_fmt="yuv420p", rotation=90, stream_index=1,
                     start_time=0.5, duration_estimated=True)


def handmade(n: int = 4, k: int = 3, *, crop=(0.125, 0.125, 0.0, 0.0), seed: int = 0):
    """A fingerprint with awkward values: times not on round numbers, shares that are not
    short decimals."""
    rng = np.random.default_rng(seed)
    counts = np.sort(rng.integers(1, 5000, (n, k)), axis=1)[:, ::-1]
    times = np.sort(rng.uniform(1, 11, n))
    return make_fingerprint(
        rng.integers(0, 256, (n, k, 3)).astype(np.uint8),
        counts / counts.sum(axis=1, keepdims=True),
        video=info(),
        params=Params(samples=n, clusters=k, mode="exact", start=1.0, end=11.0, crop=True,
                      color_space="rgb", size=160, seed=3),
        times=times,
        average=rng.integers(0, 256, (n, 3)).astype(np.uint8),
        crop=crop,
        warnings=("The video stops decoding at 0:00:10 although it claims 0:00:12.",),
    )


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A fingerprint straight from the engine."""
    film = make_rgb(tmp_path_factory.mktemp("model") / "rgb.mp4")
    return analyze(film, params=Params(samples=9, clusters=4))


def assert_same(a: Fingerprint, b: Fingerprint) -> None:
    assert a.video == b.video
    assert a.params == b.params
    assert a.crop == b.crop
    assert a.warnings == b.warnings
    np.testing.assert_array_equal(a.colors, b.colors)
    np.testing.assert_array_equal(a.average, b.average)
    # The file keeps 6 decimals (microseconds; shares to 1e-6).
    np.testing.assert_allclose(a.times, b.times, atol=5e-7)
    np.testing.assert_allclose(a.shares, b.shares, atol=5e-7)
    assert b.colors.dtype == np.uint8 and b.average.dtype == np.uint8


# --- JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize("crop", [(0.125, 0.125, 0.0, 0.0), None])
def test_json_round_trip(crop):
    fp = handmade(crop=crop)
    back = Fingerprint.from_dict(json.loads(fp.to_json()))
    assert_same(fp, back)
    assert isinstance(back.crop, tuple | type(None))
    assert isinstance(back.warnings, tuple)


def test_json_round_trip_of_a_real_fingerprint(real, tmp_path):
    back = Fingerprint.from_dict(json.loads(real.to_json()))
    assert_same(real, back)
    path = real.save(tmp_path / "out" / "film.json")
    assert path.exists()
    assert_same(real, Fingerprint.load(path))
    # Saving twice gives the same bytes: the file is deterministic.
    first = path.read_bytes()
    back.save(path)
    assert path.read_bytes() == first


def test_json_layout_is_exactly_the_documented_one():
    fp = handmade(n=3, k=2)
    data = json.loads(fp.to_json())
    assert list(data) == ["format", "version", "video", "params", "crop", "warnings", "frames"]
    assert data["format"] == FORMAT_NAME == "movie-color-fingerprint"
    assert data["version"] == FORMAT_VERSION == 1
    assert set(data["video"]) == {
        "name", "duration", "fps", "frame_count", "width", "height", "codec", "pix_fmt",
        "rotation", "stream_index", "start_time", "duration_estimated", "transfer",
        "primaries", "matrix", "hdr",
    }
    assert set(data["video"]) == {f.name for f in fields(VideoInfo)}
    assert data["video"]["duration_estimated"] is True
    assert data["video"]["rotation"] == 90
    assert set(data["params"]) == {
        "samples", "clusters", "mode", "start", "end", "crop", "color_space", "size", "seed",
        "sound", "shots",
    }
    assert set(data["params"]) == {f.name for f in fields(Params)}
    assert data["crop"] == [0.125, 0.125, 0.0, 0.0]
    assert data["warnings"] == list(fp.warnings)
    assert len(data["frames"]) == 3
    for i, frame in enumerate(data["frames"]):
        assert list(frame) == ["time", "colors", "shares", "average"]
        assert isinstance(frame["time"], float)
        assert frame["time"] == pytest.approx(fp.times[i], abs=1e-6)
        assert len(frame["colors"]) == len(frame["shares"]) == 2
        assert all(HEX.match(c) for c in frame["colors"])
        assert HEX.match(frame["average"])
        assert frame["colors"] == to_hex(fp.colors[i])
        assert sum(frame["shares"]) == pytest.approx(1.0, abs=1e-5)
        assert frame["shares"] == sorted(frame["shares"], reverse=True)
    assert json.loads(Fingerprint.from_dict(data).to_json()) == data


def test_null_crop_and_no_fps():
    fp = handmade(crop=None)
    data = json.loads(fp.to_json())
    assert data["crop"] is None
    data["video"]["fps"] = None
    data["video"]["frame_count"] = None
    back = Fingerprint.from_dict(data)
    assert back.crop is None
    assert back.video.fps is None and back.video.frame_count is None


def test_newer_minor_fields_are_ignored():
    """Unknown keys (from a newer minor version) do not stop a file from loading."""
    data = json.loads(handmade().to_json())
    data["video"]["dynamic_metadata"] = "hdr10+"
    data["params"]["future_option"] = 1
    data["extra"] = {"anything": True}
    data["frames"][0]["labels"] = ["sky"]
    assert_same(handmade(), Fingerprint.from_dict(data))


def test_real_fingerprint_shares_sum_to_one_and_descend(real):
    assert real.shares.shape == (9, 4)
    np.testing.assert_allclose(real.shares.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(np.diff(real.shares, axis=1) <= 0)
    assert np.all(np.diff(real.times) > 0)
    assert len(real) == 9 and real.k == 4


def test_palette_pairs(real):
    pairs = real.palette(0)
    assert len(pairs) == 4
    assert [c for c, _ in pairs] == to_hex(real.colors[0])
    assert [s for _, s in pairs] == real.shares[0].tolist()


def valid() -> dict:
    return json.loads(handmade().to_json())


def mutate(change):
    data = valid()
    change(data)
    return data


@pytest.mark.parametrize(
    "data",
    [
        [],
        "movie-color-fingerprint",
        {},
        {"format": "something-else", "version": 1},
        mutate(lambda d: d.pop("format")),
        mutate(lambda d: d.update(version=2)),
        mutate(lambda d: d.update(version="1")),
        mutate(lambda d: d.pop("video")),
        mutate(lambda d: d.pop("frames")),
        mutate(lambda d: d.update(frames=[])),
        mutate(lambda d: d["video"].pop("duration")),
        mutate(lambda d: d["params"].update(clusters=0)),
        mutate(lambda d: d["params"].update(mode="slow")),
        mutate(lambda d: d["frames"][0].pop("time")),
        mutate(lambda d: d["frames"][0].update(colors=["#zzzzzz", "#000000", "#ffffff"])),
        mutate(lambda d: d["frames"][0].update(colors=["red", "green", "blue"])),
        mutate(lambda d: d["frames"][0].update(colors="#ff0000")),
        mutate(lambda d: d["frames"][1].update(colors=["#ff0000"], shares=[1.0])),
        mutate(lambda d: d["frames"][0].update(shares=[0.5, 0.5])),
        mutate(lambda d: d["frames"][0].update(average=None)),
        mutate(lambda d: d["frames"][0].update(time="soon")),
        mutate(lambda d: d.update(frames=[None])),
        mutate(lambda d: d.update(video=[])),
        mutate(lambda d: d.update(params="fast")),
        mutate(lambda d: d["frames"][0].update(colors=["#12345", "#000000", "#ffffff"])),
        mutate(lambda d: d["frames"][0].update(average="#1234567")),
        # Every frame consistent with the others, but not with the parameters or itself.
        mutate(lambda d: [f.update(shares=f["shares"][:2]) for f in d["frames"]]),
        mutate(lambda d: [f.update(colors=f["colors"][:2], shares=[0.5, 0.5])
                          for f in d["frames"]]),
    ],
)
def test_foreign_or_corrupt_data_is_refused(data):
    with pytest.raises(FingerprintFormatError):
        Fingerprint.from_dict(data)


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"not json at all", b"\xff\xfe\xfa binary", b"[1, 2, 3]",
     b'{"format": "other"}', json.dumps({"frames": []}).encode()],
)
def test_load_refuses_foreign_files(tmp_path, content):
    path = tmp_path / "film.json"
    path.write_bytes(content)
    with pytest.raises(FingerprintFormatError):
        Fingerprint.load(path)


def test_load_missing_file_or_folder(tmp_path):
    with pytest.raises(FingerprintFormatError):
        Fingerprint.load(tmp_path / "missing.json")
    with pytest.raises(FingerprintFormatError):
        Fingerprint.load(tmp_path)


def test_truncated_json_file_is_refused(tmp_path, real):
    path = real.save(tmp_path / "film.json")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(FingerprintFormatError):
        Fingerprint.load(path)


# --- CSV ------------------------------------------------------------------------------


def test_plain_csv_is_one_row_of_hex_colours_per_sample(real):
    text = real.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(real)
    for i, row in enumerate(rows):
        assert row == to_hex(real.colors[i])
        assert all(HEX.match(c) for c in row)
    assert text.endswith("\n") and "\r" not in text


def test_csv_with_header(real):
    rows = list(csv.reader(io.StringIO(real.to_csv(header=True))))
    assert rows[0] == ["sample", "time", "color_1", "share_1", "color_2", "share_2",
                       "color_3", "share_3", "color_4", "share_4", "average"]
    assert len(rows) == len(real) + 1
    for i, row in enumerate(rows[1:]):
        assert int(row[0]) == i
        assert float(row[1]) == pytest.approx(real.times[i], abs=5e-4)
        assert row[2:-1:2] == to_hex(real.colors[i])
        np.testing.assert_allclose([float(s) for s in row[3:-1:2]], real.shares[i], atol=5e-5)
        assert row[-1] == to_hex(real.average[i])[0]


def test_csv_of_a_loaded_file_is_the_same(real, tmp_path):
    back = Fingerprint.load(real.save(tmp_path / "f.json"))
    assert back.to_csv() == real.to_csv()
    assert back.to_csv(header=True) == real.to_csv(header=True)


# --- hex ------------------------------------------------------------------------------


def test_hex_round_trip():
    colours = np.array([[0, 0, 0], [255, 255, 255], [1, 2, 3], [171, 205, 239]], np.uint8)
    codes = to_hex(colours)
    assert codes == ["#000000", "#ffffff", "#010203", "#abcdef"]
    np.testing.assert_array_equal(from_hex(codes), colours)
    np.testing.assert_array_equal(from_hex(["#ABCDEF"]), [[171, 205, 239]])
    with pytest.raises(FingerprintFormatError):
        from_hex(["#12345"])
