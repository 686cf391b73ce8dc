# The public names of this subpackage, imported on first use (`__init__.py`).

from ._loudness import (
    FLOOR as FLOOR,
)
from ._loudness import (
    lufs as lufs,
)
from ._print import (
    SoundPrint as SoundPrint,
)
from ._print import (
    audio_stream as audio_stream,
)
from ._print import (
    has_sound as has_sound,
)
from ._print import (
    loudness as loudness,
)
