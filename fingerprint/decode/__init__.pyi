# The public names of this subpackage, imported on first use (`__init__.py`).

from ._hdr import (
    REFERENCE_WHITE as REFERENCE_WHITE,
)
from ._hdr import (
    color_warning as color_warning,
)
from ._hdr import (
    describe_color as describe_color,
)
from ._hdr import (
    hdr_kind as hdr_kind,
)
from ._hdr import (
    needs_conversion as needs_conversion,
)
from ._hdr import (
    primaries_name as primaries_name,
)
from ._hdr import (
    to_sdr as to_sdr,
)
from ._hdr import (
    tone_curve as tone_curve,
)
from ._hdr import (
    transfer_name as transfer_name,
)
from ._matrices import (
    MATRICES as MATRICES,
)
from ._matrices import (
    Matrix as Matrix,
)
from ._matrices import (
    matrix_name as matrix_name,
)
from ._reader import (
    frame_to_rgb as frame_to_rgb,
)
from ._sampling import (
    DecodedFrames as DecodedFrames,
)
from ._sampling import (
    frame_at as frame_at,
)
from ._sampling import (
    sample as sample,
)
from ._sampling import (
    sample_times as sample_times,
)
from ._sampling import (
    working_size as working_size,
)
from ._video import (
    check_file as check_file,
)
from ._video import (
    open_video as open_video,
)
from ._video import (
    probe as probe,
)
