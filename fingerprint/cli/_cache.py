"""``fingerprint cache info|clear``: what the cache holds, or clear it."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cache import Cache
from ..errors import FingerprintError


def add_cache_command(commands: argparse._SubParsersAction) -> None:
    """``fingerprint cache info|clear``."""
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
    c.set_defaults(run=run_cache)


def run_cache(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
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
