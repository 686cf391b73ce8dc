# The public names of this subpackage, imported on first use (`__init__.py`).

from ._bars import (
    crop_frames as crop_frames,
    detect_bars as detect_bars,
)
from ._color import (
    as_rgb as as_rgb,
    average_color as average_color,
    delta_e2000 as delta_e2000,
    lab_to_rgb as lab_to_rgb,
    linear_to_srgb as linear_to_srgb,
    rgb_to_lab as rgb_to_lab,
    srgb_to_linear as srgb_to_linear,
)
from ._cvd import (
    CVD_KINDS as CVD_KINDS,
    CVD_SEVERITIES as CVD_SEVERITIES,
    cvd_label as cvd_label,
    cvd_matrix as cvd_matrix,
    seen_with as seen_with,
    simulate_cvd as simulate_cvd,
)
from ._histogram import (
    Histograms as Histograms,
    colour_histograms as colour_histograms,
)
from ._kmeans import (
    histogram_palettes as histogram_palettes,
    palettes as palettes,
    weighted_kmeans as weighted_kmeans,
)
from ._summary import (
    ColourSummary as ColourSummary,
)
