# The library's public names, imported on first use (`__init__.py`).

from . import (
    cache as cache,
)
from . import (
    collection as collection,
)
from . import (
    compare as compare,
)
from . import (
    decode as decode,
)
from . import (
    palette as palette,
)
from . import (
    plotting as plotting,
)
from . import (
    poster as poster,
)
from . import (
    shots as shots,
)
from . import (
    sound as sound,
)
from ._pipeline import analyze as analyze
from ._pipeline import fingerprint_samples as fingerprint_samples
from .cache import Cache as Cache
from .cache import content_key as content_key
from .decode import (
    DecodedFrames as DecodedFrames,
)
from .decode import (
    frame_at as frame_at,
)
from .decode import (
    probe as probe,
)
from .decode import (
    sample as sample,
)
from .errors import (
    CacheWriteError as CacheWriteError,
)
from .errors import (
    Cancelled as Cancelled,
)
from .errors import (
    DecodeError as DecodeError,
)
from .errors import (
    FingerprintError as FingerprintError,
)
from .errors import (
    FingerprintFormatError as FingerprintFormatError,
)
from .errors import (
    InvalidParameterError as InvalidParameterError,
)
from .errors import (
    MissingExtraError as MissingExtraError,
)
from .errors import (
    NotAVideoError as NotAVideoError,
)
from .errors import (
    NoVideoStreamError as NoVideoStreamError,
)
from .errors import (
    ShotsNeededError as ShotsNeededError,
)
from .errors import (
    UnreadableFileError as UnreadableFileError,
)
from .errors import (
    VideoNotFoundError as VideoNotFoundError,
)
from .model import Fingerprint as Fingerprint
from .model import Shot as Shot
from .model import VideoInfo as VideoInfo
from .params import Params as Params
from .poster import poster_png as poster_png
from .poster import poster_svg as poster_svg
from .shots import detect_shots as detect_shots
