# The public names of this subpackage, imported on first use (`__init__.py`).

from ._bands import (
    BANDS as BANDS,
)
from ._bands import (
    Bands as Bands,
)
from ._bands import (
    strip_bands as strip_bands,
)
from ._canvas import (
    MAX_POSTER_PIXELS as MAX_POSTER_PIXELS,
)
from ._kinds import (
    POSTER_KINDS as POSTER_KINDS,
)
from ._kinds import (
    PosterKind as PosterKind,
)
from ._kinds import (
    drawable_kinds as drawable_kinds,
)
from ._render import (
    POSTER_SIZES as POSTER_SIZES,
)
from ._render import (
    PosterSize as PosterSize,
)
from ._render import (
    poster as poster,
)
from ._render import (
    poster_png as poster_png,
)
from ._render import (
    poster_svg as poster_svg,
)
from ._ring import (
    ring_image as ring_image,
)
from ._strips import (
    average_image as average_image,
)
from ._strips import (
    strip_image as strip_image,
)
