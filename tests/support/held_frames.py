"""Frames in hand held as the decoders hold them (`fingerprint.decode._frames`), for
tests of what takes held frames (the summary, the cache's frames files)."""

from __future__ import annotations

from fingerprint.decode._frames import DecodedFrames, HeldFrames, compressor, hold


def held(samples: DecodedFrames) -> HeldFrames:
    """``samples`` with each frame held compressed."""
    packer = compressor()
    return HeldFrames(blobs=[hold(frame, packer) for frame in samples.frames],
                      frame_shape=samples.frame_shape, times=samples.times,
                      targets=samples.targets, ended_at=samples.ended_at)
