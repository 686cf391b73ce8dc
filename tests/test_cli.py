"""The command line, run as a user would: files written, errors as one line, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from videos import make_rgb

from fingerprint import Fingerprint
from fingerprint.cli import main

ROOT = Path(__file__).resolve().parent.parent
AUDIO = ROOT.parent / "shared" / "data" / "audio_only_trex_roar_2s.mp3"


def cli(film: Path, out: Path, *options: str) -> int:
    """``fingerprint analyze FILM --out OUT [options]``, in process."""
    return main(["analyze", str(film), "--out", str(out), *options])


@pytest.fixture(scope="module")
def rgb_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_rgb(tmp_path_factory.mktemp("cli") / "rgb.mp4")


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(tmp_path / "cache"))


def test_writes_json_csv_and_poster(rgb_film: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    status = cli(rgb_film, out, "--samples", "12", "--clusters", "3", "--poster-size", "240x60")
    assert status == 0
    fp = Fingerprint.load(out / "rgb.json")
    assert len(fp) == 12 and fp.k == 3
    rows = (out / "rgb.csv").read_text().splitlines()
    assert len(rows) == 12 and all(len(r.split(",")) == 3 for r in rows)
    assert rows[0].split(",")[0].startswith("#")
    poster = np.asarray(Image.open(out / "rgb.png"))
    assert poster.shape == (60, 240, 3)
    # Time runs left to right: red first, blue last.
    assert poster[30, 5].argmax() == 0 and poster[30, -5].argmax() == 2


def test_csv_header_variant(rgb_film: Path, tmp_path: Path) -> None:
    assert cli(rgb_film, tmp_path, "--samples", "6", "--clusters", "2", "--csv-header") == 0
    lines = (tmp_path / "rgb.csv").read_text().splitlines()
    assert lines[0] == "sample,time,color_1,share_1,color_2,share_2,average"
    assert len(lines) == 7


def test_bad_files_get_one_line_each_and_the_rest_still_run(rgb_film: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(os.urandom(5000))
    empty = tmp_path / "empty.mkv"
    empty.touch()
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "fingerprint",
            "analyze",
            str(junk),
            str(AUDIO),
            str(empty),
            str(tmp_path / "missing.mp4"),
            str(rgb_film),
            "--out",
            str(out),
            "--samples",
            "6",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "FINGERPRINT_CACHE_DIR": str(tmp_path / "c")},
    )
    assert proc.returncode == 1
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 4, proc.stderr
    assert all(line.startswith("error: ") for line in errors)
    assert "Traceback" not in proc.stderr
    assert f"error: {junk}: " in errors[0] and "not a video" in errors[0]
    assert "no video stream" in errors[1]
    assert "empty" in errors[2]
    assert "no such file" in errors[3]
    assert json.loads((out / "rgb.json").read_text())["format"] == "movie-color-fingerprint"


def test_options_are_checked_before_any_work(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(rgb_film, tmp_path, "--samples", "0")
    assert exit_info.value.code == 2
    assert "samples must be between 1 and 3000, not 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(rgb_film, tmp_path, "--poster-size", "big")


def test_trim_and_mode_reach_the_result(rgb_film: Path, tmp_path: Path) -> None:
    assert (
        cli(
            rgb_film,
            tmp_path,
            "--samples",
            "8",
            "--mode",
            "exact",
            "--start",
            "2",
            "--end",
            "4",
            "--no-crop",
            "--color-space",
            "rgb",
        )
        == 0
    )
    fp = Fingerprint.load(tmp_path / "rgb.json")
    assert fp.params.mode == "exact" and fp.params.color_space == "rgb" and not fp.params.crop
    assert fp.times.min() >= 2.0 and fp.times.max() <= 4.0
    # 2-4 s is the green part.
    assert (fp.colors[:, 0, 1] > 200).all()
