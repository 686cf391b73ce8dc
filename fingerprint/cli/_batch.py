"""``fingerprint batch PATH ... --out DIR``: many films on a Dask cluster, one bar over them."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from ..errors import FingerprintError
from ._options import analysis_options, output_options, outputs_from, params_from


def add_batch_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint batch PATH [PATH ...] --out DIR``: many films on a Dask cluster."""
    b = commands.add_parser(
        "batch",
        help="fingerprint many films on a Dask cluster (local or remote) into one folder",
        description=(
            "Writes DIR/films/<name>-<key>.json, .csv and .png per film, the index "
            "DIR/collection.json and DIR/collection.csv, and the search index DIR/index/ "
            "(see `fingerprint search`). Rerun the same command to resume."
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
    analysis_options(b)
    output_options(b)
    b.set_defaults(run=run_batch)


def run_batch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``fingerprint batch``: one bar over the films, one line per failed film, a
    summary line; exit status 1 when a film failed."""
    from ..collection import _batch as batch  # Dask loads only for a batch

    try:
        params, output = params_from(args), outputs_from(args)
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
    _prepare_search(args.out)
    print(summary.line())
    return 1 if summary.count("failed") else 0


def _prepare_search(out: Path) -> None:
    """Build the search's neighbour indexes and the decoded strip thumbnails now, while
    the batch's machine is at work anyway, so neither the first search nor the first
    visit to the Collection page waits for them: 20-30 s and about 2 s at 10,000 films
    (docs/benchmarks.md "Search" and "The Collection page at 10,000 films"). Nothing to
    do for a batch with no film indexed; a failure here is the page's to report."""
    from ..collection._index import part_paths
    from ..collection._listing import strip_images
    from ..collection._search import open_search

    if not part_paths(out):
        return
    with contextlib.suppress(FingerprintError):
        open_search(out)
    with contextlib.suppress(FingerprintError, OSError):
        strip_images(out)
