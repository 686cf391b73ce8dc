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
from .model import Params, write_atomic
from .pipeline import analyze
from .render import poster_png


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


def _analyze_one(
    movie: Path,
    args: argparse.Namespace,
    params: Params,
    cache: Cache | None,
    size: tuple[int, int],
) -> None:
    bar = _ProgressBar(movie.name, sys.stderr)
    try:
        fp = analyze(movie, params=params, cache=cache, on_progress=bar)
    finally:
        bar.close()
    stem = args.out / movie.stem
    write_atomic(stem.with_suffix(".json"), fp.to_json().encode())
    write_atomic(stem.with_suffix(".csv"), fp.to_csv(header=args.csv_header).encode())
    write_atomic(
        stem.with_suffix(".png"), poster_png(fp, width=size[0], height=size[1], bands=args.bands)
    )
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
    failed = 0
    for movie in args.movies:
        try:
            _analyze_one(movie, args, params, cache, size)
        except FingerprintError as exc:
            failed += 1
            print(f"error: {movie}: {exc}", file=sys.stderr)
        except OSError as exc:
            failed += 1
            print(f"error: {movie}: cannot write results: {exc.strerror or exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
