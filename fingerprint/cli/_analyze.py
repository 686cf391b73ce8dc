"""``fingerprint analyze``: each movie's JSON, CSV and poster, with a progress bar.

Ctrl-C cancels the film being analysed within a frame (`analyze`'s ``cancel``), writes
nothing for it, and exits with 130, the shell's status for an interrupted command.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from .._files import find_videos
from .._outputs import write_outputs
from .._pipeline import analyze
from ..cache import Cache
from ..errors import Cancelled, FingerprintError
from ..params import Params
from ._options import analysis_options, output_options, outputs_from, params_from

# The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
# Steps of the progress bar: finer than a terminal line, so it moves smoothly.
_STEPS = 1000


def add_analyze_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint analyze MOVIE|FOLDER ... --out DIR``."""
    a = commands.add_parser(
        "analyze",
        help="fingerprint movies into JSON, CSV and a poster (PNG and SVG)",
        description="Writes DIR/<name>.json, .csv, .png and .svg for each movie.",
    )
    a.add_argument(
        "movies", nargs="+", type=Path, metavar="MOVIE",
        help="video files, or folders whose videos (searched recursively) are analysed",
    )
    a.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    analysis_options(a)
    output_options(a)
    a.add_argument(
        "--cache-dir",
        type=Path,
        help="cache folder (default: $FINGERPRINT_CACHE_DIR or the user cache folder)",
    )
    a.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    a.set_defaults(run=run_analyze)


def run_analyze(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Analyse each movie in turn; Ctrl-C cancels the one being analysed."""
    try:
        params = params_from(args)
        outputs_from(args)  # a poster that cannot be drawn is refused before any work
        args.out.mkdir(parents=True, exist_ok=True)
        cache = None if args.no_cache else Cache(args.cache_dir)
    except FingerprintError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot use {args.out}: {exc.strerror or exc}")
    cancel = threading.Event()

    def on_interrupt(signum: int, frame: object) -> None:
        cancel.set()
        # A second Ctrl-C interrupts at once, whatever is running.
        signal.signal(signal.SIGINT, signal.default_int_handler)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main_thread else None
    try:
        return _analyze_all(args, params, cache, cancel)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


class _ProgressBar:
    """`analyze`'s progress as a tqdm bar with the time left, on a terminal only."""

    def __init__(self, label: str) -> None:
        self.bar = tqdm(
            total=_STEPS, desc=label[:28], file=sys.stderr, disable=None, leave=True,
            bar_format="{desc} {bar} {percentage:3.0f}% {remaining} left{postfix}",
        )

    def __call__(self, fraction: float, message: str) -> None:
        self.bar.set_postfix_str(message[:40], refresh=False)
        self.bar.update(round(fraction * _STEPS) - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _films(paths: Sequence[Path]) -> Iterator[tuple[Path, str | None]]:
    """Each film to analyse with the name of its outputs: a folder stands for the videos
    under it (None for a folder with none); names that two films share get -2, -3, ...
    so no output is overwritten."""
    used: set[str] = set()
    for path in paths:
        films = find_videos(path) if path.is_dir() else [path]
        if not films:
            yield path, None
        for film in films:
            stem, n = film.stem, 1
            while stem.casefold() in used:
                n += 1
                stem = f"{film.stem}-{n}"
            used.add(stem.casefold())
            yield film, stem


def _analyze_one(
    movie: Path,
    stem: str,
    args: argparse.Namespace,
    params: Params,
    cache: Cache | None,
    cancel: threading.Event,
) -> None:
    bar = _ProgressBar(movie.name)
    try:
        fp = analyze(movie, params=params, cache=cache, on_progress=bar, cancel=cancel)
    finally:
        bar.close()
    if cancel.is_set():
        raise Cancelled
    write_outputs(args.out / stem, fp, outputs_from(args))
    for warning in fp.warnings:
        print(f"warning: {movie}: {warning}", file=sys.stderr)


def _analyze_all(
    args: argparse.Namespace,
    params: Params,
    cache: Cache | None,
    cancel: threading.Event,
) -> int:
    failed = 0
    for movie, stem in _films(args.movies):
        if stem is None:
            failed += 1
            print(f"error: {movie}: this folder has no video files.", file=sys.stderr)
            continue
        try:
            _analyze_one(movie, stem, args, params, cache, cancel)
        except Cancelled:
            print(f"interrupted: nothing was written for {movie}", file=sys.stderr)
            return INTERRUPTED
        except FingerprintError as exc:
            failed += 1
            print(f"error: {movie}: {exc}", file=sys.stderr)
        except OSError as exc:
            failed += 1
            print(f"error: {movie}: cannot write results: {exc.strerror or exc}", file=sys.stderr)
    return 1 if failed else 0
