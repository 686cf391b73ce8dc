"""Posters: a fingerprint as a PNG or SVG of exactly the size asked (Pillow only, no Plotly),
with its caption.

Modules: `_render` (the four kinds and their sizes), `_bands` (which colour fills which
part of a column), `_caption` (title, analysis line, credit), `_sound` (the sound print's
scale and shapes).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
