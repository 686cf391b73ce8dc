# The public names of this subpackage, imported on first use (`__init__.py`).

from ._collection import (
    collection_poster_png as collection_poster_png,
)
from ._collection import (
    map_figure as map_figure,
)
from ._collection import (
    matrix_figure as matrix_figure,
)
from ._collection import (
    strips_figure as strips_figure,
)
from ._compare import (
    comparison_figure as comparison_figure,
)
from ._compare import (
    comparison_png as comparison_png,
)
from ._compare import (
    curves_figure as curves_figure,
)
from ._film import (
    average_figure as average_figure,
)
from ._film import (
    color_space_figure as color_space_figure,
)
from ._film import (
    ring_figure as ring_figure,
)
from ._film import (
    strip_figure as strip_figure,
)
from ._film import (
    view_figure as view_figure,
)
from ._sequence import (
    alignment_figure as alignment_figure,
)
from ._shots import (
    shot_histogram_figure as shot_histogram_figure,
)
from ._shots import (
    shot_lengths_figure as shot_lengths_figure,
)
from ._shots import (
    shots_figure as shots_figure,
)
from ._sound import (
    add_sound_ring as add_sound_ring,
)
from ._sound import (
    loudness_figure as loudness_figure,
)
