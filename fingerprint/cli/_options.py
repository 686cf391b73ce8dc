"""The options every command that analyses films shares: `Params` (`analysis_options`,
`params_from`), the output files' (`output_options`, `outputs_from`) and the cache's
(`cache_options`, `cache_from`), declared once."""

from __future__ import annotations

import argparse
from pathlib import Path

from .._outputs import Outputs, Poster
from ..cache import Cache
from ..errors import InvalidParameterError, ShotsNeededError
from ..palette._cvd import CVD_KINDS
from ..params import Params
from ..poster._canvas import MAX_POSTER_PIXELS
from ..poster._kinds import DRAWERS, POSTER_KINDS
from ..poster._render import POSTER_SIZES, PosterSize
from ..poster._script import SCRIPT_PANELS
from ..timecodes import parse_time


def analysis_options(p: argparse.ArgumentParser) -> None:
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
        "--start", type=time_argument, metavar="TIME",
        help="skip the start (an intro): seconds (95) or h:mm:ss (0:01:35)",
    )
    p.add_argument(
        "--end", type=time_argument, metavar="TIME",
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


def _severity(text: str) -> float:
    """``--cvd-severity``: a number from 0 (normal vision) to 1 (the full deficiency)."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0.0 <= value <= 1.0:  # NaN fails the comparison too
        raise argparse.ArgumentTypeError(f"give a number from 0 to 1, not {text!r}")
    return value


def output_options(a: argparse.ArgumentParser) -> None:
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
        help="; ".join(f"{kind}: {drawer.about}" for kind, drawer in DRAWERS.items())
        + " (%(default)s)",
    )
    posters.add_argument(
        "--script",
        choices=tuple(SCRIPT_PANELS),
        default=next(iter(SCRIPT_PANELS)),
        help="what the colour script's panels show (with --poster script): "
        + "; ".join(f"{name}: {choice.about}" for name, choice in SCRIPT_PANELS.items())
        + " (%(default)s)",
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
    posters.add_argument(
        "--cvd", choices=tuple(CVD_KINDS),
        help="draw the poster as seen with "
        + " or ".join(f"{name} ({kind})" for kind, name in CVD_KINDS.items())
        + " (Machado, Oliveira and Fernandes 2009); only the poster: the JSON and the CSV "
        "keep the film's true colours",
    )
    posters.add_argument(
        "--cvd-severity", type=_severity, metavar="0-1",
        help="how strong the deficiency is, from 0 (normal vision) to 1 (dichromacy: "
        "protanopia, deuteranopia, tritanopia) (1)",
    )
    posters.add_argument("--title", help="a title under the poster, drawn as given")
    posters.add_argument("--credit", help="a credit line under the poster, drawn as given")


def cache_options(p: argparse.ArgumentParser) -> None:
    """Where the analyses are cached, or not at all."""
    p.add_argument(
        "--cache-dir",
        type=Path,
        help="cache folder (default: $FINGERPRINT_CACHE_DIR or the user cache folder)",
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


def cache_from(args: argparse.Namespace) -> Cache | None:
    """The cache `cache_options` chose (None: ``--no-cache``); raises FingerprintError or
    OSError when its folder cannot be used."""
    return None if args.no_cache else Cache(args.cache_dir)


def params_from(args: argparse.Namespace) -> Params:
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


def outputs_from(args: argparse.Namespace) -> Outputs:
    """The output files' options; a combination that cannot be drawn raises
    InvalidParameterError before any film is analysed."""
    if args.poster == "script" and not args.shots:
        raise ShotsNeededError("the colour script needs shots: add --shots")
    if args.script != next(iter(SCRIPT_PANELS)) and args.poster != "script":
        raise InvalidParameterError(
            f"--script {args.script} says what the colour script's panels show: "
            "add --poster script --shots"
        )
    if args.cvd_severity is not None and args.cvd is None:
        raise InvalidParameterError(
            "--cvd-severity says how strong a deficiency is: choose one with --cvd"
        )
    size = args.poster_size
    return Outputs(
        csv_header=args.csv_header,
        poster=Poster(
            kind=args.poster, width=size.width, height=size.height,
            dpi=args.poster_dpi or size.dpi, title=args.title, credit=args.credit,
            sound=args.sound, cvd=args.cvd,
            cvd_severity=1.0 if args.cvd_severity is None else args.cvd_severity,
            script=args.script,
        ),
    )


def time_argument(text: str) -> float:
    """A typed time (seconds or h:mm:ss) as argparse takes it: an error that says how."""
    try:
        seconds = parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds is None:
        raise argparse.ArgumentTypeError("give a time: seconds (95) or h:mm:ss (0:01:35)")
    return seconds
