"""The library's films with the sidebar's settings, and what the Collection page says of
them. Pure, no Streamlit.

The library is the demo films, always (so a first visitor's Collection has films), and
the films of the movies folder this server has analysed, with any settings; never a
visitor's upload nor a film the cache holds from elsewhere (`films.in_movies`). With the
current settings each film is in exactly one state (`Shelf`): shown (its fingerprint is
stored), being fingerprinted (the page queues it through the server's queue), or failed
(with the reason); the page's counts are of these three, so they add up to the library.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fingerprint import Fingerprint, FingerprintError, InvalidParameterError, Params, VideoInfo
from fingerprint.cache import Entry

from .escaping import escape_markdown
from .films import DemoFilm, in_movies, resolve_movie
from .jobs import waiting_text
from .settings import stored_params

# How long a film that could not be fingerprinted is left alone before a page tries again
# (a lack of memory passes; a broken file stays broken, and is tried every so often only).
RETRY_FAILED_S = 600.0


@dataclass(frozen=True)
class LibraryFilm:
    """A film of the library: its content key, title, the id Explore opens it by (a demo
    film's id or the key), its file on this server, and its `VideoInfo` as this server
    probed it (None: never analysed here, so nothing of it is stored)."""

    key: str
    title: str
    open_id: str
    path: Path
    info: VideoInfo | None = None
    analysed_at: float | None = None


def library_films(
    demos: Iterable[DemoFilm], entries: Iterable[Entry], movies: Path | None,
    key_of: Callable[[Path], str],
) -> list[LibraryFilm]:
    """The library: the demo films in their order, then the movies folder's films the
    cache's ``entries`` hold (most recent first, as `Cache.entries` lists them).
    ``key_of``: a file's content key (`Cache.key`)."""
    analysed = {entry.key: entry for entry in entries}
    films = []
    for demo in demos:
        key = key_of(demo.path)
        entry = analysed.pop(key, None)
        films.append(LibraryFilm(
            key=key, title=demo.title, open_id=demo.id, path=demo.path,
            info=entry.info if entry else None, analysed_at=entry.analysed_at if entry else None,
        ))
    for entry in analysed.values():
        name = in_movies(movies, entry.source)
        if movies is None or name is None:
            continue  # an upload (private to its visitor) or a film from elsewhere
        try:
            path = resolve_movie(movies, name)
        except FingerprintError:
            continue  # gone since in_movies looked
        films.append(LibraryFilm(
            key=entry.key, title=Path(name).stem.replace("_", " "), open_id=entry.key,
            path=path, info=entry.info, analysed_at=entry.analysed_at,
        ))
    return films


# --- each film's state with the settings ---------------------------------------------------
@dataclass(frozen=True)
class Shelf:
    """The library's films sorted by their state with one set of options: ``shown`` with
    their fingerprints, ``pending`` (to fingerprint), ``failed`` with the reason."""

    shown: tuple[tuple[LibraryFilm, Fingerprint], ...] = ()
    pending: tuple[LibraryFilm, ...] = ()
    failed: tuple[tuple[LibraryFilm, str], ...] = ()

    def __len__(self) -> int:
        return len(self.shown) + len(self.pending) + len(self.failed)


def shelve(
    films: Iterable[LibraryFilm], params: Params,
    load: Callable[[str, Params], Fingerprint | None],
) -> Shelf:
    """Sort ``films`` by what the cache holds for them with ``params`` (the sidebar's
    options, unfitted). ``load(key, options)``: the stored result (`Cache.load_result`),
    looked up with the options as fitted to each film (`stored_params`), as stored. A film
    the options do not fit (its start past its end) has failed."""
    shown, pending, failed = [], [], []
    for film in films:
        if film.info is None:
            pending.append(film)
            continue
        try:
            fitted = stored_params(params, film.info)
        except InvalidParameterError as exc:
            failed.append((film, str(exc)))
            continue
        fp = load(film.key, fitted)
        if fp is None:
            pending.append(film)
        else:
            shown.append((film, fp))
    return Shelf(tuple(shown), tuple(pending), tuple(failed))


def set_aside(
    pending: Iterable[LibraryFilm], failures: Failures, params: Params, *,
    now: float | None = None,
) -> tuple[tuple[LibraryFilm, ...], tuple[tuple[LibraryFilm, str], ...]]:
    """The ``pending`` films split into those still to fingerprint with ``params`` and
    those that failed with them lately (`Failures`; ``now`` on its clock), with the
    reason: no page run tries a film again and again."""
    still, failed = [], []
    for film in pending:
        why = failures.reason(film.key, params, now=now)
        if why is None:
            still.append(film)
        else:
            failed.append((film, why))
    return tuple(still), tuple(failed)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class Failures:
    """The library's films a page could not fingerprint, by content key and options, each
    remembered for ``retry`` seconds; one per server, shared by its sessions. Thread-safe."""

    def __init__(self, retry: float = RETRY_FAILED_S) -> None:
        self.retry = retry
        self._failed: dict[tuple[str, Params], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, params: Params, reason: str, *, now: float | None = None) -> None:
        with self._lock:
            self._failed[(key, params)] = (reason, time.monotonic() if now is None else now)

    def reason(self, key: str, params: Params, *, now: float | None = None) -> str | None:
        """Why the film failed with ``params`` lately, or None (never, or long enough ago
        to try again)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            reason, when = self._failed.get((key, params), (None, 0.0))
            if reason is not None and now - when >= self.retry:
                del self._failed[(key, params)]
                return None
            return reason


# --- what the page says ---------------------------------------------------------------------
@dataclass(frozen=True)
class Tally:
    """The page's counts: films shown, being fingerprinted and failed. Their sum is the
    library (`total`)."""

    shown: int
    fingerprinting: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.shown + self.fingerprinting + self.failed


def _films(n: int) -> str:
    return f"{n} film{'' if n == 1 else 's'}"


def tally_lines(counts: Tally) -> list[str]:
    """The page's captions about its films: how many it shows of the library, then how
    many are being fingerprinted and how many failed, if any."""
    shown = (_films(counts.total) if counts.shown == counts.total
             else f"{counts.shown} of the {_films(counts.total)}")
    lines = [
        f"{shown} of this server's library (the demo films, and the movies folder's films "
        "it has analysed) with the sidebar's settings, each on 0-100 % of its own running "
        "time. Open a film of the movies folder on Explore to add it."
    ]
    rest = []
    if counts.fingerprinting:
        rest.append(f"{counts.fingerprinting} being fingerprinted with these settings, each "
                    "shown once done")
    if counts.failed:
        rest.append(f"{counts.failed} could not be fingerprinted with them")
    if rest:
        lines.append(_sentence("; ".join(rest)) + ".")
    return lines


def failure_lines(failed: Iterable[tuple[LibraryFilm, str]]) -> list[str]:
    """A line for each failed film, its title and the reason, as Markdown-safe text."""
    return [escape_markdown(f"{film.title}: {reason}") for film, reason in failed]


def progress_text(
    counts: Tally, title: str, fraction: float, message: str, *, ahead: int | None,
    slots: float,
) -> tuple[float, str]:
    """The progress bar of the library's fingerprinting while the film ``title`` is in
    the queue (``ahead`` of it, or None once it runs, at ``fraction`` with ``message``):
    its value, the share of the films this shows of those it will show, and its text,
    Markdown-safe."""
    title = escape_markdown(title)
    will_show = counts.shown + counts.fingerprinting
    value = min(1.0, (counts.shown + fraction) / will_show) if will_show else 1.0
    done = f"{counts.shown} of {will_show} shown"
    if ahead is not None:
        return value, f"{done} · {waiting_text(title, ahead, slots)}"
    return value, (f"{done} · fingerprinting {title}: {fraction:.0%} · "
                   f"{escape_markdown(message)}")
