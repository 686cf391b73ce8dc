# The public names of this subpackage, imported on first use (`__init__.py`).

from ._align import (
    CURVES as CURVES,
)
from ._align import (
    Aligned as Aligned,
)
from ._align import (
    align as align,
)
from ._align import (
    curves as curves,
)
from ._compare import (
    MAX_BINS as MAX_BINS,
)
from ._compare import (
    SIMILARITY_SCALE as SIMILARITY_SCALE,
)
from ._compare import (
    Comparison as Comparison,
)
from ._compare import (
    FilmPalette as FilmPalette,
)
from ._compare import (
    Scores as Scores,
)
from ._compare import (
    compare as compare,
)
from ._compare import (
    default_bins as default_bins,
)
from ._compare import (
    film_palette as film_palette,
)
from ._compare import (
    same_fingerprint as same_fingerprint,
)
from ._compare import (
    similarity as similarity,
)
from ._sequence import (
    GAP as GAP,
)
from ._sequence import (
    GAP_OPEN as GAP_OPEN,
)
from ._sequence import (
    Run as Run,
)
from ._sequence import (
    SequenceAlignment as SequenceAlignment,
)
from ._sequence import (
    align_sequences as align_sequences,
)
from ._transport import (
    palette_distance as palette_distance,
)
from ._transport import (
    transport as transport,
)
