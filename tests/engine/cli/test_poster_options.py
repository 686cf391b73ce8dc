"""The command line's newer poster options, run as a user would: ``--cvd`` writes a poster in
the simulated colours while the JSON and the CSV keep the true ones; ``--poster script``
draws the shots, and without ``--shots`` is one line of error before any work; ``--script
frames`` puts each shot's middle frame beside its palette."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import Fingerprint, _script_frames
from fingerprint._outputs import Outputs, Poster
from fingerprint.cli._main import main
from fingerprint.collection._batch import process_film
from fingerprint.collection._batch_index import BatchIndex
from fingerprint.errors import DecodeError, InvalidParameterError
from fingerprint.palette import simulate_cvd
from fingerprint.params import Params
from fingerprint.poster import poster
from fingerprint.poster._caption import caption_layout
from fingerprint.poster._framed import framed_panels
from fingerprint.poster._script import script_details, script_panels
from tests.support.videos import make_rgb, make_video, segments

# Four shots the detector cuts (they differ in lightness), whole frames at 25 fps.
SHOTS = [((200, 30, 30), 1.0), ((240, 220, 60), 1.6), ((20, 150, 160), 0.8),
         ((30, 40, 120), 1.2)]


def cli(film: Path, out: Path, *options: str) -> int:
    return main(["analyze", str(film), "--out", str(out), "--samples", "12", "--clusters", "3",
                 *options])


@pytest.fixture(scope="module")
def rgb_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_rgb(tmp_path_factory.mktemp("cvd") / "rgb.mp4")


@pytest.fixture(scope="module")
def four_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("script") / "four.mp4",
                      segments(SHOTS, 25, size=(48, 32)), fps=25)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(tmp_path / "cache"))


def test_the_poster_is_seen_with_the_deficiency_and_the_data_keep_the_true_colours(
    rgb_film: Path, tmp_path: Path
) -> None:
    assert cli(rgb_film, tmp_path / "true", "--poster-size", "240x60") == 0
    assert cli(rgb_film, tmp_path / "seen", "--poster-size", "240x60", "--cvd", "deutan",
               "--cvd-severity", "0.8") == 0
    true, seen = tmp_path / "true", tmp_path / "seen"
    # The data are the film's: the same JSON and CSV whatever the poster shows.
    assert (seen / "rgb.json").read_text() == (true / "rgb.json").read_text()
    assert (seen / "rgb.csv").read_text() == (true / "rgb.csv").read_text()
    fp = Fingerprint.load(seen / "rgb.json")
    assert fp.colors[0, 0].argmax() == 0 and fp.colors[0, 0].max() > 240  # red, as filmed
    # The poster: every pixel the simulation of the true poster's, which is the film's.
    drawn = np.asarray(Image.open(seen / "rgb.png"))
    np.testing.assert_array_equal(
        np.asarray(Image.open(true / "rgb.png")),
        np.asarray(poster(fp, width=240, height=60)))
    np.testing.assert_array_equal(
        drawn, simulate_cvd(np.asarray(Image.open(true / "rgb.png")), kind="deutan",
                            severity=0.8))
    # Red, as a deuteranope at 0.8 sees it, is olive: its green near its red.
    r, g, _ = drawn[30, 5].tolist()
    assert r < 200 and g > 0.7 * r
    assert (seen / "rgb.svg").read_text() != (true / "rgb.svg").read_text()


@pytest.mark.parametrize(("options", "said"), [
    (["--cvd", "green"], "invalid choice"),
    (["--cvd", "deutan", "--cvd-severity", "2"], "from 0 to 1"),
    (["--cvd", "deutan", "--cvd-severity", "nan"], "from 0 to 1"),
    (["--cvd-severity", "0.5"], "choose one with --cvd"),
])
def test_bad_deficiencies_are_refused_before_any_work(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
    said: str,
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli(rgb_film, tmp_path / "out", *options)
    assert stop.value.code == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_colour_script_without_shots_is_one_line_of_error(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli(rgb_film, tmp_path / "out", "--poster", "script")
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("error: the colour script needs shots: add --shots")
    assert not (tmp_path / "out").exists()


def test_the_colour_script_shows_the_films_shots_in_order(four_shots: Path,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli(four_shots, out, "--shots", "--poster", "script", "--poster-size", "400x100",
               "--title", "Four shots") == 0
    fp = Fingerprint.load(out / "four.json")
    assert len(fp.shots) == 4
    image = np.asarray(Image.open(out / "four.png"))
    assert image.shape == (100, 400, 3)
    # The caption takes its room from the bottom, as on every poster.
    picture = caption_layout(script_details(fp), 400, 100, "Four shots", None).picture_height
    assert 50 < picture < 100
    for panel, (color, _) in zip(script_panels(4, width=400, height=picture, aspect=1.5),
                                  SHOTS, strict=True):
        x, y = panel.centre
        assert np.abs(image[y, x].astype(int) - color).max() <= 4, (image[y, x], color)
    assert "4 shots" in (out / "four.svg").read_text()


def test_a_batch_folder_from_before_the_deficiency_options_resumes(tmp_path: Path) -> None:
    # An index whose options were written before `cvd` and `cvd_severity` existed.
    options = {"params": asdict(Params(samples=12)), "output": asdict(Outputs())}
    for name in ("cvd", "cvd_severity"):
        del options["output"]["poster"][name]
    (tmp_path / "collection.json").write_text(json.dumps({
        "format": "movie-color-fingerprint-collection", "version": 1, "options": options,
        "runs": [], "films": [],
    }))
    BatchIndex.open(tmp_path, Params(samples=12), Outputs())
    with pytest.raises(InvalidParameterError, match="other options"):
        BatchIndex.open(tmp_path, Params(samples=12), Outputs(poster=Poster(cvd="tritan")))


def test_frames_in_the_script_without_the_script_is_one_line_of_error(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli(rgb_film, tmp_path / "out", "--shots", "--script", "frames")
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("error: --script frames says what the colour script's panels "
                            "show: add --poster script --shots")
    with pytest.raises(SystemExit):
        cli(rgb_film, tmp_path / "out", "--poster", "script", "--script", "frames")
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        "error: the colour script needs shots: add --shots")
    assert not (tmp_path / "out").exists()


def test_the_colour_script_with_frames_shows_each_shots_frame_and_palette(
    four_shots: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert cli(four_shots, out, "--shots", "--poster", "script", "--script", "frames",
               "--poster-size", "400x100") == 0
    image = np.asarray(Image.open(out / "four.png"))
    assert image.shape == (100, 400, 3)
    for (frame, column), (color, _) in zip(
        framed_panels(4, width=400, height=100, aspect=1.5), SHOTS, strict=True
    ):
        for area in (frame, column):
            pixels = image[area.top + 2 : area.bottom - 2, area.left + 2 : area.right - 2]
            assert np.abs(pixels.astype(int) - color).max() <= 6, (area, color)
    assert (out / "four.svg").read_text().count("<image ") == 4
    # The thumbnails were kept beside the film's other entries, for the next poster.
    assert len(list((tmp_path / "cache").glob("*/thumbs-*.zst"))) == 1


def test_frames_that_cannot_be_decoded_are_one_line_of_error_and_nothing_written(
    four_shots: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreadable(*args, **kwargs):
        raise DecodeError("four.mp4: no frame decodes at 1.80 s.")

    monkeypatch.setattr(_script_frames, "shot_frames", unreadable)
    out = tmp_path / "out"
    assert cli(four_shots, out, "--shots", "--poster", "script", "--script", "frames") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"error: {four_shots}: four.mp4: no frame decodes at 1.80 s."
    assert not list(out.iterdir())


def test_a_batch_film_gets_its_frames_too(four_shots: Path, tmp_path: Path) -> None:
    # The worker's own function, without a cluster (test_batch runs one).
    output = Outputs(poster=Poster(kind="script", width=400, height=100, script="frames"))
    outcome = process_film(str(four_shots), out=str(tmp_path),
                           params=Params(samples=12, clusters=3, shots=True), output=output)
    assert outcome.status == "done", outcome
    svg = (tmp_path / f"{outcome.stem}.svg").read_text()
    assert svg.count("<image ") == 4
