# The public names of this subpackage, imported on first use (`__init__.py`).

from ._find import (
    detect_shots as detect_shots,
)
from ._find import (
    find_shots as find_shots,
)
from ._find import (
    shot_options as shot_options,
)
from ._find import (
    shots_key as shots_key,
)
from ._pixels import (
    ShotPixels as ShotPixels,
)
from ._pixels import (
    shot_palettes as shot_palettes,
)
from ._stats import (
    ShotStats as ShotStats,
)
from ._stats import (
    shot_stats as shot_stats,
)
from ._stats import (
    shots_to_csv as shots_to_csv,
)
