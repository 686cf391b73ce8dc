"""`fingerprint batch` on a real Dask LocalCluster with two process workers."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import analyze
from fingerprint._cores import usable_cores
from fingerprint._outputs import Outputs, Poster
from fingerprint.collection._batch import (
    CRASH_ENV,
    connect,
    find_films,
    process_film,
    run_batch,
)
from fingerprint.collection._collection import load_batch
from fingerprint.collection._index import read_index
from fingerprint.errors import FingerprintError, InvalidParameterError
from fingerprint.model import Fingerprint
from fingerprint.params import Params
from tests.support import ROOT, clip, videos

PARAMS = Params(samples=24)
OUTPUT = Outputs(poster=Poster(width=300, height=100))
CRASHING = "crash-me.mp4"


@pytest.fixture(scope="module")
def client():
    """Two process workers, one thread each; every worker (and every worker restarted
    after a crash) inherits the test-only crash hook for `CRASHING`."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CRASH_ENV, CRASHING)
        with connect(workers=2) as c:
            yield c


@pytest.fixture(scope="module")
def films(tmp_path_factory) -> Path:
    """Real clips, synthetic films, a non-video and a truncated film, in nested folders."""
    folder = tmp_path_factory.mktemp("films")
    shutil.copy(clip("synth_short_1s_240p_h264.mp4"), folder)
    shutil.copy(clip("flower_5s_540p_vp8.webm"), folder)
    videos.make_rgb(folder / "rgb.mp4")
    (folder / "nested").mkdir()
    # Same name, other content, other folder: must not collide with ../rgb.mp4.
    videos.make_video(
        folder / "nested" / "rgb.mp4", videos.segments([(videos.ORANGE, 2.0)], 10), fps=10
    )
    (folder / "notes.txt").write_text("not a film\n")
    (folder / ".hidden.mp4").write_text("never looked at\n")
    videos.make_video(
        folder / "whole.mkv", videos.segments([(videos.TEAL, 3.0), (videos.RED, 3.0)], 10), fps=10
    )
    videos.truncate_copy(folder / "whole.mkv", folder / "truncated.mkv", 0.5)
    (folder / "whole.mkv").unlink()
    return folder


def _expected(path: Path) -> Fingerprint | str:
    try:
        return analyze(path, params=PARAMS, cache=None)
    except FingerprintError as exc:
        return " ".join(str(exc).split())


def test_batch_writes_every_film_and_an_index(client, films, tmp_path):
    out = tmp_path / "out"
    paths = find_films([films], exclude=out)
    assert sorted(p.name for p in paths) == [
        "flower_5s_540p_vp8.webm",
        "notes.txt",
        "rgb.mp4",
        "rgb.mp4",
        "synth_short_1s_240p_h264.mp4",
        "truncated.mkv",
    ]
    summary = run_batch(paths, out=out, client=client, params=PARAMS, output=OUTPUT)
    index = json.loads((out / "collection.json").read_text())
    assert index["format"] == "movie-color-fingerprint-collection" and index["version"] == 1
    assert index["options"]["params"]["samples"] == PARAMS.samples
    entries = {e["source"]: e for e in index["films"]}
    assert set(entries) == {str(p) for p in paths}
    assert entries[str(films / "notes.txt")]["status"] == "failed"
    assert "not a video" in entries[str(films / "notes.txt")]["reason"]
    for path in paths:
        entry, expected = entries[str(path)], _expected(path)
        if isinstance(expected, str):  # the library refuses it: so does the batch
            assert entry["status"] == "failed" and entry["reason"] == expected
            continue
        assert entry["status"] == "done", entry.get("reason")
        assert entry["video"]["duration"] == expected.video.duration
        assert [r["action"] for r in entry["runs"]] == ["analysed"]
        got = Fingerprint.load(out / entry["files"]["json"])
        assert np.array_equal(got.colors, expected.colors)
        assert np.allclose(got.shares, expected.shares, atol=1e-6)
        assert (out / entry["files"]["csv"]).read_text() == expected.to_csv()
        with Image.open(out / entry["files"]["png"]) as poster:
            assert poster.size == (OUTPUT.poster.width, OUTPUT.poster.height)
        assert entry["files"]["json"].startswith(f"films/{path.stem}-{entry['key']}")
    assert entries[str(films / "truncated.mkv")]["status"] in ("done", "failed")
    rgb = {
        entries[str(films / "rgb.mp4")]["files"]["json"],
        entries[str(films / "nested" / "rgb.mp4")]["files"]["json"],
    }
    assert len(rgb) == 2  # same name, different folders: no collision
    assert summary.count("failed") == sum(e["status"] == "failed" for e in entries.values()) >= 1
    assert summary.line().endswith(f"{summary.count('failed')} failed")
    rows = (out / "collection.csv").read_text().splitlines()
    assert len(rows) == 1 + len(paths)
    collection = load_batch(out)
    assert len(collection) == summary.count("done")
    assert all(f.fingerprint_path.exists() for f in collection.films)

    # The same command again: nothing is analysed, everything is skipped or failed again.
    again = run_batch(paths, out=out, client=client, params=PARAMS, output=OUTPUT)
    assert again.count("done") == 0
    assert again.count("skipped") == summary.count("done")
    with pytest.raises(InvalidParameterError, match="other options"):
        run_batch(paths, out=out, client=client, params=Params(samples=25), output=OUTPUT)


def test_a_film_that_kills_its_worker_fails_and_the_batch_completes(client, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    videos.make_rgb(folder / CRASHING)
    videos.make_video(folder / "fine.mp4", videos.segments([(videos.BLUE, 2.0)], 10), fps=10)
    summary = run_batch(find_films([folder]), out=tmp_path / "out", client=client, params=PARAMS)
    status = {Path(o.source).name: o for o in summary.outcomes}
    assert status["fine.mp4"].status == "done"
    assert status[CRASHING].status == "failed"
    assert "worker died" in status[CRASHING].reason
    index = json.loads((tmp_path / "out" / "collection.json").read_text())
    assert {Path(f["source"]).name: f["status"] for f in index["films"]} == {
        "fine.mp4": "done",
        CRASHING: "failed",
    }


def test_resume_after_sigkill_analyses_nothing_twice(client, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    palette = [videos.RED, videos.GREEN, videos.BLUE, videos.ORANGE, videos.TEAL, videos.WHITE]
    for i, colour in enumerate(palette):
        videos.make_video(folder / f"film{i}.mp4", videos.segments([(colour, 4.0)], 10), fps=10)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "fingerprint",
        "batch",
        str(folder),
        "--out",
        str(out),
        "--workers",
        "2",
        "--samples",
        str(PARAMS.samples),
        "--poster-size",
        "300x100",
    ]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((out / "films").glob("*.json")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # the client, partway
        proc.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its orphaned local workers
    finished = {p: p.stat().st_ino for p in (out / "films").glob("*.json")}
    assert finished  # killed partway, after at least one film

    summary = run_batch(find_films([folder]), out=out, client=client, params=PARAMS, output=OUTPUT)
    assert summary.count("failed") == 0
    assert summary.count("done") + summary.count("skipped") == len(palette)
    index = json.loads((out / "collection.json").read_text())
    assert len(index["films"]) == len(palette)
    for entry in index["films"]:
        analysed = [r for r in entry["runs"] if r["action"] == "analysed"]
        assert len(analysed) <= 1
        fp = Fingerprint.load(out / entry["files"]["json"])
        assert len(fp) == PARAMS.samples
        Image.open(out / entry["files"]["png"]).verify()
    for path, inode in finished.items():
        assert path.stat().st_ino == inode  # finished before the kill: never written again
    assert len(load_batch(out)) == len(palette)
    # The search index's rows lost with the killed client came back with the resume.
    indexed = read_index(out, moments=False).collection.films
    assert sorted(f.source for f in indexed) == sorted(e["source"] for e in index["films"])


def test_find_films_reads_lists_and_skips_the_output_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.mp4").write_bytes(b"")
    (tmp_path / "a" / "out").mkdir()
    (tmp_path / "a" / "out" / "old.mp4").write_bytes(b"")
    (tmp_path / "list.txt").write_text("# films\na/one.mp4\n\n/elsewhere/two.mkv\n")
    found = find_films(
        [tmp_path / "a", f"@{tmp_path / 'list.txt'}"], exclude=tmp_path / "a" / "out"
    )
    assert found == [tmp_path / "a" / "one.mp4", Path("/elsewhere/two.mkv")]
    with pytest.raises(InvalidParameterError):
        find_films([f"@{tmp_path / 'missing.txt'}"])


def test_films_whose_clustering_and_sound_print_would_fork_are_fingerprinted(client, tmp_path):
    """A Dask worker is a daemonic process, which multiprocessing forbids to have
    children: there the k-means workers (128 frames or more) and the sound print's child
    run in threads. Every such film failed with "daemonic processes are not allowed to
    have children" before."""
    (tmp_path / "films").mkdir()
    film = shutil.copy(clip("cars_30s_432p_h264.mp4"), tmp_path / "films")
    params = Params(samples=160, sound=True)
    summary = run_batch([Path(film)], out=tmp_path / "out", client=client, params=params,
                        output=OUTPUT)
    assert summary.line() == "1 done, 0 skipped, 0 failed"
    [entry] = json.loads((tmp_path / "out" / "collection.json").read_text())["films"]
    frames = json.loads((tmp_path / "out" / entry["files"]["json"]).read_text())["frames"]
    assert len(frames) == 160 and all(f["loudness"] is not None for f in frames)


def test_a_worker_counts_one_core_for_its_films(client, tmp_path):
    """Workers are one per core: a film's exact-mode decoders and k-means workers count
    one usable core in each, not every core of the machine each; after the film, the
    worker's process counts its cores again."""
    film = str(clip("synth_short_1s_240p_h264.mp4"))

    def run() -> tuple[list[int], int]:
        from fingerprint import _cores
        from fingerprint.decode import _sampling

        seen, real = [], _sampling.decoder_count

        def counted(mode):
            seen.append(_cores.usable_cores())
            return real(mode)

        _sampling.decoder_count = counted
        try:
            process_film(film, out=str(tmp_path / f"out-{os.getpid()}"), output=OUTPUT,
                         params=Params(samples=12, mode="exact"))
        finally:
            _sampling.decoder_count = real
        return seen, _cores.usable_cores()

    found = client.run(run)
    assert len(found) == 2 and all(seen == [1] for seen, _ in found.values())
    assert {after for _, after in found.values()} == {usable_cores()}


def test_workers_keep_glibcs_dynamic_mmap_threshold(client):
    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which doubled each film's CPU time
    # (bench/batch.py): the batch's workers run without it.
    found = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(found) == 2 and set(found.values()) == {None}
