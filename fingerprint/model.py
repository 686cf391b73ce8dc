"""The result model (`VideoInfo`, `Fingerprint`, `Shot`) and its files (JSON, CSV); the
options, `Params`, are `params.py`'s.

The JSON layout is the project's own, versioned format, documented in README.md::

    {"format": "movie-color-fingerprint", "version": 1,
     "video": {...VideoInfo fields...}, "params": {...Params fields...},
     "crop": [top, bottom, left, right] or null, "warnings": [...],
     "frames": [{"time": s, "colors": ["#rrggbb", ...], "shares": [...], "average": "#rrggbb"}]}

Optional layers, absent from files made without them (and files without them still load):
``"loudness": LUFS or null`` in each frame (the sound print), and ``"shots": [{"start": s,
"end": s, "colors": [...], "shares": [...]}]`` beside ``"frames"``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import os
import re
from dataclasses import Field, asdict, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from ._atomic import write_atomic
from .errors import FingerprintFormatError
from .params import Params

_HEX_CODE = re.compile(r"#[0-9a-fA-F]{6}")

FORMAT_NAME = "movie-color-fingerprint"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class VideoInfo:
    """What `probe` learns about a video's picture stream.

    ``width``/``height`` are as displayed: sample aspect ratio and rotation applied.
    ``frame_count`` is the container's claim (None when it has none); never trust it for
    arithmetic. ``duration_estimated`` is True when the container had no duration and it
    was measured from the stream's last timestamps. ``transfer``, ``primaries`` and
    ``matrix`` are the stream's colour description in FFmpeg's names (e.g. "smpte2084",
    "bt2020", "bt2020nc"; None: unspecified); ``hdr`` is "pq", "hlg" or None (SDR).
    """

    name: str
    duration: float
    fps: float | None
    frame_count: int | None
    width: int
    height: int
    codec: str
    pix_fmt: str
    rotation: int
    stream_index: int
    start_time: float = 0.0
    duration_estimated: bool = False
    transfer: str | None = None
    primaries: str | None = None
    matrix: str | None = None
    hdr: Literal["pq", "hlg"] | None = None

    def __post_init__(self) -> None:
        # A VideoInfo also comes from files (fingerprints, the cache): a wrong type there
        # must fail here, as the file's fault, not later as a TypeError in arithmetic.
        problems = [
            name
            for name, ok in (
                ("name", isinstance(self.name, str)),
                ("duration", is_number(self.duration) and self.duration >= 0),
                ("fps", self.fps is None or (is_number(self.fps) and self.fps > 0)),
                ("frame_count", self.frame_count is None
                 or (_integer(self.frame_count) and self.frame_count >= 0)),
                ("width", _integer(self.width) and self.width >= 1),
                ("height", _integer(self.height) and self.height >= 1),
                ("codec", isinstance(self.codec, str)),
                ("pix_fmt", isinstance(self.pix_fmt, str)),
                ("rotation", _integer(self.rotation)),
                ("stream_index", _integer(self.stream_index) and self.stream_index >= 0),
                ("start_time", is_number(self.start_time)),
                ("duration_estimated", isinstance(self.duration_estimated, bool)),
            )
            if not ok
        ]
        if problems:
            raise FingerprintFormatError(
                f"the video description has a wrong value for {', '.join(problems)}."
            )

    @property
    def end_time(self) -> float:
        return self.start_time + self.duration


def is_number(value: Any) -> bool:
    """A finite real number (never a bool, a string or NaN)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


#: The metadata of a dataclass field that holds sRGB colours, ``(..., 3)`` uint8
#: (``field(metadata=COLOR)``). Marked so that one function, `palette.seen_with`, can show
#: any result (a fingerprint, a comparison, a collection) as a colour-blind viewer sees
#: it, whatever its class.
COLOR = MappingProxyType({"color": True})


def is_color_field(f: Field) -> bool:
    """Whether the dataclass field ``f`` holds colours (declared with `COLOR`)."""
    return bool(f.metadata.get("color"))


def to_hex(rgb: np.ndarray) -> list[str]:
    """``(..., 3)`` uint8 colours to ``#rrggbb`` strings (flattened)."""
    flat = np.asarray(rgb, dtype=np.uint8).reshape(-1, 3)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in flat.tolist()]


def from_hex(codes: list[str]) -> np.ndarray:
    """``#rrggbb`` strings to an ``(n, 3)`` uint8 array."""
    # int(..., 16) alone would take "#12345" or "#1234567" as a colour.
    if isinstance(codes, str) or not all(
        isinstance(c, str) and _HEX_CODE.fullmatch(c) for c in codes
    ):
        raise FingerprintFormatError(f"not a #rrggbb colour list: {codes!r:.60}")
    try:
        return np.array(
            [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in codes], dtype=np.uint8
        ).reshape(-1, 3)
    except (ValueError, TypeError, IndexError) as exc:
        raise FingerprintFormatError(f"not a #rrggbb colour list: {codes[:3]!r}...") from exc


@dataclass(frozen=True, eq=False)
class Shot:
    """One shot: [start, end) in seconds from the film's start, and its palette over all
    its frames, ``colors`` (k, 3) uint8 ordered by ``shares`` (k,)."""

    start: float
    end: float
    colors: np.ndarray = field(metadata=COLOR)
    shares: np.ndarray

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """A film's colour fingerprint: per sample, a palette ordered by share.

    times (N,) seconds of each sample's actual frame; colors (N, k, 3) uint8 sRGB;
    shares (N, k) fractions summing to 1, descending; average (N, 3) uint8, the
    gamma-correct mean colour of each frame. ``crop`` is the black-bar crop applied,
    (top, bottom, left, right) as fractions of the frame, or None. ``loudness`` (N,) LUFS
    at each sample (NaN where the sound has ended) when the sound print was asked for and
    the film has sound, else None; ``shots`` the film's shots when they were asked for.
    """

    video: VideoInfo
    params: Params
    times: np.ndarray
    colors: np.ndarray = field(metadata=COLOR)
    shares: np.ndarray
    average: np.ndarray = field(metadata=COLOR)
    crop: tuple[float, float, float, float] | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    loudness: np.ndarray | None = None
    shots: tuple[Shot, ...] | None = None

    def __len__(self) -> int:
        return len(self.times)

    @property
    def k(self) -> int:
        return int(self.colors.shape[1])

    def palette(self, index: int) -> list[tuple[str, float]]:
        """Sample ``index``'s palette as ``(hex, share)`` pairs, largest share first."""
        return list(zip(to_hex(self.colors[index]), self.shares[index].tolist(), strict=True))

    # --- JSON -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "video": asdict(self.video),
            "params": asdict(self.params),
            "crop": list(self.crop) if self.crop is not None else None,
            "warnings": list(self.warnings),
            "frames": [
                {
                    "time": round(float(t), 6),
                    "colors": to_hex(c),
                    "shares": [round(float(s), 6) for s in sh],
                    "average": to_hex(a)[0],
                }
                for t, c, sh, a in zip(
                    self.times, self.colors, self.shares, self.average, strict=True
                )
            ],
        }
        if self.loudness is not None:
            for row, level in zip(data["frames"], self.loudness.tolist(), strict=True):
                row["loudness"] = None if math.isnan(level) else round(level, 2)
        if self.shots is not None:
            data["shots"] = [
                {
                    "start": round(s.start, 6),
                    "end": round(s.end, 6),
                    "colors": to_hex(s.colors),
                    "shares": [round(float(x), 6) for x in s.shares],
                }
                for s in self.shots
            ]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise FingerprintFormatError(
                f"not a {FORMAT_NAME} file (its 'format' field is missing or different)."
            )
        if data.get("version") != FORMAT_VERSION:
            raise FingerprintFormatError(
                f"fingerprint file version {data.get('version')!r} is not supported "
                f"(this program reads version {FORMAT_VERSION})."
            )
        try:
            video = VideoInfo(**_known(VideoInfo, data["video"]))
            params = Params(**_known(Params, data["params"]))
            frames = data["frames"]
            if not frames:
                raise FingerprintFormatError("the fingerprint file has no frames.")
            times = np.array([f["time"] for f in frames], dtype=np.float64)
            colors = np.stack([from_hex(f["colors"]) for f in frames])
            shares = np.array([f["shares"] for f in frames], dtype=np.float64)
            average = np.stack([from_hex([f["average"]])[0] for f in frames])
            crop = data.get("crop")
            warnings = data.get("warnings", [])
            loudness = None
            if any("loudness" in f for f in frames):
                loudness = np.array(
                    [math.nan if f.get("loudness") is None else f["loudness"] for f in frames],
                    dtype=np.float64,
                )
            shots = None
            if data.get("shots") is not None:
                shots = tuple(
                    Shot(
                        start=float(s["start"]),
                        end=float(s["end"]),
                        colors=from_hex(s["colors"]),
                        shares=np.array(s["shares"], dtype=np.float64),
                    )
                    for s in data["shots"]
                )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # AttributeError: "video" or "params" is not an object.
            raise FingerprintFormatError(f"the fingerprint file is incomplete: {exc}") from exc
        if crop is not None and not (
            isinstance(crop, list) and len(crop) == 4 and all(is_number(c) for c in crop)
            and all(0 <= c < 1 for c in crop)
        ):
            raise FingerprintFormatError("the fingerprint file's crop is not four fractions.")
        if not (isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)):
            raise FingerprintFormatError("the fingerprint file's warnings are not a text list.")
        # Well-formed rows can still disagree with each other or with the parameters.
        n = len(times)
        if times.shape != (n,) or not np.isfinite(times).all() or not np.isfinite(shares).all():
            raise FingerprintFormatError("the fingerprint file's times or shares are not numbers.")
        if colors.shape != (n, params.clusters, 3) or shares.shape != (n, params.clusters):
            raise FingerprintFormatError(
                f"the fingerprint file's palettes do not have {params.clusters} colours and "
                f"shares per frame, as its parameters say."
            )
        if shots is not None and any(
            s.colors.shape != (params.clusters, 3) or s.shares.shape != (params.clusters,)
            for s in shots
        ):
            raise FingerprintFormatError(
                f"the fingerprint file's shot palettes do not have {params.clusters} colours "
                f"and shares each, as its parameters say."
            )
        return cls(
            video=video,
            params=params,
            times=times,
            colors=colors,
            shares=shares,
            average=average,
            crop=tuple(float(c) for c in crop) if crop is not None else None,
            warnings=tuple(warnings),
            loudness=loudness,
            shots=shots,
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the JSON file atomically."""
        return write_atomic(path, self.to_json().encode())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Fingerprint:
        try:
            text = Path(path).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FingerprintFormatError(f"cannot read fingerprint file {path}: {exc}") from exc
        return cls.from_dict(data)

    # --- CSV --------------------------------------------------------------------------
    def to_csv(self, *, header: bool = False) -> str:
        """The original's CSV (one row of hex colours per sample), or with ``header=True``
        a self-describing table: sample, time, then color_i and share_i for each cluster."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        if header:
            writer.writerow(
                ["sample", "time"]
                + [f"{name}_{i + 1}" for i in range(self.k) for name in ("color", "share")]
                + ["average"]
                + (["loudness"] if self.loudness is not None else [])
            )
        for i in range(len(self)):
            row = to_hex(self.colors[i])
            if header:
                pairs = [
                    v for c, s in zip(row, self.shares[i], strict=True) for v in (c, f"{s:.4f}")
                ]
                row = [str(i), f"{self.times[i]:.3f}", *pairs, to_hex(self.average[i])[0]]
                if self.loudness is not None:
                    level = self.loudness[i]
                    row.append("" if math.isnan(level) else f"{level:.2f}")
            writer.writerow(row)
        return buf.getvalue()


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields ``cls`` knows, so files from newer minor versions still load."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
