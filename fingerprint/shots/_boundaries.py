"""Where a film cuts: frames streamed through PySceneDetect's detectors and a dissolve
test (`Boundaries`).

- hard cuts: PySceneDetect's `ContentDetector` (mean change of hue, saturation and
  lightness between consecutive frames), fed our own frames rather than its video backend
  (and its score taken in two OpenCV calls: `_detector.content_detector`);
- fades to and from black: PySceneDetect's `ThresholdDetector`, at the darkest moment;
- dissolves: a frame compared with the one `DISSOLVE` seconds earlier. Across a
  dissolve the picture changes a lot over that second, more than a change of brightness
  or contrast explains (an exposure change, a fade), and the frame half-way is the mean of
  the two ends (a cross-fade is a linear mix); camera and subject motion change the
  picture without being that mix. The run of such windows is read as a ramp: each frame's
  share of the picture after it (its projection between the pictures before and after
  the run), and the boundary is the ramp's middle, at the nearest frame. A cut the
  content detector marks inside such a ramp (it often marks a fast dissolve's first
  frames) gives way to the ramp's middle.
"""

from __future__ import annotations

import bisect
from collections import deque
from fractions import Fraction

import numpy as np

from .._extras import missing_extra
from ._detector import content_detector
from ._tuning import (
    CUT_THRESHOLD,
    DISSOLVE,
    DISSOLVE_CHANGE,
    DISSOLVE_EDGE,
    DISSOLVE_END,
    DISSOLVE_LONGEST,
    DISSOLVE_MIX,
    DISSOLVE_PIXEL,
    DISSOLVE_SPREAD,
    FADE_THRESHOLD,
    MIN_SHOT_FRAMES,
    RAMP,
    TINY,
)


class Boundaries:
    """Streams frames through both detectors; ``found`` holds boundary times, sorted (each
    found at most `latency` frames after the frame it marks)."""

    def __init__(self, fps: float) -> None:
        # Imported here, not with the module: every analysis imports this module (the
        # cache keys shots by its constants), few find shots, and OpenCV with
        # PySceneDetect adds 24 MB to a run's peak memory.
        try:
            import cv2
            from scenedetect.common import FrameTimecode
            from scenedetect.detectors import ThresholdDetector
        except ImportError as exc:
            raise missing_extra("shots") from exc

        self.timecode, self.resize, self.area = FrameTimecode, cv2.resize, cv2.INTER_AREA
        self.fps = fps
        self.rate = Fraction(fps).limit_denominator(1001)  # FrameTimecode's, made once
        self.cuts = content_detector()(threshold=CUT_THRESHOLD, min_scene_len=MIN_SHOT_FRAMES)
        self.fades = ThresholdDetector(threshold=FADE_THRESHOLD, min_scene_len=MIN_SHOT_FRAMES)
        self.lag = max(2, round(DISSOLVE * fps))
        # The tiny frames of the last DISSOLVE_LONGEST + 2 * DISSOLVE seconds: a run of
        # dissolve-like windows reaches about half a window past each end of its dissolve
        # (less where motion spoils the test near its ends: the ramp is read half a window
        # further each way), and ends half a window after its last dissolve-like window.
        self.margin = self.lag // 2
        self.window: deque[tuple[float, np.ndarray]] = deque(
            maxlen=round((DISSOLVE_LONGEST + 2 * DISSOLVE) * fps) + 1)
        self.hard: list[float] = []
        self.sudden: list[float] = []  # the content detector's cuts, to check
        self.run: list[float] | None = None  # first window's start, last one's end, quiet
        self.found: list[float] = []
        self.latency = self.window.maxlen + MIN_SHOT_FRAMES + 2

    def feed(self, t: float, bgr: np.ndarray) -> None:
        tc = self.timecode(t, self.rate)
        cuts = [c.seconds for c in self.cuts.process_frame(tc, bgr)]
        self.sudden += cuts
        for cut in cuts + [c.seconds for c in self.fades.process_frame(tc, bgr)]:
            self.hard.append(cut)
            bisect.insort(self.found, cut)
        tiny = self.resize(bgr, (TINY, max(1, round(TINY * bgr.shape[0] / bgr.shape[1]))),
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
        while self.run is None and self.sudden and t >= self.sudden[0] + DISSOLVE - 1e-6:
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
        inside = (share[1:] > DISSOLVE_EDGE) & (share[:-1] < 1 - DISSOLVE_EDGE)
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
        (indices from ``lo``: the last frame at share DISSOLVE_END before it reaches one
        half, the first at 1 - DISSOLVE_END after; None without both)."""
        times = np.array([self.window[i][0] for i in range(lo, hi)])
        # Read at a quarter of the size: motion inside the shots (a pan, a moving subject)
        # moves less of the picture's coarse layout than the dissolve changes it.
        tiny = self.window[0][1]
        size = (RAMP, max(1, round(RAMP * tiny.shape[0] / tiny.shape[1])))
        frames = np.stack([self.resize(self.window[i][1], size, interpolation=self.area)
                           .ravel() for i in range(lo, hi)])
        share, middle = _ramp(times, frames)
        # Again between the ramp's own ends: motion inside the shots moves the pictures
        # away from what was mixed, the less the nearer the ends are to the ramp.
        up = np.flatnonzero(share >= 0.5)
        start = np.flatnonzero(share[: up[0]] <= DISSOLVE_END) if len(up) else []
        end = up[0] + np.flatnonzero(share[up[0]:] >= 1 - DISSOLVE_END) if len(up) else []
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
    if change < DISSOLVE_CHANGE:
        return False
    if float((residual.reshape(-1, 3).max(axis=1) > DISSOLVE_PIXEL).mean()) < DISSOLVE_SPREAD:
        return False
    return float(np.abs(m - (a + b) / 2).mean()) <= DISSOLVE_MIX * change


def _ramp(times: np.ndarray, frames: np.ndarray) -> tuple[np.ndarray, float]:
    """Each frame's share of the last frame's picture (its projection from the first onto
    the last), and the middle of that ramp: the first time plus the time ``1 - share``
    sums to."""
    towards = frames[-1] - frames[0]
    share = (frames - frames[0]) @ towards / max(float(towards @ towards), 1e-6)
    below = 1.0 - share
    return share, times[0] + float(((below[1:] + below[:-1]) / 2 * np.diff(times)).sum())
