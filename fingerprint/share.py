"""Share links and the films they may name: pure functions, no Streamlit.

A link's query parameters hold every setting that changes the view (`Settings`) plus the
film: a demo film's id or an analysed film's content key. Parsing a link never fails:
a bad value falls back to its default and is reported, so a mangled link still opens.

Films on the server come from two folders the app trusts, the bundled demo films and an
optional movies folder; `resolve_movie` is the one gate from a name to a path under the
movies folder, so no crafted name, ``..`` or symlink reads anything outside it.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from .compare import MAX_BINS
from .errors import UnreadableFileError, VideoNotFoundError
from .model import Params, VideoInfo

# Limits of the app's controls. More than 3000 columns is more than a screen or a poster
# can show; more than 12 colours per moment no longer reads as a palette.
SAMPLES_RANGE = (10, 3000)
CLUSTERS_RANGE = (1, 12)
# Samples when the user has not chosen: one per frame for a short clip (more would repeat
# frames), at most 1000 for a feature (one every 7 s of a two-hour film).
AUTO_SAMPLES = 1000

VIEWS = ("strip", "bands", "average", "ring", "ab", "3d")
VIEW_LABELS = {
    "strip": "Palette",
    "bands": "Equal bands",
    "average": "Average colour",
    "ring": "Ring",
    "ab": "Colour wheel",
    "3d": "3-D colour space",
}

_KEY = re.compile(r"[0-9a-f]{24}")
_DEMO_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")

VIDEO_EXTENSIONS = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".m2ts",
    ".mts", ".wmv", ".flv", ".ogv", ".3gp",
})


# --- time ----------------------------------------------------------------------------
def parse_time(text: str | None) -> float | None:
    """Seconds from ``"90"``, ``"90.5"``, ``"1:30"`` or ``"1:02:03.5"``; blank gives None.

    Raises ValueError with a message for the user on anything else.
    """
    text = (text or "").strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 3 or not all(re.fullmatch(r"\d+(\.\d*)?", p) for p in parts):
        raise ValueError(f"{text!r} is not a time: write seconds (95) or h:mm:ss (1:02:03).")
    if any("." in p for p in parts[:-1]) or any(float(p) >= 60 for p in parts[1:]):
        raise ValueError(f"{text!r} is not a time: minutes and seconds go up to 59.")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def format_seconds(seconds: float) -> str:
    """Seconds for a URL or an input box: short, exact to the millisecond."""
    return f"{round(seconds, 3):g}"


# --- settings ------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Everything a share link restores besides the film.

    ``samples`` None means automatic (`auto_samples`). ``moment`` is the chosen moment,
    seconds from the film's start, or None.
    """

    samples: int | None = None
    clusters: int = 5
    mode: str = "fast"
    crop: bool = True
    color_space: str = "lab"
    start: float | None = None
    end: float | None = None
    view: str = "strip"
    moment: float | None = None


# Query-parameter name of each field: short, readable in a link.
PARAM_NAMES = {
    "samples": "samples",
    "clusters": "k",
    "mode": "mode",
    "crop": "crop",
    "color_space": "colors",
    "start": "start",
    "end": "end",
    "view": "view",
    "moment": "t",
}
DEFAULTS = Settings()


def int_in(value: str, lo: int, hi: int) -> int:
    """A whole number between ``lo`` and ``hi`` written in a link, or ValueError saying so."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not lo <= number <= hi:
        raise ValueError(f"must be a whole number between {lo} and {hi}")
    return number


def _choice(options: Sequence[str]):
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value

    return parse


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be 1 or 0")


def _time(value: str) -> float:
    seconds = parse_time(value)
    if seconds is None or not math.isfinite(seconds):
        raise ValueError("must be a time")
    return seconds


_PARSERS: dict[str, Any] = {
    "samples": lambda v: int_in(v, *SAMPLES_RANGE),
    "clusters": lambda v: int_in(v, *CLUSTERS_RANGE),
    "mode": _choice(("fast", "exact")),
    "crop": _flag,
    "color_space": _choice(("lab", "rgb")),
    "start": _time,
    "end": _time,
    "view": _choice(VIEWS),
    "moment": _time,
}


def _format(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format_seconds(value)
    return str(value)


def parse_params(
    query: Mapping[str, str | Sequence[str]], parsers: Mapping[str, Callable[[str], Any]]
) -> tuple[dict[str, Any], list[str]]:
    """The link parameters named in ``parsers``, parsed, and a message for each value that
    was ignored: a bad value falls back to its default, so a mangled link still opens.

    Unknown parameters are left alone (they may belong to a page); a repeated one counts
    by its last value, as browsers do.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, parse in parsers.items():
        raw = query.get(name)
        if raw is None:
            continue
        if not isinstance(raw, str):
            raw = raw[-1] if raw else ""
        try:
            values[name] = parse(raw.strip())
        except ValueError as exc:
            problems.append(f"ignored {name}={raw!r} in the link: {exc}.")
    return values, problems


def to_query(settings: Settings) -> dict[str, str]:
    """The link's parameters: only the settings that differ from the defaults, so a link
    stays short and a default that improves later reaches old links."""
    return {
        PARAM_NAMES[f.name]: _format(f.name, getattr(settings, f.name))
        for f in fields(Settings)
        if getattr(settings, f.name) != getattr(DEFAULTS, f.name)
    }


def from_query(query: Mapping[str, str | Sequence[str]]) -> tuple[Settings, list[str]]:
    """Settings from a link's parameters, and a message for each value that was ignored
    (see `parse_params`)."""
    parsers = {PARAM_NAMES[f.name]: _PARSERS[f.name] for f in fields(Settings)}
    values, problems = parse_params(query, parsers)
    field_of = {param: name for name, param in PARAM_NAMES.items()}
    settings = Settings(**{field_of[param]: value for param, value in values.items()})
    if settings.start is not None and settings.end is not None and settings.end <= settings.start:
        problems.append("ignored start and end in the link: the end must come after the start.")
        settings = replace(settings, start=None, end=None)
    return settings, problems


def auto_samples(info: VideoInfo, start: float | None = None, end: float | None = None) -> int:
    """Samples for a film when the user has not chosen: one per frame of the span, at most
    `AUTO_SAMPLES`, at least the smallest the controls allow."""
    lo = start or 0.0
    hi = info.duration if end is None else min(end, info.duration)
    frames = (hi - lo) * info.fps if info.fps else AUTO_SAMPLES
    return int(min(AUTO_SAMPLES, max(SAMPLES_RANGE[0], math.floor(frames))))


def params_for(settings: Settings, info: VideoInfo) -> Params:
    """The analysis options for a film. Raises InvalidParameterError on a bad trim."""
    samples = settings.samples or auto_samples(info, settings.start, settings.end)
    return Params(
        samples=samples,
        clusters=settings.clusters,
        mode=settings.mode,  # type: ignore[arg-type]
        start=settings.start,
        end=settings.end,
        crop=settings.crop,
        color_space=settings.color_space,  # type: ignore[arg-type]
    )


# --- columns, samples, moments -----------------------------------------------------
def point_sample(point: Mapping[str, Any], count: int) -> int | None:
    """The sample a clicked chart point stands for, or None if it names none.

    Every trace of `fingerprint.figures` carries the sample index as ``customdata[0]``
    (Streamlit reports a row as a list, or as ``{"0": ..., "1": ...}``); without it the
    point's index is the column, since every strip trace has one point per sample.
    """
    custom = point.get("customdata")
    index: Any = None
    if isinstance(custom, Mapping):  # how Streamlit reports a typed-array row
        index = custom.get("0")
    elif isinstance(custom, Sequence) and not isinstance(custom, str) and custom:
        index = custom[0]
    elif isinstance(custom, (int, float)):
        index = custom
    if index is None:
        index = point.get("point_index", point.get("point_number"))
    try:
        index = int(index)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < count else None


def sample_time(times: np.ndarray, index: int) -> float:
    """Seconds from the film's start of sample ``index``'s frame."""
    return float(times[index])


def nearest_sample(times: np.ndarray, seconds: float) -> int:
    """The sample whose frame is nearest to ``seconds``: a link's moment survives a change
    of the sample count."""
    return int(np.argmin(np.abs(np.asarray(times, dtype=np.float64) - seconds)))


# --- films ---------------------------------------------------------------------------
def parse_film_id(value: str | None) -> str | None:
    """A link's film: a content key (24 hex digits) or a demo film's id, else None."""
    value = (value or "").strip().lower()
    if _KEY.fullmatch(value) or _DEMO_ID.fullmatch(value):
        return value
    return None


def is_content_key(value: str) -> bool:
    return bool(_KEY.fullmatch(value))


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


def movie_files(root: str | os.PathLike[str], *, limit: int = 5000) -> list[str]:
    """Video files under the movies folder, as paths relative to it ('/'-separated),
    sorted case-blind; hidden files and folders are skipped, and symlinks that lead
    outside. Stops at ``limit`` files, so a whole disk given as the folder stays quick."""
    root = Path(root).resolve()
    found: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in VIDEO_EXTENSIONS:
                continue
            relative = (Path(folder) / name).relative_to(root).as_posix()
            try:
                resolve_movie(root, relative)
            except (UnreadableFileError, VideoNotFoundError):
                continue
            found.append(relative)
            if len(found) >= limit:
                return sorted(found, key=str.casefold)
    return sorted(found, key=str.casefold)


def resolve_movie(root: str | os.PathLike[str], name: str) -> Path:
    """The file ``name`` (relative to the movies folder) names, fully resolved.

    Raises UnreadableFileError if it resolves outside the folder: an absolute path, a
    ``..`` or a symlink out are all refused. VideoNotFoundError if it is not a file.
    """
    root = Path(root).resolve()
    if not name or "\x00" in name or Path(name).is_absolute():
        raise UnreadableFileError(f"{name!r} is not a film in the movies folder.")
    path = (root / name).resolve()
    if not path.is_relative_to(root) or path == root:
        raise UnreadableFileError(f"{name!r} is not a film in the movies folder.")
    if not path.is_file():
        raise VideoNotFoundError(f"{name} is not in the movies folder any more.")
    return path


# --- the Compare page's own options -------------------------------------------------
#: The comparison's own query parameters (the films are ``a`` and ``b``, the analysis
#: settings those above).
BINS_PARAM, COLOURS_PARAM = "bins", "top"
COLOURS_RANGE = (2, 16)


@dataclass(frozen=True)
class CompareOptions:
    """The comparison's settings a share link restores: ``bins`` (None: `default_bins`)
    and ``colours``, the size of the whole-film palettes."""

    bins: int | None = None
    colours: int = 8


def options_to_query(options: CompareOptions) -> dict[str, str]:
    """Query parameters for the options that differ from the defaults."""
    query = {}
    if options.bins is not None:
        query[BINS_PARAM] = str(options.bins)
    if options.colours != CompareOptions.colours:
        query[COLOURS_PARAM] = str(options.colours)
    return query


def options_from_query(
    query: Mapping[str, str | Sequence[str]],
) -> tuple[CompareOptions, list[str]]:
    """Options from a link's parameters, and a message for each value that was ignored
    (a bad value falls back to its default, so a mangled link still opens)."""
    values, problems = parse_params(
        query,
        {
            BINS_PARAM: lambda v: int_in(v, 1, MAX_BINS),
            COLOURS_PARAM: lambda v: int_in(v, *COLOURS_RANGE),
        },
    )
    return CompareOptions(
        bins=values.get(BINS_PARAM), colours=values.get(COLOURS_PARAM, CompareOptions.colours)
    ), problems
