"""Share links: the settings to and from a link's query parameters. Pure, no Streamlit.

A link holds every setting that changes the view (`Settings`, `CompareOptions`,
`CollectionOptions`) plus its films, each a demo film's id or an analysed film's content
key. Parsing a link never fails: a bad value falls back to its default and is reported,
so a mangled link still opens. Each parameter's choices and range come from
`webapp.settings`, `webapp.collection_view` and `Params`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

from fingerprint import InvalidParameterError, Params
from fingerprint.compare._compare import MAX_BINS
from fingerprint.palette._cvd import CVD_KINDS
from fingerprint.timecodes import parse_time

from .collection_view import SHOWS, SORTS, CollectionOptions
from .films import is_content_key
from .settings import (
    ALIGNMENT_VIEWS,
    CLUSTERS_RANGE,
    COMPARE_COLORS_RANGE,
    SAMPLES_RANGE,
    SEVERITY_RANGE,
    VIEWS,
    CompareOptions,
    Settings,
)

Query = Mapping[str, str | Sequence[str]]

# Query-parameter name of each field: short, readable in a link.
PARAM_NAMES = {
    "samples": "samples",
    "clusters": "k",
    "mode": "mode",
    "crop": "crop",
    "color_space": "color_space",
    "start": "start",
    "end": "end",
    "sound": "sound",
    "shots": "shots",
    "view": "view",
    "time": "t",
    "cvd": "cvd",
    "cvd_severity": "cvd_severity",
}
# Names older links used, by today's name: still read, never written. (``colors`` read as
# the palettes' colours, the word the file format and the CLI use for those.)
OLD_NAMES = {"color_space": ("colors",)}
# The Compare page's own parameters; its films are ``a`` and ``b``.
COMPARE_PARAM_NAMES = {"bins": "bins", "colors": "top", "alignment": "align"}
# The Collection page's own parameters (``view`` is the Explore page's: ``show`` here).
COLLECTION_PARAM_NAMES = {"show": "show", "sort": "sort", "descending": "desc", "near": "near",
                          "page": "page"}
DEFAULTS = Settings()


# --- values ----------------------------------------------------------------------------
def format_seconds(seconds: float) -> str:
    """Seconds for a URL or an input box, as `parse_time` reads them back: exact to the
    millisecond, never an exponent (``:g`` wrote 99999999 as 1e+08 and 1234.567 as 1234.57)."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def int_in(value: str, lo: int, hi: int) -> int:
    """A whole number between ``lo`` and ``hi`` written in a link, or ValueError saying so."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not lo <= number <= hi:
        raise ValueError(f"must be a whole number between {lo} and {hi}")
    return number


def _choice(options: Sequence[str]) -> Callable[[str], str]:
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


def _severity(value: str) -> float:
    lo, hi = SEVERITY_RANGE
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not lo <= number <= hi:  # NaN fails it too
        raise ValueError(f"must be a number from {lo:g} to {hi:g}")
    return round(number, 2)


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format_seconds(value)
    return str(value)


_PARSERS: dict[str, Callable[[str], Any]] = {
    "samples": lambda v: int_in(v, *SAMPLES_RANGE),
    "clusters": lambda v: int_in(v, *CLUSTERS_RANGE),
    "mode": _choice(Params.MODES),
    "crop": _flag,
    "color_space": _choice(Params.COLOR_SPACES),
    "start": _time,
    "end": _time,
    "sound": _flag,
    "shots": _flag,
    "view": _choice(VIEWS),
    "time": _time,
    "cvd": _choice(tuple(CVD_KINDS)),
    "cvd_severity": _severity,
}
_COMPARE_PARSERS: dict[str, Callable[[str], Any]] = {
    "bins": lambda v: int_in(v, 1, MAX_BINS),
    "colors": lambda v: int_in(v, *COMPARE_COLORS_RANGE),
    "alignment": _choice(ALIGNMENT_VIEWS),
}


def _film_key(value: str) -> str:
    if not is_content_key(value.lower()):
        raise ValueError("must be a film's content key (24 hexadecimal digits)")
    return value.lower()


_COLLECTION_PARSERS: dict[str, Callable[[str], Any]] = {
    "show": _choice(SHOWS),
    "sort": _choice(SORTS),
    "descending": _flag,
    "near": _film_key,
    # A page past the collection's last is its last (`collection_view.page_span`): the
    # bound only keeps the number sane.
    "page": lambda v: int_in(v, 1, 100_000),
}


# --- queries ---------------------------------------------------------------------------
def parse_params(
    query: Query, parsers: Mapping[str, Callable[[str], Any]]
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


def _with_new_names(query: Query) -> dict[str, str | Sequence[str]]:
    """``query`` with each old parameter name read as today's (today's wins if both)."""
    renamed = dict(query)
    for field, old_names in OLD_NAMES.items():
        for old in old_names:
            if old in renamed:
                renamed.setdefault(PARAM_NAMES[field], renamed.pop(old))
    return renamed


def _encode(values: Any, names: Mapping[str, str]) -> dict[str, str]:
    """The parameters of the dataclass ``values`` that differ from its defaults: a link
    stays short, and a default that improves later reaches old links."""
    defaults = type(values)()
    return {
        names[f.name]: _format(getattr(values, f.name))
        for f in fields(values)
        if getattr(values, f.name) != getattr(defaults, f.name)
    }


def _decode(
    query: Query, names: Mapping[str, str], parsers: Mapping[str, Callable[[str], Any]]
) -> tuple[dict[str, Any], list[str]]:
    values, problems = parse_params(query, {names[f]: parse for f, parse in parsers.items()})
    field_of = {param: field for field, param in names.items()}
    return {field_of[param]: value for param, value in values.items()}, problems


def to_query(settings: Settings) -> dict[str, str]:
    """The link's parameters for ``settings``: those that differ from the defaults."""
    return _encode(settings, PARAM_NAMES)


def from_query(query: Query) -> tuple[Settings, list[str]]:
    """Settings from a link's parameters, old names included, and a message for each
    value that was ignored (see `parse_params`)."""
    values, problems = _decode(_with_new_names(query), PARAM_NAMES, _PARSERS)
    settings = Settings(**values)
    try:
        Params.check_trim(settings.start, settings.end)
    except InvalidParameterError:
        problems.append("ignored start and end in the link: the end must come after the start.")
        settings = replace(settings, start=None, end=None)
    return settings, problems


def compare_to_query(options: CompareOptions) -> dict[str, str]:
    """The link's parameters for the Compare page's options that differ from the defaults."""
    return _encode(options, COMPARE_PARAM_NAMES)


def compare_from_query(query: Query) -> tuple[CompareOptions, list[str]]:
    """The Compare page's options from a link, and a message for each value ignored."""
    values, problems = _decode(query, COMPARE_PARAM_NAMES, _COMPARE_PARSERS)
    return CompareOptions(**values), problems


def collection_to_query(options: CollectionOptions) -> dict[str, str]:
    """The link's parameters for the Collection page's options that differ from the defaults."""
    return _encode(options, COLLECTION_PARAM_NAMES)


def collection_from_query(query: Query) -> tuple[CollectionOptions, list[str]]:
    """The Collection page's options from a link, and a message for each value ignored."""
    values, problems = _decode(query, COLLECTION_PARAM_NAMES, _COLLECTION_PARSERS)
    return CollectionOptions(**values), problems


def query_changes(
    current: Mapping[str, str], wanted: Mapping[str, str], names: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    """What to set and what to delete so that the parameters ``names`` of ``current`` say
    ``wanted``, leaving the others alone: only changes are sent to the browser."""
    to_set = {n: wanted[n] for n in names if n in wanted and current.get(n) != wanted[n]}
    to_delete = [n for n in names if n not in wanted and n in current]
    return to_set, to_delete


def settings_param_names() -> list[str]:
    """Every parameter `to_query` may write, and every old name it replaces."""
    return [*PARAM_NAMES.values(), *(old for names in OLD_NAMES.values() for old in names)]
