"""The strip as a picture, shown where its chart will be until the browser has drawn the
chart. Pure, no Streamlit.

A visitor's browser loads Plotly (4.7 MB of JavaScript) the first time a page draws a
chart, and drawing waits for it: on the benchmark machine, 2.3 to 3.8 s from the page
showing the film's title to its chart drawn (load 2 to 6), most of a lone visitor's wait
once the server sends the fingerprint at once (docs/benchmarks.md, "Landing page"). The picture
is the same strip, column for column, inlined in the page, so the film's fingerprint is
on screen with the page; the chart, its hover and clicks, replace it when ready
(`PREVIEW_CSS` hides the picture once the chart's bars are drawn). The Collection page
does the same with its strips (`strips_picture_html`).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import plotly.graph_objects as go
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
#: The Collection page's containers of its strips chart and of their picture.
COLLECTION_BOXES = ("st-key-collection_strips", "st-key-collection_preview")


#: The keyed rows of controls above the charts (Explore's view, the Collection page's
#: options and pages), and their height once their widgets are drawn. Until a widget's
#: renderer is in, the browser shows a placeholder 2.5rem tall in its place, so the
#: picture, when it came first, moved when the widgets came: by 8 px on Explore, up to
#: 28 px on the Collection page (`tests/browser`).
CONTROL_ROWS = {
    "explore_view": "2rem",  # a segmented control, its label hidden
    "collection_controls": "4.25rem",  # a label (1.75rem) over a 2.5rem box
    "collection_pages": "4.25rem",
}


def preview_css(chart_box: str = CHART_BOX, preview_box: str = PREVIEW_BOX) -> str:
    """The picture over the chart's place (Streamlit's skeleton, as tall as the figure,
    while Plotly loads), out of the flow with the wrapper Streamlit puts around a
    container, so nothing moves when it goes; gone once the chart has drawn its bars; the
    rows of controls above it as tall as they will be (`CONTROL_ROWS`). ``chart_box`` and
    ``preview_box``: the classes of the keyed containers holding the chart and its
    picture, and the picture."""
    return (
        "".join(f".st-key-{row} [data-testid='stSkeleton'] {{height: {height};}}"
                for row, height in CONTROL_ROWS.items()) +
        f".{chart_box} {{position: relative;}}"
        f".{chart_box} > :has(> .{preview_box}) {{position: absolute; top: 0; left: 0;"
        " right: 0; z-index: 1; pointer-events: none;}"
        f".{chart_box} [data-testid='stSkeleton'] {{visibility: hidden;}}"
        f".{chart_box}:has(.js-plotly-plot .barlayer .trace) .{preview_box} {{display: none;}}"
    )


PREVIEW_CSS = preview_css()


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


def preview_html(png: bytes, frame: Frame, *, boxes: tuple[str, str] = (CHART_BOX, PREVIEW_BOX),
                 mime: str = "image/png") -> str:
    """The picture in the figure's place, for ``st.markdown``: its box the figure's, the
    columns in its plot area (stretched as Plotly stretches its bars, without smoothing).
    Markdown's HTML, not ``st.html``: the browser fetches each one's renderer when a page
    first uses it, and Markdown's came sooner on the landing page (0.5-1.5 s after the
    title against 1.1-2.1 s, Chromium, load 2-5). ``png``: the picture's bytes, of type
    ``mime``; ``boxes``: the containers' classes (`preview_css`), Explore's by default."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f"<style>{preview_css(*boxes)}"
        f".{boxes[1]} .{PICTURE} {{height: {frame.height}px; box-sizing: border-box;"
        f" padding: {frame.top}px {frame.right}px {frame.bottom}px {frame.left}px;"
        f" background: url(data:{mime};base64,{data}) 0 0 / 100% 100% no-repeat"
        " content-box; image-rendering: pixelated;}</style>"
        f'<div class="{PICTURE}"></div>'
    )


def strips_picture_html(fig: go.Figure, boxes: tuple[str, str] = COLLECTION_BOXES) -> str | None:
    """The Collection page's strips (`strips_figure`) as a picture in the chart's place
    until the browser has drawn it: the figure's one layout image, which fills its plot
    area once the films' titles are hidden (past 60 films), as a JPEG (quality 90, no
    chroma subsampling: 0.5 MB for a page of 200 films of bench/search.py's strips, whose
    PNG is 1.1 MB; the chart that replaces it has the PNG). None for any other figure."""
    layout = fig.layout
    prefix = "data:image/png;base64,"
    if len(layout.images) != 1 or layout.yaxis.visible is not False or layout.height is None:
        return None
    source = layout.images[0].source
    if not isinstance(source, str) or not source.startswith(prefix):
        return None
    with Image.open(io.BytesIO(base64.b64decode(source[len(prefix):]))) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=90, subsampling=0)
    margin = layout.margin
    frame = Frame(height=int(layout.height), left=int(margin.l), right=int(margin.r),
                  top=int(margin.t), bottom=int(margin.b))
    return preview_html(out.getvalue(), frame, boxes=boxes, mime="image/jpeg")
