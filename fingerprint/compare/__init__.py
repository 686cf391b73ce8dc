"""Comparing films: whole-film palettes, films on a shared time axis, the difference strip
and scores, and the earth mover's distance between palettes.

Modules: `_compare` (`compare`, scores), `_align` (the shared time axis), `_transport`
(palette distances).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
