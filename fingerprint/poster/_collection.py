"""A collection's strips as one PNG (Pillow only, no Plotly): one row per film, its
title on the left, a 0-100 % scale under them.

- `strip_rows`: each film's strip as kept for drawing (the page's chart draws them too).
- `stacked_image`: some of those rows one under the other, at any size.
- `collection_poster_png`: the stacked strips with each film's title.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from .._theme import BACKGROUND, INK, MUTED
from ..errors import InvalidParameterError
from ..model import Fingerprint
from ._canvas import MAX_POSTER_PIXELS
from ._caption import caption_font, single_line
from ._strips import strip_image

__all__ = [
    "ROW_PIXELS",
    "STRIP_COLUMNS",
    "collection_poster_png",
    "stacked_image",
    "strip_rows",
]

#: Pixel columns of each film's strip as kept for drawing: the app's default analysis has
#: at most 1000 samples, so no sample is lost, and the poster draws them 1:1.
STRIP_COLUMNS = 1000
#: Pixel rows of each film's strip as kept: enough for a palette's main bands.
ROW_PIXELS = 12


def strip_rows(
    fingerprints: Sequence[Fingerprint | None],
    *,
    width: int = STRIP_COLUMNS,
    height: int = ROW_PIXELS,
) -> np.ndarray:
    """Each film's strip as an image, (N, height, width, 3) uint8: time left to right on
    0-100 % of its own analysed span, palette by share top to bottom. A film whose
    fingerprint is missing (None) is a row of the background colour."""
    rows = np.empty((len(fingerprints), height, width, 3), np.uint8)
    rows[:] = BACKGROUND
    for i, fp in enumerate(fingerprints):  # one vectorised image per film
        if fp is not None:
            rows[i] = strip_image(fp, width=width, height=height)
    return rows


def stacked_image(rows: np.ndarray, order: Sequence[int], *, row_height: int,
                  width: int | None = None) -> np.ndarray:
    """The rows of films ``order`` one under the other, each ``row_height`` pixels high
    and ``width`` wide (nearest pixel: strips are flat colour), (len(order) * row_height,
    width, 3)."""
    if row_height < 1:
        raise InvalidParameterError(f"row_height must be at least 1, not {row_height}.")
    picked = rows[np.asarray(order, dtype=np.int64)]
    n, h, w = picked.shape[:3]
    width = width or w
    ys = np.minimum(((np.arange(row_height) + 0.5) * h / row_height).astype(np.int64), h - 1)
    xs = np.minimum(((np.arange(width) + 0.5) * w / width).astype(np.int64), w - 1)
    return picked[:, ys][:, :, xs].reshape(n * row_height, width, 3)


def collection_poster_png(
    titles: Sequence[str],
    rows: np.ndarray,
    *,
    heading: str | None = None,
    row_height: int = 24,
    title_width: int = 420,
) -> bytes:
    """The stacked strips as a PNG: one row per film in the order given (``rows``, as
    `strip_rows` makes them, already ordered), its title on the left, an optional
    ``heading`` on top, and a 0-100 % scale at the bottom. Titles are drawn as typed."""
    if len(titles) != len(rows):
        raise InvalidParameterError("give one title per row.")
    if len(rows) == 0:
        raise InvalidParameterError("the poster needs at least one film.")
    if row_height < 4 or title_width < 0:
        raise InvalidParameterError(
            f"rows must be at least 4 px high (not {row_height}) and titles at least 0 px "
            f"wide (not {title_width})."
        )
    strip_w = rows.shape[2]
    margin = 32
    gap = max(1, row_height // 8)
    font, small = caption_font(max(10, round(row_height * 0.58))), caption_font(14)
    head = 56 if heading else 0
    scale_h = 36
    width = margin * 2 + title_width + strip_w
    height = margin * 2 + head + len(rows) * (row_height + gap) + scale_h
    if width * height > MAX_POSTER_PIXELS:
        raise InvalidParameterError(
            f"a poster of {len(rows)} films at {row_height} px a row is too large; "
            "choose smaller rows."
        )
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = margin
    if heading:
        draw.text((margin, y), single_line(heading), font=caption_font(28), fill=INK)
        y += head
    left = margin + title_width
    for title, row in zip(titles, rows, strict=True):
        strip = stacked_image(row[None], [0], row_height=row_height)
        image.paste(Image.fromarray(strip), (left, y))
        text = _fit(draw, single_line(title), font, title_width - 16)
        draw.text((left - 12, y + row_height / 2), text, font=font, fill=INK, anchor="rm")
        y += row_height + gap
    for pct in (0, 25, 50, 75, 100):
        x = left + (strip_w - 1) * pct / 100
        draw.line([(x, y), (x, y + 6)], fill=MUTED, width=1)
        draw.text((x, y + 8), f"{pct} %", font=small, fill=MUTED,
                  anchor="ma" if 0 < pct < 100 else ("la" if pct == 0 else "ra"))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits, by bisection
        mid = (lo + hi + 1) // 2
        if draw.textlength(text[:mid] + "…", font=font) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"
