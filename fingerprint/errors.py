"""Exceptions the library raises; each message says what went wrong and what to do."""

from __future__ import annotations


class FingerprintError(Exception):
    """Base class: anything the user can act on. The app and CLI show ``str(error)``."""


class VideoNotFoundError(FingerprintError, FileNotFoundError):
    """The path does not exist."""


class UnreadableFileError(FingerprintError, PermissionError):
    """The file exists but cannot be opened (permissions, a directory, ...)."""


class NotAVideoError(FingerprintError):
    """The file is empty or is not a media file FFmpeg can read."""


class NoVideoStreamError(FingerprintError):
    """The file is media, but has no video stream (audio only, subtitles, ...)."""


class DecodeError(FingerprintError):
    """The video stream exists but no frame in the requested span decodes."""


class InvalidParameterError(FingerprintError, ValueError):
    """An option is out of range (samples < 1, start after end, ...)."""


class ShotsNeededError(InvalidParameterError):
    """A drawing of the film's shots (the colour script) was asked of a fingerprint made
    without them."""

    def __init__(
        self, message: str = "the colour script needs shots: add --shots (Params(shots=True))."
    ) -> None:
        super().__init__(message)


class FingerprintFormatError(FingerprintError):
    """A fingerprint JSON file is not in this project's format."""


class Cancelled(FingerprintError):
    """The caller cancelled the work (its ``cancel`` event was set); nothing was saved."""

    def __init__(self, message: str = "analysis cancelled; nothing was saved.") -> None:
        super().__init__(message)


class CacheWriteError(FingerprintError, OSError):
    """The cache folder cannot be written (full, read-only, no permission). `analyze`
    carries on without saving and says so in the fingerprint's warnings."""


class MissingExtraError(FingerprintError, ImportError):
    """An optional feature's dependencies are not installed; the message names the extra
    that installs them."""
