"""The cache's files of one array and its header (shots, thumbnails): a magic line, then
one Zstandard frame with its content checksum, holding a JSON header line and the array's
bytes. The checksum covers both: a flipped bit anywhere, or a truncated or lengthened
file, reads as missing, and the caller makes the entry again.
"""

from __future__ import annotations

import json
import os
from typing import Any

import zstandard

__all__ = ["packed", "unpacked"]


def packed(magic: bytes, header: dict[str, Any], body: bytes, *, level: int) -> bytes:
    """The file's bytes: ``magic``, then the header and ``body`` compressed."""
    payload = json.dumps(header).encode() + b"\n" + body
    return magic + zstandard.ZstdCompressor(level=level, write_checksum=True).compress(payload)


def unpacked(
    path: str | os.PathLike[str], *, magic: bytes, limit: int
) -> tuple[Any, bytes] | None:
    """The header (parsed) and body in ``path``, or None if it is missing, foreign,
    damaged or over ``limit`` compressed bytes."""
    try:
        with open(path, "rb") as fh:
            if fh.readline(len(magic)) != magic:
                return None
            data = fh.read(limit + 1)
        if len(data) > limit:
            return None
        unpack = zstandard.ZstdDecompressor().decompressobj()
        payload = unpack.decompress(data)
        if not unpack.eof or unpack.unused_data:
            return None  # truncated, or bytes after the frame
        head, _, body = payload.partition(b"\n")
        return json.loads(head), body
    except (OSError, ValueError, zstandard.ZstdError):
        return None
