"""The strip's picture shown until the browser has drawn the chart (webapp.preview)."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from fingerprint import Fingerprint
from fingerprint.plotting._film import view_figure
from fingerprint.poster import average_image, strip_image
from tests.support import DEMO
from webapp.preview import (
    CHART_BOX,
    PICTURE,
    PREVIEW_BOX,
    PREVIEW_VIEWS,
    Frame,
    preview_html,
    preview_png,
)
from webapp.settings import SAMPLE_VIEWS

FRAME = Frame(height=340, left=28, right=28, top=28, bottom=32)


@pytest.fixture(scope="module")
def fp() -> Fingerprint:
    return Fingerprint.load(DEMO / "results" / "bbb-k5.json")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("view", PREVIEW_VIEWS)
def test_the_picture_is_the_views_columns_one_pixel_column_per_sample(
    fp: Fingerprint, view: str
) -> None:
    pixels = _pixels(preview_png(fp, view, FRAME))
    size = {"width": len(fp), "height": 280}  # the plot area: 340 - 28 - 32
    expected = (average_image(fp, **size) if view == "average" else
                strip_image(fp, **size, bands="equal" if view == "bands" else "share"))
    assert pixels.shape == (280, 720, 3)
    assert np.array_equal(pixels, expected)


def test_views_that_are_no_row_of_columns_have_no_picture(fp: Fingerprint) -> None:
    assert set(PREVIEW_VIEWS) <= set(SAMPLE_VIEWS)
    for view in ("ring", "ab", "3d", "shots"):
        assert preview_png(fp, view, FRAME) is None


def test_the_frame_is_the_figures_own(fp: Fingerprint) -> None:
    """The picture's box is the figure's height, its columns in the plot area's margins:
    what `webapp.analysis.chart_preview` reads from the figure it previews."""
    for view in PREVIEW_VIEWS:
        layout = view_figure(fp, view).layout
        assert (layout.height, layout.margin.l, layout.margin.r, layout.margin.t,
                layout.margin.b) == (340, 28, 28, 28, 32)


def test_the_html_holds_the_picture_inline_in_the_figures_plot_area(fp: Fingerprint) -> None:
    png = preview_png(fp, "strip", FRAME)
    html = preview_html(png, FRAME)
    data = re.search(r"url\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", html)
    assert data is not None and base64.b64decode(data[1]) == png
    assert "height: 340px;" in html and "padding: 28px 28px 32px 28px;" in html
    assert "content-box" in html  # the picture in the padding: the plot area
    assert html.endswith(f'<div class="{PICTURE}"></div>')
    # Hidden once the chart in the same box has drawn its bars.
    assert f".{CHART_BOX}:has(.js-plotly-plot .barlayer .trace) .{PREVIEW_BOX}" in html
    assert "display: none" in html


def test_a_one_sample_fingerprint_has_a_one_column_picture(fp: Fingerprint) -> None:
    one = Fingerprint(video=fp.video, params=fp.params, times=fp.times[:1],
                      colors=fp.colors[:1], shares=fp.shares[:1], average=fp.average[:1])
    assert _pixels(preview_png(one, "strip", FRAME)).shape == (280, 1, 3)


def test_the_collections_strips_are_previewed_once_their_titles_are_hidden() -> None:
    """A page of strips past 60 films (titles hidden) fills its plot area with its one
    image: that image, as a JPEG, in the Collection page's boxes; smaller pages (their
    titles widen the margin) and the other views have no picture."""
    from fingerprint.collection._collection import from_fingerprints
    from fingerprint.plotting._collection import map_figure, strips_figure
    from fingerprint.poster._collection import strip_rows
    from tests.support.batches import synthetic_fingerprint
    from webapp.preview import COLLECTION_BOXES, strips_picture_html

    fps = [synthetic_fingerprint(i, samples=30) for i in range(61)]
    collection = from_fingerprints(fps, titles=[f"film {i}" for i in range(61)])
    rows = strip_rows(fps, width=50, height=4)
    fig = strips_figure(collection, rows, list(range(61)))
    html = strips_picture_html(fig)
    assert html is not None
    data = re.search(r"url\(data:image/jpeg;base64,([A-Za-z0-9+/=]+)\)", html)
    assert data is not None
    picture = _pixels(base64.b64decode(data[1]))
    chart = fig.layout.images[0].source.split(",", 1)[1]
    assert picture.shape == _pixels(base64.b64decode(chart)).shape
    assert np.abs(picture.astype(int) - _pixels(base64.b64decode(chart))).mean() < 8
    assert f"height: {fig.layout.height}px;" in html and "padding: 8px 8px 48px 8px;" in html
    chart_box, preview_box = COLLECTION_BOXES
    assert f".{chart_box}:has(.js-plotly-plot .barlayer .trace) .{preview_box}" in html
    assert strips_picture_html(strips_figure(collection, rows, list(range(60)))) is None
    assert strips_picture_html(map_figure(collection, np.zeros((61, 2)))) is None
