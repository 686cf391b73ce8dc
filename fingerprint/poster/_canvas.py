"""What every poster picture shares: the largest poster there may be, and the check that a
size is drawable."""

from __future__ import annotations

from ..errors import InvalidParameterError

#: Below Pillow's decompression-bomb limit (about 89 M pixels), so every poster made here
#: can be opened again by Pillow, and the ring's work arrays stay within memory.
MAX_POSTER_PIXELS = 80_000_000


def check_size(width: int, height: int) -> None:
    """Refuse a picture of no pixels, or of more than `MAX_POSTER_PIXELS`."""
    if width < 1 or height < 1:
        raise InvalidParameterError(
            f"a poster must be at least 1 pixel wide and high, not {width}x{height}."
        )
    if width * height > MAX_POSTER_PIXELS:
        raise InvalidParameterError(
            f"a poster of {width}x{height} pixels is too large: keep it under "
            f"{MAX_POSTER_PIXELS // 1_000_000} million pixels (6000x2000 is 12 million)."
        )
