"""The sound print's loudness against FFmpeg's EBU R128 meter (the ``ebur128`` filter).

FFmpeg reports short-term loudness every 0.1 s over the 3 s before that time; this asks
`sound.loudness` (fast mode, 3 s windows) for the same windows at every fifth report from
3 s on, where the sound is above the floor, and prints the differences in LU.

    python bench/loudness_vs_ffmpeg.py FILM [FILM ...]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fingerprint.decode._video import probe
from fingerprint.sound._loudness import FLOOR
from fingerprint.sound._print import loudness

_REPORT = re.compile(r"t:\s*([\d.]+)\s+TARGET.*?S:\s*(-?[\d.]+|-inf)")


def main() -> None:
    for film in sys.argv[1:]:
        err = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-nostats", "-i", film, "-vn", "-af", "ebur128",
             "-f", "null", "-"], capture_output=True, text=True, check=True,
        ).stderr
        rows = np.array([(float(t), float(s)) for t, s in _REPORT.findall(err)])
        info = probe(film)
        keep = (rows[:, 0] >= 3.0) & (rows[:, 0] <= info.duration - 0.1) & (rows[:, 1] > FLOOR)
        rows = rows[keep][::5]
        if not len(rows):
            print(f"{Path(film).name}: no sound above {FLOOR} LUFS")
            continue
        # FFmpeg's value at t covers [t - 3, t]: ours centred on t - 1.5.
        ours = loudness(film, info=info, times=rows[:, 0] - 1.5, slot=3.0, mode="fast")
        diff = ours - rows[:, 1]
        print(f"{Path(film).name}: {len(diff)} windows, mean difference {diff.mean():+.2f} LU,"
              f" mean |difference| {np.abs(diff).mean():.2f} LU,"
              f" largest {np.abs(diff).max():.2f} LU")


if __name__ == "__main__":
    main()
