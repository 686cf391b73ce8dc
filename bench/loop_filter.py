"""What skipping the deblocking (loop) filter costs fast mode in colour, and saves in time.

Fast mode decodes keyframes with ``skip_loop_filter=all``. A keyframe references nothing,
so the skipped filter only changes that frame's own block edges. This decodes the same
keyframes both ways and compares the working-size frames, their average colours and their
palettes in ΔE2000.

    python bench/loop_filter.py FILM [--samples 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fingerprint.decode._reader as reader
import fingerprint.decode._sampling as sampling
from fingerprint import probe
from fingerprint.palette._color import average_color, delta_e2000, rgb_to_lab
from fingerprint.palette._kmeans import palettes


def decode(film: str, samples: int, *, skip: bool) -> tuple[np.ndarray, float]:
    original = reader.FrameReader.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        self.stream.codec_context.options = {"skip_loop_filter": "all" if skip else "default"}

    reader.FrameReader.__init__ = init
    try:
        t0 = time.perf_counter()
        result = sampling.sample(film, count=samples, mode="fast", workers=1)
        return result.frames, time.perf_counter() - t0
    finally:
        reader.FrameReader.__init__ = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("film")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    print(f"# {probe(args.film)}")
    with_filter, t_with = decode(args.film, args.samples, skip=False)
    without, t_without = decode(args.film, args.samples, skip=True)
    pixel = delta_e2000(rgb_to_lab(with_filter), rgb_to_lab(without))
    avg = delta_e2000(rgb_to_lab(average_color(with_filter)), rgb_to_lab(average_color(without)))
    ca, sa = palettes(with_filter, k=5)
    cb, _ = palettes(without, k=5)
    nearest = delta_e2000(rgb_to_lab(ca)[:, :, None], rgb_to_lab(cb)[:, None, :]).min(axis=2)
    palette = (nearest * sa).sum(axis=1)
    print(f"decode, one thread: with filter {t_with:.2f} s, skipped {t_without:.2f} s")
    print(
        f"per-pixel ΔE2000 at working size: mean {pixel.mean():.3f}, 99th pct "
        f"{np.percentile(pixel, 99):.3f}"
    )
    print(f"average colour ΔE2000: mean {avg.mean():.3f}, max {avg.max():.3f}")
    print(
        f"palette (share-weighted nearest) ΔE2000: mean {palette.mean():.3f}, "
        f"max {palette.max():.3f}"
    )


if __name__ == "__main__":
    main()
