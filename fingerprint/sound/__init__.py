"""The sound print: a film's loudness (EBU R128 LUFS) at the fingerprint's sample times.

Modules: `_print` (the sound track, decoded while the frames decode), `_loudness`
(BS.1770 maths on samples in memory).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
