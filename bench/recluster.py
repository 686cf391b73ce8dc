"""Another k or colour space from the cache: what a person waits for (issue 18 §3).

For each checkout given (``--tree``, default this one), a cache is filled once with the
film at ``--warm-k`` (its frames, and what that checkout keeps beside them); then, in
rounds, each checkout in turn runs each case with the cached results removed first, so
every run reclusters from what the cache keeps. Alternating the checkouts run by run
gives both the same share of whatever else the machine is doing. Two paths:

- **command line**: ``python -m fingerprint analyze FILM --out DIR --samples N -k K``
  (fresh process, from the checkout's root: interpreter start, imports, reclustering,
  result save, the four output files), wall time, CPU time (user + system, all threads)
  and peak RSS of that process;
- **engine** (``--engine``): `fingerprint.analyze` alone in a child process that
  has imported everything, timed from the call to the result: what the app reruns when
  its k slider or colour-space switch moves (the app's own redraw comes on top).

    python bench/recluster.py FILM [--tree DIR ...] [--cases 7 4 7:rgb] [--rounds 5]
                              [--samples 1000] [--warm-k 5] [--engine | --stages]

``--stages`` times a command-line run's stages in one process instead (imports, the
cache, loading, bars, k-means, average colours, result, output files).

Prints every run (with the 1-minute load average before it), then the median and range
per checkout and case. Figures go in docs/benchmarks.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_ENGINE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from fingerprint import Cache, Params, analyze
from fingerprint._memory import limit_arenas
limit_arenas()  # as the command line and the app do at start-up
cache = Cache({cache!r})
params = Params(samples={samples}, clusters={k}, color_space={space!r})
before = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
analyze({film!r}, params=params, cache=cache)
wall = time.perf_counter() - t0
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
print(json.dumps({{"wall": wall, "cpu": cpu, "rss": after.ru_maxrss / 1024}}))
"""


# Where a command-line run's time goes, stage by stage, in one process: what the command
# line does for another k, in its order (the checkout's own way: a checkout with colour
# summaries reclusters them; one without loads the frames, finds the bars and average
# colours, and clusters the frames).
_STAGES = """
import json, os, sys, tempfile, time
t0 = time.perf_counter(); c0 = time.process_time()
stages = []
def mark(name):
    global t0, c0
    t, c = time.perf_counter(), time.process_time()
    stages.append((name, t - t0, c - c0)); t0, c0 = t, c
sys.path.insert(0, {root!r})
import numpy
mark("import numpy")
import fingerprint.cli  # everything the command line imports
mark("import the command line")
from pathlib import Path
from fingerprint._outputs import Outputs, output_files
from fingerprint.cache import Cache
from fingerprint._files import check_file
from fingerprint.params import Params
import fingerprint._pipeline as pipeline
cache = Cache({cache!r})
key = cache.key(check_file({film!r}))
entry = cache.entry(key)
params, _ = Params(samples={samples}, clusters={k}, color_space={space!r}).fitted(entry.info)
cache.load_result(key, params)
mark("open the cache, find the film (no result)")
if hasattr(cache, "load_summary"):
    summary = cache.load_summary(key, params)
    mark("load the colour summary")
    fp = pipeline.fingerprint_summary(summary, info=entry.info, params=params)
    mark("palettes (k-means)")
else:
    from fingerprint.palette._bars import crop_frames, detect_bars
    from fingerprint.palette._color import average_color
    from fingerprint.palette._kmeans import palettes
    samples = cache.load_samples(key, params)
    mark("load the frames (Zstandard)")
    bars = detect_bars(samples.frames)
    mark("find the bars")
    content = crop_frames(samples.frames, bars)
    for lo in range(0, len(content), 100):
        palettes(content[lo : lo + 100], k=params.clusters, color_space=params.color_space,
                 seed=params.seed)
    mark("palettes (k-means)")
    average_color(content)
    mark("average colours")
    fp = pipeline.fingerprint_samples(samples, info=entry.info, params=params)
    t0, c0 = time.perf_counter(), time.process_time()  # done above, stage by stage
cache.save_result(key, fp)
mark("save the result (JSON)")
output_files(Path(tempfile.mkdtemp()) / "film", fp, Outputs())
mark("the four output files (CSV, PNG, SVG, JSON)")
print(json.dumps(stages))
"""


def stages(tree: Path, film: str, cache: Path, samples: int, k: int, space: str) -> list:
    code = _STAGES.format(root=str(tree), film=film, cache=str(cache), samples=samples, k=k,
                          space=space)
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def command(tree: Path, film: str, out: Path, cache: Path, samples: int, k: int,
            space: str) -> list[str]:
    return [sys.executable, "-m", "fingerprint", "analyze", film, "--out", str(out),
            "--samples", str(samples), "-k", str(k), "--color-space", space,
            "--cache-dir", str(cache)]


def timed(args: list[str], cwd: Path) -> dict[str, float]:
    """Wall, CPU (user + system) and peak RSS of one child process."""
    t0 = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(cwd)})
    _, status, use = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    err = child.stderr.read().decode() if child.stderr else ""
    if status:
        raise RuntimeError(f"{' '.join(args)} failed in {cwd}:\n{err}")
    return {"wall": wall, "cpu": use.ru_utime + use.ru_stime, "rss": use.ru_maxrss / 1024}


def engine(tree: Path, film: str, cache: Path, samples: int, k: int, space: str) -> dict:
    code = _ENGINE.format(root=str(tree), film=film, cache=str(cache), samples=samples, k=k,
                          space=space)
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def forget_results(cache: Path) -> None:
    for result in cache.glob("*/result-*.json"):
        result.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("film")
    parser.add_argument("--tree", type=Path, action="append",
                        help="a checkout to time (repeat to alternate several; default: this)")
    parser.add_argument("--cases", nargs="+", default=["7", "4"],
                        help="K or K:rgb / K:lab, each timed every round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--warm-k", type=int, default=5)
    parser.add_argument("--engine", action="store_true",
                        help="time analyze() in a child that has imported everything")
    parser.add_argument("--stages", action="store_true",
                        help="where a command-line run's time goes, stage by stage")
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    cases = [(int(c.split(":")[0]), c.split(":")[1] if ":" in c else "lab") for c in args.cases]
    print(f"# {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"film {args.film} ({os.path.getsize(args.film) / 1e9:.2f} GB)")
    work = Path(tempfile.mkdtemp(prefix="recluster-"))
    try:
        caches, out = {}, work / "out"
        for i, tree in enumerate(trees):
            caches[tree] = work / f"cache{i}"
            first = timed(command(tree, args.film, out, caches[tree], args.samples,
                                  args.warm_k, "lab"), tree)
            print(f"# {tree}: cache filled at k = {args.warm_k} in {first['wall']:.1f} s")
        runs: dict[tuple[Path, int, str], list[dict]] = {}
        for r in range(args.rounds):
            for k, space in cases:
                for tree in trees:
                    forget_results(caches[tree])
                    load = os.getloadavg()[0]
                    if args.stages:
                        parts = stages(tree, args.film, caches[tree], args.samples, k, space)
                        for name, wall, cpu in parts:
                            print(f"  {tree.name} k={k} {space}  {name:45} {wall:6.3f} s wall "
                                  f"{cpu:6.3f} s CPU")
                        got = {"wall": sum(p[1] for p in parts),
                               "cpu": sum(p[2] for p in parts), "rss": 0.0}
                    elif args.engine:
                        got = engine(tree, args.film, caches[tree], args.samples, k, space)
                    else:
                        got = timed(command(tree, args.film, out, caches[tree], args.samples,
                                            k, space), tree)
                    got["load"] = load
                    runs.setdefault((tree, k, space), []).append(got)
                    print(f"round {r + 1} k={k} {space} {tree.name}: {got['wall']:.2f} s wall, "
                          f"{got['cpu']:.2f} s CPU, {got['rss']:.0f} MB, load {load:.2f}",
                          flush=True)
        path = ("stages, summed" if args.stages else "analyze() in the app's process"
                if args.engine else "command line")
        print(f"\n{path}: median (range) of {args.rounds} runs")
        for (tree, k, space), got in runs.items():
            walls, cpus = [g["wall"] for g in got], [g["cpu"] for g in got]
            loads = [g["load"] for g in got]
            print(f"{tree}  k={k} {space}: wall {statistics.median(walls):.2f} s "
                  f"({min(walls):.2f}-{max(walls):.2f}), CPU {statistics.median(cpus):.2f} s "
                  f"({min(cpus):.2f}-{max(cpus):.2f}), peak {max(g['rss'] for g in got):.0f} MB,"
                  f" load {min(loads):.1f}-{max(loads):.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
