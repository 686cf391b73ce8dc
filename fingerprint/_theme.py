"""The colours every drawing shares: posters and PNGs, and the Plotly figures on the page
(whose layout is `plotting._layout`'s).

Near-black and neutral greys, so that no colour of the interface competes with a film's.
Colours are RGB triplets (what Pillow draws with); `css` spells them for Plotly.
"""

from __future__ import annotations

__all__ = [
    "BACKGROUND",
    "FILM_COLORS",
    "GRID",
    "HIGHLIGHT",
    "INK",
    "MUTED",
    "css",
]

#: Behind posters and exported images (the page draws on its own background).
BACKGROUND = (17, 17, 17)
#: Titles and labels.
INK = (235, 235, 235)
#: Secondary text: ticks, captions, scales.
MUTED = (150, 150, 150)
#: Grid lines: just visible on the dark page.
GRID = "rgba(255,255,255,0.08)"
#: What marks the chosen moment in a figure.
HIGHLIGHT = "#ffffff"
#: Line colours of film A and film B (colour-blind-safe blue and orange).
FILM_COLORS = ("#4c9be8", "#f28e2b")


def css(rgb: tuple[int, int, int]) -> str:
    """An RGB triplet as a ``#rrggbb`` colour for Plotly."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
