"""`Params`: every option that changes a fingerprint, with its choices and ranges
declared once (the command line, the app's links and its controls derive theirs from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

from .errors import InvalidParameterError
from .timecodes import timecode

if TYPE_CHECKING:
    from .model import VideoInfo

Mode = Literal["fast", "exact"]
ColorSpace = Literal["lab", "rgb"]


@dataclass(frozen=True)
class Params:
    """Every option that changes a fingerprint; it is part of the cache key and the files.

    ``start``/``end`` are seconds from the start of the film (None: the whole film).
    ``size`` is the working size, pixels on the long side, frames are decoded at.

    The class constants are the options' choices and ranges, declared here once: the
    command line, the app's links and its controls derive theirs from them.
    """

    MIN_SAMPLES: ClassVar[int] = 1
    # More columns than the widest screen or the 3000-px poster shows; it also bounds the
    # decoded frames an analysis holds to about 0.5 GB at the 320-px working size.
    MAX_SAMPLES: ClassVar[int] = 3000
    CLUSTERS_RANGE: ClassVar[tuple[int, int]] = (1, 32)
    MODES: ClassVar[tuple[Mode, ...]] = get_args(Mode)
    COLOR_SPACES: ClassVar[tuple[ColorSpace, ...]] = get_args(ColorSpace)
    MIN_SIZE: ClassVar[int] = 16

    samples: int = 1000
    clusters: int = 5
    mode: Mode = "fast"
    start: float | None = None
    end: float | None = None
    crop: bool = True
    color_space: ColorSpace = "lab"
    size: int = 320
    seed: int = 0
    # Optional layers over the same film (opt-in: each costs a decode of its own).
    # sound: the loudness at each sample (fingerprint/sound.py); shots: shot boundaries
    # and a palette per shot (fingerprint/shots.py).
    sound: bool = False
    shots: bool = False

    def __post_init__(self) -> None:
        if not self.MIN_SAMPLES <= self.samples <= self.MAX_SAMPLES:
            raise InvalidParameterError(
                f"samples must be between {self.MIN_SAMPLES} and {self.MAX_SAMPLES}, "
                f"not {self.samples}."
            )
        lo, hi = self.CLUSTERS_RANGE
        if not lo <= self.clusters <= hi:
            raise InvalidParameterError(
                f"clusters must be between {lo} and {hi}, not {self.clusters}."
            )
        if self.mode not in self.MODES:
            raise InvalidParameterError(
                f"mode must be {_either(self.MODES)}, not {self.mode!r}."
            )
        if self.color_space not in self.COLOR_SPACES:
            raise InvalidParameterError(
                f"color space must be {_either(self.COLOR_SPACES)}, not {self.color_space!r}."
            )
        if self.size < self.MIN_SIZE:
            raise InvalidParameterError(
                f"working size must be at least {self.MIN_SIZE} px, not {self.size}."
            )
        self.check_trim(self.start, self.end)

    @staticmethod
    def check_trim(start: float | None, end: float | None) -> None:
        """Raise InvalidParameterError unless ``start``/``end`` make a span (either may be
        None): the one check of a trim, for the app's links as for the library."""
        if start is not None and start < 0:
            raise InvalidParameterError(f"start must not be negative ({start}).")
        if start is not None and end is not None and end <= start:
            raise InvalidParameterError(f"end ({end:g} s) must come after start ({start:g} s).")

    def fitted(self, info: VideoInfo) -> tuple[Params, tuple[str, ...]]:
        """These options as they apply to the film ``info`` describes, and a sentence for
        each change: an end past the film becomes the film's end, and the samples are
        capped at the frames in the span, so every sample is a distinct moment.

        Raises InvalidParameterError when the start is at or past the film's end.
        """
        notes = []
        start, end = self.start or 0.0, self.end
        if start >= info.duration:
            raise InvalidParameterError(
                f"the start ({timecode(start)}) is at or past the end of the film "
                f"({timecode(info.duration)})."
            )
        if end is not None and end >= info.duration:
            notes.append(
                f"The end ({timecode(end)}) is past the end of the film "
                f"({timecode(info.duration)}): it was analysed to its end."
            )
            end = None
        samples = self.samples
        if info.fps:
            span = (info.duration if end is None else end) - start
            # The small margin keeps a float span such as 11.9666 s at 30 fps at 359 frames.
            frames = max(1, math.floor(span * info.fps + 1e-3))
            if frames < samples:
                notes.append(
                    f"The analysed span has 1 frame, so it was sampled once, not {samples}."
                    if frames == 1 else
                    f"The analysed span has {frames} frames, so it was sampled {frames} "
                    f"times, not {samples}: every sample is a distinct frame."
                )
                samples = frames
        return replace(self, samples=samples, end=end), tuple(notes)

    def decode_key(self) -> dict[str, Any]:
        """The options that affect which frames are decoded (not how they are clustered)."""
        return {k: getattr(self, k) for k in ("samples", "mode", "start", "end", "size")}


def _either(choices: tuple[str, ...]) -> str:
    """``'a' or 'b'``: the choices as a message names them."""
    return " or ".join(repr(c) for c in choices)
