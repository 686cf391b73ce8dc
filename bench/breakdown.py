"""Where fast mode's seconds go: the command line's own path, cold, stage by stage, and
FFmpeg's keyframe-only decode of the same film timed in the same run (issue 18 §1).

    python bench/breakdown.py FILM [--rounds 3] [--samples 1000] [--app OLD_CHECKOUT]
                              [--sound] [--no-stages] [--extra="--mode exact"]
                              [--no-ffmpeg | --full-decode]

Each round runs, one after the other and each in a fresh process with an empty cache:
1. ``ffmpeg -skip_frame nokey -i FILM -an -f null -`` (the FFmpeg binary of
   imageio-ffmpeg), the issue's reference for fast mode; with ``--full-decode``, FFmpeg's
   full decode instead (``-threads 0``, without ``-skip_frame``), §5's reference for
   exact mode and shots;
2. ``python -m fingerprint analyze FILM --out D --samples N --cache-dir EMPTY`` under
   ``/usr/bin/time``: the wall time, CPU and peak RSS users get;
3. with ``--app``, the same command on another checkout (alternated with this one);
   with ``--sound``, each checkout's command again with ``--sound`` (issue 18 §5: what
   the sound print adds); ``--extra`` adds arguments to every command (``--mode exact``,
   ``--shots``: issue 18 §5; ``--no-ffmpeg`` skips the reference);
4. the same command in a process that times each stage (below), whose own wall time is
   printed beside it so the instrumentation's cost shows.

The stages: interpreter start and imports (to the first line of ``main``), probe, the
decoders (wall, and their threads' CPU split into opening the file, seeking, reading
packets, decoding, scaling to RGB and holding frames compressed), unpacking the held
frames, bars/averages/histograms, k-means, the cache's writes, the output files. CPU is
per thread (`time.thread_time`), so it holds under load; wall times do not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the child: wraps the engine's stages with timers, then runs the command line.
_CHILD = r"""
import json, sys, threading, time
T0 = time.perf_counter()
sys.path.insert(0, {root!r})
from fingerprint.cli import main
import fingerprint._pipeline as pipeline
import fingerprint.cli._analyze as cli_analyze
import fingerprint.decode._reader as reader
import fingerprint.decode._sampling as sampling
import fingerprint.cache._cache as cache
import fingerprint.decode._frames as frames
IMPORTED = time.perf_counter()

wall, cpu, lock = {{}}, {{}}, threading.Lock()

def add(stage, seconds):
    with lock:
        cpu[stage] = cpu.get(stage, 0.0) + seconds

def timed(owner, name, stage, *, threads=False):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        w0, c0 = time.perf_counter(), time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            with lock:
                cpu[stage] = cpu.get(stage, 0.0) + time.thread_time() - c0
                if not threads:
                    wall[stage] = wall.get(stage, 0.0) + time.perf_counter() - w0
    setattr(owner, name, wrapper)

for name, stage in [("open_video", "decoders: open the file")]:
    timed(reader, name, stage, threads=True)
for name, stage in [("_seek", "decoders: seek"), ("_next_packet", "decoders: read packets"),
                    ("to_rgb", "decoders: scale to RGB")]:
    timed(reader.FrameReader, name, stage, threads=True)
# Decoding: the keyframe path, and the frames decoded forward (a generator, timed per frame).
timed(reader.FrameReader, "_keyframe", "decoders: decode", threads=True)
frames_inner = reader.decode_frames
def decode_frames(*args, **kwargs):
    it = frames_inner(*args, **kwargs)
    while True:
        c0 = time.thread_time()
        try:
            frame = next(it)
        except StopIteration:
            return
        finally:
            add("decoders: decode", time.thread_time() - c0)
        yield frame
reader.decode_frames = decode_frames
timed(sampling, "hold", "decoders: hold compressed", threads=True)
timed(sampling, "probe", "probe")
timed(pipeline, "_probe", "probe")
timed(frames.HeldFrames, "batch", "summary: unpack held frames", threads=True)
timed(pipeline, "frame_lines", "decoders: count bar lines", threads=True)
timed(pipeline, "_sample", "decode (wall, all of it)")
timed(pipeline, "summarise_samples", "bars, averages, histograms")
timed(pipeline, "fingerprint_summary", "k-means")
timed(cli_analyze, "write_outputs", "output files")
for name in ("save_info", "save_summary", "save_result"):
    timed(cache.Cache, name, "cache writes")
timed(cache, "write_frames", "cache writes")
T1 = time.perf_counter()
status = main({argv!r})
T2 = time.perf_counter()
import resource
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"status": status, "imports": IMPORTED - T0, "run": T2 - T1,
                  "process_cpu": use.ru_utime + use.ru_stime,
                  "peak_mb": use.ru_maxrss / 1024, "wall": wall, "cpu": cpu}}))
"""


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _timed(cmd: list[str], cwd: Path = ROOT) -> dict[str, float]:
    """Wall, CPU and peak RSS of a command, from GNU time."""
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, capture_output=True,
                         text=True, check=True, stdin=subprocess.DEVNULL)
    err = out.stderr

    def field(label: str) -> str:
        return re.search(rf"{re.escape(label)}: (.+)", err).group(1).strip()

    parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"wall": seconds,
            "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)")),
            "peak_mb": int(field("Maximum resident set size (kbytes)")) / 1024}


def _load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("film", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--app", type=Path, help="another checkout, run alternately")
    ap.add_argument("--sound", action="store_true",
                    help="also run each checkout with --sound, and print what it adds")
    ap.add_argument("--no-stages", action="store_true", help="skip the instrumented run")
    ap.add_argument("--extra", default="", help="more arguments for every analyze command")
    reference = ap.add_mutually_exclusive_group()
    reference.add_argument("--no-ffmpeg", action="store_true", help="skip FFmpeg's decode")
    reference.add_argument("--full-decode", action="store_true",
                           help="time FFmpeg's full decode, not its keyframes (§5)")
    args = ap.parse_args()
    what = "full decode" if args.full_decode else "keyframes"
    decode = ["-threads", "0"] if args.full_decode else ["-skip_frame", "nokey"]
    film = str(args.film.resolve())
    checkouts = [("now", ROOT)] + ([("other", args.app.resolve())] if args.app else [])
    for r in range(args.rounds):
        load = _load()
        ff = None
        if not args.no_ffmpeg:
            ff = _timed([_ffmpeg(), "-v", "error", *decode, "-i", film,
                         "-an", "-f", "null", "-"])
        print(f"round {r + 1}: " + ("" if ff is None else f"ffmpeg {what} {ff['wall']:.2f} "
              f"s wall, {ff['cpu']:.1f} s CPU ") + f"(load {load:.2f})", flush=True)
        for name, where in checkouts:
            plain = None
            for extra in ([], ["--sound"]) if args.sound else ([],):
                extra = [*args.extra.split(), *extra]
                with tempfile.TemporaryDirectory() as tmp:
                    load = _load()
                    run = _timed([sys.executable, "-m", "fingerprint", "analyze", film,
                                  "--out", f"{tmp}/out", "--samples", str(args.samples),
                                  "--cache-dir", f"{tmp}/cache", *extra], cwd=where)
                label = " ".join([name, *extra])
                ratio = "" if ff is None else f" = {run['wall'] / ff['wall']:.3f} x ffmpeg"
                print(f"  {label}: {run['wall']:.2f} s{ratio}, {run['cpu']:.1f} s CPU, "
                      f"{run['peak_mb']:.0f} MB (load {load:.2f})", flush=True)
                if plain is None:
                    plain = run
                else:
                    print(f"  {name}: the sound print adds {run['wall'] - plain['wall']:+.2f} s "
                          f"wall, {run['cpu'] - plain['cpu']:+.1f} s CPU", flush=True)
        if args.no_stages:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            argv = ["analyze", film, "--out", f"{tmp}/out", "--samples", str(args.samples),
                    "--cache-dir", f"{tmp}/cache", *args.extra.split()]
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT), argv=argv)],
                                 capture_output=True, text=True, check=True,
                                 stdin=subprocess.DEVNULL, cwd=ROOT)
            total = time.perf_counter() - t0
        got = json.loads(out.stdout.strip().splitlines()[-1])
        start = total - got["run"] - got["imports"]
        print(f"  stages (instrumented run, {total:.2f} s wall, {got['process_cpu']:.1f} s "
              f"CPU, {got['peak_mb']:.0f} MB):")
        print(f"    interpreter start {start:.2f} s, imports {got['imports']:.2f} s")
        for stage in sorted(set(got["wall"]) | set(got["cpu"])):
            w = got["wall"].get(stage)
            c = got["cpu"].get(stage, 0.0)
            shown = "" if w is None else f"{w:6.2f} s wall"
            print(f"    {stage:32s} {shown:>13s}  {c:6.2f} s CPU")
    if shutil.which("uptime"):
        print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
