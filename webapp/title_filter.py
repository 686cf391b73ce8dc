"""Choosing a film among thousands by typing part of its title. Pure, no Streamlit.

A selectbox sends all its options to the browser, every run that draws it: at 10,000
films each of the Collection page's film choosers was a 120 kB message that the browser
built a list of 10,000 options from, on the first visit as on every other
(docs/benchmarks.md "The Collection page at 10,000 films"). Up to `LIST_ALL` films a
chooser still lists them all (a library of three films needs no search box); past it,
it lists the films whose titles hold every word typed, at most `MATCHES` of them
(`matching`), with the film already chosen always among them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Films a chooser lists whole; past this it asks for part of a title first.
LIST_ALL = 200
#: Titles a filtered chooser lists at most (besides the films already chosen).
MATCHES = 50


@dataclass(frozen=True)
class Matches:
    """The films a chooser lists (indices into its titles: the films already chosen
    first, then the matches) and ``total``, how many titles matched in all."""

    films: list[int]
    total: int

    @property
    def cut(self) -> bool:
        """Whether more titles matched than are listed."""
        return self.total > MATCHES


def filtered(count: int) -> bool:
    """Whether a chooser of ``count`` films asks for part of a title (`LIST_ALL`)."""
    return count > LIST_ALL


def matching(
    titles: Sequence[str], query: str, *, keep: Iterable[int] = (), limit: int | None = None
) -> Matches:
    """The films whose titles hold every word of ``query`` (case and accents as typed
    aside: compared casefolded), those starting with the query first, each group in the
    titles' order; at most ``limit`` (default `MATCHES`) of them, after the films ``keep``
    (the current choice: a chooser must list it). An empty query matches every title."""
    limit = MATCHES if limit is None else limit
    chosen = [i for i in dict.fromkeys(keep) if 0 <= i < len(titles)]
    wanted = " ".join(query.casefold().split())
    words = wanted.split()
    starts: list[int] = []
    within: list[int] = []
    for i, title in enumerate(titles):
        folded = " ".join(title.casefold().split())
        if all(word in folded for word in words):
            (starts if folded.startswith(wanted) else within).append(i)
    found = starts + within
    taken = set(chosen)
    listed = chosen + [i for i in found if i not in taken][:limit]
    return Matches(listed, len(found))


def matches_line(matches: Matches, query: str) -> str | None:
    """What a filtered chooser says under itself, or None when everything matched is
    listed. The query is the visitor's text: show this as text, not Markdown."""
    if not matches.total:
        return f"No title holds “{query.strip()}”."
    if not matches.cut:
        return None
    listed = min(MATCHES, matches.total)
    if not query.strip():
        return (f"The first {listed} of {matches.total:,} films: type part of a title to "
                "find another.")
    return (f"The first {listed} of {matches.total:,} titles holding “{query.strip()}”: "
            "type more of the title.")
