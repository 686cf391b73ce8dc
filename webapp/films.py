"""Films the app can open, and where they come from. Pure, no Streamlit.

Films on the server come from two folders the app trusts, the bundled demo films and an
optional movies folder; `resolve_movie` is the one gate from a name to a path under the
movies folder, so no crafted name, ``..`` or symlink reads anything outside it. A link
names a film by a demo film's id or by its content key (`parse_film_id`); the library
offers only films from those two folders (`in_movies`), never uploads (each is private
to the session that made it) nor films analysed elsewhere, by the command line say.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fingerprint import Fingerprint, UnreadableFileError, VideoInfo, VideoNotFoundError
from fingerprint._files import find_videos
from fingerprint.decode._hdr import describe_color
from fingerprint.timecodes import timecode

_KEY = re.compile(r"[0-9a-f]{24}")
_DEMO_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")


Origin = Literal["demo", "upload", "movies", "library"]


@dataclass(frozen=True)
class Film:
    """A film the app can open. ``id`` is what a share link holds: a demo film's id or the
    content key; ``key`` is always the content key the caches use."""

    id: str
    key: str
    path: Path
    title: str
    info: VideoInfo
    origin: Origin
    credit: str | None = None
    licence: str | None = None
    licence_url: str | None = None


@dataclass(frozen=True)
class DemoFilm:
    """A film bundled with the app, with the credit its licence asks for."""

    id: str
    path: Path
    title: str
    credit: str
    licence: str
    licence_url: str
    source_url: str
    description: str


# --- names in links --------------------------------------------------------------------
def parse_film_id(value: str | None) -> str | None:
    """A link's film: a content key (24 hex digits) or a demo film's id, else None."""
    value = (value or "").strip().lower()
    if _KEY.fullmatch(value) or _DEMO_ID.fullmatch(value):
        return value
    return None


def is_content_key(value: str) -> bool:
    return bool(_KEY.fullmatch(value))


# --- demo films ------------------------------------------------------------------------
def demo_films(folder: str | os.PathLike[str]) -> dict[str, DemoFilm]:
    """The demo films listed in ``folder/films.json``, in its order, by id."""
    folder = Path(folder)
    entries = json.loads((folder / "films.json").read_text(encoding="utf-8"))
    films = {}
    for entry in entries:
        film = DemoFilm(
            id=entry["id"],
            path=folder / entry["file"],
            title=entry["title"],
            credit=entry["credit"],
            licence=entry["licence"],
            licence_url=entry["licence_url"],
            source_url=entry["source_url"],
            description=entry["description"],
        )
        if not _DEMO_ID.fullmatch(film.id) or _KEY.fullmatch(film.id):
            raise ValueError(f"bad demo film id in films.json: {film.id!r}")
        films[film.id] = film
    return films


# --- the movies folder -----------------------------------------------------------------
def movie_files(root: str | os.PathLike[str], *, limit: int = 5000) -> list[str]:
    """Video files under the movies folder, as paths relative to it ('/'-separated),
    sorted case-blind (`fingerprint._files.find_videos`: hidden files and folders, links
    out of the folder and link loops skipped). Stops at ``limit`` files, so a whole disk
    given as the folder stays quick."""
    root = Path(root).resolve()
    return [path.relative_to(root).as_posix() for path in find_videos(root, limit=limit)]


def resolve_movie(root: str | os.PathLike[str], name: str) -> Path:
    """The file ``name`` (relative to the movies folder) names, fully resolved.

    Raises UnreadableFileError if it resolves outside the folder: an absolute path, a
    ``..`` or a symlink out are all refused. VideoNotFoundError if it is not a file.
    """
    root = Path(root).resolve()
    if not name or "\x00" in name or Path(name).is_absolute():
        raise UnreadableFileError(f"{name!r} is not a film in the movies folder.")
    try:
        path = (root / name).resolve()
    except (RuntimeError, OSError) as exc:  # Python 3.11 raises RuntimeError on a loop
        raise UnreadableFileError(f"{name} cannot be opened: it is a symlink loop.") from exc
    if not path.is_relative_to(root) or path == root:
        raise UnreadableFileError(f"{name!r} is not a film in the movies folder.")
    if not path.is_file():
        raise VideoNotFoundError(f"{name} is not in the movies folder any more.")
    return path


def in_movies(root: str | os.PathLike[str] | None, source: str | None) -> str | None:
    """The name in the movies folder of the file ``source`` (an analysed film's path), or
    None when it is not under the folder (any more): only such films, and the demo films,
    are offered by the library and opened by a link's content key."""
    if root is None or not source:
        return None
    root = Path(root).resolve()
    try:
        name = Path(source).relative_to(root).as_posix()
        resolve_movie(root, name)
    except (ValueError, UnreadableFileError, VideoNotFoundError):
        return None
    return name


# --- uploads -------------------------------------------------------------------------
# The longest file name the cache stores; longer ones keep their start and their suffix.
MAX_NAME_BYTES = 200


def upload_name(name: str) -> str:
    """A visitor's upload name as a file name the cache can store: its last part (after
    any ``/`` or ``\\``), no control characters, not hidden, ``.`` or ``..``, at most
    `MAX_NAME_BYTES` bytes with its suffix kept."""
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    if name.strip(".") == "":
        return "upload"
    if name.startswith("."):  # a hidden file in the cache's folder: the sweeper's to judge
        name = "upload" + name
    if len(name.encode()) > MAX_NAME_BYTES:
        suffix = Path(name).suffix if len(Path(name).suffix) <= 16 else ""
        stem = name[: len(name) - len(suffix)].encode()[: MAX_NAME_BYTES - len(suffix.encode())]
        name = stem.decode(errors="ignore") + suffix
    return name


def upload_title(name: str) -> str:
    """An upload's title: the visitor's name without its suffix, as they know it."""
    title = Path(upload_name(name)).stem.replace("_", " ").strip()
    return title or "upload"


# --- words about a film ----------------------------------------------------------------
def describe(film: Film, fp: Fingerprint) -> str:
    """One line about the film and the analysis, for under its title."""
    info = film.info
    parts = [timecode(info.duration), f"{info.width}×{info.height}", info.codec.upper()]
    if color := describe_color(fp.video):  # e.g. "HDR10 · tone-mapped to SDR"
        parts.append(color)
    if info.fps:
        parts.append(f"{info.fps:.3g} fps")
    parts.append(f"{len(fp)} moments × {fp.k} colours")
    if fp.params.start is not None or fp.params.end is not None:
        start = timecode(fp.params.start or 0)
        end = timecode(min(info.duration, fp.params.end or info.duration))  # an end past the film
        parts.append(f"{start}–{end}")
    if fp.crop is not None:
        top, bottom, left, right = fp.crop
        parts.append(f"black bars cropped ({max(top + bottom, left + right):.0%})")
    return " · ".join(parts)


def slug(title: str) -> str:
    """A title as a file name's stem: "His Girl Friday (1940)" -> "his-girl-friday-1940"."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "film"


def credit_line(film: Film) -> str | None:
    """The credit a demo film's licence asks for, as Markdown; None for other films."""
    if film.credit is None:
        return None
    return f"{film.credit} · [{film.licence}]({film.licence_url})"


def ago(seconds: float, *, now: float | None = None) -> str:
    """How long ago the epoch time ``seconds`` was, as people say it: "3 hours ago"."""
    age = (time.time() if now is None else now) - seconds
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if age >= size:
            n = int(age // size)
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"
