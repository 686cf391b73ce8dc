"""Posters: the fingerprint strip as a PNG image or an SVG, at any size, no matplotlib."""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .model import Fingerprint, timecode, to_hex

Bands = Literal["share", "equal"]

_BACKGROUND = (17, 17, 17)
_INK = (235, 235, 235)
_MUTED = (150, 150, 150)


def _band_edges(fp: Fingerprint, bands: Bands) -> tuple[np.ndarray, np.ndarray]:
    """Per sample, the palette and the cumulative top-to-bottom band edges in [0, 1].

    ``equal`` gives each colour the same height, as the original did; colours that no
    pixel chose (share 0) take the column's main colour instead of an arbitrary one.
    """
    colors = fp.colors
    if bands == "equal":
        colors = np.where((fp.shares > 0)[..., None], colors, colors[:, :1])
        edges = np.broadcast_to(np.arange(1, fp.k + 1) / fp.k, fp.shares.shape)
    else:
        edges = np.cumsum(fp.shares, axis=1)
        edges[:, -1] = 1.0  # rounding must never leave a gap at the bottom
    return colors, edges


def strip_image(fp: Fingerprint, *, width: int, height: int, bands: Bands = "share") -> np.ndarray:
    """The strip as an ``(height, width, 3)`` uint8 image: time left to right, each
    column's palette top to bottom (largest share on top)."""
    if width < 1 or height < 1:
        raise ValueError(f"poster size must be positive, not {width}x{height}")
    colors, edges = _band_edges(fp, bands)
    column = np.minimum((np.arange(width) * len(fp)) // width, len(fp) - 1)
    rows = (np.arange(height) + 0.5) / height
    # For every pixel, the first band whose lower edge is below it.
    band = (rows[:, None, None] >= edges[column][None, :, :]).sum(axis=2)
    band = np.minimum(band, fp.k - 1)
    return colors[column[None, :], band]


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
    image = Image.new("RGB", (width, height + caption), _BACKGROUND)
    image.paste(strip, (0, 0))
    draw = ImageDraw.Draw(image)
    big = ImageFont.load_default(size=max(14, caption * 0.42))
    small = ImageFont.load_default(size=max(10, caption * 0.22))
    margin = max(12, width // 60)
    draw.text((margin, height + caption * 0.16), title, font=big, fill=_INK)
    detail = f"{len(fp)} moments · {timecode(fp.video.duration)} · {fp.k} colours each"
    draw.text((margin, height + caption * 0.64), detail, font=small, fill=_MUTED)
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
    colors, edges = _band_edges(fp, bands)
    tops = np.concatenate([np.zeros((len(fp), 1)), edges[:, :-1]], axis=1)
    col_w = width / len(fp)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">'
    ]
    for i in range(len(fp)):
        x = i * col_w
        for colour, top, bottom in zip(to_hex(colors[i]), tops[i], edges[i], strict=True):
            if bottom > top:
                parts.append(
                    f'<rect x="{x:.2f}" y="{top * height:.2f}" width="{col_w + 0.05:.2f}" '
                    f'height="{(bottom - top) * height:.2f}" fill="{colour}"/>'
                )
    parts.append("</svg>")
    return "\n".join(parts)
