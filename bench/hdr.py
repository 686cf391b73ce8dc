"""HDR and wide gamut: how true HDR renditions' colours come out, and what converting them
costs fast mode on a 4K HDR10 film.

    python bench/hdr.py curve                          # the tone curve's choices
    python bench/hdr.py accuracy [CLIP] [--out DIR]   # default: the demo flower clip
    python bench/hdr.py make-film SDR_FILM OUT [--minutes 30] [--from 20] [--piece 12]
    python bench/hdr.py cost FILM [--samples 1000]
    python bench/hdr.py keyframes FILM [--count 24]

``accuracy`` renders CLIP (SDR) as HDR10 (PQ, reference white at 203 cd/m², BT.2408, with
FFmpeg's zscale), as HLG (BT.2100's OOTF for a 1000 cd/m² display, in numpy: zscale
applies HLG's OOTF per channel, not on luminance as BT.2100 says), as HLG the zscale way,
and as wide-gamut SDR (BT.2020 primaries, BT.709 transfer); plus a 10-bit SDR control
through the same encoder, the floor every rendition's figures sit on. Each is
fingerprinted (default parameters) with and without the conversion, and compared with the
SDR clip's fingerprint in ΔE2000: average colour (mean over samples) and palette (each
SDR colour matched to the nearest rendition colour, weighted by its share, as the issue's
figures were measured), and also the palettes' earth mover's distance.

``curve`` prints, for knees and sharpnesses of the tone curve, the 8-bit SDR grey that
PQ greys of 100 to 10,000 cd/m² become (203 cd/m² is reference white).

``make-film`` renders a piece of an SDR film as 4K HDR10 (HEVC Main 10, keyframes every
2 s) and loops it by stream copy to the length asked. ``cost`` times fast mode's decoding of FILM
with and without the conversion, alternating runs, and prints wall and CPU seconds.
``keyframes`` splits one keyframe's cost: decode, RGB read as SDR, RGB converted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fingerprint.decode._hdr as hdr
import fingerprint.decode._reader as reader
import fingerprint.decode._sampling as sampling
from fingerprint import Params, analyze, probe
from fingerprint.compare._compare import palette_distance
from fingerprint.palette._color import delta_e2000, rgb_to_lab

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
FLOWER = Path(__file__).resolve().parent.parent / "demo" / "flower_5s_540p_h264.mp4"
X265 = ["-c:v", "libx265", "-crf", "12", "-preset", "fast", "-x265-params", "log-level=error"]
# zscale's names for the matrices probe reports for SDR sources.
ZSCALE_MATRIX = {"smpte170m": "170m", "bt470bg": "470bg", "bt709": "709", None: "709"}
BT2020_LUMA = np.array([0.2627, 0.6780, 0.0593])


def _source_filter(matrix: str | None) -> str:
    """SDR input read the way the engine reads it: its matrix, BT.709 primaries and the
    BT.1886 display EOTF (zscale's display-referred BT.709)."""
    return f"zscale=tin=bt709:pin=bt709:min={ZSCALE_MATRIX.get(matrix, '709')}:rin=tv"


def _tags(transfer: str, primaries: str = "bt2020", matrix: str = "bt2020nc") -> list[str]:
    return ["-color_primaries", primaries, "-color_trc", transfer, "-colorspace", matrix]


def render_zscale(src: Path, dst: Path, *, transfer: str, primaries: str = "bt2020") -> Path:
    """SDR ``src`` through linear light to ``transfer``/``primaries``, 10-bit HEVC."""
    matrix = "bt2020nc" if primaries == "bt2020" else "bt709"
    chain = (
        f"{_source_filter(probe(src).matrix)}:t=linear,format=gbrpf32le,"
        f"zscale=p={primaries}:t={transfer}:m={matrix}:r=tv:npl=203,format=yuv420p10le"
    )
    subprocess.run(
        [FFMPEG, "-loglevel", "error", "-y", "-i", str(src), "-an", "-vf", chain, *X265,
         *_tags(transfer, primaries, matrix), str(dst)],
        check=True,
    )
    return dst


def hlg_signal(display: np.ndarray) -> np.ndarray:
    """BT.2100 HLG signal for display light (planar (3, ...) BT.2020, 1.0 = 203 cd/m²) on
    a 1000 cd/m² display: the OOTF's inverse on luminance, then the OETF."""
    nits = np.maximum(display, 0) * 203.0
    y_display = np.tensordot(BT2020_LUMA, nits, axes=1)
    y_scene = (y_display / 1000.0) ** (1 / 1.2)
    with np.errstate(divide="ignore", invalid="ignore"):
        scene = np.where(y_scene > 0, nits / (1000.0 * y_scene ** 0.2), 0.0)
    scene = np.clip(scene, 0, 1)
    a, b, c = 0.17883277, 0.28466892, 0.55991073
    return np.where(
        scene <= 1 / 12, np.sqrt(3 * scene), a * np.log(np.maximum(12 * scene - b, 1e-12)) + c
    )


def render_hlg(src: Path, dst: Path) -> Path:
    """SDR ``src`` as BT.2100 HLG, frame by frame through numpy."""
    info = probe(src)
    w, h = info.width, info.height
    decode = subprocess.Popen(
        [FFMPEG, "-loglevel", "error", "-i", str(src), "-an", "-vf",
         f"{_source_filter(info.matrix)}:t=linear,format=gbrpf32le,zscale=p=bt2020,"
         "format=gbrpf32le", "-f", "rawvideo", "-"],
        stdout=subprocess.PIPE,
    )
    encode = subprocess.Popen(
        [FFMPEG, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gbrpf32le",
         "-s", f"{w}x{h}", "-r", str(info.fps or 25), "-i", "-", "-vf",
         "setparams=color_trc=arib-std-b67:color_primaries=bt2020:colorspace=gbr:range=pc,"
         "zscale=m=bt2020nc:r=tv,format=yuv420p10le", *X265, *_tags("arib-std-b67"),
         str(dst)],
        stdin=subprocess.PIPE,
    )
    size = 3 * w * h * 4
    while chunk := decode.stdout.read(size):
        gbr = np.frombuffer(chunk, np.float32).reshape(3, h, w)
        rgb = gbr[[2, 0, 1]]
        signal = hlg_signal(rgb.astype(np.float64))[[1, 2, 0]]  # back to G, B, R planes
        encode.stdin.write(signal.astype(np.float32).tobytes())
    encode.stdin.close()
    if decode.wait() or encode.wait():
        raise RuntimeError("ffmpeg failed")
    return dst


def renditions(src: Path, folder: Path) -> dict[str, Path]:
    return {
        "SDR 10-bit (control)": render_zscale(
            src, folder / "sdr10.mp4", transfer="bt709", primaries="bt709"
        ),
        "HDR10 (PQ)": render_zscale(src, folder / "pq.mp4", transfer="smpte2084"),
        "HLG (BT.2100)": render_hlg(src, folder / "hlg.mp4"),
        "HLG (zscale)": render_zscale(src, folder / "hlg_zscale.mp4", transfer="arib-std-b67"),
        "wide-gamut SDR": render_zscale(src, folder / "wide.mp4", transfer="bt709"),
    }


def _without_conversion():
    """Decode as before this change: every stream read as SDR BT.709."""
    original = reader.needs_conversion
    reader.needs_conversion = lambda **_: False
    return original


def fingerprint(path: Path, *, convert: bool):
    original = None if convert else _without_conversion()
    try:
        return analyze(path, params=Params())
    finally:
        if original is not None:
            reader.needs_conversion = original


def distances(ref, fp) -> tuple[float, float, float]:
    avg = delta_e2000(rgb_to_lab(ref.average).astype(float), rgb_to_lab(fp.average).astype(float))
    lab_r, lab_f = rgb_to_lab(ref.colors).astype(float), rgb_to_lab(fp.colors).astype(float)
    nearest = delta_e2000(lab_r[:, :, None], lab_f[:, None, :]).min(axis=2)
    matched = (nearest * ref.shares).sum(axis=1)
    emd = palette_distance(ref.colors, ref.shares, fp.colors, fp.shares)
    return float(avg.mean()), float(matched.mean()), float(emd.mean())


def accuracy(clip: Path, folder: Path) -> None:
    ref = fingerprint(clip, convert=True)
    print(f"# {clip.name}: {len(ref)} samples, default parameters; ΔE2000 to the SDR clip")
    print("| rendition | before: average | palette (matched) | palette (EMD) "
          "| after: average | palette (matched) | palette (EMD) |")
    print("|---|---|---|---|---|---|---|")
    for name, path in renditions(clip, folder).items():
        before = distances(ref, fingerprint(path, convert=False))
        after = distances(ref, fingerprint(path, convert=True))
        cells = " | ".join(f"{v:.2f}" for v in (*before, *after))
        print(f"| {name} | {cells} |", flush=True)


def curve() -> None:
    nits = np.array([100, 150, 180, 203, 250, 300, 400, 1000, 4000, 10000], float)
    codes = np.uint16(np.rint(hdr._nits_to_pq(nits) * 65535))
    grey = np.repeat(codes[:, None], 3, axis=1).reshape(1, -1, 3)
    print("| knee | sharpness | " + " | ".join(f"{n:g}" for n in nits) + " |")
    print("|---|---|" + "---|" * len(nits))
    chosen = hdr._TONE_KNEE, hdr._TONE_SHARPNESS
    try:
        for knee in (0.6, 0.7, 0.8, 0.9):
            for sharpness in (2.0, 4.0):
                hdr._TONE_KNEE, hdr._TONE_SHARPNESS = knee, sharpness
                out = hdr.to_sdr(grey, transfer="smpte2084", primaries="bt2020")[0, :, 0]
                print(f"| {knee} | {sharpness:g} | " + " | ".join(map(str, out)) + " |")
    finally:
        hdr._TONE_KNEE, hdr._TONE_SHARPNESS = chosen


def make_film(src: Path, dst: Path, minutes: float, *, start: float, piece: float) -> None:
    """``piece`` seconds of ``src`` from ``start``, converted to PQ at its own size (zscale,
    in float), scaled to 2160p in 10 bits (swscale: 4x cheaper than converting at 4K) and
    encoded as HEVC Main 10 with keyframes every 2 s, then looped by stream copy."""
    part = dst.with_name(dst.stem + ".piece.mp4")
    chain = (
        f"{_source_filter(probe(src).matrix)}:t=linear,format=gbrpf32le,"
        "zscale=p=bt2020:t=smpte2084:m=bt2020nc:r=tv:npl=203,format=yuv420p10le,"
        "scale=3840:2160:flags=bicubic"
    )
    subprocess.run(
        [FFMPEG, "-loglevel", "error", "-y", "-ss", str(start), "-t", str(piece), "-i", str(src),
         "-an", "-vf", chain, "-c:v", "libx265", "-preset", "ultrafast", "-crf", "20",
         "-x265-params", "log-level=error:keyint=48:min-keyint=48:hdr10=1:repeat-headers=1",
         *_tags("smpte2084"), "-tag:v", "hvc1", str(part)],
        check=True,
    )
    loops = max(0, int(np.ceil(minutes * 60 / probe(part).duration)) - 1)
    subprocess.run(
        [FFMPEG, "-loglevel", "error", "-y", "-stream_loop", str(loops), "-i", str(part),
         "-c", "copy", "-t", str(minutes * 60), str(dst)],
        check=True,
    )


def cost(film: Path, samples: int, rounds: int) -> None:
    info = probe(film)
    print(f"# {film.name}: {info.width}x{info.height} {info.codec} {info.pix_fmt}, "
          f"{info.duration / 60:.1f} min, {info.transfer}/{info.primaries}; fast mode, "
          f"{samples} samples, 2 decoders; load average before {os.getloadavg()}")
    times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(rounds):
        for convert in (False, True):
            original = None if convert else _without_conversion()
            try:
                wall, cpu = time.perf_counter(), time.process_time()
                sampling.sample(film, count=samples, mode="fast", info=info)
                times[convert].append((time.perf_counter() - wall, time.process_time() - cpu))
            finally:
                if original is not None:
                    reader.needs_conversion = original
    for convert, runs in times.items():
        label = "tone-mapped" if convert else "read as SDR"
        walls, cpus = zip(*runs, strict=True)
        print(f"{label}: wall {min(walls):.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)}), "
              f"CPU {min(cpus):.1f} s (runs {', '.join(f'{c:.1f}' for c in cpus)})")
    base, conv = min(c for _, c in times[False]), min(c for _, c in times[True])
    print(f"added CPU: {100 * (conv / base - 1):.1f} %; load average after {os.getloadavg()}")


def keyframes(film: Path, count: int) -> None:
    import av

    with av.open(str(film)) as container:
        stream = container.streams.video[0]
        cc = stream.codec_context
        cc.thread_type, cc.thread_count, cc.skip_frame = "NONE", 1, "NONKEY"
        cc.options = {"skip_loop_filter": "all"}  # as fast mode decodes
        frames, cpu = [], time.process_time()
        for frame in container.decode(stream):
            frames.append(frame)
            if len(frames) == count:
                break
        decode = (time.process_time() - cpu) / len(frames)
    info = probe(film)
    width, height = sampling.working_size(info, Params().size)

    def convert(convert: bool) -> float:
        original = None if convert else _without_conversion()
        try:
            best = np.inf
            for _ in range(3):
                cpu = time.process_time()
                for frame in frames:
                    reader.frame_to_rgb(frame, width=width, height=height)
                best = min(best, (time.process_time() - cpu) / len(frames))
            return best
        finally:
            if original is not None:
                reader.needs_conversion = original

    plain, converted = convert(False), convert(True)
    print(f"# {film.name}, {len(frames)} keyframes, one thread, CPU per keyframe; load "
          f"average {os.getloadavg()}")
    print(f"decode {1e3 * decode:.1f} ms; to {width}x{height} RGB read as SDR "
          f"{1e3 * plain:.2f} ms, converted {1e3 * converted:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("curve")
    acc = sub.add_parser("accuracy")
    acc.add_argument("clip", nargs="?", type=Path, default=FLOWER)
    acc.add_argument("--out", type=Path)
    film = sub.add_parser("make-film")
    film.add_argument("source", type=Path)
    film.add_argument("out", type=Path)
    film.add_argument("--minutes", type=float, default=30.0)
    film.add_argument("--from", dest="start", type=float, default=20.0)
    film.add_argument("--piece", type=float, default=12.0)
    timing = sub.add_parser("cost")
    timing.add_argument("film", type=Path)
    timing.add_argument("--samples", type=int, default=1000)
    timing.add_argument("--rounds", type=int, default=2)
    keys = sub.add_parser("keyframes")
    keys.add_argument("film", type=Path)
    keys.add_argument("--count", type=int, default=24)
    args = parser.parse_args()
    if args.command == "keyframes":
        keyframes(args.film, args.count)
    elif args.command == "curve":
        curve()
    elif args.command == "accuracy":
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            accuracy(args.clip, args.out)
        else:
            with tempfile.TemporaryDirectory() as folder:
                accuracy(args.clip, Path(folder))
    elif args.command == "make-film":
        make_film(args.source, args.out, args.minutes, start=args.start, piece=args.piece)
    else:
        cost(args.film, args.samples, args.rounds)


if __name__ == "__main__":
    main()
