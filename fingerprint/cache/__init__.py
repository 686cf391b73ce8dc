"""The on-disk cache, keyed by a film's content: decoded frames, results, shots, the sound
print and uploads, under a size cap.

Modules: `_cache` (`Cache`), `_keys` (content keys), `_frames`, `_shots`, `_loudness`
(entry formats), `_locks`, `_size` (the cap), `_evict`, `_uploads`, `_errors` (what a
failed write says).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
