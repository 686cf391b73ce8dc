"""Posters: a fingerprint as a PNG or SVG of exactly the size asked (Pillow only, no Plotly),
with its caption.

Modules: `_render` (posters and their sizes, as seen with a colour-vision deficiency or
not), `_kinds` (the registry of kinds), each kind's picture (`_strips`: palette, bands,
average; `_ring`; `_script`: the colour script of the shots,
`_framed`: the colour script with each shot's frame), `_canvas` (the largest
poster), `_bands` (which colour fills which part of a column), `_caption` (title, analysis
line, credit), `_sound` (the sound print's scale and shapes).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
