"""The ``fingerprint`` command line: one module per subcommand (`_analyze`, `_compare`,
`_batch`, `_cache`), the options they share (`_options`), what runs while films are
analysed (`_running`: the progress bar, Ctrl-C), and the entry point (`_main`).
"""

from ._main import INTERRUPTED, main

__all__ = ["INTERRUPTED", "main"]
