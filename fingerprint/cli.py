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
from .model import Fingerprint, Params, parse_time, write_all_atomic
from .pipeline import analyze
from .render import (
    MAX_POSTER_PIXELS,
    POSTER_KINDS,
    POSTER_SIZES,
    PosterSize,
    poster_png,
    poster_svg,
)
from .shots import shots_to_csv

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
        help="fingerprint movies into JSON, CSV and a poster (PNG and SVG)",
        description="Writes DIR/<name>.json, .csv, .png and .svg for each movie.",
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
        "--sound", action="store_true",
        help="add the sound print: loudness (LUFS) at each sample, in the JSON, the header "
        "CSV and the poster (fast: 3 s around each sample; exact: every moment)",
    )
    a.add_argument(
        "--shots", action="store_true",
        help="find the shots (decodes every frame) and write DIR/<name>-shots.csv, each "
        "shot's span and palette",
    )
    a.add_argument(
        "--csv-header",
        action="store_true",
        help="CSV with a header, times and shares instead of bare hex rows",
    )
    _poster_options(a)
    a.add_argument(
        "--cache-dir",
        type=Path,
        help="cache folder (default: $FINGERPRINT_CACHE_DIR or the user cache folder)",
    )
    a.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    return parser


def _poster_size(text: str) -> PosterSize:
    """``--poster-size``: a named size or ``WxH`` pixels."""
    named = {size.name: size for size in POSTER_SIZES}
    if text.lower() in named:
        return named[text.lower()]
    width, _, height = text.lower().partition("x")
    try:
        size = PosterSize(text, text, int(width), int(height))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"give WxH pixels (3000x1000) or one of {', '.join(named)}, not {text!r}"
        ) from None
    if min(size.width, size.height) < 1 or size.width * size.height > MAX_POSTER_PIXELS:
        raise argparse.ArgumentTypeError(
            f"{text}: a poster is at least 1x1 and at most "
            f"{MAX_POSTER_PIXELS // 1_000_000} million pixels"
        )
    return size


def _dpi(text: str) -> int:
    """``--poster-dpi``: a whole number of dots per inch, as a PNG can hold it."""
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise argparse.ArgumentTypeError(f"give a whole number from 1 to 10000, not {text!r}")
    return int(text)


def _poster_options(a: argparse.ArgumentParser) -> None:
    posters = a.add_argument_group("poster")
    posters.add_argument(
        "--poster",
        choices=POSTER_KINDS,
        default="palette",
        help="palette: the strip, bands as tall as each colour's share; bands: equal bands; "
        "average: the classic barcode of average colours; ring: the circular print, as "
        "Chipdelmal/moviesColorFingerprint drew it (%(default)s)",
    )
    posters.add_argument(
        "--poster-size",
        type=_poster_size,
        default=POSTER_SIZES[0],
        metavar="SIZE",
        help="WxH pixels, or "
        + ", ".join(f"{s.name} ({s.width}x{s.height}{f' at {s.dpi} dpi' if s.dpi else ''})"
                    for s in POSTER_SIZES)
        + "; the file is exactly this size, caption included (banner)",
    )
    posters.add_argument(
        "--poster-dpi", type=_dpi, metavar="DPI",
        help="DPI written into the PNG for print (default: the named size's, else none)",
    )
    posters.add_argument("--title", help="a title under the poster, drawn as given")
    posters.add_argument("--credit", help="a credit line under the poster, drawn as given")


def _poster_files(stem: Path, fp: Fingerprint, args: argparse.Namespace) -> dict[Path, bytes]:
    """The poster asked for, as ``stem``.png and ``stem``.svg."""
    size = args.poster_size
    options = {
        "kind": args.poster, "width": size.width, "height": size.height,
        "title": args.title, "credit": args.credit, "dpi": args.poster_dpi or size.dpi,
        "sound": args.sound,
    }
    return {
        stem.with_suffix(".png"): poster_png(fp, **options),
        stem.with_suffix(".svg"): poster_svg(fp, **options).encode(),
    }


def _shot_files(stem: Path, fp: Fingerprint) -> dict[Path, bytes]:
    """``stem``-shots.csv when the shots were asked for."""
    if fp.shots is None:
        return {}
    return {stem.with_name(f"{stem.name}-shots.csv"): shots_to_csv(fp.shots).encode()}


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
    # The files appear together or not at all (a full disk, a kill).
    write_all_atomic({
        out.with_suffix(".json"): fp.to_json().encode(),
        out.with_suffix(".csv"): fp.to_csv(header=args.csv_header).encode(),
        **_poster_files(out, fp, args),
        **_shot_files(out, fp),
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
            sound=args.sound,
            shots=args.shots,
        )
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


if __name__ == "__main__":
    sys.exit(main())
