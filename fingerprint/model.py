"""The result model (`VideoInfo`, `Params`, `Fingerprint`) and its files (JSON, CSV).

The JSON layout is the project's own, versioned format, documented in README.md::

    {"format": "movie-color-fingerprint", "version": 1,
     "video": {...VideoInfo fields...}, "params": {...Params fields...},
     "crop": [top, bottom, left, right] or null, "warnings": [...],
     "frames": [{"time": s, "colors": ["#rrggbb", ...], "shares": [...], "average": "#rrggbb"}]}
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .errors import FingerprintFormatError, InvalidParameterError

# Read once at import: os.umask can only be read by setting it, which races with threads.
_UMASK = os.umask(0)
os.umask(_UMASK)

_HEX_CODE = re.compile(r"#[0-9a-fA-F]{6}")

FORMAT_NAME = "movie-color-fingerprint"
FORMAT_VERSION = 1

Mode = Literal["fast", "exact"]
ColorSpace = Literal["lab", "rgb"]


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

    @property
    def end_time(self) -> float:
        return self.start_time + self.duration


@dataclass(frozen=True)
class Params:
    """Every option that changes a fingerprint; it is part of the cache key and the files.

    ``start``/``end`` are seconds from the start of the film (None: the whole film).
    ``size`` is the working size, pixels on the long side, frames are decoded at.
    """

    samples: int = 1000
    clusters: int = 5
    mode: Mode = "fast"
    start: float | None = None
    end: float | None = None
    crop: bool = True
    color_space: ColorSpace = "lab"
    size: int = 320
    seed: int = 0

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise InvalidParameterError(f"samples must be at least 1, not {self.samples}.")
        if not 1 <= self.clusters <= 32:
            raise InvalidParameterError(f"clusters must be between 1 and 32, not {self.clusters}.")
        if self.mode not in ("fast", "exact"):
            raise InvalidParameterError(f"mode must be 'fast' or 'exact', not {self.mode!r}.")
        if self.color_space not in ("lab", "rgb"):
            raise InvalidParameterError(
                f"color space must be 'lab' or 'rgb', not {self.color_space!r}."
            )
        if self.size < 16:
            raise InvalidParameterError(f"working size must be at least 16 px, not {self.size}.")
        if self.start is not None and self.start < 0:
            raise InvalidParameterError(f"start must not be negative ({self.start}).")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidParameterError(
                f"end ({self.end:g} s) must come after start ({self.start:g} s)."
            )

    def decode_key(self) -> dict[str, Any]:
        """The options that affect which frames are decoded (not how they are clustered)."""
        return {k: getattr(self, k) for k in ("samples", "mode", "start", "end", "size")}


def timecode(seconds: float) -> str:
    """``h:mm:ss``, the way films are timed (seconds truncated, never rounded up)."""
    if not math.isfinite(seconds):
        return "–"
    s = max(0, int(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


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
class Fingerprint:
    """A film's colour fingerprint: per sample, a palette ordered by share.

    times (N,) seconds of each sample's actual frame; colors (N, k, 3) uint8 sRGB;
    shares (N, k) fractions summing to 1, descending; average (N, 3) uint8, the
    gamma-correct mean colour of each frame. ``crop`` is the black-bar crop applied,
    (top, bottom, left, right) as fractions of the frame, or None.
    """

    video: VideoInfo
    params: Params
    times: np.ndarray
    colors: np.ndarray
    shares: np.ndarray
    average: np.ndarray
    crop: tuple[float, float, float, float] | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

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
        return {
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
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # AttributeError: "video" or "params" is not an object.
            raise FingerprintFormatError(f"the fingerprint file is incomplete: {exc}") from exc
        # Well-formed rows can still disagree with each other or with the parameters.
        n = len(times)
        if colors.shape != (n, params.clusters, 3) or shares.shape != (n, params.clusters):
            raise FingerprintFormatError(
                f"the fingerprint file's palettes do not have {params.clusters} colours and "
                f"shares per frame, as its parameters say."
            )
        return cls(
            video=video,
            params=params,
            times=times,
            colors=colors,
            shares=shares,
            average=average,
            crop=tuple(crop) if crop is not None else None,
            warnings=tuple(data.get("warnings", ())),
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
            )
        for i in range(len(self)):
            row = to_hex(self.colors[i])
            if header:
                pairs = [
                    v for c, s in zip(row, self.shares[i], strict=True) for v in (c, f"{s:.4f}")
                ]
                row = [str(i), f"{self.times[i]:.3f}", *pairs, to_hex(self.average[i])[0]]
            writer.writerow(row)
        return buf.getvalue()


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields ``cls`` knows, so files from newer minor versions still load."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write to a temporary file beside ``path`` then rename, so a crash mid-write never
    leaves a half-written file under the final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the permissions an ordinary open() would.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
