"""Shots: where a film cuts (hard cuts, fades, dissolves) and each shot's palette, with
Cinemetrics' measures. Needs the ``shots`` extra (PySceneDetect, OpenCV).

Modules: `_find` (`find_shots`, `detect_shots`, the cache's key), `_scan` (one decoder
over its part), `_boundaries` (the detectors and the dissolve test), `_detector`
(PySceneDetect's content detector, faster), `_frames` (frames at the detectors' size),
`_pixels` (each shot's pixels and palette), `_stats` (statistics and CSV), `_tuning`
(every number that changes what is found), `_thumbnails` (each shot's middle frame, for
the colour script's frames panels).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
