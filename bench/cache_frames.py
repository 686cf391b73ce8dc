"""How to store the cache's working-size frames: bytes per frame against save and load time.

Decodes each film's samples once (the engine's fast mode, 320 px), then writes and reads
them back with each candidate encoding, every one lossless (a re-clustered result must
equal a fresh one). Times are the best of ``--repeat`` runs, in this process.

    python bench/cache_frames.py                       # real clips, the demo films among them
    python bench/cache_frames.py FILM ... --samples 1000

Figures go in docs/benchmarks.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import zstandard

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fingerprint.cache._frames import read_compressed  # noqa: E402
from fingerprint.decode._sampling import sample  # noqa: E402

CLIPS = [
    ROOT / "demo" / "bbb_30s_720p_vp8.webm",
    ROOT / "tests" / "data" / "cars_30s_432p_h264.mp4",
    ROOT / "tests" / "data" / "synth_pillarbox_6s_360p_bw_h264.mp4",
    ROOT / "demo" / "flower_5s_540p_h264.mp4",
    ROOT / "demo" / "friday_6s_480p_bw_h264.mp4",
    ROOT / "tests" / "data" / "people_139s_432p_h264.mp4",
]


def _write(path: Path, frames: np.ndarray, *, method: int, level: int | None, delta: bool) -> None:
    with (
        zipfile.ZipFile(path, "w", compression=method, compresslevel=level) as zf,
        zf.open("frames.npy", "w", force_zip64=True) as fh,
    ):
        np.lib.format.write_array_header_2_0(fh, np.lib.format.header_data_from_array_1_0(frames))
        for lo in range(0, len(frames), 64):
            chunk = frames[lo : lo + 64]
            if delta:
                chunk = np.diff(chunk, axis=2, prepend=np.uint8(0))
            fh.write(np.ascontiguousarray(chunk).tobytes())


def _read(path: Path, *, delta: bool) -> np.ndarray:
    with np.load(path) as data:
        frames = data["frames"]
    if delta:
        np.add.accumulate(frames, axis=2, out=frames)
    return frames


def _write_zstd(path: Path, frames: np.ndarray, *, level: int, delta: bool) -> None:
    with open(path, "wb") as raw, zstandard.ZstdCompressor(level=level).stream_writer(raw) as fh:
        for lo in range(0, len(frames), 64):
            chunk = frames[lo : lo + 64]
            if delta:
                chunk = np.diff(chunk, axis=2, prepend=np.uint8(0))
            fh.write(np.ascontiguousarray(chunk).data)


def _read_zstd(path: Path, shape: tuple[int, ...], *, delta: bool) -> np.ndarray:
    frames = np.empty(shape, np.uint8)
    with open(path, "rb") as raw:
        if not read_compressed(raw, memoryview(frames).cast("B")):
            raise EOFError(f"{path} does not hold {shape} frames")
    if delta:
        np.add.accumulate(frames, axis=2, out=frames)
    return frames


METHODS = {
    "raw (np.savez)": (zipfile.ZIP_STORED, None, False),
    "deflate 1": (zipfile.ZIP_DEFLATED, 1, False),
    "deflate 6 (savez_compressed)": (zipfile.ZIP_DEFLATED, 6, False),
    "row delta + deflate 1": (zipfile.ZIP_DEFLATED, 1, True),
    "row delta + deflate 6": (zipfile.ZIP_DEFLATED, 6, True),
    "row delta + lzma": (zipfile.ZIP_LZMA, None, True),
    "zstd 1": ("zstd", 1, False),
    "row delta + zstd 1": ("zstd", 1, True),
    "row delta + zstd 3": ("zstd", 3, True),
    "row delta + zstd 6": ("zstd", 6, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("films", nargs="*", type=Path)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--methods", nargs="*", choices=list(METHODS))
    args = parser.parse_args()
    films = args.films or CLIPS
    print(
        f"# {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    totals: dict[str, list[float]] = {m: [0, 0.0, 0.0] for m in args.methods or METHODS}
    n_total = raw_total = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frames.npz"
        for film in films:
            frames = sample(film, count=args.samples, size=320).frames
            n = len(frames)
            n_total += n
            raw_total += frames.nbytes
            print(f"\n{film.name}: {n} frames of {frames.shape[2]}x{frames.shape[1]}")
            print(f"{'method':32} {'KB/frame':>9} {'ratio':>6} {'save ms/fr':>10} "
                  f"{'load ms/fr':>10}")
            for name in totals:
                method, level, delta = METHODS[name]
                save = load = float("inf")
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    if method == "zstd":
                        _write_zstd(path, frames, level=level, delta=delta)
                    else:
                        _write(path, frames, method=method, level=level, delta=delta)
                    save = min(save, time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    if method == "zstd":
                        back = _read_zstd(path, frames.shape, delta=delta)
                    else:
                        back = _read(path, delta=delta)
                    load = min(load, time.perf_counter() - t0)
                assert np.array_equal(back, frames), name
                size = path.stat().st_size
                totals[name][0] += size
                totals[name][1] += save
                totals[name][2] += load
                print(
                    f"{name:32} {size / n / 1e3:9.1f} {frames.nbytes / size:6.2f} "
                    f"{save / n * 1e3:10.3f} {load / n * 1e3:10.3f}"
                )
    # Clips differ in frame size: the summary scales each to a 320x180 frame (172.8 KB raw).
    print(f"\nall films ({n_total} frames), per 320x180 frame:")
    for name, (size, save, load) in totals.items():
        scale = 172_800 / raw_total
        print(f"{name:32} {size * scale / 1e3:9.1f} {raw_total / size:6.2f} "
              f"{save * scale * 1e3:10.3f} {load * scale * 1e3:10.3f}")


if __name__ == "__main__":
    main()
