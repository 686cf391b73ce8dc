"""``fingerprint analyze``: each movie's JSON, CSV and poster, with a progress bar.

Ctrl-C cancels the film being analysed within a frame (`analyze`'s ``cancel``), writes
nothing for it, and exits with 130, the shell's status for an interrupted command
(`fingerprint.cli._running`).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from .._files import find_videos
from .._outputs import write_outputs
from ..cache import Cache
from ..errors import Cancelled, FingerprintError
from ..params import Params
from ._options import (
    analysis_options,
    cache_from,
    cache_options,
    output_options,
    outputs_from,
    params_from,
)
from ._running import INTERRUPTED, analyze_with_bar, cancel_on_interrupt, frames_with_bar


def add_analyze_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint analyze MOVIE|FOLDER ... --out DIR``."""
    a = commands.add_parser(
        "analyze",
        help="fingerprint movies into JSON, CSV and a poster (PNG and SVG)",
        description="Writes DIR/<name>.json, .csv, .png and .svg for each movie.",
    )
    a.add_argument(
        "movies", nargs="+", metavar="MOVIE",
        help="video files, or folders whose videos (searched recursively) are analysed",
    )
    a.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    analysis_options(a)
    output_options(a)
    cache_options(a)
    a.set_defaults(run=run_analyze)


def run_analyze(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Analyse each movie in turn; Ctrl-C cancels the one being analysed."""
    try:
        params = params_from(args)
        outputs_from(args)  # a poster that cannot be drawn is refused before any work
        args.out.mkdir(parents=True, exist_ok=True)
        cache = cache_from(args)
    except FingerprintError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot use {args.out}: {exc.strerror or exc}")
    with cancel_on_interrupt() as cancel:
        return _analyze_all(args, params, cache, cancel)


def _films(given: Sequence[str]) -> Iterator[tuple[str | Path, str | None]]:
    """Each film to analyse with the name of its outputs: a folder stands for the videos
    under it (None for a folder with none); names that two films share get -2, -3, ...
    so no output is overwritten. A file stays as given, so that its errors name it so
    (a web address keeps its "//")."""
    used: set[str] = set()
    for text in given:
        films: list[str | Path] = [*find_videos(text)] if Path(text).is_dir() else [text]
        if not films:
            yield text, None
        for film in films:
            stem = first = Path(film).stem
            n = 1
            while stem.casefold() in used:
                n += 1
                stem = f"{first}-{n}"
            used.add(stem.casefold())
            yield film, stem


def _analyze_one(
    movie: str | Path,
    stem: str,
    args: argparse.Namespace,
    params: Params,
    cache: Cache | None,
    cancel: threading.Event,
) -> None:
    fp = analyze_with_bar(movie, params=params, cache=cache, cancel=cancel)
    outputs = outputs_from(args)
    frames = frames_with_bar(movie, fp, outputs.poster, cache=cache, cancel=cancel)
    write_outputs(args.out / stem, fp, outputs, frames=frames)
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
