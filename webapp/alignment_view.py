"""What the Compare page says about two films' sequence alignment
(`fingerprint.compare._sequence`): which view tells the better story, what the score
means here, and the gaps and the best-matching stretch as sentences. Pure, no Streamlit.

The sentences name the films "A" and "B", never by title: a title is text a visitor
controls, and the page shows these lines as text anyway (`webapp.escaping`).
"""

from __future__ import annotations

import math

from fingerprint.compare._sequence import SequenceAlignment
from fingerprint.timecodes import timecode

from .settings import ALIGNMENT_VIEWS

#: The most gaps listed under the figure; the rest are counted (the figure has them all).
MAX_GAP_LINES = 8
# Under this share of moments paired, the global alignment is mostly gaps, and a stretch
# that matches is the story (a clip or a trailer's shot in its film: 29 % for a 20-s clip
# of a 2-minute film, tests/engine/cli/test_compare.py; a 24-s cut leaves 89 %).
_MOSTLY_GAPS = 0.5


def default_view(al: SequenceAlignment) -> str:
    """``"local"`` when a stretch matches while the whole films mostly do not (a clip in
    its film: the local view shows where), else ``"global"`` (pairs and gaps)."""
    return "local" if al.local is not None and al.matched < _MOSTLY_GAPS else "global"


def chosen_view(choice: str | None, al: SequenceAlignment) -> str:
    """The view to show: the visitor's (kept in the link) or, with none, `default_view`."""
    return choice if choice in ALIGNMENT_VIEWS else default_view(al)


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
