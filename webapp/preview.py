"""The strip as a picture, shown where its chart will be until the browser has drawn the
chart. Pure, no Streamlit.

A visitor's browser loads Plotly (4.7 MB of JavaScript) the first time a page draws a
chart, and drawing waits for it: on the benchmark machine, 2.3 to 3.8 s from the page
showing the film's title to its chart drawn (load 2 to 6), most of a lone visitor's wait
once the server sends the fingerprint at once (docs/benchmarks.md, "Landing page"). The picture
is the same strip, column for column, inlined in the page, so the film's fingerprint is
on screen with the page; the chart, its hover and clicks, replace it when ready
(`PREVIEW_CSS` hides the picture once the chart's bars are drawn).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from PIL import Image

from fingerprint import Fingerprint
from fingerprint.poster import average_image, strip_image

#: The views drawn as one column per sample, which a picture of the columns previews.
PREVIEW_VIEWS = ("strip", "bands", "average")
#: Class of the keyed container (``st.container(key=...)``) holding the chart and its
#: preview, and of the one holding the preview.
CHART_BOX, PREVIEW_BOX = "st-key-explore_strip", "st-key-explore_preview"
#: Class of the picture's own element.
PICTURE = "fingerprint-preview"

# Over the chart's place (Streamlit's skeleton, as tall as the figure, while Plotly loads),
# out of the flow with the wrapper Streamlit puts around a container, so nothing moves
# when it goes. Gone once the chart has drawn its bars.
PREVIEW_CSS = (
    f".{CHART_BOX} {{position: relative;}}"
    f".{CHART_BOX} > :has(> .{PREVIEW_BOX}) {{position: absolute; top: 0; left: 0;"
    " right: 0; z-index: 1; pointer-events: none;}"
    f".{CHART_BOX} [data-testid='stSkeleton'] {{visibility: hidden;}}"
    f".{CHART_BOX}:has(.js-plotly-plot .barlayer .trace) .{PREVIEW_BOX} {{display: none;}}"
)


@dataclass(frozen=True)
class Frame:
    """Where a figure draws its columns: its height and margins, in CSS pixels."""

    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_height(self) -> int:
        return max(1, self.height - self.top - self.bottom)


def preview_png(fp: Fingerprint, view: str, frame: Frame) -> bytes | None:
    """The view's columns as a PNG, one pixel column per sample and as tall as the plot
    area; None for a view that is not a row of columns."""
    if view not in PREVIEW_VIEWS:
        return None
    size = {"width": len(fp), "height": frame.plot_height}
    if view == "average":
        pixels = average_image(fp, **size)
    else:
        pixels = strip_image(fp, **size, bands="equal" if view == "bands" else "share")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def preview_html(png: bytes, frame: Frame) -> str:
    """The picture in the figure's place, for ``st.markdown``: its box the figure's, the
    columns in its plot area (stretched as Plotly stretches its bars, without smoothing).
    Markdown's HTML, not ``st.html``: the browser fetches each one's renderer when a page
    first uses it, and Markdown's came sooner on the landing page (0.5-1.5 s after the
    title against 1.1-2.1 s, Chromium, load 2-5)."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f"<style>{PREVIEW_CSS}"
        f".{PREVIEW_BOX} .{PICTURE} {{height: {frame.height}px; box-sizing: border-box;"
        f" padding: {frame.top}px {frame.right}px {frame.bottom}px {frame.left}px;"
        f" background: url(data:image/png;base64,{data}) 0 0 / 100% 100% no-repeat"
        " content-box; image-rendering: pixelated;}</style>"
        f'<div class="{PICTURE}"></div>'
    )
