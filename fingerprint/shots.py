"""Shots: where a film cuts, and the palette of each shot.

Every frame of the span is decoded at a small size (two decoders, each over its half, as
`sampling.sample` splits its samples) and streamed through two detectors, so memory does not
grow with the film's length:

- hard cuts: PySceneDetect's `ContentDetector` (mean change of hue, saturation and
  lightness between consecutive frames), fed our own frames rather than its video backend
  (and its score taken in two OpenCV calls: `_content_detector`);
- fades to and from black: PySceneDetect's `ThresholdDetector`, at the darkest moment;
- dissolves: a frame compared with the one `_DISSOLVE` seconds earlier. Across a
  dissolve the picture changes a lot over that second, more than a change of brightness
  or contrast explains (an exposure change, a fade), and the frame half-way is the mean of
  the two ends (a cross-fade is a linear mix); camera and subject motion change the
  picture without being that mix. The run of such windows is read as a ramp: each frame's
  share of the picture after it (its projection between the pictures before and after
  the run), and the boundary is the ramp's middle, at the nearest frame. A cut the
  content detector marks inside such a ramp (it often marks a fast dissolve's first
  frames) gives way to the ramp's middle.

Each shot's palette is k-means (`kmeans.palettes`) over pixels drawn from all its frames:
a reservoir of `shot_pixels.POOL` pixels per shot, a few random pixels from every frame.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import itertools
import math
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import av
import numpy as np

from .errors import Cancelled, DecodeError
from .hdr import needs_conversion, primaries_name, transfer_name
from .model import Shot, VideoInfo, to_hex
from .reader import frame_to_rgb
from .shot_pixels import POOL, Reservoirs, ShotPixels, merge_segments, shot_palettes
from .video import check_file, demux_only
from .workers import wait_reporting

if TYPE_CHECKING:
    from .params import Params

ProgressCallback = Callable[[float, str], None]

# Long side of the frames the detectors see, px. PySceneDetect's own default downscales
# HD to about 256 px; half that finds the same cuts (tests/test_shots.py) at a quarter of
# the per-frame work.
SIZE = 128
# ContentDetector's threshold and shortest shot, PySceneDetect's defaults (27; 15 frames),
# and ThresholdDetector's (mean pixel value 12 of 255 is black).
_CUT_THRESHOLD = 27.0
_FADE_THRESHOLD = 12.0
_MIN_SHOT_FRAMES = 15
# Dissolve test: the span compared (s), the least mean change over it (0-255 RGB, at the
# 32-px size below) and how far from a linear mix the middle frame may be, relative to
# that change (a cut across the window scores 0.5: its middle is one end).
_DISSOLVE = 1.0
_DISSOLVE_CHANGE = 25.0
_DISSOLVE_MIX = 0.2
# ... and the share of the picture that must change (by more than _DISSOLVE_PIXEL in some
# channel): a dissolve to another shot changes nearly all of it (98 % in the test film's
# cross-fade), a title fading in over a shot only its letters and their glow (at most 52 %
# for the large "Big Buck Bunny" of the benchmark film, 1080p).
_DISSOLVE_PIXEL = 20.0
_DISSOLVE_SPREAD = 0.7
_TINY = 32
# The longest dissolve placed by its ramp (s): it sets the frames kept for it. The least
# share of the new picture, and of the old, at a frame inside the ramp (a cut the content
# detector marks there is the dissolve's own), and the shares where the ramp is taken to
# start and end when it is read again between its own ends.
_DISSOLVE_LONGEST = 2.5
_DISSOLVE_EDGE = 0.02
_DISSOLVE_END = 0.05
# Width (px) of the frames a dissolve's ramp is read from (the cross-fades of
# tests/test_shots.py, one reading, before rounding to a frame: at 32 px a 2 s one from a
# colour spectrum to testsrc read 1.5 frames late, at 8 px 1.0; a 1 s one between two
# panning pictures 1.1 frames late and 0.35 early).
_RAMP = 8
# Pixels drawn from each frame for its shot's reservoir (`shot_pixels.POOL` kept per shot),
# and the frames they are drawn for at once (one numpy call, not one per frame).
_PER_FRAME = 16
_DRAWS = 64


@dataclass(frozen=True)
class ShotStats:
    """Cinemetrics' measures of a film's cutting: shot count, average (ASL) and median
    shot length in seconds, and a histogram of lengths (``counts`` per bin of ``edges``)."""

    count: int
    average: float
    median: float
    edges: np.ndarray
    counts: np.ndarray


def shot_stats(shots: tuple[Shot, ...] | list[Shot], *, bins: int = 20) -> ShotStats:
    """Count, average and median length and a histogram of the shots' lengths."""
    lengths = np.array([s.end - s.start for s in shots], np.float64)
    if not len(lengths):
        return ShotStats(0, math.nan, math.nan, np.zeros(1), np.zeros(0, np.int64))
    counts, edges = np.histogram(lengths, bins=bins, range=(0.0, float(lengths.max()) or 1.0))
    return ShotStats(len(lengths), float(lengths.mean()), float(np.median(lengths)),
                     edges, counts)


def shots_to_csv(shots: tuple[Shot, ...] | list[Shot]) -> str:
    """One row per shot: its number, start, end and length (s), then color_i, share_i."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    k = len(shots[0].colors) if shots else 0
    writer.writerow(["shot", "start", "end", "length"]
                    + [f"{name}_{i + 1}" for i in range(k) for name in ("color", "share")])
    for n, shot in enumerate(shots):
        pairs = [v for c, s in zip(to_hex(shot.colors), shot.shares, strict=True)
                 for v in (c, f"{s:.4f}")]
        writer.writerow([n + 1, f"{shot.start:.3f}", f"{shot.end:.3f}",
                         f"{shot.end - shot.start:.3f}", *pairs])
    return buf.getvalue()


class _Boundaries:
    """Streams frames through both detectors; ``found`` holds boundary times, sorted (each
    found at most `latency` frames after the frame it marks)."""

    def __init__(self, fps: float) -> None:
        # Imported here, not with the module: every analysis imports this module (the
        # cache keys shots by its constants), few find shots, and OpenCV with
        # PySceneDetect adds 24 MB to a run's peak memory.
        import cv2
        from scenedetect.common import FrameTimecode
        from scenedetect.detectors import ThresholdDetector

        self.timecode, self.resize, self.area = FrameTimecode, cv2.resize, cv2.INTER_AREA
        self.fps = fps
        self.rate = Fraction(fps).limit_denominator(1001)  # FrameTimecode's, made once
        self.cuts = _content_detector()(threshold=_CUT_THRESHOLD, min_scene_len=_MIN_SHOT_FRAMES)
        self.fades = ThresholdDetector(threshold=_FADE_THRESHOLD, min_scene_len=_MIN_SHOT_FRAMES)
        self.lag = max(2, round(_DISSOLVE * fps))
        # The tiny frames of the last _DISSOLVE_LONGEST + 2 * _DISSOLVE seconds: a run of
        # dissolve-like windows reaches about half a window past each end of its dissolve
        # (less where motion spoils the test near its ends: the ramp is read half a window
        # further each way), and ends half a window after its last dissolve-like window.
        self.margin = self.lag // 2
        self.window: deque[tuple[float, np.ndarray]] = deque(
            maxlen=round((_DISSOLVE_LONGEST + 2 * _DISSOLVE) * fps) + 1)
        self.hard: list[float] = []
        self.sudden: list[float] = []  # the content detector's cuts, to check
        self.run: list[float] | None = None  # first window's start, last one's end, quiet
        self.found: list[float] = []
        self.latency = self.window.maxlen + _MIN_SHOT_FRAMES + 2

    def feed(self, t: float, bgr: np.ndarray) -> None:
        tc = self.timecode(t, self.rate)
        cuts = [c.seconds for c in self.cuts.process_frame(tc, bgr)]
        self.sudden += cuts
        for cut in cuts + [c.seconds for c in self.fades.process_frame(tc, bgr)]:
            self.hard.append(cut)
            bisect.insort(self.found, cut)
        tiny = self.resize(bgr, (_TINY, max(1, round(_TINY * bgr.shape[0] / bgr.shape[1]))),
                           interpolation=self.area).astype(np.float32)
        self.window.append((t, tiny))
        if len(self.window) <= self.lag:
            return
        (ta, a), (_, m), (tb, b) = (self.window[-1 - self.lag],
                                    self.window[-1 - self.lag + self.lag // 2], self.window[-1])
        if _mixed(a, m, b):
            if self.run is None:
                self.run = [ta, tb, 0]
            self.run[1:] = [tb, 0]
        elif self.run is not None:
            # Motion can spoil the test for a few windows inside a slow dissolve: the run
            # ends after half a window without one.
            self.run[2] += 1
            if self.run[2] > self.margin:
                self.end_run()
        # A cut the content detector marks is checked once a window of frames follows it,
        # and after any run of dissolve-like windows around it (the run decides those).
        while self.run is None and self.sudden and t >= self.sudden[0] + _DISSOLVE - 1e-6:
            self.check_cut(self.sudden.pop(0))

    def end_run(self) -> None:
        """A run of dissolve-like windows ended: its frames place the dissolve, unless a
        hard cut lies inside the run that is not the dissolve's own (then the cut is the
        boundary).

        A cross-fade is a linear mix f = (1 - a) A + a B of the pictures before (A: the
        first frame read) and after it (B: the last). Each frame's share ``a`` of B is its
        projection onto B - A; the boundary is the middle of that ramp from 0 to 1: the
        first frame's time plus the time ``1 - a`` sums to (for any ramp symmetric about
        its middle, as the linear one), at the nearest frame. A sum over the whole ramp,
        rather than where ``a`` first crosses 1/2, lets the noise of motion inside the
        shots average out."""
        if self.run is None:
            return
        first, last, _ = self.run
        self.run = None
        times = np.array([t for t, _ in self.window])
        # Cuts older than the frames kept can no longer matter.
        self.hard = [c for c in self.hard if c >= times[0] - 1e-6]
        # The run's frames and half a window either side, but no frame across a cut
        # outside the run.
        lo = max(0, int(np.searchsorted(times, first - 1e-6)) - self.margin)
        hi = min(len(times), int(np.searchsorted(times, last + 1e-6)) + self.margin)
        for c in self.hard:
            if times[lo] < c < first - 1e-6:
                lo = int(np.searchsorted(times, c - 1e-6))
            elif last + 1e-6 < c <= times[hi - 1]:
                hi = int(np.searchsorted(times, c - 1e-6))
        self.sudden = [c for c in self.sudden if not first - 1e-6 <= c <= last + 1e-6]
        times, share, middle, _ = self.read(lo, hi)
        # PySceneDetect marks a fast dissolve as a cut where the mix first moves a lot: a
        # cut inside the ramp, where the share grows by less than half in one frame, is
        # the dissolve's own and gives way to its middle.
        steps = np.diff(share)
        inside = (share[1:] > _DISSOLVE_EDGE) & (share[:-1] < 1 - _DISSOLVE_EDGE)
        own = [c for c in self.hard if first - 1e-6 <= c <= last + 1e-6
               and np.any((np.abs(times[1:] - c) < 1e-6) & inside & (steps < 0.5))]
        if any(first - 1e-6 <= c <= last + 1e-6 and c not in own for c in self.hard):
            return
        for c in own:
            self.hard.remove(c)
            self.found.remove(c)
        bisect.insort(self.found, float(times[np.argmin(np.abs(times - middle))]))

    def check_cut(self, cut: float) -> None:
        """A cut the content detector marked where a fast dissolve first moves a lot: if
        the frames around it ramp from one picture to the next and the ramp passes the
        dissolve test between its own ends, the ramp's middle replaces the cut."""
        times = np.array([t for t, _ in self.window])
        at = int(np.argmin(np.abs(times - cut)))
        if cut not in self.hard or abs(times[at] - cut) > 0.5 / self.fps or at < 1:
            return
        lo, hi = max(0, at - self.margin), len(times)
        for c in self.hard:
            if times[lo] < c < cut:
                lo = int(np.searchsorted(times, c - 1e-6))
            elif cut < c <= times[hi - 1]:
                hi = int(np.searchsorted(times, c - 1e-6))
        times, share, middle, ends = self.read(lo, hi)
        at -= lo
        if (ends is None or not ends[0] < at <= ends[1] or ends[1] - ends[0] < 3
                or share[at] - share[at - 1] >= 0.5):
            return
        mid = lo + int(np.argmin(np.abs(times - middle)))
        if not _mixed(self.window[lo + ends[0]][1], self.window[mid][1],
                      self.window[lo + ends[1]][1]):
            return
        self.hard.remove(cut)
        self.found.remove(cut)
        bisect.insort(self.found, float(times[mid - lo]))

    def read(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, float, tuple | None]:
        """Frames ``lo`` to ``hi`` (of the window) read as a ramp: their times, each one's
        share of the last frame's picture, the ramp's middle, and the ramp's own ends
        (indices from ``lo``: the last frame at share _DISSOLVE_END before it reaches one
        half, the first at 1 - _DISSOLVE_END after; None without both)."""
        times = np.array([self.window[i][0] for i in range(lo, hi)])
        # Read at a quarter of the size: motion inside the shots (a pan, a moving subject)
        # moves less of the picture's coarse layout than the dissolve changes it.
        tiny = self.window[0][1]
        size = (_RAMP, max(1, round(_RAMP * tiny.shape[0] / tiny.shape[1])))
        frames = np.stack([self.resize(self.window[i][1], size, interpolation=self.area)
                           .ravel() for i in range(lo, hi)])
        share, middle = _ramp(times, frames)
        # Again between the ramp's own ends: motion inside the shots moves the pictures
        # away from what was mixed, the less the nearer the ends are to the ramp.
        up = np.flatnonzero(share >= 0.5)
        start = np.flatnonzero(share[: up[0]] <= _DISSOLVE_END) if len(up) else []
        end = up[0] + np.flatnonzero(share[up[0]:] >= 1 - _DISSOLVE_END) if len(up) else []
        if not (len(start) and len(end)):
            return times, share, middle, None
        i, j = int(start[-1]), int(end[0])
        _, middle = _ramp(times[i : j + 1], frames[i : j + 1])
        return times, share, middle, (i, j)


def _mixed(a: np.ndarray, m: np.ndarray, b: np.ndarray) -> bool:
    """The dissolve test on three tiny frames: b differs from a by more than a brightness
    or contrast change explains, over most of the picture, and m is close to their mean."""
    # The change a brightness or contrast ramp (an exposure change, a fade) cannot
    # explain: what is left of b after the best fit b ≈ gain * a + offset. Most windows
    # fail on it, so the other two tests are only made after it.
    x, y = a.ravel(), b.ravel()
    dx, dy = x - x.mean(), y - y.mean()
    spread = float(dx @ dx)
    gain = float(dx @ dy) / spread if spread > len(x) else 0.0
    residual = np.abs(dy - gain * dx)
    change = float(residual.mean())
    if change < _DISSOLVE_CHANGE:
        return False
    if float((residual.reshape(-1, 3).max(axis=1) > _DISSOLVE_PIXEL).mean()) < _DISSOLVE_SPREAD:
        return False
    return float(np.abs(m - (a + b) / 2).mean()) <= _DISSOLVE_MIX * change


@functools.cache
def _content_detector() -> type:
    """PySceneDetect's `ContentDetector`, its frame score (the mean change of hue,
    saturation and lightness from the last frame) taken in two OpenCV calls instead of its
    fifteen numpy ones: the same numbers (tests/test_shots.py checks), at a 128-px frame
    where each call costs more than its arithmetic. A class made on first use, as
    PySceneDetect is imported then (`_Boundaries`)."""
    import cv2
    from scenedetect.detectors import ContentDetector

    class HsvChange(ContentDetector):
        _last_hsv: np.ndarray | None = None

        def _calculate_frame_score(self, timecode: Any, frame_img: np.ndarray) -> float:
            if self._weights.delta_edges or self.stats_manager is not None:
                return super()._calculate_frame_score(timecode, frame_img)  # edges: its own
            hsv = cv2.cvtColor(frame_img, cv2.COLOR_BGR2HSV)
            last, self._last_hsv = self._last_hsv, hsv
            if last is None:
                return 0.0
            pixels = float(hsv.shape[0] * hsv.shape[1])
            hue, sat, lum, _ = cv2.sumElems(cv2.absdiff(hsv, last))  # exact integer sums
            components = (hue / pixels, sat / pixels, lum / pixels, 0.0)
            # As ContentDetector weighs them, operation for operation.
            return sum(c * w for c, w in zip(components, self._weights, strict=True)) / sum(
                abs(w) for w in self._weights)

    return HsvChange


def _ramp(times: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, float]:
    """Each frame's share of the last frame's picture (its projection from the first onto
    the last), and the middle of that ramp: the first time plus the time ``1 - share``
    sums to."""
    towards = frames[-1] - frames[0]
    share = (frames - frames[0]) @ towards / max(float(towards @ towards), 1e-6)
    below = 1.0 - share
    return share, times[0] + float(((below[1:] + below[:-1]) / 2 * np.diff(times)).sum())


@dataclass
class _Part:
    """What one decoder found over its part of the span."""

    boundaries: list[float]
    starts: list[float]
    pools: list[np.ndarray]
    seen: list[int]


def _crop_box(height: int, width: int, crop) -> tuple[slice, slice]:
    if crop is None:
        return slice(None), slice(None)
    top, bottom, left, right = crop
    rows = slice(round(top * height), max(round(top * height) + 1, height - round(bottom * height)))
    cols = slice(round(left * width), max(round(left * width) + 1, width - round(right * width)))
    return rows, cols


# Luma weights (Kr, Kb) of the colour matrices FFmpeg tags (AVColorSpace values).
_LUMA = {1: (0.2126, 0.0722), 5: (0.299, 0.114), 6: (0.299, 0.114), 7: (0.212, 0.087),
         9: (0.2627, 0.0593), 10: (0.2627, 0.0593)}


@functools.cache
def _ycc_to_bgr(kr: float, kb: float, full_range: bool) -> np.ndarray:
    """The 3 x 4 affine map (`cv2.transform`) from a 2x2 block's luma sum, Cb and Cr to B,
    G and R, plus one half: truncating the result then rounds it."""
    scale_y, scale_c, black = (1.0, 1.0, 0.0) if full_range else (255 / 219, 255 / 224, 16.0)
    cb_b, cr_r = 2 * (1 - kb) * scale_c, 2 * (1 - kr) * scale_c
    kg = 1 - kr - kb
    rows = np.array([[scale_y / 4, cb_b, 0.0],
                     [scale_y / 4, -kb * cb_b / kg, -kr * cr_r / kg],
                     [scale_y / 4, 0.0, cr_r]])
    offset = 0.5 - black * scale_y - 128 * (rows[:, 1] + rows[:, 2])
    return np.hstack([rows, offset[:, None]])


def _small_rgb(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """The frame at ``width`` x ``height`` as RGB, each pixel the mean of a 2x2 block of
    the picture at its place. For 4:2:0 video, read straight from the planes: swscale's
    fastest downscale took a fifth of the time at 1080p (profiled with cProfile). The
    matrix is the frame's own, or the one players assume (BT.709 for HD). From the planes
    the RGB is a view of a contiguous BGR picture, the order OpenCV and PySceneDetect take
    (`_scan` then passes it on without a copy)."""
    fmt = frame.format.name
    h, w = frame.height, frame.width
    wide = needs_conversion(transfer=transfer_name(frame.color_trc),
                            primaries=primaries_name(frame.color_primaries))
    if wide or fmt not in ("yuv420p", "yuvj420p") or h < 2 * height or w < 2 * width:
        # HDR and wide-gamut frames take the samples' own path (SDR colours, as every
        # palette); other layouts and pictures too small for 2x2 blocks are cheap anyway.
        return frame_to_rgb(frame, width=width, height=height)
    import cv2  # loaded by `_Boundaries` already

    # Even strides (each 2x2 luma block then has its own chroma sample) and a grid centred
    # on the picture, as views of the planes, no gathers. The grid may leave a few per
    # cent of the edges unread.
    sy, sx = max(2, h // height // 2 * 2), max(2, w // width // 2 * 2)
    y0, x0 = (h - height * sy) // 4 * 2, (w - width * sx) // 4 * 2
    planes = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size) for p in frame.planes]
    blocks = planes[0][y0 : y0 + height * sy, x0 : x0 + width * sx].reshape(height, sy, width, sx)
    # Few passes over few arrays: at 128 px each numpy call costs more than its arithmetic.
    luma = blocks[:, 0, :, 0].astype(np.uint16)  # each block's sum, exact
    luma += blocks[:, 0, :, 1]
    luma += blocks[:, 1, :, 0]
    luma += blocks[:, 1, :, 1]
    ycc = np.empty((height, width, 3), np.float32)
    ycc[..., 0] = luma
    top, left = y0 // 2, x0 // 2
    for i in (1, 2):
        ycc[..., i] = planes[i][top : top + height * sy // 2 : sy // 2,
                                left : left + width * sx // 2 : sx // 2]
    default = 1 if h >= 720 or w >= 1280 else 5
    kr, kb = _LUMA.get(int(frame.colorspace or 2), _LUMA[default])
    full = fmt == "yuvj420p" or int(frame.color_range or 0) == 2
    bgr = cv2.transform(ycc, _ycc_to_bgr(kr, kb, full))
    np.clip(bgr, 0, 255, out=bgr)
    return bgr.astype(np.uint8)[..., ::-1]


def _draw(
    rng: np.random.Generator, shape: tuple[int, ...], rows: slice, cols: slice
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of `_PER_FRAME` random pixels inside the crop box of a frame of
    ``shape``, for each of `_DRAWS` frames."""
    down, across = range(shape[0])[rows], range(shape[1])[cols]
    flat = rng.integers(0, len(down) * len(across), (_DRAWS, _PER_FRAME))
    return down.start + flat // len(across), across.start + flat % len(across)


def _scan(
    path: str,
    info: VideoInfo,
    *,
    lo: float,
    hi: float,
    last_part: bool,
    crop,
    seed: int,
    counter: list[int],
    lock: threading.Lock,
    cancel: threading.Event | None,
) -> _Part:
    """Decode every frame of [lo, hi) (and a little around it, for the detectors' memory)
    and find its boundaries and its shots' pixels."""
    fps = info.fps or 25.0
    detector = _Boundaries(fps)
    warm = (detector.latency + 2) / fps
    rng = np.random.default_rng([seed, round(lo * 1000)])
    pools = Reservoirs(detector.latency, rng)
    scale = min(1.0, SIZE / max(info.width, info.height))
    width, height = max(2, round(info.width * scale)), max(2, round(info.height * scale))
    rows, cols = _crop_box(height, width, crop)
    picks, drawn = (np.empty(0), np.empty(0)), _DRAWS
    with av.open(str(path), metadata_errors="ignore") as container:
        stream = container.streams[info.stream_index]
        demux_only(container, stream)
        cc = stream.codec_context
        cc.thread_type = "NONE"
        # The loop filter is skipped on non-reference frames only (most B-frames: half of
        # the benchmark film's): nothing is predicted from them, so nothing drifts; 5-8 %
        # less decode time (docs/benchmarks.md, "Shots' cost, cut"). Skipping it on all
        # frames, as fast mode does for its lone keyframes, makes the undeblocked
        # references drift until the next keyframe snaps them back, which reads as a
        # dissolve (it put one at 25.4 s in bbb_30s_720p_vp8.webm).
        cc.options = {"skip_loop_filter": "noref"}
        if lo - warm > 0:
            container.seek(int((lo - warm + info.start_time) / stream.time_base),
                           stream=stream, backward=True)
        try:
            for frame in container.decode(stream):
                if cancel is not None and cancel.is_set():
                    break
                if frame.time is None:
                    continue
                t = frame.time - info.start_time
                if t < lo - warm:
                    continue
                if t >= hi + (0 if last_part else warm):
                    break
                rgb = _small_rgb(frame, width, height)
                if info.rotation:
                    rgb = np.rot90(rgb, k=-(info.rotation // 90))
                # BGR for OpenCV: a copy only where `_small_rgb` did not read the planes.
                detector.feed(t, np.ascontiguousarray(rgb[..., ::-1]))
                if lo <= t < hi:
                    if drawn == _DRAWS:
                        picks, drawn = _draw(rng, rgb.shape, rows, cols), 0
                    pools.add(t, rgb[picks[0][drawn], picks[1][drawn]], detector.found)
                    drawn += 1
                    with lock:
                        counter[0] += 1
        except (av.FFmpegError, EOFError):
            pass  # a damaged tail: keep what decoded
    detector.end_run()
    pools.flush(detector.found)
    # A cut exactly on the seam belongs to the later part, which sees it at its start;
    # `find_shots` drops one at the span's start.
    found = [b for b in detector.found if lo <= b < hi]
    return _Part(found, pools.starts, pools.pools, pools.seen)


# Bumped when a change to the detectors or the reservoirs changes what they find without
# changing one of this module's constants: the cache then finds the shots again (`shots_key`).
DETECTOR_VERSION = 3


def shot_options(
    params: Params, crop: tuple[float, float, float, float] | None
) -> dict[str, Any]:
    """What finding a film's shots depends on besides the film and this module: the span
    and the seed of ``params``, and ``crop``, its black bars (None: none, or crop off).
    `find_shots` and `shots_key` take these, so the cache's key follows the call."""
    return {"start": params.start, "end": params.end, "seed": params.seed,
            "crop": crop if params.crop else None}


def shots_key(
    *, start: float | None, end: float | None, seed: int,
    crop: tuple[float, float, float, float] | None, workers: int = 2,
) -> dict[str, Any]:
    """Everything that changes what `find_shots` finds, as the cache keys it: the span,
    the crop, the seed and the decoders' split (the reservoirs' draws), and this module's
    tuning constants, every upper-case number (so a retuned detector, or a bumped
    `DETECTOR_VERSION`, is never served an older entry)."""
    tuning = {name: value for name, value in sorted(globals().items())
              if name.lstrip("_").isupper() and isinstance(value, int | float)}
    return {"start": start, "end": end, "seed": seed,
            "crop": None if crop is None else [float(c) for c in crop],
            "workers": max(1, workers), "pool": POOL, "tuning": tuning}


def detect_shots(
    path: str | os.PathLike[str],
    *,
    info: VideoInfo,
    start: float | None = None,
    end: float | None = None,
    k: int = 5,
    color_space: str = "lab",
    seed: int = 0,
    crop: tuple[float, float, float, float] | None = None,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Shot, ...]:
    """The shots of [start, end] (seconds from the film's start; None: the whole film),
    each with its palette of ``k`` colours clustered in ``color_space``; ``crop`` (top,
    bottom, left, right fractions) leaves black bars out of the palettes.

    Raises `DecodeError` when no frame decodes, `Cancelled` when ``cancel`` is set.
    """
    found = find_shots(path, info=info, start=start, end=end, seed=seed, crop=crop,
                       workers=workers, on_progress=on_progress, cancel=cancel)
    return shot_palettes(found, k=k, color_space=color_space, seed=seed)


def find_shots(
    path: str | os.PathLike[str],
    *,
    info: VideoInfo,
    start: float | None = None,
    end: float | None = None,
    seed: int = 0,
    crop: tuple[float, float, float, float] | None = None,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ShotPixels:
    """The shots of [start, end] and each one's pixels (`detect_shots` without the
    palettes: the part that decodes every frame).

    Raises `DecodeError` when no frame decodes, `Cancelled` when ``cancel`` is set.
    """
    check_file(path)
    lo = 0.0 if start is None else float(start)
    hi = info.duration if end is None else min(float(end), info.duration)
    fps = info.fps or 25.0
    expected = max(1, round((hi - lo) * fps))
    bounds = np.linspace(lo, hi, max(1, workers) + 1)
    counter, lock = [0], threading.Lock()
    halt = threading.Event()  # what the decoders poll: set on a cancel or a failed report
    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        futures = [
            pool.submit(_scan, str(path), info, lo=float(a), hi=float(b),
                        last_part=i == len(bounds) - 2, crop=crop, seed=seed,
                        counter=counter, lock=lock, cancel=halt)
            for i, (a, b) in enumerate(itertools.pairwise(bounds))
        ]

        def report() -> None:
            if cancel is not None and cancel.is_set():
                halt.set()
            elif on_progress:
                done = min(counter[0], expected)
                on_progress(0.95 * done / expected, f"finding shots: frame {done}/{expected}")

        wait_reporting(futures, report=report, halt=halt)
        parts = [f.result() for f in futures]
    if cancel is not None and cancel.is_set():
        raise Cancelled
    if not any(p.starts for p in parts):
        raise DecodeError(f"{info.name}: no frame between the chosen start and end decodes.")
    # A boundary closer to either end than the shortest shot is the film fading in from
    # (or out to) black, not a shot of its own.
    margin = _MIN_SHOT_FRAMES / fps
    found = sorted(b for p in parts for b in p.boundaries if lo + margin < b < hi - margin)
    # Two detectors can mark one transition (a cut to black, then the fade from it):
    # the shortest shot applies across detectors too, the first boundary stands.
    boundaries: list[float] = []
    for b in found:
        if not boundaries or b - boundaries[-1] >= margin:
            boundaries.append(b)
    edges = [lo, *boundaries, hi]
    segments = [seg for p in parts for seg in zip(p.starts, p.pools, p.seen, strict=True)]
    grid = merge_segments(segments, boundaries, seed=seed)
    if on_progress:
        on_progress(1.0, f"found {len(grid)} shots")
    return ShotPixels(edges=np.array(edges, np.float64), pixels=grid)
