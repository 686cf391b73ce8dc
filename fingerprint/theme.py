"""The look every drawing shares: the Plotly figures on the page, and posters and PNGs.

Near-black and neutral greys, so that no colour of the interface competes with a film's.
Colours are RGB triplets (what Pillow draws with); `css` spells them for Plotly.
"""

from __future__ import annotations

import plotly.graph_objects as go

__all__ = [
    "BACKGROUND",
    "FILM_COLORS",
    "FONT",
    "GRID",
    "HIGHLIGHT",
    "INK",
    "MUTED",
    "base_layout",
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


FONT = {"family": "Inter, system-ui, sans-serif", "size": 13, "color": css(INK)}


def base_layout(fig: go.Figure, *, height: int) -> None:
    """The app's look on a Plotly figure: transparent, its font and hover label, no
    legend, no dragging (a drag would zoom away from the film)."""
    fig.update_layout(
        height=height,
        margin={"l": 28, "r": 28, "t": 28, "b": 32},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=FONT,
        showlegend=False,
        hoverlabel={"bgcolor": "#141416", "bordercolor": "#444", "font": FONT},
        dragmode=False,
    )
