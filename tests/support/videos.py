"""Tiny synthetic videos with known answers, written with PyAV.

Every maker returns the path it wrote. Frames are RGB ``(H, W, 3)`` uint8 arrays; sizes are
kept small (about 160x90) and films short so the whole suite stays fast. Dimensions and bar
widths are even, so 4:2:0 chroma subsampling never straddles a known edge.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)
ORANGE = (230, 120, 30)
TEAL = (20, 150, 160)

SIZE = (160, 90)  # (width, height)
CODE_BITS = 8  # frame-index code: 8 vertical blocks, 20 px each at 160 px wide


def solid(colour: Sequence[int], size: tuple[int, int] = SIZE) -> np.ndarray:
    """A frame of one colour."""
    width, height = size
    return np.broadcast_to(np.array(colour, np.uint8), (height, width, 3)).copy()


def split(
    left: Sequence[int], right: Sequence[int], fraction: float = 0.8,
    size: tuple[int, int] = SIZE,
) -> np.ndarray:
    """``left`` on the first ``fraction`` of the width, ``right`` on the rest."""
    frame = solid(right, size)
    frame[:, : round(size[0] * fraction)] = left
    return frame


def letterbox(
    content: np.ndarray, bar: int, *, sides: bool = False, colour: Sequence[int] = BLACK
) -> np.ndarray:
    """``content`` with ``bar`` px of ``colour`` added top and bottom (left and right when
    ``sides``)."""
    h, w = content.shape[:2]
    if sides:
        frame = solid(colour, (w + 2 * bar, h))
        frame[:, bar : bar + w] = content
    else:
        frame = solid(colour, (w, h + 2 * bar))
        frame[bar : bar + h] = content
    return frame


def code_frame(index: int, size: tuple[int, int] = SIZE) -> np.ndarray:
    """A frame that encodes ``index`` in binary: block ``b`` (of `CODE_BITS` vertical
    blocks, least significant first, left to right) is white when bit ``b`` is set."""
    width, height = size
    frame = np.zeros((height, width, 3), np.uint8)
    block = width // CODE_BITS
    for b in range(CODE_BITS):
        if (index >> b) & 1:
            frame[:, b * block : (b + 1) * block] = 255
    return frame


def read_code(frame: np.ndarray) -> int:
    """The index `code_frame` wrote, read back from a decoded (possibly scaled) frame."""
    width = frame.shape[1]
    block = width / CODE_BITS
    value = 0
    for b in range(CODE_BITS):
        # The middle half of each block, away from the edges scaling and chroma blur.
        lo, hi = round((b + 0.25) * block), round((b + 0.75) * block)
        if frame[:, lo:hi].mean() > 128:
            value |= 1 << b
    return value


def segments(parts: Iterable[tuple[Sequence[int], float]], fps: int, size=SIZE) -> list[np.ndarray]:
    """Solid colours for given durations: ``[(RED, 2.0), (GREEN, 2.0)]``."""
    frames = []
    for colour, seconds in parts:
        frames += [solid(colour, size)] * round(seconds * fps)
    return frames


class _Unseekable(io.RawIOBase):
    """A write-only file the muxer cannot seek back in, like a pipe: Matroska/WebM then
    never go back to write the duration into the header."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data) -> int:
        return self.fh.write(data)


def make_video(
    path: str | Path,
    frames: Sequence[np.ndarray],
    *,
    fps: int = 10,
    codec: str = "libx264",
    gop: int | None = None,
    rotation: float | None = None,
    sar: tuple[int, int] | None = None,
    fmt: str | None = None,
    seekable: bool = True,
    options: dict[str, str] | None = None,
    times: Sequence[float] | None = None,
    bframes: int = 0,
) -> Path:
    """Encode ``frames`` at ``fps`` (frame ``i`` at ``i / fps`` s).

    ``gop``: keyframe interval in frames (1: every frame a keyframe; larger than the film:
    one keyframe only); None leaves the encoder's default. ``rotation``: display-matrix
    rotation in degrees, counter-clockwise as FFmpeg's ``av_display_rotation_set``.
    ``sar``: sample aspect ratio. ``seekable=False`` writes through a pipe-like object, so
    the container carries no duration. ``times``: each frame's time in seconds, for a
    variable frame rate (millisecond clock; ``fps`` is then ignored). ``bframes``: B-frames
    between references (x264), so some frames are non-reference and shown out of order.
    """
    if times is not None:
        assert len(times) == len(frames)
        fps = 1000
    path = Path(path)
    height, width = frames[0].shape[:2]
    opts: dict[str, str] = {}
    if codec == "libx264":
        # Near-lossless, no B-frames: decoded colours are the encoded ones within a code.
        opts.update({"crf": "10", "bf": str(bframes), "preset": "veryfast"})
        if bframes:
            opts["b-pyramid"] = "none"  # every B-frame non-reference
    elif codec == "libvpx":
        opts.update({"crf": "4", "b": "2M"})
    elif codec in ("mpeg4", "mpeg2video"):
        opts.update({"qscale": "2"})
    if gop is not None:
        opts.update({"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0"})
    opts.update(options or {})

    def write(target) -> None:
        with av.open(target, "w", format=fmt) as container:
            stream = container.add_stream(codec, rate=fps)
            stream.width, stream.height = width, height
            stream.pix_fmt = "yuv420p"
            if gop is not None:
                stream.codec_context.gop_size = gop
            stream.options = opts
            if sar is not None:
                stream.codec_context.sample_aspect_ratio = Fraction(*sar)
            if rotation is not None:
                stream.set_display_rotation(rotation)
            for i, rgb in enumerate(frames):
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
                frame.pts = i if times is None else round(times[i] * 1000)
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)

    with _scheduling_kept():
        if seekable:
            write(str(path))
        else:
            # A file object carries no name to guess the format from.
            fmt = fmt or {".mkv": "matroska", ".webm": "webm", ".mp4": "mp4"}[path.suffix]
            with open(path, "wb") as fh:
                write(_Unseekable(fh))
    return path


@contextlib.contextmanager
def _scheduling_kept() -> Iterator[None]:
    """The calling thread's scheduling policy, as it was before: SVT-AV1, run as root,
    makes the thread that opens it real-time (SCHED_FIFO at priority 99), and the rest of
    the test run, with every process it starts, would then run so."""
    if not hasattr(os, "sched_getscheduler"):
        yield
        return
    policy, param = os.sched_getscheduler(0), os.sched_getparam(0)
    try:
        yield
    finally:
        if (os.sched_getscheduler(0), os.sched_getparam(0)) != (policy, param):
            os.sched_setscheduler(0, policy, param)


def truncate_copy(src: str | Path, dst: str | Path, fraction: float = 0.5) -> Path:
    """A copy of ``src`` cut after ``fraction`` of its bytes, like an interrupted download."""
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * fraction)])
    return Path(dst)


def wrapped_ts(src: str | Path, dst: str | Path, *, after: float) -> Path:
    """``src`` remuxed into MPEG-TS with its clock (33 bits at 90 kHz, 26.5 hours) wrapping
    ``after`` seconds in, as in a long broadcast recording."""
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), "-c", "copy", "-f", "mpegts",
         "-output_ts_offset", f"{2**33 / 90000 - after:.6f}", str(dst)],
        check=True,
    )
    return Path(dst)


def palettized(src: str | Path, dst: str | Path) -> Path:
    """``src`` as 8-bit palettized raw video in AVI, as old digitised and CD-ROM films
    are: the palette is stored once, with the first frame."""
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), "-c:v", "rawvideo",
         "-pix_fmt", "pal8", str(dst)],
        check=True,
    )
    return Path(dst)


def noise(size: int, *, seed: int = 1) -> bytes:
    """``size`` random bytes, the same on every run. Fresh random bytes are not a fixed
    input: about 1 draw in 250 of 3 kB probes as a subtitle file, not as junk."""
    return np.random.default_rng(seed).integers(0, 256, size, np.uint8).tobytes()


def copy(src: str | Path, dst: str | Path) -> Path:
    shutil.copyfile(src, dst)
    return Path(dst)


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


# --- the standard films -----------------------------------------------------------------
RGB_FPS = 10


def make_rgb(path: str | Path, **kwargs) -> Path:
    """2 s each of pure red, green and blue at `RGB_FPS` (6 s, 60 frames)."""
    frames = segments([(RED, 2.0), (GREEN, 2.0), (BLUE, 2.0)], RGB_FPS)
    return make_video(path, frames, fps=RGB_FPS, **kwargs)


def make_code(path: str | Path, *, count: int = 60, fps: int = 10, **kwargs) -> Path:
    """``count`` frames, frame ``i`` showing `code_frame(i)`: the decoded picture tells
    which frame it is, so a reported time can be checked against the picture."""
    return make_video(path, [code_frame(i) for i in range(count)], fps=fps, **kwargs)


def vfr_times(count: int = 60, seed: int = 0) -> np.ndarray:
    """Frame times with gaps of 40, 100 or 350 ms: the long gaps are many average frame
    intervals, as in phone and screen recordings."""
    rng = np.random.default_rng(seed)
    gaps = rng.choice([0.04, 0.1, 0.35], size=count - 1, p=[0.5, 0.3, 0.2])
    return np.round(np.concatenate([[0.0], np.cumsum(gaps)]), 3)


def texture(count: int = 60, *, height: int = 90) -> list[np.ndarray]:
    """Noise moving 3 px a frame, 160 px wide: a frame predicted from the wrong picture,
    or with its loop filter skipped, shows."""
    base = np.random.default_rng(0).integers(0, 256, (height, 160 + 3 * count, 3), np.uint8)
    return [np.ascontiguousarray(base[:, 3 * i : 3 * i + 160]) for i in range(count)]


def make_pyramid(path: str | Path, *, refs: int, x264: str = "", crf: int = 10,
                 frames: Sequence[np.ndarray] | None = None, **kwargs) -> Path:
    """x264 with a fixed layout: a keyframe every 12 frames, runs of three B-frames whose
    middle one is a reference (B-pyramid), each P-frame using up to ``refs`` references
    (1: x264's faster presets, which name the P-frame before; 3: its medium preset, where
    a P-frame may use the reference B-frame before it). ``x264``: more x264 parameters."""
    params = ":".join(p for p in (f"b-adapt=0:ref={refs}", x264) if p)
    return make_video(path, texture() if frames is None else frames, gop=12, bframes=3,
                      options={"b-pyramid": "normal", "crf": str(crf), "x264-params": params},
                      **kwargs)
