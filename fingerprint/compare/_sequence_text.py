"""Two films' sequence alignment (`fingerprint.compare._sequence`) in sentences: what the
score means, the gaps and the best-matching stretch. The Compare page and its PNG export
(`fingerprint.poster._comparison`) say the same words.

The sentences name the films "A" and "B", never by title: a title is text a visitor
controls, and the page shows these lines as text anyway.
"""

from __future__ import annotations

import math

from ..timecodes import timecode
from ._sequence import SequenceAlignment

__all__ = ["MAX_GAP_LINES", "gap_lines", "local_line", "score_meaning"]

#: The most gaps listed under a figure; the rest are counted (the figure has them all).
MAX_GAP_LINES = 8


def score_meaning(al: SequenceAlignment) -> str:
    """One line: what the alignment score means, and what it is made of here."""
    paired = f"{100 * al.matched:.0f} % of the moments paired"
    if not math.isnan(al.distance):
        paired += f", {al.distance:.1f} ΔE2000 apart on average"
    return (f"1 means the same moments in the same order, 0 nothing in common: here "
            f"{paired}, {_count(len(al.gaps), 'gap')}.")


def gap_lines(al: SequenceAlignment) -> list[str]:
    """Each gap as a line ("Only in A: 0:00:43.5 to 0:01:07.5 (24.0 s)"), at most
    `MAX_GAP_LINES`, then how many more."""
    if not al.gaps:
        return ["No gaps: every stretch of each film has its counterpart in the other."]
    lines = [f"Only in {run.film.upper()}: {_span(run.start, run.end)} "
             f"({run.end - run.start:.1f} s)" for run in al.gaps[:MAX_GAP_LINES]]
    if len(al.gaps) > MAX_GAP_LINES:
        lines.append(f"… and {_count(len(al.gaps) - MAX_GAP_LINES, 'more gap')} "
                     "(in the figure).")
    return lines


def local_line(al: SequenceAlignment) -> str:
    """The best-matching stretch of each film, as a line."""
    if al.local is None:
        return "No stretch of one film is close to one of the other."
    return (f"Best match: A {_span(*al.local['a'])} with B {_span(*al.local['b'])}, "
            f"{len(al.local_pairs)} moments {al.local_distance:.1f} ΔE2000 apart on average.")


def _span(start: float, end: float) -> str:
    return f"{timecode(start, tenths=True)} to {timecode(end, tenths=True)}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
