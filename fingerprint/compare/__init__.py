"""Comparing films: whole-film palettes, films on a shared time axis, the difference strip
and scores, the earth mover's distance between palettes, and sequence alignment of two
films' moments (Needleman-Wunsch and Smith-Waterman: a cut scene, an added prologue, a
clip within its film).

Modules: `_compare` (`compare`, scores), `_align` (the shared time axis), `_transport`
(palette distances), `_sequence` (`align_sequences`), `_sequence_text` (an alignment in
sentences), `_sequence_dp` (the two dynamic programmes), `_moment_costs` (every pair
of moments' distance, bounded then exact).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
