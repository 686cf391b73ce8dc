"""Peak memory and wall time of fingerprinting a film with the cache on (the default path).

Each case runs in a fresh process with an empty cache, so its peak RSS is its own:

    python bench/cache_memory.py FILM                 # cli, analyze + Cache(), --no-cache
    python bench/cache_memory.py FILM --only cli --samples 1000

``cli`` is ``fingerprint analyze FILM --out DIR --samples N`` (cache on), ``cache`` is
``analyze(FILM, cache=Cache(DIR))``, ``none`` is ``analyze(FILM)`` without a cache. Figures
go in docs/benchmarks.md with the command, the machine and the load average printed here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("cli", "cache", "none")


def child(case: str, film: str, samples: int, tmp: str) -> None:
    sys.path.insert(0, str(ROOT))
    from fingerprint import Cache, Params, analyze
    from fingerprint.cli._main import main

    t0 = time.perf_counter()
    if case == "cli":
        os.environ["FINGERPRINT_CACHE_DIR"] = str(Path(tmp) / "cache")
        code = main(["analyze", film, "--out", str(Path(tmp) / "out"), "--samples", str(samples)])
        assert code == 0, code
    else:
        cache = Cache(Path(tmp) / "cache") if case == "cache" else None
        analyze(film, params=Params(samples=samples), cache=cache)
    wall = time.perf_counter() - t0
    stored = sum(p.stat().st_size for p in Path(tmp).rglob("frames-*"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "wall_s": round(wall, 2), "peak_rss_mb": round(rss),
                      "frames_file_mb": round(stored / 1e6, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("film")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--only", choices=CASES)
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.film, args.samples, args.tmp)
        return
    print(
        f"# {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for case in [args.only] if args.only else CASES:
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [sys.executable, __file__, args.film, "--samples", str(args.samples),
                 "--child", case, "--tmp", tmp],
                capture_output=True, text=True, check=True,
            )
        print(out.stdout.strip().splitlines()[-1], f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
