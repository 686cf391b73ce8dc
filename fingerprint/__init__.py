"""Movie Color Fingerprint: a film's dominant colours over its running time.

>>> from fingerprint import analyze, Params
>>> fp = analyze("film.mp4", params=Params(samples=500, clusters=5))
>>> fp.colors.shape   # (samples, k, 3) uint8, each palette ordered by share

Names are imported on first use (PEP 562, as scikit-image does), so ``import
fingerprint`` is instant: the command line can catch Ctrl-C before NumPy and FFmpeg load.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Cache": "cache",
    "content_key": "cache_keys",
    "Cancelled": "errors",
    "DecodeError": "errors",
    "FingerprintError": "errors",
    "FingerprintFormatError": "errors",
    "InvalidParameterError": "errors",
    "NotAVideoError": "errors",
    "NoVideoStreamError": "errors",
    "UnreadableFileError": "errors",
    "VideoNotFoundError": "errors",
    "Fingerprint": "model",
    "Params": "params",
    "VideoInfo": "model",
    "analyze": "pipeline",
    "fingerprint_samples": "pipeline",
    "DecodedFrames": "sampling",
    "frame_at": "sampling",
    "sample": "sampling",
    "probe": "video",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'fingerprint' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
