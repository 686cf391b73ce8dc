"""Colours and palettes: colour maths (sRGB, CIELAB, CIEDE2000), each frame's colour
histogram, batched k-means on them (every frame's palette at once, share-weighted
whole-film palettes), black-bar detection, and colours as people with a colour-vision
deficiency see them.

Modules: `_color`, `_histogram`, `_kmeans`, `_lloyd`, `_summary` (what clustering needs of
the frames, whatever k), `_bars`, `_cvd` (Machado, Oliveira and Fernandes 2009).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
