"""The cache's shots files: what finding a film's shots yields (`ShotPixels`: boundaries
and each shot's reservoir of pixels), which depends on neither k nor the colour space, so
another k with shots on clusters the reservoirs again instead of decoding every frame.

Stored as `_packed` files: the header holds the options it answers (`shots.shots_key`)
and the shots' edges, the body the pixels. Options that differ, like damage, read as
missing, and the caller decodes again.
"""

from __future__ import annotations

import json
import math
import os
from typing import IO, Any

import numpy as np

from ..shots._pixels import ShotPixels
from ._packed import packed, unpacked

_SHOTS_MAGIC = b"movie-color-fingerprint shots 1\n"
# Random pixels compress little whatever the level: the checksum is what matters here.
_SHOTS_LEVEL = 3
# 3 KB a shot: a three-hour film cut every second stores 33 MB; anything larger is foreign.
_SHOTS_LIMIT = 256 * 1024 * 1024


def read_shots(path: str | os.PathLike[str], *, request: dict[str, Any]) -> ShotPixels | None:
    """The shots in ``path``, or None if missing, damaged or found for other options
    than ``request``."""
    found = unpacked(path, magic=_SHOTS_MAGIC, limit=_SHOTS_LIMIT)
    if found is None:
        return None
    header, body = found
    try:
        edges, shape = _check_header(header, request)
    except (ValueError, KeyError, TypeError):
        return None  # found for other options, or foreign: found again by the caller
    if len(body) != math.prod(shape):
        return None
    pixels = np.frombuffer(body, np.uint8).reshape(shape).copy()
    return ShotPixels(edges=edges, pixels=pixels)


def _check_header(header: Any, request: dict[str, Any]) -> tuple[np.ndarray, tuple[int, ...]]:
    """Edges and pixels' shape of a shots file, or ValueError if they were found for other
    options or do not fit each other."""
    if header["request"] != json.loads(json.dumps(request)):
        raise ValueError("shots found for other options")
    edges = np.array(header["edges"], dtype=np.float64)
    if edges.ndim != 1 or len(edges) < 2 or not np.isfinite(edges).all():
        raise ValueError("bad edges")
    if not (np.diff(edges) > 0).all():
        raise ValueError("edges do not increase")
    return edges, (len(edges) - 1, int(request["pool"]), 3)


def write_shots(fh: IO[bytes], found: ShotPixels, *, request: dict[str, Any]) -> None:
    """Write ``found``, the shots found for ``request``, to ``fh``."""
    header = {"request": request, "edges": np.asarray(found.edges, np.float64).tolist()}
    fh.write(packed(_SHOTS_MAGIC, header, np.ascontiguousarray(found.pixels).tobytes(),
                    level=_SHOTS_LEVEL))
