"""Plotly figures of fingerprints, comparisons, alignments, collections, shots and the
sound print, as the app shows them. Needs the ``plot`` extra (Plotly).

Modules: `_film`, `_compare`, `_sequence` (two films' moments aligned), `_collection`,
`_shots`, `_sound`, `_layout` (the look).
"""

import lazy_loader as _lazy

from .._extras import missing_extra

try:
    import plotly  # noqa: F401  (every module here draws with it)
except ImportError as exc:
    raise missing_extra("plot") from exc

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
