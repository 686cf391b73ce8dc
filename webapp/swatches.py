"""A palette drawn as HTML: one band per colour, as tall as its share. Pure, no Streamlit."""

from __future__ import annotations

import html

from fingerprint.model import from_hex

# Above this luma (Rec. 709 weights, 0-255) dark ink reads better than light.
_LIGHT_LUMA = 140


def swatches_html(palette: list[tuple[str, float]], *, height: int = 300) -> str:
    """A column of the palette's colours, each as tall as its share, labelled with its hex
    code and share in a readable ink; colours with no share are left out."""
    rows = []
    for hex_code, fraction in palette:
        if fraction <= 0:
            continue
        r, g, b = from_hex([hex_code])[0].tolist()
        ink = "#111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > _LIGHT_LUMA else "#f4f4f4"
        rows.append(
            f'<div style="flex:{fraction:.4f} 0 0;min-height:30px;background:{hex_code};'
            f"color:{ink};display:flex;align-items:center;justify-content:space-between;"
            f'padding:0 14px;font:500 14px ui-monospace,Menlo,monospace">'
            f"<span>{html.escape(hex_code)}</span><span>{fraction:.0%}</span></div>"
        )
    return (
        f'<div style="display:flex;flex-direction:column;height:{height}px;border-radius:10px;'
        f'overflow:hidden">{"".join(rows)}</div>'
    )
