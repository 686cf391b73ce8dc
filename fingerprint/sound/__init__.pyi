# The public names of this subpackage, imported on first use (`__init__.py`).

from ._loudness import (
    FLOOR as FLOOR,
    lufs as lufs,
)
from ._print import (
    SoundPrint as SoundPrint,
    audio_stream as audio_stream,
    has_sound as has_sound,
    loudness as loudness,
)
