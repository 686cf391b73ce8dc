"""What a user reads when the cache cannot be written: `CacheWriteError` with one
sentence, the reason (a full disk, a read-only folder...), never a path.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from ..errors import CacheWriteError

REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the cache folder is read-only",
    errno.EACCES: "no permission to write the cache folder",
    errno.EPERM: "no permission to write the cache folder",
}

UNSAVED = "The cache could not be written ({}): results were not saved for next time."
NOT_STORED = "The film could not be stored ({})."


@contextlib.contextmanager
def writing(sentence: str = UNSAVED) -> Iterator[None]:
    """Turn an OS error while writing into `CacheWriteError`, with the one sentence a user
    sees: the reason, never a path."""
    try:
        yield
    except CacheWriteError:
        raise
    except OSError as exc:
        reason = REASONS.get(exc.errno or 0) or (
            os.strerror(exc.errno).lower() if exc.errno else "it could not be written"
        )
        error = CacheWriteError(sentence.format(reason))
        error.errno = exc.errno  # for callers that word the reason themselves
        raise error from exc
