# The public names of this subpackage, imported on first use (`__init__.py`).

from ._find import (
    detect_shots as detect_shots,
    find_shots as find_shots,
    shot_options as shot_options,
    shots_key as shots_key,
)
from ._pixels import (
    ShotPixels as ShotPixels,
    shot_palettes as shot_palettes,
)
from ._stats import (
    ShotStats as ShotStats,
    shot_stats as shot_stats,
    shots_to_csv as shots_to_csv,
)
from ._thumbnails import (
    ShotFrames as ShotFrames,
    shot_frames as shot_frames,
    shot_middles as shot_middles,
)
