# The public names of this subpackage, imported on first use (`__init__.py`).

from ._bands import (
    BANDS as BANDS,
    Bands as Bands,
    strip_bands as strip_bands,
)
from ._canvas import (
    MAX_POSTER_PIXELS as MAX_POSTER_PIXELS,
)
from ._collection import (
    collection_poster_png as collection_poster_png,
)
from ._comparison import (
    comparison_png as comparison_png,
)
from ._framed import (
    FRAME_SIZES as FRAME_SIZES,
    script_frame_size as script_frame_size,
)
from ._kinds import (
    POSTER_KINDS as POSTER_KINDS,
    PosterKind as PosterKind,
    drawable_kinds as drawable_kinds,
)
from ._render import (
    POSTER_SIZES as POSTER_SIZES,
    PosterSize as PosterSize,
    poster as poster,
    poster_png as poster_png,
    poster_svg as poster_svg,
)
from ._ring import (
    ring_image as ring_image,
)
from ._script import (
    SCRIPT_PANELS as SCRIPT_PANELS,
    PanelsChoice as PanelsChoice,
    ScriptPanels as ScriptPanels,
)
from ._strips import (
    average_image as average_image,
    strip_image as strip_image,
)
