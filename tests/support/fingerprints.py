"""Fingerprints without a video, from their palettes (`make_fingerprint`), and a
two-colour frame (`split_frame`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fingerprint import Fingerprint, Params, VideoInfo


def split_frame(
    left: tuple[int, int, int],
    right: tuple[int, int, int],
    *,
    left_fraction: float,
    shape: tuple[int, int] = (90, 160),
) -> np.ndarray:
    """One ``(H, W, 3)`` frame: ``left`` fills the left ``left_fraction`` of the columns."""
    h, w = shape
    frame = np.empty((h, w, 3), np.uint8)
    cut = round(w * left_fraction)
    frame[:, :cut] = left
    frame[:, cut:] = right
    return frame


def make_fingerprint(
    colors: np.ndarray | Sequence,
    shares: np.ndarray | Sequence | None = None,
    *,
    times: np.ndarray | Sequence | None = None,
    average: np.ndarray | Sequence | None = None,
    duration: float = 10.0,
    name: str = "synthetic.mp4",
    video: VideoInfo | None = None,
    params: Params | None = None,
    crop: tuple[float, float, float, float] | None = None,
    warnings: tuple[str, ...] = (),
    **options: object,
) -> Fingerprint:
    """A fingerprint without a video, from its palettes: ``colors`` (n, k, 3) sRGB codes.

    Left out, ``shares`` are equal, ``params`` are ``Params(samples=n, clusters=k,
    **options)``, ``times`` the middles of equal slots of the analysed span (as `sample`
    takes them), ``average`` each sample's first colour, and ``video`` a 64x36 H.264 file
    called ``name`` lasting ``duration`` seconds.
    """
    colors = np.asarray(colors, dtype=np.uint8)
    n, k = colors.shape[:2]
    if shares is None:
        shares = np.full((n, k), 1.0 / k)
    if params is None:
        params = Params(samples=options.pop("samples", n), clusters=k, **options)  # type: ignore[arg-type]
    if video is None:
        video = VideoInfo(
            name=name, duration=duration, fps=25.0, frame_count=None, width=64, height=36,
            codec="h264", pix_fmt="yuv420p", rotation=0, stream_index=0,
        )
    if times is None:
        lo = params.start or 0.0
        hi = min(params.end or video.duration, video.duration)
        times = lo + (np.arange(n) + 0.5) * (hi - lo) / params.samples
    return Fingerprint(
        video=video,
        params=params,
        times=np.asarray(times, dtype=np.float64),
        colors=colors,
        shares=np.asarray(shares, dtype=np.float64),
        average=colors[:, 0].copy() if average is None else np.asarray(average, np.uint8),
        crop=crop,
        warnings=warnings,
    )
