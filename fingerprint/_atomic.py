"""Files written whole or not at all: a temporary file beside the target, renamed onto
it once written, so a crash or a full disk never leaves a half-written file under the
final name. Used for fingerprints, batch outputs, the collection index and the cache.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

# Read once at import: os.umask can only be read by setting it, which races with threads.
UMASK = os.umask(0)
os.umask(UMASK)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write to a temporary file beside ``path`` then rename, so a crash mid-write never
    leaves a half-written file under the final name."""
    return write_all_atomic({path: data})[0]


def write_all_atomic(files: Mapping[str | os.PathLike[str], bytes]) -> list[Path]:
    """Write several files as a set: each to a temporary file beside it, and only when all
    are written, renamed into place. A full disk or a kill mid-way leaves no new file
    under a final name (and any older set untouched), only temporaries that are removed
    here or, after a kill, swept by the cache."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            written.append((Path(name), path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            # mkstemp creates 0600; give the file the permissions an ordinary open() would.
            os.chmod(name, 0o666 & ~UMASK)
        for tmp, path in written:
            os.replace(tmp, path)
    finally:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
    return [path for _, path in written]
