"""The command line, run as a user would: files written, errors as one line, exit codes."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import Fingerprint
from fingerprint._files import find_videos
from fingerprint.cli._main import main
from tests.support import ROOT, clip
from tests.support.videos import copy, make_rgb, noise

AUDIO = clip("audio_only_trex_roar_2s.mp3")


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
    junk.write_bytes(noise(5000))
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
            "https://example.com/film.mp4",
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
    assert len(errors) == 5, proc.stderr
    assert all(line.startswith("error: ") for line in errors)
    assert "Traceback" not in proc.stderr
    assert f"error: {junk}: " in errors[0] and "not a video" in errors[0]
    assert "no video stream" in errors[1]
    assert "empty" in errors[2]
    assert "no such file" in errors[3]
    assert errors[4].startswith("error: https://example.com/film.mp4: ")
    assert "is a web address" in errors[4]
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


def test_times_are_taken_as_h_mm_ss(rgb_film: Path, tmp_path: Path) -> None:
    assert cli(rgb_film, tmp_path, "--samples", "6", "--start", "0:00:02", "--end", "0:00:04") == 0
    fp = Fingerprint.load(tmp_path / "rgb.json")
    assert (fp.params.start, fp.params.end) == (2.0, 4.0)
    assert (fp.colors[:, 0, 1] > 200).all()  # 2-4 s is the green part


def test_a_bad_time_is_refused_before_any_work(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(rgb_film, tmp_path / "out", "--start", "1:75")
    assert exit_info.value.code == 2
    assert "minutes and seconds go up to 59" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_end_past_the_film_is_clamped_and_said(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(rgb_film, tmp_path, "--samples", "6", "--start", "4", "--end", "1:00:00") == 0
    fp = Fingerprint.load(tmp_path / "rgb.json")
    assert (fp.params.start, fp.params.end) == (4.0, None)
    assert fp.times.min() >= 4.0 and (fp.colors[:, 0, 2] > 200).all()  # the blue part
    assert "The end (1:00:00) is past the end of the film (0:00:06)" in capsys.readouterr().err


def test_samples_are_capped_at_the_frames_and_said(
    rgb_film: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The default 1000 samples on a 60-frame film: 60 distinct frames, said once.
    assert cli(rgb_film, tmp_path) == 0
    fp = Fingerprint.load(tmp_path / "rgb.json")
    assert len(fp) == 60 and len(np.unique(fp.times)) == 60
    err = capsys.readouterr().err
    assert err.count("sampled 60 times, not 1000") == 1
    assert len((tmp_path / "rgb.csv").read_text().splitlines()) == 60


def test_a_folder_stands_for_the_videos_under_it(rgb_film: Path, tmp_path: Path) -> None:
    films = tmp_path / "films"
    (films / "season 2").mkdir(parents=True)
    copy(rgb_film, films / "a.mp4")
    copy(rgb_film, films / "season 2" / "a.mkv")  # the same name from another folder
    copy(rgb_film, films / "season 2" / "b.MOV")
    (films / "notes.txt").write_text("not a film")
    (films / ".hidden.mp4").write_bytes(b"")
    out = tmp_path / "out"
    assert cli(films, out, "--samples", "6") == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}.{ext}" for stem in ("a", "a-2", "b") for ext in ("csv", "json", "png", "svg")
    )


def test_a_folder_lists_discs_archives_and_tapes_too(tmp_path: Path) -> None:
    """A DVD's .vob, an archive's .mxf and a DV tape's .dv are films; a poster is not."""
    for name in ("VTS_01_1.VOB", "reel.mxf", "tape.dv", "film.mkv", "poster.png"):
        (tmp_path / name).write_bytes(b"x")
    names = [p.name for p in find_videos(tmp_path)]
    assert names == ["film.mkv", "reel.mxf", "tape.dv", "VTS_01_1.VOB"]


def test_a_folder_without_videos_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert cli(tmp_path / "empty", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path / 'empty'}: this folder has no video files.\n"


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 64 KiB tmpfs (root only), unmounted afterwards."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_leaves_no_partial_set(
    rgb_film: Path, tiny_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tiny_disk / "out"
    out.mkdir()
    # Leave one 4 KiB page: room for the CSV, not for the poster that follows it.
    filler = tiny_disk / "filler"
    with open(filler, "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
    os.truncate(filler, os.path.getsize(filler) - 4096)
    assert cli(rgb_film, out, "--samples", "6") == 1
    assert list(out.iterdir()) == []  # neither results nor temporaries
    assert "cannot write results: No space left on device" in capsys.readouterr().err


def _run_until_progress(args: list[str]) -> tuple[subprocess.Popen[bytes], bytes]:
    """Start the command line with a terminal as stderr (so it draws its progress bar) and
    return once the bar shows work under way."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # 120 columns
    proc = subprocess.Popen([sys.executable, "-m", "fingerprint", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child)
    os.close(child)
    seen = b""
    while b"%" not in seen.replace(b" 0%", b""):
        ready, _, _ = select.select([parent], [], [], 60)
        assert ready, "no progress within a minute"
        seen += os.read(parent, 4096)
    proc.parent_fd = parent  # type: ignore[attr-defined]
    return proc, seen


def _rest(proc: subprocess.Popen[bytes]) -> bytes:
    out = b""
    with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
        while chunk := os.read(proc.parent_fd, 4096):  # type: ignore[attr-defined]
            out += chunk
    return out


def test_ctrl_c_stops_the_work_prints_one_line_and_writes_nothing(tmp_path: Path) -> None:
    film = clip("bbb_30s_720p_vp8.webm")
    out = tmp_path / "out"
    proc, _ = _run_until_progress(
        ["analyze", str(film), "--out", str(out), "--mode", "exact", "--no-cache"]
    )
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 130
    err = _rest(proc).decode()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.rstrip().splitlines()[-1] == f"interrupted: nothing was written for {film}"
    assert list(out.iterdir()) == []  # no outputs, no temporaries


def test_the_command_collects_garbage_while_it_works() -> None:
    """`run` rests the collector while the modules load and at exit only: a command left
    without it would never free cyclic garbage (PyAV's objects make some) in a long batch."""
    script = (
        "import gc\n"
        "import fingerprint.cli\n"
        "fingerprint.cli.main = lambda: print(gc.isenabled()) or 7\n"
        "from fingerprint.__main__ import run\n"
        "print(run(), gc.isenabled(), gc.get_freeze_count() > 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, stdin=subprocess.DEVNULL)
    assert run.stdout.split() == ["True", "7", "True", "True"]


def test_ctrl_c_while_loading_is_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "fingerprint", "analyze", str(AUDIO), "--out", str(tmp_path)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    # Once NumPy's library is mapped the command line's own imports are under way (PyAV,
    # Pillow and the engine follow): the moment a Ctrl-C used to print a traceback.
    maps = Path(f"/proc/{proc.pid}/maps")
    while proc.poll() is None and "_multiarray_umath" not in maps.read_text():
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err
    assert proc.returncode == 130 and err.strip().endswith(b"interrupted")


def test_cache_info_and_clear(rgb_film: Path, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "my cache"
    assert cli(rgb_film, tmp_path / "out", "--samples", "6", "--cache-dir", str(cache)) == 0
    capsys.readouterr()
    assert main(["cache", "info", "--cache-dir", str(cache)]) == 0
    info = capsys.readouterr().out
    assert info.startswith(f"{cache}: 1 films, 3 entries (0 uploads), ")  # frames, colours, result
    assert info.rstrip().endswith("of 2,000 MB")  # the default cap
    assert main(["cache", "clear", "--cache-dir", str(cache)]) == 0
    assert capsys.readouterr().out.startswith("cleared ")
    assert main(["cache", "info", "--cache-dir", str(cache)]) == 0
    assert ": 0 films, 0 entries (0 uploads), 0 MB of 2,000 MB" in capsys.readouterr().out
