"""The ``fingerprint`` command: one subcommand per module of this package (`COMMANDS`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .._memory import limit_arenas
from ._analyze import add_analyze_command
from ._batch import add_batch_command
from ._cache import add_cache_command
from ._compare import add_compare_command
from ._running import INTERRUPTED
from ._search import add_search_command

#: Each subcommand adds its parser, which names the function that runs it (``run``).
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_analyze_command,
    add_compare_command,
    add_batch_command,
    add_cache_command,
    add_search_command,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fingerprint", description="A film's dominant colours over its running time."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 when every movie succeeded, 1 when
    one failed, 130 when Ctrl-C stopped it)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the work started
        print("\ninterrupted", file=sys.stderr)
        return INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    limit_arenas()  # keeps the decoders' freed memory from piling up (`_memory`)
    parser = _parser()
    args = parser.parse_args(argv)
    return args.run(args, parser)


if __name__ == "__main__":
    sys.exit(main())
