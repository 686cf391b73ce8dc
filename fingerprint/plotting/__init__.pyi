# The public names of this subpackage, imported on first use (`__init__.py`).

from ._collection import (
    map_figure as map_figure,
    matrix_figure as matrix_figure,
    strips_figure as strips_figure,
)
from ._compare import (
    comparison_figure as comparison_figure,
    curves_figure as curves_figure,
)
from ._film import (
    average_figure as average_figure,
    color_space_figure as color_space_figure,
    ring_figure as ring_figure,
    strip_figure as strip_figure,
    view_figure as view_figure,
)
from ._sequence import (
    alignment_figure as alignment_figure,
)
from ._shots import (
    shot_histogram_figure as shot_histogram_figure,
    shot_lengths_figure as shot_lengths_figure,
    shots_figure as shots_figure,
)
from ._sound import (
    add_sound_ring as add_sound_ring,
    loudness_figure as loudness_figure,
)
