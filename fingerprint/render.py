"""Posters: the fingerprint strip as a PNG image or an SVG, at any size, no matplotlib."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .bands import Bands, strip_bands
from .errors import InvalidParameterError
from .model import Fingerprint, timecode, to_hex
from .theme import BACKGROUND, INK, MUTED


def strip_image(fp: Fingerprint, *, width: int, height: int, bands: Bands = "share") -> np.ndarray:
    """The strip as an ``(height, width, 3)`` uint8 image: time left to right, each
    column's palette top to bottom (largest share on top)."""
    if width < 1 or height < 1:
        raise InvalidParameterError(
            f"a poster must be at least 1 pixel wide and high, not {width}x{height}."
        )
    geometry = strip_bands(fp, bands)
    edges = geometry.bottoms
    column = np.minimum((np.arange(width) * len(fp)) // width, len(fp) - 1)
    rows = (np.arange(height) + 0.5) / height
    # For every pixel, the first band whose lower edge is below it.
    band = (rows[:, None, None] >= edges[column][None, :, :]).sum(axis=2)
    band = np.minimum(band, fp.k - 1)
    return geometry.colors[column[None, :], band]


def poster(
    fp: Fingerprint,
    *,
    width: int = 3000,
    height: int = 1000,
    bands: Bands = "share",
    title: str | None = None,
) -> Image.Image:
    """The strip as a poster; with a title, a caption band is added below the strip
    (the strip keeps ``height``)."""
    strip = Image.fromarray(strip_image(fp, width=width, height=height, bands=bands))
    if not title:
        return strip
    caption = max(48, height // 6)
    image = Image.new("RGB", (width, height + caption), BACKGROUND)
    image.paste(strip, (0, 0))
    draw = ImageDraw.Draw(image)
    big = ImageFont.load_default(size=max(14, caption * 0.42))
    small = ImageFont.load_default(size=max(10, caption * 0.22))
    margin = max(12, width // 60)
    draw.text((margin, height + caption * 0.16), title, font=big, fill=INK)
    detail = f"{len(fp)} moments · {timecode(fp.video.duration)} · {fp.k} colours each"
    draw.text((margin, height + caption * 0.64), detail, font=small, fill=MUTED)
    return image


def poster_png(
    fp: Fingerprint,
    *,
    width: int = 3000,
    height: int = 1000,
    bands: Bands = "share",
    title: str | None = None,
) -> bytes:
    """`poster` encoded as PNG bytes."""
    buf = io.BytesIO()
    poster(fp, width=width, height=height, bands=bands, title=title).save(buf, format="PNG")
    return buf.getvalue()


def strip_svg(
    fp: Fingerprint, *, width: int = 3000, height: int = 1000, bands: Bands = "share"
) -> str:
    """The strip as an SVG: one rectangle per colour band, so it scales without blur."""
    geometry = strip_bands(fp, bands)
    colors, tops, edges = geometry.colors, geometry.tops, geometry.bottoms
    col_w = width / len(fp)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">'
    ]
    for i in range(len(fp)):
        x = i * col_w
        for color, top, bottom in zip(to_hex(colors[i]), tops[i], edges[i], strict=True):
            if bottom > top:
                parts.append(
                    f'<rect x="{x:.2f}" y="{top * height:.2f}" width="{col_w + 0.05:.2f}" '
                    f'height="{(bottom - top) * height:.2f}" fill="{color}"/>'
                )
    parts.append("</svg>")
    return "\n".join(parts)
