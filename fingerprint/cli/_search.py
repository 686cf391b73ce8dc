"""``fingerprint search DIR --color HEX``: moments of a batch's films by colour, and films
or moments like a chosen one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import FingerprintError
from ..timecodes import timecode
from ._options import time_argument


def add_search_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint search COLLECTION --color HEX [--color ...]`` and ``--like FILM``."""
    s = commands.add_parser(
        "search",
        help="find moments by colour, or films and moments like one, in a batch folder",
        description=(
            "Searches the index `fingerprint batch` keeps in COLLECTION. --color: the "
            "moments whose palettes hold the colour (several: all of them), ranked by "
            "score = sqrt(share) / (1 + (ΔE2000 / 10)^2), the moment's best colour. "
            "--like FILM: the films nearest it by palette; with --at TIME, the moments "
            "nearest that moment (earth mover's distance in ΔE2000)."
        ),
    )
    s.add_argument("collection", type=Path, metavar="COLLECTION",
                   help="a folder made by `fingerprint batch --out`")
    find = s.add_mutually_exclusive_group(required=True)
    find.add_argument("--color", action="append", metavar="HEX",
                      help="a colour, #c0392b; repeat for a palette")
    find.add_argument("--like", metavar="FILM",
                      help="a film of the collection: its path as indexed, file name or title")
    s.add_argument("--at", type=time_argument, metavar="TIME",
                   help="with --like: the moment at TIME (seconds or h:mm:ss)")
    s.add_argument("--top", type=int, default=20, help="how many to list (%(default)s)")
    s.add_argument("--within", type=float, metavar="ΔE",
                   help="with --color: the farthest colour that counts (15 ΔE2000)")
    s.add_argument("--per-film", type=int, metavar="N",
                   help="with --color: at most N moments of one film")
    s.add_argument("--json", action="store_true", help="print a JSON list, best first")
    s.set_defaults(run=run_search)


def run_search(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.at is not None and args.like is None:
        parser.error("--at goes with --like FILM")
    try:
        # scikit-learn and pyarrow load only here; without them, a sentence naming the extra
        from ..collection import _search as search

        index = search.open_search(args.collection)
        if args.color:
            options = {"top": args.top, "per_film": args.per_film}
            if args.within is not None:
                options["within"] = args.within
            hits = search.search_colors(index, args.color, **options)
            rows = [h.to_dict() for h in hits]
            lines = [f"{h.score:6.3f}  ΔE {h.distance:5.1f}  {h.share:4.0%}  "
                     f"{timecode(h.time)} ({h.time:.1f} s)  {h.title}" for h in hits]
        else:
            film = _film(index, args.like)
            if args.at is None:
                found = search.similar_films(index, film, top=args.top)
                rows = [{"film": m.source, "title": m.title, "distance": m.distance}
                        for m in found]
                lines = [f"ΔE {m.distance:5.1f}  {m.title}" for m in found]
            else:
                moments = search.similar_moments(index, film, args.at, top=args.top)
                rows = [{"film": m.source, "title": m.title, "time": m.time,
                         "distance": m.distance} for m in moments]
                lines = [f"ΔE {m.distance:5.1f}  {timecode(m.time)} ({m.time:.1f} s)  "
                         f"{m.title}" for m in moments]
    except FingerprintError as exc:
        parser.error(str(exc))
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print("\n".join(lines) if lines else "nothing found", file=sys.stdout)
    return 0


def _film(index, name: str) -> int:
    """The film named by its source path, file name or title (the first that matches)."""
    from ..errors import InvalidParameterError

    films = index.index.collection.films
    for test in (lambda f: f.source == name, lambda f: Path(f.source or "").name == name,
                 lambda f: f.title == name):
        for i, film in enumerate(films):
            if test(film):
                return i
    raise InvalidParameterError(f"no film of the collection is called {name!r}.")
