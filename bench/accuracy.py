"""Palette accuracy against a reference k-means on the full-resolution frame.

For each real clip, our palettes (working size, batched k-means) are compared with
scikit-learn ``KMeans(n_clusters=k, n_init=10)`` fitted on every pixel of the
full-resolution frame shown at the same time, in the same colour space, after the same
black-bar crop. The distance is share-weighted: each of our colours is matched to the
nearest reference centre by ΔE2000 and weighted by its share.

    python bench/accuracy.py [--per-clip 8] [--clusters 5] [--color-space lab]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fingerprint import Params, analyze, frame_at, probe
from fingerprint.color import delta_e2000, rgb_to_lab

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def reference_palette(frame: np.ndarray, *, k: int, color_space: str) -> np.ndarray:
    """Reference centres as Lab, from every pixel of ``frame``."""
    pixels = frame.reshape(-1, 3)
    space = rgb_to_lab(pixels) if color_space == "lab" else pixels.astype(np.float32)
    centres = KMeans(n_clusters=k, n_init=10, random_state=0).fit(space).cluster_centers_
    if color_space == "lab":
        return centres.astype(np.float32)
    return rgb_to_lab(np.clip(np.round(centres), 0, 255).astype(np.uint8))


def weighted_distance(colors: np.ndarray, shares: np.ndarray, reference_lab: np.ndarray) -> float:
    ours = rgb_to_lab(colors)
    d = delta_e2000(ours[:, None, :], reference_lab[None, :, :]).min(axis=1)
    return float((d * shares).sum() / shares.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-clip", type=int, default=8)
    parser.add_argument("--clusters", type=int, default=5)
    parser.add_argument("--color-space", choices=["lab", "rgb"], default="lab")
    args = parser.parse_args()
    clips = sorted(p for p in DATA.iterdir() if p.suffix in {".mp4", ".mkv", ".mov", ".webm"})
    all_d = []
    for clip in clips:
        info = probe(clip)
        params = Params(
            samples=args.per_clip,
            clusters=args.clusters,
            color_space=args.color_space,
            mode="exact",
        )
        fp = analyze(clip, params=params, cache=None)
        crop = fp.crop or (0, 0, 0, 0)
        ds = []
        for i, t in enumerate(fp.times):
            full = frame_at(clip, float(t), size=max(info.width, info.height), info=info)
            h, w = full.shape[:2]
            top, bottom = round(crop[0] * h), h - round(crop[1] * h)
            left, right = round(crop[2] * w), w - round(crop[3] * w)
            ref = reference_palette(
                full[top:bottom, left:right], k=args.clusters, color_space=args.color_space
            )
            ds.append(weighted_distance(fp.colors[i], fp.shares[i], ref))
        all_d += ds
        print(f"{clip.name:42} mean ΔE2000 {np.mean(ds):5.2f}  max {np.max(ds):5.2f}")
    print(f"{'all clips':42} mean ΔE2000 {np.mean(all_d):5.2f}  (target ≤ 1.5)")


if __name__ == "__main__":
    main()
