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
        "--samples", type=int, default=defaults.samples, help="moments sampled (%(default)s)"
    )
    a.add_argument(
        "--clusters",
        "-k",
        type=int,
        default=defaults.clusters,
        help="colours per moment (%(default)s)",
    )
    a.add_argument(
        "--mode",
        choices=["fast", "exact"],
        default=defaults.mode,
        help="fast: nearest keyframes; exact: the frame on screen at each time",
    )
    a.add_argument("--start", type=float, help="seconds to skip at the start (an intro)")
    a.add_argument("--end", type=float, help="stop at this many seconds (before the credits)")
    a.add_argument("--no-crop", action="store_true", help="keep black bars")
    a.add_argument(
        "--color-space",
        choices=["lab", "rgb"],
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
    _add_batch_command(commands)
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
    if args.command == "batch":
        return _run_batch(args, parser)
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


# --- fingerprint batch ------------------------------------------------------------------
def _add_batch_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint batch PATH [PATH ...] --out DIR``: many films on a Dask cluster."""
    b = commands.add_parser(
        "batch",
        help="fingerprint many films on a Dask cluster (local or remote) into one folder",
        description=(
            "Writes DIR/films/<name>-<key>.json, .csv and .png per film, and the index "
            "DIR/collection.json and DIR/collection.csv. Rerun the same command to resume."
        ),
    )
    defaults = Params()
    b.add_argument(
        "paths", nargs="+", metavar="PATH", help="a film, a folder (searched), or @list.txt"
    )
    b.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    b.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    b.add_argument(
        "--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, tcp://host:8786"
    )
    b.add_argument(
        "--samples", type=int, default=defaults.samples, help="moments sampled (%(default)s)"
    )
    b.add_argument(
        "--clusters", "-k", type=int, default=defaults.clusters, help="colours per moment"
    )
    b.add_argument("--mode", choices=["fast", "exact"], default=defaults.mode)
    b.add_argument("--start", type=float, help="seconds to skip at the start (an intro)")
    b.add_argument("--end", type=float, help="stop at this many seconds (before the credits)")
    b.add_argument("--no-crop", action="store_true", help="keep black bars")
    b.add_argument("--color-space", choices=["lab", "rgb"], default=defaults.color_space)
    b.add_argument("--csv-header", action="store_true", help="CSV with a header row")
    b.add_argument("--poster-size", default="3000x1000", metavar="WxH")
    b.add_argument("--bands", choices=["share", "equal"], default="share")


def _run_batch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``fingerprint batch``: one bar over the films, one line per failed film, a
    summary line; exit status 1 when a film failed."""
    from tqdm import tqdm

    from . import batch

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
        output = batch.Output(
            csv_header=args.csv_header, poster_size=(int(width), int(height)), bands=args.bands
        )
        if min(output.poster_size) < 1:
            raise ValueError
        films = batch.find_films(args.paths, exclude=args.out)
        batch.check_out(args.out, params=params, output=output)
    except FingerprintError as exc:
        parser.error(str(exc))
    except ValueError:
        parser.error(f"--poster-size must look like 3000x1000, not {args.poster_size!r}")
    if not films:
        parser.error("no films found in the given paths")
    bar = tqdm(total=len(films), unit="film", file=sys.stderr, dynamic_ncols=True, disable=None)

    def progress(done: int, total: int, running: Sequence[str], outcome) -> None:
        if outcome is not None:
            bar.update(1)
            if outcome.status == "failed":
                bar.write(f"error: {outcome.source}: {outcome.reason}", file=sys.stderr)
        bar.set_postfix_str(("running: " + ", ".join(running))[:60] if running else "")

    try:
        with batch.connect(scheduler=args.scheduler, workers=args.workers) as client:
            bar.write(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr)
            summary = batch.run_batch(
                films,
                out=args.out,
                client=client,
                params=params,
                output=output,
                on_progress=progress,
            )
    except FingerprintError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        bar.close()
        print(f"error: cannot use {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    bar.close()
    print(summary.line())
    return 1 if summary.count("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
