"""Command line: ``fingerprint analyze MOVIE|FOLDER ... --out DIR``.

Ctrl-C cancels the film being analysed within a frame (`analyze`'s ``cancel``), writes
nothing for it, and exits with 130, the shell's status for an interrupted command.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from .cache import Cache
from .errors import Cancelled, FingerprintError
from .files import find_videos
from .model import Params, parse_time, write_all_atomic
from .pipeline import analyze
from .render import poster_png

# The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


class _ProgressBar:
    """A one-line bar with ETA on a terminal; silent when stderr is not a terminal."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label, self.stream = label, stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()

    def __call__(self, fraction: float, message: str) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        eta = (
            f"{elapsed / fraction * (1 - fraction):4.0f}s left" if fraction > 0.02 else "         "
        )
        filled = int(30 * fraction)
        bar = "█" * filled + "·" * (30 - filled)
        self.stream.write(f"\r{self.label[:28]:28} {bar} {fraction:4.0%} {eta}  {message[:40]:40}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fingerprint", description="A film's dominant colours over its running time."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    a = commands.add_parser(
        "analyze",
        help="fingerprint movies into JSON, CSV and a PNG poster",
        description="Writes DIR/<name>.json, .csv and .png for each movie.",
    )
    defaults = Params()
    a.add_argument(
        "movies", nargs="+", type=Path, metavar="MOVIE",
        help="video files, or folders whose videos (searched recursively) are analysed",
    )
    a.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    a.add_argument(
        "--samples",
        type=int,
        default=defaults.samples,
        help=f"samples taken across the film, at most {Params.MAX_SAMPLES} and never more "
        "than its frames (%(default)s)",
    )
    a.add_argument(
        "--clusters",
        "-k",
        type=int,
        default=defaults.clusters,
        help="colours per sample, {} to {} (%(default)s)".format(*Params.CLUSTERS_RANGE),
    )
    a.add_argument(
        "--mode",
        choices=Params.MODES,
        default=defaults.mode,
        help="fast: nearest keyframes; exact: the frame on screen at each time",
    )
    a.add_argument(
        "--start", type=_time, metavar="TIME",
        help="skip the start (an intro): seconds (95) or h:mm:ss (0:01:35)",
    )
    a.add_argument(
        "--end", type=_time, metavar="TIME",
        help="stop here (before the credits): seconds or h:mm:ss; past the film's end "
        "means its end",
    )
    a.add_argument("--no-crop", action="store_true", help="keep black bars")
    a.add_argument(
        "--color-space",
        choices=Params.COLOR_SPACES,
        default=defaults.color_space,
        help="cluster in CIELAB (perceptual) or RGB (%(default)s)",
    )
    a.add_argument(
        "--csv-header",
        action="store_true",
        help="CSV with a header, times and shares instead of bare hex rows",
    )
    a.add_argument(
        "--poster-size", default="3000x1000", metavar="WxH", help="poster pixels (%(default)s)"
    )
    a.add_argument(
        "--bands",
        choices=["share", "equal"],
        default="share",
        help="poster band heights: proportional to share, or equal",
    )
    a.add_argument(
        "--cache-dir",
        type=Path,
        help="cache folder (default: $FINGERPRINT_CACHE_DIR or the user cache folder)",
    )
    a.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    return parser


def _time(text: str) -> float:
    try:
        seconds = parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds is None:
        raise argparse.ArgumentTypeError("a time cannot be blank")
    return seconds


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
    size: tuple[int, int],
    cancel: threading.Event,
) -> None:
    bar = _ProgressBar(movie.name, sys.stderr)
    try:
        fp = analyze(movie, params=params, cache=cache, on_progress=bar, cancel=cancel)
    finally:
        bar.close()
    if cancel.is_set():
        raise Cancelled
    out = args.out / stem
    # The three files appear together or not at all (a full disk, a kill).
    write_all_atomic({
        out.with_suffix(".json"): fp.to_json().encode(),
        out.with_suffix(".csv"): fp.to_csv(header=args.csv_header).encode(),
        out.with_suffix(".png"): poster_png(
            fp, width=size[0], height=size[1], bands=args.bands
        ),
    })
    for warning in fp.warnings:
        print(f"warning: {movie}: {warning}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 when every movie succeeded, 1 when
    one failed, 130 when Ctrl-C stopped it)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the work started
        print("\ninterrupted", file=sys.stderr)
        return INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        params = Params(
            samples=args.samples,
            clusters=args.clusters,
            mode=args.mode,
            start=args.start,
            end=args.end,
            crop=not args.no_crop,
            color_space=args.color_space,
        )
        width, _, height = args.poster_size.lower().partition("x")
        size = (int(width), int(height))
        if min(size) < 1:
            raise ValueError
        args.out.mkdir(parents=True, exist_ok=True)
        cache = None if args.no_cache else Cache(args.cache_dir)
    except FingerprintError as exc:
        parser.error(str(exc))
    except ValueError:
        parser.error(f"--poster-size must look like 3000x1000, not {args.poster_size!r}")
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
        return _analyze_all(args, params, cache, size, cancel)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


def _analyze_all(
    args: argparse.Namespace,
    params: Params,
    cache: Cache | None,
    size: tuple[int, int],
    cancel: threading.Event,
) -> int:
    failed = 0
    for movie, stem in _films(args.movies):
        if stem is None:
            failed += 1
            print(f"error: {movie}: this folder has no video files.", file=sys.stderr)
            continue
        try:
            _analyze_one(movie, stem, args, params, cache, size, cancel)
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


if __name__ == "__main__":
    sys.exit(main())
