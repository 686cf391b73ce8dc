"""Movie Color Fingerprint: a film's dominant colours over its running time.

>>> from fingerprint import analyze, Params
>>> fp = analyze("film.mp4", params=Params(samples=500, clusters=5))
>>> fp.colors.shape   # (samples, k, 3) uint8, each palette ordered by share
"""

from .cache import Cache, content_key
from .errors import (
    Cancelled,
    DecodeError,
    FingerprintError,
    FingerprintFormatError,
    InvalidParameterError,
    NotAVideoError,
    NoVideoStreamError,
    UnreadableFileError,
    VideoNotFoundError,
)
from .model import Fingerprint, Params, VideoInfo
from .pipeline import analyze, fingerprint_samples
from .video import DecodedFrames, frame_at, probe, sample

__all__ = [
    "Cache",
    "Cancelled",
    "DecodeError",
    "DecodedFrames",
    "Fingerprint",
    "FingerprintError",
    "FingerprintFormatError",
    "InvalidParameterError",
    "NoVideoStreamError",
    "NotAVideoError",
    "Params",
    "UnreadableFileError",
    "VideoInfo",
    "VideoNotFoundError",
    "analyze",
    "content_key",
    "fingerprint_samples",
    "frame_at",
    "probe",
    "sample",
]
