"""Calibrating the gap costs of sequence alignment (`fingerprint.compare._sequence`), and weighing
the other KALMUS measures, on synthetic films with known edits.

Films: 120 s of synthetic footage per seed (tests/synthetic_films.py: scenes, shots,
drift and sampling jitter like real fingerprints), sampled every 0.5 s, against eight
versions of it, each sampled afresh (other jitter, other instants):

- ``cut20``/``cut4``/``cut2``: 20, 4 or 2 s removed (edges off the sample grid);
- ``insert``: 10 s of other footage inserted;
- ``replace``: 10 s replaced by 10 s of other footage (a gap in each film);
- ``similar``: 10 s replaced by 10 s of the same footage from 30 s later (a scene of the
  same film: closer colours, harder to tell);
- ``same``: the whole footage again, 241 samples instead of 240 (no gap expected);
- ``clip``: a 20 s stretch, for the local alignment.

Each case's full matrix of exact distances is solved once and stands in for both the
bounds and the exact solves of `align_sequences` (which finds the alignment of the exact
distances either way), so the grid of parameters costs only the alignments.

For each (gap, gap_open) the table gives, over the edits: edits *missed* (no gap run
within 2 % of the film's length of the true run's edges), the *worst edge* error of those
found (s), *spurious* seconds of gap runs where there was no edit; over the clips: *local*
misses (the clip's stretch in the film off by more than two samples, 1 s, at either end)
and *stray* seconds: how far the global alignment's unmatched seconds are from exactly
the film around the clip (a clip's moment paired with a look-alike elsewhere, or left
unmatched).

Result (2026-12-06, 6 seeds, 8 edits each; abridged):

    gap  open | missed  worst edge (s)  spurious (s) | local misses  stray (s)
      2     5 |      1            2.45           6.0 |            4        1.0
      3    10 |      1            2.45           0.0 |            2        1.0
      4     0 |      3            2.95           3.5 |            0        0.0
      4    10 |      1            2.45           0.0 |            0        1.0
      5     0 |      3            2.95           3.0 |            0        0.0
      5    10 |      1            2.45           0.0 |            0        1.0   <- GAP, GAP_OPEN
      5    20 |      1            2.45           0.0 |            1        0.0
      6    10 |      1            2.45           0.0 |            0        1.0
      8    10 |      1            2.45           0.0 |            0        0.0
      8    40 |      1            2.45           0.0 |            0        0.0
     10    10 |      5            6.72           0.0 |            0        0.0
     12    10 |      7            4.74           0.0 |            0        0.0

The miss left from 3 to 8 is a 2-s cut inside a still shot, placed 2.45 s off (2.4 s
allowed): inside a still shot every place for it looks the same. Without an opening cost
runs split (spurious seconds); from 20 on, a clip's stretch stops at a shot change; from
gap 10, replaced scenes of similar colour are paired instead of marked. The module
docstring of `fingerprint.compare._sequence` says why 5 and 10.

Timing (``--timing``): two 1000-moment films (500 s of footage sampled every 0.5 s, and
the same with 30 s cut), then the worst case for the bounds, 1000 × 1000 moments whose
5000 colours are all distinct; wall and CPU time of each stage, and of Compare's exact
distance for 100 × 1000 pairs for comparison. On 2026-12-06, load 8 on the 2 cores:
align_sequences 1.22 s CPU (1.28 s wall) for 1000 × 940 moments, of which the bounds
1.04 s and each dynamic programme 0.02-0.03 s; 1.44 s CPU for the all-distinct case;
the exact distance 2.84 s CPU per 100 × 1000 pairs, so ~28 s for all of them.

Real films (``--real``): bbb_30s (600 and 577 samples) and people_139s (1000 and 973)
(from demo/ and tests/data), each analysed twice with other seeds, so at other
instants. A stretch of the first analysis' running time is cut from the second, and 10 % of the
second is aligned against the first as a clip. 2026-12-06: bbb's 10.0-15.0 s cut found
at 9.98-14.97 s, people's 55.8-72.5 s at 55.73-72.49 s; the clips, 16.5-19.5 s and
76.7-90.6 s, found at 16.50-19.50 s and 76.65-90.55 s (within a moment).

    python bench/sequence_gap.py [--seeds 6] [--kalmus] [--timing] [--real]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import fingerprint.compare._sequence as sequence  # noqa: E402
from fingerprint import Params, analyze  # noqa: E402
from fingerprint.compare._moment_costs import exact_distance, relaxed_distance  # noqa: E402
from fingerprint.compare._sequence import (  # noqa: E402
    GAP,
    GAP_OPEN,
    SequenceAlignment,
    align_sequences,
    default_step,
    moments,
)
from fingerprint.compare._sequence_dp import global_alignment, local_alignment  # noqa: E402
from fingerprint.model import Fingerprint  # noqa: E402
from fingerprint.palette import rgb_to_lab  # noqa: E402
from tests.support import clip as clip_path  # noqa: E402
from tests.support.fingerprints import make_fingerprint  # noqa: E402
from tests.support.synthetic_films import film, footage  # noqa: E402

GAPS = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0)
OPENS = (0.0, 5.0, 10.0, 20.0, 30.0, 40.0)
TOLERANCE = 0.02 * 120  # 2 % of the original's length
SAMPLE = 0.5


def scenarios(seed: int) -> dict[str, tuple]:
    """name -> (original, edited, true runs [(film, start, end)], true clip span or None)."""
    rng = np.random.default_rng(1000 + seed)
    source, other = footage(seed, 120.0), footage(500 + seed, 60.0)
    original = film([(source, 0, 120)], seed=10 * seed, name="original.mp4")
    at = float(rng.uniform(20, 80))
    out: dict[str, tuple] = {}
    for name, length in (("cut20", 20.0), ("cut4", 4.0), ("cut2", 2.0)):
        edited = film([(source, 0, at), (source, at + length, 120)], seed=10 * seed + 1)
        out[name] = (original, edited, [("a", at, at + length)], None)
    edited = film([(source, 0, at), (other, 20, 30), (source, at, 120)], seed=10 * seed + 2)
    out["insert"] = (original, edited, [("b", at, at + 10)], None)
    edited = film([(source, 0, at), (other, 20, 30), (source, at + 10, 120)],
                  seed=10 * seed + 3)
    out["replace"] = (original, edited, [("a", at, at + 10), ("b", at, at + 10)], None)
    edited = film([(source, 0, at), (source, at + 30, at + 40), (source, at + 10, 120)],
                  seed=10 * seed + 6)
    out["similar"] = (original, edited, [("a", at, at + 10), ("b", at, at + 10)], None)
    edited = film([(source, 0, 120)], spacing=120 / 241, seed=10 * seed + 4)
    out["same"] = (original, edited, [], None)
    clip = film([(source, at, at + 20)], seed=10 * seed + 5)
    # Globally, the film around the clip is unmatched: two runs.
    out["clip"] = (original, clip, [("a", 0, at), ("a", at + 20, 120)], (at, at + 20))
    return out


def judge(
    result: SequenceAlignment, runs: list, clip: tuple | None
) -> tuple[int, float, float, int]:
    """(missed, worst edge error of the found, spurious seconds, local misses)."""
    missed, worst, local_miss = 0, 0.0, 0
    claimed = np.zeros(len(result.gaps), bool)
    for film_, start, end in runs:
        near = [k for k, g in enumerate(result.gaps)
                if g.film == film_ and g.end > start - TOLERANCE and g.start < end + TOLERANCE]
        if not near:
            missed += 1
            continue
        claimed[near] = True
        lo = min(result.gaps[k].start for k in near)
        hi = max(result.gaps[k].end for k in near)
        error = max(abs(lo - start), abs(hi - end))
        worst = max(worst, error)
        missed += error > TOLERANCE
    spurious = sum(g.end - g.start for g, c in zip(result.gaps, claimed, strict=True) if not c)
    if clip is not None:
        found = result.local["a"] if result.local else (np.inf, np.inf)
        local_miss = int(max(abs(found[0] - clip[0]), abs(found[1] - clip[1])) > 2 * SAMPLE)
    return missed, worst, spurious, local_miss


def full_costs(a: Fingerprint, b: Fingerprint) -> np.ndarray:
    """Every exact distance between the two films' moments (n, m)."""
    step = default_step(a, b)
    (ia, _), (ib, _) = moments(a, step=step), moments(b, step=step)
    rows, cols = np.divmod(np.arange(len(ia) * len(ib)), len(ib))
    d = exact_distance(a.colors[ia], a.shares[ia], b.colors[ib], b.shares[ib], rows=rows,
                       cols=cols)
    return d.reshape(len(ia), len(ib))


def use(costs: np.ndarray) -> None:
    """Make `align_sequences` take its distances from ``costs``."""
    sequence.relaxed_distance = lambda *_: costs.copy()
    sequence.exact_distance = lambda *_, rows, cols: costs[rows, cols]


def calibrate(seeds: int) -> None:
    cases = [case for seed in range(seeds) for case in scenarios(seed).items()]
    started = time.perf_counter()
    costs = [full_costs(a, b) for _, (a, b, _, _) in cases]
    print(f"{len(cases)} cases ({seeds} seeds), exact distances in "
          f"{time.perf_counter() - started:.0f} s; tolerance {TOLERANCE:.1f} s")
    print("             edits:                                 | clips:")
    print("gap  open | missed  worst edge (s)  spurious (s) | local misses  stray (s)")
    for gap in GAPS:
        for gap_open in OPENS:
            tally = np.zeros(5)
            for (_, (a, b, runs, clip)), cost in zip(cases, costs, strict=True):
                use(cost)
                result = align_sequences(a, b, gap=gap, gap_open=gap_open)
                missed, worst, spurious, local_miss = judge(result, runs, clip)
                if clip is None:
                    tally[:3] += (missed, 0, spurious)
                    tally[1] = max(tally[1], worst)
                else:  # globally, the film around the clip should be all unmatched
                    around = sum(g.end - g.start for g in result.gaps if g.film == "a")
                    clip_alone = sum(g.end - g.start for g in result.gaps if g.film == "b")
                    tally[3:] += (local_miss, abs(around - (120 - 20)) + clip_alone)
            print(f"{gap:4.0f} {gap_open:5.0f} | {tally[0]:6.0f} {tally[1]:15.2f} "
                  f"{tally[2]:13.1f} | {tally[3]:12.0f} {tally[4]:10.1f}")


# --- the other KALMUS measures, on the same films --------------------------------------
def strip(fp: Fingerprint, bins: int = 240) -> np.ndarray:
    """The film's barcode as KALMUS compares them: each sample's share-weighted mean
    CIELAB colour, resampled to ``bins`` columns of relative time."""
    lab = rgb_to_lab(fp.colors).astype(np.float64)
    mean = (lab * fp.shares[..., None]).sum(axis=1)
    where = (np.arange(bins) + 0.5) / bins * len(mean)
    return np.stack([np.interp(where, np.arange(len(mean)) + 0.5, mean[:, c])
                     for c in range(3)], axis=1)


def nrmse(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((x - y) ** 2)) / (np.ptp(np.concatenate([x, y])) or 1.0))


def ssim(x: np.ndarray, y: np.ndarray, window: int = 7) -> float:
    """Mean SSIM of the lightness strips over sliding windows (Wang et al. 2004)."""
    x, y = x[:, 0], y[:, 0]
    c1, c2 = (0.01 * 100) ** 2, (0.03 * 100) ** 2
    kernel = np.ones(window) / window

    def smooth(v: np.ndarray) -> np.ndarray:
        return np.convolve(v, kernel, mode="valid")

    mx, my = smooth(x), smooth(y)
    vx, vy, cxy = smooth(x * x) - mx**2, smooth(y * y) - my**2, smooth(x * y) - mx * my
    return float(np.mean((2 * mx * my + c1) * (2 * cxy + c2)
                         / ((mx**2 + my**2 + c1) * (vx + vy + c2))))


def best_lag(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Normalised cross-correlation of the lightness of the two films' samples (same
    spacing): the lag (s, b behind a) where it peaks, and the peak."""
    x, y = strip(a, len(a))[:, 0], strip(b, len(b))[:, 0]
    x, y = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    corr = np.correlate(y, x, mode="full") / min(len(x), len(y))
    k = int(np.argmax(corr))
    return (k - (len(x) - 1)) * SAMPLE, float(corr[k])


def kalmus(seeds: int) -> None:
    print("\ncase      NRMSE   SSIM   xcorr lag (s)  peak | alignment gaps")
    for seed in range(seeds):
        for name, (a, b, runs, _) in scenarios(seed).items():
            if name == "clip":
                continue
            sa, sb = strip(a), strip(b)
            lag, peak = best_lag(a, b)
            gaps = ", ".join(f"{g.film} {g.start:.1f}-{g.end:.1f}"
                             for g in align_sequences(a, b).gaps)
            truth = ", ".join(f"{f} {s:.1f}-{e:.1f}" for f, s, e in runs)
            print(f"{name:8s} {nrmse(sa, sb):6.3f} {ssim(sa, sb):6.3f} {lag:10.1f} "
                  f"{peak:9.2f} | {gaps or '-'}  (true: {truth or '-'})")


def clock(what: str, work: Callable[[], object]) -> object:
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {what:48s} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    return out


def timing() -> None:
    source = footage(77, 500.0)
    a = film([(source, 0, 500)], seed=1)
    b = film([(source, 0, 200.3), (source, 230.3, 500)], seed=2)
    rng = np.random.default_rng(0)
    noise = [make_fingerprint(rng.integers(0, 256, (1000, 5, 3)), rng.dirichlet(np.ones(5), 1000),
                              duration=500.0) for _ in range(2)]
    for name, (x, y) in (("films, 30 s cut", (a, b)), ("all colours distinct", noise)):
        print(f"{name}: {len(x)} x {len(y)} samples, load {os.getloadavg()[0]:.1f}")
        cost = clock("relaxed_distance (bounds, every pair)",
                     lambda x=x, y=y: relaxed_distance(x.colors, x.shares, y.colors, y.shares))
        capped = np.minimum(cost, 2 * (GAP_OPEN + GAP))
        clock("global_alignment", lambda c=capped: global_alignment(c, gap=GAP, gap_open=GAP_OPEN))
        clock("local_alignment", lambda c=capped: local_alignment(c, gap=GAP / 2,
                                                                gap_open=GAP_OPEN, threshold=GAP))
        result = clock("align_sequences (all of it)", lambda x=x, y=y: align_sequences(x, y))
        print(f"  gaps: {[(g.film, round(g.start, 1), round(g.end, 1)) for g in result.gaps]}")
    rows, cols = np.divmod(np.arange(100 * 1000), 1000)
    clock("exact distance, 100 x 1000 pairs (x10 for all)",
          lambda: exact_distance(a.colors, a.shares, a.colors, a.shares, rows=rows, cols=cols))


def real() -> None:
    for clip, samples, (lo, hi) in (("bbb_30s_720p_vp8.webm", (600, 577), (200, 300)),
                                    ("people_139s_432p_h264.mp4", (1000, 973), (400, 520))):
        a, other = (analyze(clip_path(clip), params=Params(samples=n, seed=s))
                    for n, s in zip(samples, (0, 1), strict=True))
        t_lo, t_hi = float(a.times[lo]), float(a.times[hi])
        keep = (other.times < t_lo) | (other.times >= t_hi)
        cut = make_fingerprint(other.colors[keep], other.shares[keep],
                               duration=other.video.duration - (t_hi - t_lo))
        found = [(g.film, round(g.start, 2), round(g.end, 2))
                 for g in align_sequences(a, cut).gaps]
        print(f"{clip}: cut {t_lo:.2f}-{t_hi:.2f} s, found {found}")
        c0, c1 = int(len(other) * 0.55), int(len(other) * 0.65)
        part = make_fingerprint(other.colors[c0:c1], other.shares[c0:c1],
                                duration=float(other.times[c1] - other.times[c0]))
        local = align_sequences(a, part).local
        print(f"  clip {other.times[c0]:.2f}-{other.times[c1]:.2f} s, found at "
              f"{local['a'][0]:.2f}-{local['a'][1]:.2f} s" if local else "  clip not found")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--kalmus", action="store_true", help="only the KALMUS comparison")
    parser.add_argument("--timing", action="store_true", help="only the 1000 x 1000 timing")
    parser.add_argument("--real", action="store_true", help="only the real films")
    args = parser.parse_args()
    if args.timing or args.real:
        timing() if args.timing else real()
        sys.exit()
    if not args.kalmus:
        relaxed, exact = sequence.relaxed_distance, sequence.exact_distance
        calibrate(args.seeds)
        sequence.relaxed_distance, sequence.exact_distance = relaxed, exact
    kalmus(min(args.seeds, 3))
