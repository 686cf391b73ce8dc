"""``fingerprint compare A B``: how alike two films' colours are, and where one was cut,
added to or taken from the other.

Each film is analysed as ``analyze`` does it (the same options, the cache), then compared
(`fingerprint.compare._compare.compare`: the scores on relative time) and aligned
(`fingerprint.compare._sequence.align_sequences`: moment by moment, gaps where one film
has what the other lacks). ``--json`` prints the comparison's JSON with the alignment
under ``"alignment"``; without it, a few lines to read.
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
from typing import TYPE_CHECKING

from ..cache import Cache
from ..errors import Cancelled, FingerprintError
from ..model import Fingerprint
from ..params import Params
from ..timecodes import timecode
from ._options import analysis_options, cache_from, cache_options, params_from
from ._running import INTERRUPTED, analyze_with_bar, cancel_on_interrupt

if TYPE_CHECKING:
    from ..compare._compare import Comparison
    from ..compare._sequence import SequenceAlignment


def add_compare_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint compare A B [--samples N] [--json]``."""
    c = commands.add_parser(
        "compare",
        help="compare two films: how alike their colours are, and what one has that the "
        "other lacks",
        description="Analyses both films (cached as analyze caches them), then prints the "
        "comparison's scores and the alignment of the two films' moments: its score, the "
        "gaps (stretches one film has and the other lacks, such as a cut scene) and the "
        "best-matching stretch of each (where a clip comes from).",
    )
    c.add_argument("film_a", metavar="A", help="a video file")
    c.add_argument("film_b", metavar="B", help="another video file")
    c.add_argument(
        "--json", action="store_true",
        help="print the comparison as JSON (its scores, the aligned bins, and the "
        "alignment: score, gaps, local stretch)",
    )
    analysis_options(c)
    cache_options(c)
    c.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Analyse both films, compare and align them; one ``error:`` line per film that
    cannot be analysed (both are tried, so one run reports both), exit status 1."""
    try:
        params = params_from(args)
        cache = cache_from(args)
    except FingerprintError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot use the cache: {exc.strerror or exc}")
    films: list[Fingerprint | None] = []
    with cancel_on_interrupt() as cancel:
        for path in (args.film_a, args.film_b):
            try:
                films.append(_analyze_one(path, params, cache, cancel))
            except Cancelled:
                print(f"interrupted: {path} was not analysed", file=sys.stderr)
                return INTERRUPTED
            except FingerprintError as exc:
                print(f"error: {path}: {exc}", file=sys.stderr)
                films.append(None)
    a, b = films
    if a is None or b is None:
        return 1
    # Imported here: every command loads this module, only this one compares (14 ms).
    from ..compare._compare import compare
    from ..compare._sequence import align_sequences

    try:
        comparison = compare(a, b)
        alignment = align_sequences(a, b)
    except FingerprintError as exc:
        print(f"error: {args.film_a} and {args.film_b}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(comparison.to_json(alignment=alignment))
    else:
        print("\n".join(summary(comparison, alignment)))
    return 0


def _analyze_one(
    path: str, params: Params, cache: Cache | None, cancel: threading.Event
) -> Fingerprint:
    fp = analyze_with_bar(path, params=params, cache=cache, cancel=cancel)
    for warning in fp.warnings:
        print(f"warning: {path}: {warning}", file=sys.stderr)
    return fp


# --- the summary --------------------------------------------------------------------------
def summary(c: Comparison, al: SequenceAlignment) -> list[str]:
    """The comparison in a few lines: the films, the scores on relative time, the
    alignment's score and what it means, each gap, the best-matching stretches."""
    s = c.scores
    lines = [
        f"A  {c.a.name}  ({_span(*c.a.span)})",
        f"B  {c.b.name}  ({_span(*c.b.span)})",
        "on relative time (0-100 % of each film):",
        f"  palette similarity  {s.palette_similarity:.2f}  (1 identical, 0.5 at 10 ΔE; "
        f"{s.palette_distance:.1f} ΔE2000)",
        f"  mean difference     {s.mean_difference:.1f} ΔE  (most at "
        f"{100 * s.max_difference_at:.0f} %: {s.max_difference:.1f} ΔE)",
        f"  curve correlation   {_signed(s.temporal_correlation)}  (+1 together, -1 opposite)",
        "moment by moment, in order (sequence alignment):",
        f"  alignment score     {al.score:.2f}  (1 the same moments in the same order, "
        "0 nothing in common)",
        f"  paired              {100 * al.matched:.0f} % of the moments, "
        f"{_distance(al.distance)} apart on average",
    ]
    label = "  gaps                "
    if not al.gaps:
        lines.append(f"{label}none: every stretch of each film is in the other")
    for run in al.gaps:
        this, other = ("A", "B") if run.film == "a" else ("B", "A")
        lines.append(f"{label}{this} {_span(run.start, run.end)} "
                     f"({run.end - run.start:.1f} s), not in {other}")
        label = " " * len(label)
    if al.local is None:
        lines.append("  best match          none: no moment of A is close to one of B")
    else:
        lines.append(f"  best match          A {_span(*al.local['a'])} "
                     f"= B {_span(*al.local['b'])}  ({_distance(al.local_distance)})")
    lines.append(f"  (moments of {al.step:.2f} s; a gap costs {al.gap_open:g} ΔE2000, and "
                 f"{al.gap:g} more for each moment in it)")
    return lines


def _span(start: float, end: float) -> str:
    return f"{timecode(start, tenths=True)} to {timecode(end, tenths=True)}"


def _signed(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:+.2f}"


def _distance(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.1f} ΔE2000"
