"""The ``fingerprint`` command line: one module per subcommand (`_analyze`, `_batch`,
`_cache`), the options they share (`_options`), and the entry point (`_main`).
"""

from ._main import INTERRUPTED, main

__all__ = ["INTERRUPTED", "main"]
