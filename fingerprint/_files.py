"""Finding films on disk: which file names are videos, the videos under a folder, and a
path checked before it is opened (`check_file`).

The command line's folder arguments, the batch runner and the app's movies folder all
list films the same way: by extension, hidden files and folders skipped, symlinks that
lead out of the folder or in a loop ignored, sorted case-blind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from .errors import NotAVideoError, UnreadableFileError, VideoNotFoundError

VIDEO_EXTENSIONS = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".m2ts",
    ".mts", ".wmv", ".flv", ".ogv", ".3gp",
    ".vob", ".mxf", ".dv",  # DVDs, archives' and broadcasters' masters, DV tape
})


def is_video_name(name: str | os.PathLike[str]) -> bool:
    """True for a visible file name with a video extension (``film.MKV``, not ``.film.mp4``)."""
    path = Path(name)
    return not path.name.startswith(".") and path.suffix.lower() in VIDEO_EXTENSIONS


def find_videos(folder: str | os.PathLike[str], *, limit: int | None = None) -> list[Path]:
    """Video files under ``folder`` (recursively), sorted case-blind by their path relative
    to it. A symlink is kept only if it resolves to a file inside the folder, so neither a
    link out nor a link loop is followed; ``limit`` stops the walk early on a huge tree."""
    root = Path(folder).resolve()
    found = []
    for path in _walk(root):
        found.append(path)
        if limit is not None and len(found) >= limit:
            break
    return sorted(found, key=lambda p: p.relative_to(root).as_posix().casefold())


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not is_video_name(name):
                continue
            path = Path(folder) / name
            try:
                # strict: a dangling link raises; a loop raises RuntimeError on Python 3.11
                # and OSError (ELOOP) on 3.13.
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if target.is_relative_to(root) and target.is_file():
                yield path


# A scheme and "//", as an address bar gives them (https://, ftp://, file://).
_WEB_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def check_file(path: str | os.PathLike[str]) -> Path:
    """Raise our exception if ``path`` is a web address, missing, a folder, unreadable or
    empty. A web address is named as given: as a `Path` its "//" would fold into a path
    that merely does not exist."""
    text = os.fspath(path)
    if _WEB_ADDRESS.match(text) and not os.path.exists(text):
        raise VideoNotFoundError(
            f"{text} is a web address; films are read from files: download it first."
        )
    p = Path(text)
    if not p.exists():
        raise VideoNotFoundError(f"no such file: {p}.")
    if p.is_dir():
        raise UnreadableFileError(f"{p} is a folder, not a video file.")
    if not os.access(p, os.R_OK):
        raise UnreadableFileError(f"cannot read {p}: permission denied.")
    if p.stat().st_size == 0:
        raise NotAVideoError(f"{p.name} is empty (0 bytes).")
    return p
