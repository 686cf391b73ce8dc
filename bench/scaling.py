"""How fast-mode time and memory grow with film length and resolution.

Builds test films in /tmp/bench-film (once) from the 1080p benchmark piece, which
`bench/make-bench-film.sh` makes: a 60 s H.264 piece looped by stream copy to
10 minutes to 3 hours (the script's own 2-hour film stands for 120), and the same piece
re-encoded at 720p and 2160p, looped to 30 minutes. Then fingerprints each with 1000
samples, k=5, fast mode, each in a fresh process (see bench/engine.py), and prints the
load average before each run: the machine may be shared.

    python bench/scaling.py                    # every row
    python bench/scaling.py --minutes 45 120   # 1080p rows of these lengths only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import run

OUT = Path("/tmp/bench-film")
PIECE = OUT / "bbb_60s_1080p24_h264.mp4"
FILM_2H = OUT / "film_2h_1080p24_h264.mp4"
LENGTHS = (10, 15, 30, 45, 60, 90, 120, 180)
FF = imageio_ffmpeg.get_ffmpeg_exe()


def _ffmpeg(*args: str) -> None:
    subprocess.run([FF, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def looped(piece: Path, minutes: int) -> Path:
    if piece == PIECE and minutes == 120 and FILM_2H.exists():
        return FILM_2H
    film = OUT / f"{piece.stem}_x{minutes}.mp4"
    if not film.exists():
        _ffmpeg(
            "-stream_loop", str(minutes - 1), "-i", str(piece), "-map", "0", "-c", "copy", str(film)
        )
    return film


def rescaled(height: int) -> Path:
    piece = OUT / f"bbb_60s_{height}p24_h264.mp4"
    if not piece.exists():
        _ffmpeg(
            "-i",
            str(PIECE),
            "-vf",
            f"scale=-2:{height}:flags=bicubic",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            "-c:a",
            "copy",
            str(piece),
        )
    return piece


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="*", help="only these 1080p lengths")
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--cache", action="store_true", help="with a cache (the default path)")
    args = parser.parse_args()
    if not PIECE.exists():
        sys.exit(f"{PIECE} is missing: run bench/make-bench-film.sh first")
    rows = [("1080p", minutes, looped(PIECE, minutes)) for minutes in args.minutes or LENGTHS]
    if not args.minutes:
        for height in (720, 2160):
            rows.append((f"{height}p", 30, looped(rescaled(height), 30)))
    for label, minutes, film in rows:
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory() as cache:
            result = run(
                str(film), mode="fast", samples=args.samples, k=5,
                cache=cache if args.cache else None,
            )
        size_gb = film.stat().st_size / 1e9
        print(
            json.dumps(
                {"resolution": label, "minutes": minutes, "size_gb": round(size_gb, 2),
                 "load_1min": round(load, 2), **result}
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
