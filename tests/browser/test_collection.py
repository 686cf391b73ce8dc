"""The Collection page in a real browser: `streamlit run` on a synthetic batch folder
(FINGERPRINT_COLLECTION_DIR) whose one film is a real clip, driven with Debian's headless
Chromium. The stacked strips are drawn, pointing at a row names its film, a click on the
real clip's row opens it on Explore."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from fingerprint.cache._cache import content_key
from tests.support.appserver import (
    CHROMIUM,
    PLOTLY_SCRIPT,
    ROOT,
    WIDGET_SCRIPTS,
    launch_chromium,
    streamlit,
)
from tests.support.batches import put_film, write_batch
from tests.support.videos import make_rgb

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
FILMS = 12
REAL = 0  # the row of the real clip: "aaa rgb clip" sorts first by title


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("collection-server")
    (folder / "clips").mkdir()
    clip = make_rgb(folder / "clips" / "aaa rgb clip.mp4")
    fps = write_batch(folder / "batch", FILMS, samples=60)
    put_film(folder / "batch", 3, fps[3], clip, content_key(clip))
    os.environ["FINGERPRINT_COLLECTION_DIR"] = str(folder / "batch")
    try:
        with streamlit(cache=folder / "cache", log=folder / "streamlit.log") as (url, _):
            yield url
    finally:
        del os.environ["FINGERPRINT_COLLECTION_DIR"]


def test_strips_hover_and_a_click_that_opens_explore(server: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.set_default_timeout(90_000)
            page.goto(f"{server}/collection?samples=20")
            chart = page.locator(".js-plotly-plot").first
            chart.wait_for()
            # The strips: one image of every film's row, one bar per film on top of it.
            image = chart.locator("g.imagelayer image").first
            image.wait_for(state="attached")
            assert chart.locator(".barlayer .trace path").count() == FILMS
            box = image.bounding_box()
            assert box is not None and box["width"] > 600
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "collection.png")

            row = box["height"] / FILMS
            x, y = box["x"] + box["width"] * 0.5, box["y"] + row * (REAL + 0.5)
            page.mouse.move(x, y)
            hover = chart.locator("g.hoverlayer")
            hover.get_by_text("aaa rgb clip", exact=False).wait_for(timeout=10_000)
            text = hover.text_content() or ""
            assert re.search(r"\d+:\d\d:\d\d", text) and "#" in text  # running time, palette

            page.mouse.click(x, y)
            page.get_by_role("heading", name="aaa rgb clip").wait_for(timeout=120_000)
            assert "film=" in page.url and "/collection" not in page.url
            page.locator(".js-plotly-plot").first.wait_for()
            page.screenshot(path=ARTIFACTS / "collection-explore.png")
        finally:
            browser.close()


PICTURE = ".st-key-collection_preview .fingerprint-preview"
PAGED = 201  # two pages of strips (webapp.collection_view.PAGE_FILMS), titles hidden


@pytest.fixture(scope="module")
def paged_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("paged-collection-server")
    write_batch(folder / "batch", PAGED, samples=20)
    with streamlit(cache=folder / "cache", log=folder / "streamlit.log",
                   args=("--collection", str(folder / "batch"))) as (url, _):
        yield url


@pytest.mark.parametrize("query", ["", "?sort=similar"])
def test_the_strips_picture_stays_put_when_the_controls_and_the_chart_come(
    paged_server: str, query: str
) -> None:
    """Shown before the controls above it are drawn, the picture must not move when they
    replace their placeholders (webapp.preview.CONTROL_ROWS), nor when the chart comes."""
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(90_000)
            held: list[object] = []
            page.route(WIDGET_SCRIPTS, lambda route: held.append(route))
            page.route(PLOTLY_SCRIPT, lambda route: held.append(route))
            page.goto(f"{paged_server}/collection{query}")
            page.locator(PICTURE).wait_for(state="visible")
            box = page.locator(PICTURE).bounding_box()
            for route in held:
                route.continue_()
            page.locator(".js-plotly-plot g.imagelayer image").first.wait_for(state="attached")
            page.locator(PICTURE).wait_for(state="hidden")
            rows = ".st-key-collection_controls, .st-key-collection_pages"
            selects = page.locator(rows).get_by_test_id("stSelectbox")
            assert selects.count() == (3 if query else 2)  # order, page (and film)
            assert page.locator(".st-key-collection_chart").bounding_box() == box
        finally:
            browser.close()
