# The public names of this subpackage, imported on first use (`__init__.py`).

from ._frames import (
    DecodedFrames as DecodedFrames,
    working_size as working_size,
)
from ._hdr import (
    REFERENCE_WHITE as REFERENCE_WHITE,
    color_warning as color_warning,
    describe_color as describe_color,
    hdr_kind as hdr_kind,
    needs_conversion as needs_conversion,
    primaries_name as primaries_name,
    to_sdr as to_sdr,
    tone_curve as tone_curve,
    transfer_name as transfer_name,
)
from ._matrices import (
    MATRICES as MATRICES,
    Matrix as Matrix,
    matrix_name as matrix_name,
)
from ._rgb import (
    frame_to_rgb as frame_to_rgb,
)
from ._sampling import (
    decoder_count as decoder_count,
    frame_at as frame_at,
    sample as sample,
    sample_times as sample_times,
)
from ._video import (
    check_file as check_file,
    open_video as open_video,
    probe as probe,
)
