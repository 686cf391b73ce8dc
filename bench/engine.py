"""Engine benchmarks: wall time and peak memory of fingerprinting a film.

Each measurement runs in a fresh child process, so its peak RSS is its own; its CPU time
(user + system, all threads, the whole process) is printed too, as a check on wall times
taken while the machine is shared.

    python bench/engine.py FILM                 # fast, exact, another k from the cache
    python bench/engine.py FILM --only fast --samples 1000
    python bench/engine.py FILM --ffmpeg        # also time `ffmpeg -i FILM -an -f null -`
    python bench/engine.py FILM --cancel-after 5 --only exact   # how fast a cancel stops

Figures go in docs/benchmarks.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from fingerprint import Cache, Params, analyze
from fingerprint._memory import limit_arenas
limit_arenas()  # as the command line and the app do at start-up
params = Params(samples={samples}, clusters={k}, mode={mode!r})
cache = Cache({cache!r}) if {cache!r} else None
t0 = time.perf_counter()
fp = analyze({film!r}, params=params, cache=cache)
wall = time.perf_counter() - t0
use = resource.getrusage(resource.RUSAGE_SELF)
rss, cpu = use.ru_maxrss / 1024, use.ru_utime + use.ru_stime
print(json.dumps({{"wall_s": round(wall, 2), "cpu_s": round(cpu, 1), "peak_rss_mb": round(rss),
                  "samples": len(fp)}}))
"""

# Cancels from another thread after a delay: how long until analyze() has raised, and
# whether any decoder thread is still running then.
_CANCEL = """
import json, sys, threading, time
sys.path.insert(0, {root!r})
from fingerprint import Cancelled, Params, analyze
from fingerprint.decode._sampling import DECODER_THREAD
cancel = threading.Event()
set_at = []
def later():
    time.sleep({after})
    set_at.append(time.perf_counter())
    cancel.set()
threading.Thread(target=later, daemon=True).start()
try:
    analyze({film!r}, params=Params(samples={samples}, clusters={k}, mode={mode!r}),
            cancel=cancel)
    print(json.dumps({{"cancelled": False}}))
except Cancelled:
    stopped = time.perf_counter() - set_at[0]
    alive = [t.name for t in threading.enumerate() if t.name.startswith(DECODER_THREAD)]
    print(json.dumps({{"cancelled": True, "stopped_after_s": round(stopped, 3),
                      "decoder_threads_alive": len(alive)}}))
"""


def cancel_after(film: str, *, mode: str, samples: int, k: int, after: float) -> dict:
    code = _CANCEL.format(root=str(ROOT), film=film, mode=mode, samples=samples, k=k,
                          after=after)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(film: str, *, mode: str, samples: int, k: int, cache: str | None) -> dict:
    code = _CHILD.format(root=str(ROOT), film=film, mode=mode, samples=samples, k=k, cache=cache)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ffmpeg_decode(film: str) -> float:
    import imageio_ffmpeg

    t0 = time.perf_counter()
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", film, "-an", "-f", "null", "-"],
        check=True,
    )
    return round(time.perf_counter() - t0, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("film")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--only", choices=["fast", "exact", "recluster"])
    parser.add_argument("--ffmpeg", action="store_true", help="also time a full ffmpeg decode")
    parser.add_argument("--cache", action="store_true", help="fast and exact with a cache")
    parser.add_argument("--cancel-after", type=float, metavar="S",
                        help="cancel each run after S seconds instead of timing it")
    args = parser.parse_args()
    print(
        f"# {platform.node()} {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"# film: {args.film} ({os.path.getsize(args.film) / 1e9:.2f} GB)")
    results = {}
    if args.cancel_after is not None:
        for mode in ("fast", "exact") if args.only is None else (args.only,):
            results[mode] = cancel_after(
                args.film, mode=mode, samples=args.samples, k=args.clusters,
                after=args.cancel_after,
            )
        print(json.dumps(results, indent=1))
        return
    with tempfile.TemporaryDirectory() as cache:
        for mode in ("fast", "exact"):
            if args.only in (None, mode):
                with tempfile.TemporaryDirectory() as fresh:
                    results[mode] = run(
                        args.film, mode=mode, samples=args.samples, k=args.clusters,
                        cache=fresh if args.cache else None,
                    )
        if args.only in (None, "recluster"):
            # Fill the cache with k, then time another k: it must not decode again.
            run(args.film, mode="fast", samples=args.samples, k=args.clusters, cache=cache)
            results["recluster"] = run(
                args.film, mode="fast", samples=args.samples, k=args.clusters + 2, cache=cache
            )
    if args.ffmpeg:
        results["ffmpeg_full_decode_s"] = ffmpeg_decode(args.film)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
