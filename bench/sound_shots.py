"""What the optional layers cost: the sound print (fast and exact) and shot detection.

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own.
Reported per run: wall time, CPU time (user + system; on a shared machine the better
guide to what the work costs), peak RSS, and the load average before it. References on
the same film and span: FFmpeg decoding the whole sound track (``-vn -f null``) for the
sound print, and the whole picture (``-an -f null``) for shots; and `analyze` in fast mode
without and with the sound print, for what the sound print adds end to end.

    python bench/sound_shots.py FILM [--samples 1000] [--span SECONDS ...] [--only sound|shots]

``--span`` limits shot detection (and its FFmpeg reference) to the first SECONDS of the
film: memory that does not grow with length shows as the same peak for two spans.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _child(job: dict) -> dict:
    """Run one measurement in this process and report it."""
    from fingerprint.decode._sampling import sample_times
    from fingerprint.decode._video import probe
    from fingerprint.shots import detect_shots
    from fingerprint.sound._print import has_sound, loudness

    film = job["film"]
    info = probe(film)
    start = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    if job["what"] == "analyze":
        from fingerprint._memory import limit_arenas
        from fingerprint._pipeline import analyze
        from fingerprint.params import Params

        limit_arenas()  # as the command line and the app do at start-up
        fp = analyze(film, params=Params(samples=job["samples"], sound=job["sound"]))
        result = {"sound print": fp.loudness is not None}
    elif job["what"] == "sound":
        assert has_sound(film) is None
        times, slot = sample_times(info, count=job["samples"])
        levels = loudness(film, info=info, times=times, slot=slot, mode=job["mode"])
        result = {"measured": int((levels == levels).sum())}
    else:
        shots = detect_shots(film, info=info, end=job.get("span"))
        result = {"shots": len(shots)}
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return {
        **result,
        "wall": time.perf_counter() - start,
        "cpu": r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime,
        "peak_mb": r1.ru_maxrss / 1024,
    }


def _run(job: dict) -> dict:
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        check=True, capture_output=True, text=True,
    ).stdout
    return {**json.loads(out.splitlines()[-1]), "load": load}


def _ffmpeg(film: str, *flags: str) -> dict:
    import imageio_ffmpeg

    load = os.getloadavg()[0]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", *flags, "-i", film,
                    "-f", "null", "-"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": time.perf_counter() - start,
        "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
        # RUSAGE_CHILDREN's peak is the largest of every child so far: not FFmpeg's own.
        "peak_mb": float("nan"),
        "load": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("film", nargs="?")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--span", type=float, nargs="*", default=[None])
    parser.add_argument("--only", choices=("sound", "shots"))
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return
    film = str(Path(args.film).resolve())
    rows = []
    if args.only != "shots":
        for mode in ("fast", "exact"):
            job = {"what": "sound", "film": film, "mode": mode, "samples": args.samples}
            rows.append((f"sound print, {mode}, {args.samples} samples", _run(job)))
        rows.append(("ffmpeg -vn -f null - (whole sound track)", _ffmpeg(film, "-vn")))
        for sound in (False, True):
            job = {"what": "analyze", "film": film, "samples": args.samples, "sound": sound}
            label = "analyze(), fast" + (", sound=True" if sound else "") + ", no cache"
            rows.append((label, _run(job)))
    if args.only != "sound":
        for span in args.span:
            label = "whole film" if span is None else f"first {span:g} s"
            rows.append((f"shots, {label}", _run({"what": "shots", "film": film, "span": span})))
            flags = ["-an"] if span is None else ["-an", "-t", f"{span:g}"]
            rows.append((f"ffmpeg {' '.join(flags)} -f null - ({label})", _ffmpeg(film, *flags)))
    print("| run | wall s | CPU s | peak MB | load before | result |")
    print("|---|---|---|---|---|---|")
    for label, r in rows:
        extra = {k: v for k, v in r.items() if k not in ("wall", "cpu", "peak_mb", "load")}
        print(f"| {label} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_mb']:.0f} | "
              f"{r['load']:.1f} | {extra or ''} |")


if __name__ == "__main__":
    main()
