# The public names of this subpackage, imported on first use (`__init__.py`).

from ._bars import (
    crop_frames as crop_frames,
)
from ._bars import (
    detect_bars as detect_bars,
)
from ._color import (
    as_rgb as as_rgb,
)
from ._color import (
    average_color as average_color,
)
from ._color import (
    delta_e2000 as delta_e2000,
)
from ._color import (
    lab_to_rgb as lab_to_rgb,
)
from ._color import (
    linear_to_srgb as linear_to_srgb,
)
from ._color import (
    rgb_to_lab as rgb_to_lab,
)
from ._color import (
    srgb_to_linear as srgb_to_linear,
)
from ._histogram import (
    Histograms as Histograms,
)
from ._histogram import (
    colour_histograms as colour_histograms,
)
from ._kmeans import (
    histogram_palettes as histogram_palettes,
)
from ._kmeans import (
    palettes as palettes,
)
from ._kmeans import (
    weighted_kmeans as weighted_kmeans,
)
from ._summary import (
    ColourSummary as ColourSummary,
)
