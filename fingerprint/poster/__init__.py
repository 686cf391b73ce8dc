"""Posters: a fingerprint as a PNG or SVG of exactly the size asked, with its caption; and
the PNG exports of a comparison and of a collection. Pillow only, no Plotly.

Modules: `_render` (posters and their sizes, as seen with a colour-vision deficiency or
not), `_kinds` (the registry of kinds), each kind's picture (`_strips`: palette, bands,
average; `_ring`; `_script`: the colour script of the shots,
`_framed`: the colour script with each shot's frame), `_canvas` (the largest
poster), `_bands` (which colour fills which part of a column), `_caption` (title, analysis
line, credit; the text helpers), `_sound` (the sound print's scale and shapes),
`_comparison` (two films compared), `_collection` (a collection's strips stacked).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
