"""Command line: ``fingerprint analyze MOVIE [MOVIE ...] --out DIR``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .cache import Cache
from .errors import FingerprintError
from .model import Fingerprint, Params, write_atomic
from .pipeline import analyze
from .render import (
    MAX_POSTER_PIXELS,
    POSTER_KINDS,
    POSTER_SIZES,
    PosterSize,
    poster_png,
    poster_svg,
)


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
    a.add_argument("movies", nargs="+", type=Path, metavar="MOVIE")
    a.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    a.add_argument(
        "--samples",
        type=int,
        default=defaults.samples,
        help="samples taken across the film (%(default)s)",
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
    a.add_argument("--start", type=float, help="seconds to skip at the start (an intro)")
    a.add_argument("--end", type=float, help="stop at this many seconds (before the credits)")
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


def _write_posters(stem: Path, fp: Fingerprint, args: argparse.Namespace) -> None:
    """The poster asked for, as ``stem``.png and ``stem``.svg."""
    size = args.poster_size
    options = {
        "kind": args.poster, "width": size.width, "height": size.height,
        "title": args.title, "credit": args.credit, "dpi": args.poster_dpi or size.dpi,
    }
    write_atomic(stem.with_suffix(".png"), poster_png(fp, **options))
    write_atomic(stem.with_suffix(".svg"), poster_svg(fp, **options).encode())


def _analyze_one(
    movie: Path,
    args: argparse.Namespace,
    params: Params,
    cache: Cache | None,
) -> None:
    bar = _ProgressBar(movie.name, sys.stderr)
    try:
        fp = analyze(movie, params=params, cache=cache, on_progress=bar)
    finally:
        bar.close()
    stem = args.out / movie.stem
    write_atomic(stem.with_suffix(".json"), fp.to_json().encode())
    write_atomic(stem.with_suffix(".csv"), fp.to_csv(header=args.csv_header).encode())
    _write_posters(stem, fp, args)
    for warning in fp.warnings:
        print(f"warning: {movie}: {warning}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 when every movie succeeded)."""
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
        args.out.mkdir(parents=True, exist_ok=True)
        cache = None if args.no_cache else Cache(args.cache_dir)
    except FingerprintError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot use {args.out}: {exc.strerror or exc}")
    failed = 0
    for movie in args.movies:
        try:
            _analyze_one(movie, args, params, cache)
        except FingerprintError as exc:
            failed += 1
            print(f"error: {movie}: {exc}", file=sys.stderr)
        except OSError as exc:
            failed += 1
            print(f"error: {movie}: cannot write results: {exc.strerror or exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
