"""What an analysis costs in memory by frame size, mode and shots: the model behind the
analysis queue's memory weights (`webapp.budget.analysis_mb`).

    python bench/job_memory.py                 # 480p, 1080p, 4K, 8K; fast, exact; shots
    python bench/job_memory.py --samples 40 --only 8k
    python bench/job_memory.py --film FILM --samples 3000 --mode fast   # the samples' cost

Synthetic H.264 clips (FFmpeg's testsrc2 with noise, 4 s at 24 fps, a keyframe every 2 s,
x264 ultrafast) are built once in /tmp/bench-film/synthetic. Each analysis runs in a fresh
child process as the app runs it (one malloc arena, a cache folder of its own, empty), and
reports its peak RSS above its RSS just before `analyze` (after a 2-sample analysis of
the 480p clip, so what the engine loads on first use is loaded): what the analysis adds
to a running server. The peak is the kernel's high-water
mark (VmHWM), reset through /proc/self/clear_refs before the analysis. Prints JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

ROOT = Path(__file__).resolve().parent.parent
CLIPS = Path("/tmp/bench-film/synthetic")
SIZES = {"480p": (854, 480), "1080p": (1920, 1080), "4k": (3840, 2160), "8k": (8192, 4320)}
SECONDS, FPS, GOP = 4, 24, 48

_CHILD = """
import json, sys, tempfile
sys.path.insert(0, {root!r})
from fingerprint import Cache, Params, analyze
from fingerprint._memory import limit_arenas
limit_arenas()
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
with tempfile.TemporaryDirectory() as folder:
    # A server has analysed before: what the engine loads on first use is loaded (on the
    # smallest clip, whose arenas stay small).
    analyze({warm!r}, params=Params(samples=2, mode={mode!r}, shots={shots}), cache=None)
    cache = Cache(folder)
    before = status("VmRSS:")
    open("/proc/self/clear_refs", "w").write("5")  # resets VmHWM to the current RSS
    analyze({film!r}, params=Params(samples={samples}, mode={mode!r}, shots={shots}),
            cache=cache)
    peak = status("VmHWM:")
print(json.dumps({{"before_mb": round(before), "peak_mb": round(peak),
                  "added_mb": round(peak - before)}}))
"""


def clip(name: str) -> Path:
    """The synthetic clip of that size, built once."""
    width, height = SIZES[name]
    path = CLIPS / f"testsrc2_{SECONDS}s_{name}_h264.mp4"
    if not path.is_file():
        CLIPS.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.mp4")
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f",
             "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={FPS}:duration={SECONDS}",
             "-vf", "noise=alls=20:allf=t", "-c:v", "libx264", "-preset", "ultrafast",
             "-g", str(GOP), "-pix_fmt", "yuv420p", "-y", str(partial)],
            check=True,
        )
        partial.rename(path)
    return path


def measure(film: Path, *, mode: str, samples: int, shots: bool) -> dict:
    code = _CHILD.format(root=str(ROOT), film=str(film), warm=str(clip("480p")),
                         samples=samples, mode=mode, shots=shots)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--only", choices=list(SIZES), action="append")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--film", type=Path, help="this film instead of the clips")
    parser.add_argument("--mode", choices=("fast", "exact"), action="append")
    args = parser.parse_args()
    print(json.dumps({"measure": "machine", "cores": os.cpu_count(),
                      "load_average": [round(x, 2) for x in os.getloadavg()]}), flush=True)
    runs = [("fast", False), ("exact", False), ("fast", True)]
    if args.mode:
        runs = [(mode, False) for mode in args.mode]
    if args.film:
        for mode, shots in runs:
            added = [measure(args.film, mode=mode, samples=args.samples, shots=shots)
                     for _ in range(args.repeat)]
            print(json.dumps({"measure": "analysis", "film": args.film.name, "mode": mode,
                              "samples": args.samples,
                              "added_mb": [a["added_mb"] for a in added]}), flush=True)
        return
    for name in args.only or SIZES:
        film = clip(name)
        for mode, shots in runs:
            added = [measure(film, mode=mode, samples=args.samples, shots=shots)
                     for _ in range(args.repeat)]
            print(json.dumps({
                "measure": "analysis", "size": name, "pixels": SIZES[name],
                "mode": mode, "shots": shots, "samples": args.samples,
                "added_mb": [a["added_mb"] for a in added],
                "before_mb": [a["before_mb"] for a in added],
            }), flush=True)
    print(json.dumps({"measure": "done",
                      "load_average": [round(x, 2) for x in os.getloadavg()]}), flush=True)


if __name__ == "__main__":
    main()
