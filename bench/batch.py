"""Throughput of `fingerprint batch` (2 Dask workers) against a plain loop of `analyze`,
the per-film cost a cluster plan needs, and the collection maths at 1,000 films.

Builds 22 films of mixed length (1 s to 139 s) in /tmp/bench-batch/films, once: the
repository's real clips (tests/data and demo/), and stream-copied cuts of the longer ones
(distinct bytes, so distinct content keys). Then, with the same options (1000 samples,
k = 5, fast mode):

- loop: ``analyze`` + the three output files, one film after another, in this process;
- batch: `connect(workers=2)` + `run_batch`, into a fresh folder (cluster start-up timed
  apart from the batch itself);
- feature film (when /tmp/bench-film/film_2h_1080p24_h264.mp4 exists, see
  bench/make-bench-film.sh): `process_film` in a fresh process, its run record
  (CPU seconds, bytes read, peak RSS);
- the distance matrix and MDS map of 1,000 random 8-colour film palettes.

    PYTHONPATH=. python bench/batch.py            # everything
    PYTHONPATH=. python bench/batch.py --maths    # only the collection maths
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from fingerprint import Params, analyze, content_key, probe
from fingerprint._outputs import Outputs, write_outputs
from fingerprint.collection._batch import connect, find_films, run_batch
from fingerprint.collection._collection import Collection, Film, distance_matrix, map_2d
from fingerprint.compare._compare import FilmPalette, film_palette
from fingerprint.model import VideoInfo

ROOT = Path(__file__).resolve().parent.parent
CLIPS = (ROOT / "tests" / "data", ROOT / "demo")  # the repository's real clips
FILMS = Path("/tmp/bench-batch/films")
FEATURE = Path("/tmp/bench-film/film_2h_1080p24_h264.mp4")
FF = imageio_ffmpeg.get_ffmpeg_exe()
PARAMS = Params()
OUTPUT = Outputs()
# (clip, start s, length s) cuts: mixed lengths from the three longer clips.
CUTS = [
    ("people_139s_432p_h264.mp4", 0, 120),
    ("people_139s_432p_h264.mp4", 10, 90),
    ("people_139s_432p_h264.mp4", 20, 60),
    ("people_139s_432p_h264.mp4", 40, 30),
    ("people_139s_432p_h264.mp4", 60, 10),
    ("cars_30s_432p_h264.mp4", 0, 20),
    ("cars_30s_432p_h264.mp4", 5, 10),
    ("cars_30s_432p_h264.mp4", 10, 5),
    ("bbb_30s_720p_vp8.webm", 0, 20),
    ("bbb_30s_720p_vp8.webm", 5, 10),
    ("bbb_30s_720p_vp8.webm", 10, 5),
]


def build() -> list[Path]:
    FILMS.mkdir(parents=True, exist_ok=True)
    for clip in sorted((p for folder in CLIPS for p in folder.iterdir()), key=lambda p: p.name):
        if clip.suffix in (".mp4", ".webm", ".mov", ".mkv") and not (FILMS / clip.name).exists():
            shutil.copy(clip, FILMS / clip.name)
    for clip, start, length in CUTS:
        target = FILMS / f"{Path(clip).stem}_cut{start}+{length}{Path(clip).suffix}"
        if not target.exists():
            subprocess.run(
                [
                    FF,
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-y",
                    "-ss",
                    str(start),
                    "-t",
                    str(length),
                    "-i",
                    str(FILMS / clip),  # copied above
                    "-c",
                    "copy",
                    str(target),
                ],
                check=True,
            )
    return find_films([FILMS])


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu() -> float:
    """CPU seconds of this process (all its threads) and of its children that ended: the
    k-means workers it forks (`palette._workers`) are not in `time.process_time`."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def loop(films: list[Path], out: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process and the children it forked)."""
    out.mkdir(parents=True)
    cpu = _cpu()
    started = time.perf_counter()
    for film in films:
        # The same work a batch task does for a film: its key, the analysis, the output
        # set (CSV, PNG, SVG, JSON) and the whole-film palette for the index.
        key = content_key(film)
        fp = analyze(film, params=PARAMS, cache=None)
        write_outputs(out / f"{film.stem}-{key}", fp, OUTPUT)
        film_palette(fp)
    return time.perf_counter() - started, _cpu() - cpu


def batch(films: list[Path], out: Path) -> tuple[float, float, list[dict]]:
    started = time.perf_counter()
    with connect(workers=2) as client:
        ready = time.perf_counter()
        summary = run_batch(films, out=out, client=client, params=PARAMS, output=OUTPUT)
        finished = time.perf_counter()
    assert summary.count("failed") == 0, summary.line()
    index = json.loads((out / "collection.json").read_text())
    return ready - started, finished - ready, [f["runs"][-1] for f in index["films"]]


def feature() -> dict | None:
    if not FEATURE.exists():
        return None
    code = (
        "import json,sys,tempfile;from fingerprint.collection._batch import process_film;"
        "from fingerprint._outputs import Outputs;"
        "from fingerprint import Params;"
        "o=process_film(sys.argv[1], out=tempfile.mkdtemp(), params=Params(), output=Outputs());"
        "print(json.dumps({'status': o.status, **o.record}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(FEATURE)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def maths(n: int = 1000) -> None:
    rng = np.random.default_rng(0)
    films = []
    info = VideoInfo("x", 1.0, None, None, 1, 1, "h264", "yuv420p", 0, 0)
    for _ in range(n):
        shares = -np.sort(-rng.dirichlet(np.ones(8)))
        palette = FilmPalette(colors=rng.integers(0, 256, (8, 3), dtype=np.uint8), shares=shares)
        films.append(Film(title="x", video=info, palette=palette, lightness=0, warmth=0))
    collection = Collection(tuple(films))
    print(f"load average before the matrix: {load()}")
    started = time.perf_counter()
    matrix = distance_matrix(collection)
    elapsed = time.perf_counter() - started
    print(f"distance matrix, {n} films ({n * (n - 1) // 2} pairs): {elapsed:.1f} s")
    started = time.perf_counter()
    map_2d(matrix)
    print(f"MDS map, {n} films: {time.perf_counter() - started:.1f} s; load after: {load()}")


def main() -> None:
    if "--maths" in sys.argv:
        maths()
        return
    films = build()
    seconds = sum(probe(f).duration for f in films)
    print(f"{len(films)} films, {seconds / 60:.1f} min of video in all, {PARAMS}")
    with tempfile.TemporaryDirectory() as tmp:
        print(f"load average before the loop: {load()}")
        looped, loop_cpu = loop(films, Path(tmp) / "loop")
        print(
            f"loop:  {looped:.1f} s = {len(films) / looped * 3600:.0f} films/hour, "
            f"{loop_cpu:.0f} CPU s; load {load()}"
        )
        start_up, batched, records = batch(films, Path(tmp) / "batch")
        per_hour = len(films) / batched * 3600
        print(
            f"batch: {batched:.1f} s = {per_hour:.0f} films/hour (+ {start_up:.1f} s cluster "
            f"start-up; with it {len(films) / (batched + start_up) * 3600:.0f} films/hour); "
            f"load {load()}"
        )
        print(
            f"batch time / loop time: {batched / looped:.2f} ({(batched + start_up) / looped:.2f} "
            f"with start-up)"
        )
        cpu = [r["cpu_seconds"] for r in records]
        print(
            f"CPU seconds in the films' tasks: {sum(cpu):.0f} "
            f"({sum(cpu) / loop_cpu:.2f} x the loop's; a load-independent view of overhead)"
        )
        rss = [r["peak_rss_bytes"] for r in records]
        read = [r["read_bytes"] for r in records]
        print(
            f"per film in the batch: CPU {np.mean(cpu):.1f} s mean, {max(cpu):.1f} s max; "
            f"read {np.mean(read) / 1e6:.1f} MB mean; worker peak RSS {max(rss) / 1e6:.0f} MB"
        )
    record = feature()
    if record:
        print(
            f"feature film ({FEATURE.name}): {record['seconds']:.1f} s wall, "
            f"{record['cpu_seconds']:.1f} s CPU, {record['read_bytes'] / 1e6:.0f} MB read, "
            f"peak RSS {record['peak_rss_bytes'] / 1e6:.0f} MB; load {load()}"
        )
    maths()


if __name__ == "__main__":
    main()
