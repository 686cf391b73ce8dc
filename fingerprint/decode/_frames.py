"""Decoded samples, as arrays (`DecodedFrames`) and held compressed (`HeldFrames`), at
their working size (`working_size`).

The decoders hold each frame compressed as soon as it is converted (`hold`): its rows
replaced by the differences of neighbouring pixels (mod 256), then Zstandard level 1.
The same bytes, end to end, are the cache's frames file (`cache._frames`), so a run's
frames are cached by writing what it holds, and unpacked once for the summary.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import zstandard

from .._memory import release_free_memory
from ..model import VideoInfo

# Level 1 of the row differences: 2.7x smaller than raw at 0.35 ms a frame to hold and
# 0.24 ms to unpack (1000 frames of the 2-hour film at 320 px: 64 MB held; raw level 1,
# 83 MB at 0.31 + 0.57 ms). docs/benchmarks.md, "Fast mode: where the seconds go".
_LEVEL = 1
# Memory of the frames already unpacked is given back every so many frames.
_RELEASE_EVERY = 128


@dataclass(frozen=True, eq=False)
class DecodedFrames:
    """Decoded samples: ``frames`` (N, H, W, 3) uint8 at working size, ``times`` (N,) the
    actual presentation time of each frame in seconds from the film's start, ``targets``
    (N,) the times asked for. ``ended_at`` is set when the video stopped decoding before
    the end of the span: the time of the last frame that decoded."""

    frames: np.ndarray
    times: np.ndarray
    targets: np.ndarray
    ended_at: float | None = None

    def __len__(self) -> int:
        return len(self.frames)

    @property
    def frame_shape(self) -> tuple[int, int, int]:
        return self.frames.shape[1:]

    def batch(self, lo: int, hi: int, scratch: np.ndarray | None = None) -> np.ndarray:
        """Frames ``lo:hi`` (a view; ``scratch`` is not needed), as `HeldFrames.batch`."""
        return self.frames[lo:hi]


@dataclass(frozen=True, eq=False)
class HeldFrames:
    """`DecodedFrames` whose frames are held compressed: ``blobs`` one per frame (`hold`),
    each ``frame_shape`` (H, W, 3) once unpacked. `batch` unpacks a few at a time (the
    summary's way: a run never holds all its frames unpacked); `unpack` all of them,
    emptying ``blobs`` as it goes. ``measured``: what the decoders measured of each frame
    (`sampling.sample_held`'s ``measure``), if anything."""

    blobs: list[bytes | None]
    frame_shape: tuple[int, int, int]
    times: np.ndarray
    targets: np.ndarray
    ended_at: float | None = None
    measured: list[object] | None = None

    def __len__(self) -> int:
        return len(self.blobs)

    def batch(self, lo: int, hi: int, scratch: np.ndarray | None = None) -> np.ndarray:
        """Frames ``lo:hi`` unpacked (safe from any thread), into ``scratch`` when it has
        room for them (N, H, W, 3): a buffer used again costs no page faults, where each
        fresh 17 MB batch cost 4,000 (docs/benchmarks.md)."""
        hi = min(hi, len(self.blobs))
        count = max(0, hi - lo)
        if scratch is not None and len(scratch) >= count:
            frames = scratch[:count]
        else:
            frames = np.empty((count, *self.frame_shape), np.uint8)
        unpacker = zstandard.ZstdDecompressor()
        for i in range(lo, hi):
            _unhold(self.blobs[i], unpacker, frames[i - lo])
        return frames

    def unpack(self) -> DecodedFrames:
        """The frames as one array, each blob dropped once copied, on two threads:
        Zstandard and numpy release the GIL (docs/benchmarks.md, "Fast mode: where the
        seconds go")."""
        blobs, shape = self.blobs, self.frame_shape
        frames = np.empty((len(blobs), *shape), np.uint8)

        def unpack(indices: range) -> None:
            unpacker = zstandard.ZstdDecompressor()  # one per thread: not shared
            for i in indices:
                _unhold(blobs[i], unpacker, frames[i])
                blobs[i] = None
                if i % _RELEASE_EVERY == _RELEASE_EVERY - 1:
                    release_free_memory()  # the dropped blobs' pages, while the array fills

        half = (len(blobs) + 1) // 2
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(unpack, [range(0, half), range(half, len(blobs))]))
        release_free_memory()
        return DecodedFrames(frames=frames, times=self.times, targets=self.targets,
                             ended_at=self.ended_at)


def hold(frame: np.ndarray, packer: zstandard.ZstdCompressor) -> bytes:
    """One (H, W, 3) uint8 frame compressed as `HeldFrames` keep it. ``packer``: a
    `compressor`, one per thread."""
    diff = np.empty_like(frame)
    diff[:, 0] = frame[:, 0]
    np.subtract(frame[:, 1:], frame[:, :-1], out=diff[:, 1:])
    # A right-sized copy: `compress` keeps its worst-case buffer.
    return memoryview(packer.compress(diff)).tobytes()


def _unhold(blob: bytes | None, unpacker: zstandard.ZstdDecompressor, out: np.ndarray) -> None:
    """`hold` undone into ``out`` (H, W, 3)."""
    out.reshape(-1)[:] = np.frombuffer(unpacker.decompress(blob), np.uint8)
    np.add.accumulate(out, axis=1, out=out)  # undo the row differences


def compressor() -> zstandard.ZstdCompressor:
    """A compressor for `hold` (not to be shared between threads)."""
    return zstandard.ZstdCompressor(level=_LEVEL)


def working_size(info: VideoInfo, size: int) -> tuple[int, int]:
    """(width, height) of frames at ``size`` px on the long side, never upscaled."""
    long_side = max(info.width, info.height)
    scale = min(1.0, size / long_side)
    return max(1, round(info.width * scale)), max(1, round(info.height * scale))
