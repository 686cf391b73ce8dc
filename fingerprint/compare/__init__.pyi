# The public names of this subpackage, imported on first use (`__init__.py`).

from ._align import (
    CURVES as CURVES,
    Aligned as Aligned,
    align as align,
    curves as curves,
)
from ._compare import (
    MAX_BINS as MAX_BINS,
    SIMILARITY_SCALE as SIMILARITY_SCALE,
    Comparison as Comparison,
    FilmPalette as FilmPalette,
    Scores as Scores,
    compare as compare,
    default_bins as default_bins,
    film_palette as film_palette,
    same_fingerprint as same_fingerprint,
    similarity as similarity,
)
from ._sequence import (
    GAP as GAP,
    GAP_OPEN as GAP_OPEN,
    Run as Run,
    SequenceAlignment as SequenceAlignment,
    align_sequences as align_sequences,
)
from ._transport import (
    palette_distance as palette_distance,
    transport as transport,
)
