"""Command line: ``fingerprint analyze MOVIE|FOLDER ... --out DIR``.

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

from .cache import Cache
from .errors import Cancelled, FingerprintError
from .files import find_videos
from .memory import limit_arenas
from .outputs import Outputs, Poster, write_outputs
from .params import Params
from .pipeline import analyze
from .render import (
    MAX_POSTER_PIXELS,
    POSTER_KINDS,
    POSTER_SIZES,
    PosterSize,
)
from .timecodes import parse_time

# The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
# Steps of the progress bar: finer than a terminal line, so it moves smoothly.
_STEPS = 1000


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
    a.add_argument(
        "movies", nargs="+", type=Path, metavar="MOVIE",
        help="video files, or folders whose videos (searched recursively) are analysed",
    )
    a.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    _analysis_options(a)
    _output_options(a)
    a.add_argument(
        "--cache-dir",
        type=Path,
        help="cache folder (default: $FINGERPRINT_CACHE_DIR or the user cache folder)",
    )
    a.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    _add_batch_command(commands)
    c = commands.add_parser(
        "cache", help="what the cache holds, or clear it",
        description="info: the films, entries and bytes the cache holds, and its cap. "
        "clear: remove everything but what is being analysed right now.",
    )
    c.add_argument("action", choices=["info", "clear"])
    c.add_argument(
        "--cache-dir", type=Path,
        help="cache folder (default: $FINGERPRINT_CACHE_DIR or the user cache folder)",
    )
    return parser


def _analysis_options(p: argparse.ArgumentParser) -> None:
    """The options of `Params`, for every command that analyses films."""
    defaults = Params()
    p.add_argument(
        "--samples",
        type=int,
        default=defaults.samples,
        help=f"samples taken across the film, at most {Params.MAX_SAMPLES} and never more "
        "than its frames (%(default)s)",
    )
    p.add_argument(
        "--clusters",
        "-k",
        type=int,
        default=defaults.clusters,
        help="colours per sample, {} to {} (%(default)s)".format(*Params.CLUSTERS_RANGE),
    )
    p.add_argument(
        "--mode",
        choices=Params.MODES,
        default=defaults.mode,
        help="fast: nearest keyframes; exact: the frame on screen at each time",
    )
    p.add_argument(
        "--start", type=_time, metavar="TIME",
        help="skip the start (an intro): seconds (95) or h:mm:ss (0:01:35)",
    )
    p.add_argument(
        "--end", type=_time, metavar="TIME",
        help="stop here (before the credits): seconds or h:mm:ss; past the film's end "
        "means its end",
    )
    p.add_argument("--no-crop", action="store_true", help="keep black bars")
    p.add_argument(
        "--color-space",
        choices=Params.COLOR_SPACES,
        default=defaults.color_space,
        help="cluster in CIELAB (perceptual) or RGB (%(default)s)",
    )
    p.add_argument(
        "--sound", action="store_true",
        help="add the sound print: loudness (LUFS) at each sample, in the JSON, the header "
        "CSV and the poster (fast: 3 s around each sample; exact: every moment)",
    )
    p.add_argument(
        "--shots", action="store_true",
        help="find the shots (decodes every frame) and write <name>-shots.csv, each shot's "
        "span and palette",
    )


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


def _output_options(a: argparse.ArgumentParser) -> None:
    """The options of `Outputs`: the CSV's layout and the poster."""
    a.add_argument(
        "--csv-header",
        action="store_true",
        help="CSV with a header, times and shares instead of bare hex rows",
    )
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


def _params(args: argparse.Namespace) -> Params:
    return Params(
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


def _outputs(args: argparse.Namespace) -> Outputs:
    size = args.poster_size
    return Outputs(
        csv_header=args.csv_header,
        poster=Poster(
            kind=args.poster, width=size.width, height=size.height,
            dpi=args.poster_dpi or size.dpi, title=args.title, credit=args.credit,
            sound=args.sound,
        ),
    )


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
    bar = _ProgressBar(movie.name)
    try:
        fp = analyze(movie, params=params, cache=cache, on_progress=bar, cancel=cancel)
    finally:
        bar.close()
    if cancel.is_set():
        raise Cancelled
    write_outputs(args.out / stem, fp, _outputs(args))
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
    limit_arenas()  # fingerprint.memory: keeps the decoders' freed memory from piling up
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "batch":
        return _run_batch(args, parser)
    if args.command == "cache":
        return _run_cache(args, parser)
    try:
        params = _params(args)
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
    b.add_argument(
        "paths", nargs="+", metavar="PATH", help="a film, a folder (searched), or @list.txt"
    )
    b.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    b.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    b.add_argument(
        "--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, tcp://host:8786"
    )
    _analysis_options(b)
    _output_options(b)


def _run_batch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``fingerprint batch``: one bar over the films, one line per failed film, a
    summary line; exit status 1 when a film failed."""
    from . import batch  # Dask loads only for a batch

    try:
        params, output = _params(args), _outputs(args)
        films = batch.find_films(args.paths, exclude=args.out)
        batch.check_out(args.out, params=params, output=output)
    except FingerprintError as exc:
        parser.error(str(exc))
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


# --- fingerprint cache -------------------------------------------------------------------
def _run_cache(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        cache = Cache(args.cache_dir)
        if args.action == "clear":
            print(f"cleared {_megabytes(cache.clear())} from {cache.root}")
            return 0
        stats = cache.info()
    except FingerprintError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot use the cache: {exc.strerror or exc}")
    print(f"{cache.root}: {stats.films} films, {stats.entries} entries ({stats.uploads} "
          f"uploads), {_megabytes(stats.bytes)} of {_megabytes(stats.max_bytes)}")
    return 0


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.0f} MB"


if __name__ == "__main__":
    sys.exit(main())
