# The library's public names, imported on first use (`__init__.py`).

from . import (
    cache as cache,
    collection as collection,
    compare as compare,
    decode as decode,
    palette as palette,
    plotting as plotting,
    poster as poster,
    shots as shots,
    sound as sound,
)
from ._pipeline import analyze as analyze, fingerprint_samples as fingerprint_samples
from ._script_frames import script_frames as script_frames
from .cache import Cache as Cache, content_key as content_key
from .decode import (
    DecodedFrames as DecodedFrames,
    frame_at as frame_at,
    probe as probe,
    sample as sample,
)
from .errors import (
    CacheWriteError as CacheWriteError,
    Cancelled as Cancelled,
    DecodeError as DecodeError,
    FingerprintError as FingerprintError,
    FingerprintFormatError as FingerprintFormatError,
    InvalidParameterError as InvalidParameterError,
    MissingExtraError as MissingExtraError,
    NotAVideoError as NotAVideoError,
    NoVideoStreamError as NoVideoStreamError,
    ShotsNeededError as ShotsNeededError,
    UnreadableFileError as UnreadableFileError,
    VideoNotFoundError as VideoNotFoundError,
)
from .model import Fingerprint as Fingerprint, Shot as Shot, VideoInfo as VideoInfo
from .params import Params as Params
from .poster import poster_png as poster_png, poster_svg as poster_svg
from .shots import detect_shots as detect_shots
