"""How fast-mode time and memory grow with film length and resolution.

Builds test films in /tmp/bench-film (once) from the shared 1080p benchmark piece, which
`../shared/tools/make-bench-film.sh` makes: a 60 s H.264 piece looped by stream copy to
15, 30, 60 and 120 minutes, and the same piece re-encoded at 720p and 2160p, looped to
30 minutes. Then fingerprints each with 1000 samples, k=5, fast mode, each in a fresh
process (see bench/engine.py).

    python bench/scaling.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import run

OUT = Path("/tmp/bench-film")
PIECE = OUT / "bbb_60s_1080p24_h264.mp4"
FF = imageio_ffmpeg.get_ffmpeg_exe()


def _ffmpeg(*args: str) -> None:
    subprocess.run([FF, "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def looped(piece: Path, minutes: int) -> Path:
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
    if not PIECE.exists():
        sys.exit(f"{PIECE} is missing: run ../shared/tools/make-bench-film.sh first")
    rows = []
    for minutes in (15, 30, 60, 120):
        rows.append(("1080p", minutes, looped(PIECE, minutes)))
    for height in (720, 2160):
        rows.append((f"{height}p", 30, looped(rescaled(height), 30)))
    for label, minutes, film in rows:
        result = run(str(film), mode="fast", samples=1000, k=5, cache=None)
        size_gb = film.stat().st_size / 1e9
        print(
            json.dumps(
                {"resolution": label, "minutes": minutes, "size_gb": round(size_gb, 2), **result}
            )
        )


if __name__ == "__main__":
    main()
