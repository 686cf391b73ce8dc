"""The app in a real browser: `streamlit run`, then headless Chromium through Playwright.

Checks what a visitor does: the demo film's fingerprint is drawn on first view, pointing
at a column shows its colours, clicking it shows the frame, and the share link reopens the
same settings in a new session. Screenshots and timings go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.appserver import CHROMIUM, ROOT, streamlit

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
HEX = re.compile(r"#[0-9a-f]{6}")
BARS = ".js-plotly-plot .barlayer .trace"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, float, dict, Path]]:
    """`streamlit run app.py` on a free port with an empty cache:
    (url, when it started, timings to report, the cache folder)."""
    ARTIFACTS.mkdir(exist_ok=True)
    cache = tmp_path_factory.mktemp("browser-cache")
    timings: dict[str, float] = {}
    started = time.monotonic()
    try:
        with streamlit(cache=cache, log=ARTIFACTS / "streamlit.log") as (url, _):
            timings["start_to_healthy_s"] = time.monotonic() - started
            yield url, started, timings, cache
    finally:
        (ARTIFACTS / "browser-timings.json").write_text(json.dumps(timings, indent=1) + "\n")


def _open(browser: object, url: str) -> object:
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    return page


def _chart_box(page: object) -> dict:
    return page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()


K_SLIDER = '[data-testid="stSlider"] input[type="range"]'


def _sidebar_k(page: object) -> str:
    return page.locator(K_SLIDER).input_value()


def test_a_visitor_sees_points_clicks_and_shares(server: tuple, browser: object) -> None:
    url, started, timings, cache = server
    opened = time.monotonic()
    page = _open(browser, url)
    # A second visitor arrives at once. First view, empty cache: both get the demo film's
    # result shipped with the app (demo/results), stored in the cache, nothing decoded.
    second = _open(browser, url)
    page.wait_for_function(
        f"document.querySelectorAll('{BARS}').length === 5 && "
        f"document.querySelectorAll('{BARS}')[0].querySelectorAll('path').length > 100"
    )
    timings["start_to_fingerprint_drawn_s"] = time.monotonic() - started
    timings["page_open_to_fingerprint_drawn_s"] = time.monotonic() - opened
    second.wait_for_function(f"document.querySelectorAll('{BARS}').length === 5")
    second.context.close()
    assert not list(cache.glob("*/frames-*"))
    assert len(list(cache.glob("*/result-*.json"))) == 1
    page.wait_for_timeout(500)
    assert page.get_by_text("Big Buck Bunny, (c) 2008 Blender Foundation").count() >= 1
    # A second visitor (or a reload) finds it analysed.
    warm = time.monotonic()
    again = _open(browser, url)
    again.wait_for_function(f"document.querySelectorAll('{BARS}').length === 5")
    timings["reload_to_fingerprint_drawn_s"] = time.monotonic() - warm
    again.context.close()
    page.screenshot(path=ARTIFACTS / "browser-1-fingerprint.png")

    # Point at a column: the tooltip gives its timecode and its colours as hex codes.
    box = _chart_box(page)
    x, y = box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)
    tooltip = page.locator(".hoverlayer")
    page.wait_for_function("document.querySelector('.hoverlayer').textContent.includes('#')")
    text = tooltip.text_content()
    assert re.search(r"\d:\d\d:\d\d · moment \d+ of 720", text), text
    assert len(HEX.findall(text)) == 5, text
    page.screenshot(path=ARTIFACTS / "browser-2-hover.png")

    # Click it: the frame at that moment, beside its palette.
    clicked = time.monotonic()
    page.mouse.click(x, y)
    page.locator('[data-testid="stImage"] img').first.wait_for(state="visible")
    timings["click_to_frame_shown_s"] = time.monotonic() - clicked
    page.wait_for_function("window.location.search.includes('t=')")
    codes = page.locator('[data-testid="stCode"]').all_text_contents()
    assert any(len(HEX.findall(c)) >= 3 for c in codes), codes  # copyable hex codes
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "browser-3-frame.png")

    # Change k with the keyboard (5 -> 7): the film decoded once (the shipped result came
    # without its frames); then the view, drawn from them.
    changed = time.monotonic()
    page.locator(K_SLIDER).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 7")
    timings["k_change_to_redrawn_s"] = time.monotonic() - changed
    page.get_by_role("radio", name="Equal bands").click()
    page.wait_for_function("window.location.search.includes('view=bands')")
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 7")
    page.locator('[data-testid="stImage"] img').first.wait_for(state="visible")

    # The share link, copied as a visitor would, reopens the same view in a new session.
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stCode]')]"
        ".some(e => e.textContent.includes('view=bands'))"
    )
    link = next(c for c in page.locator('[data-testid="stCode"]').all_text_contents()
                if c.strip().startswith("http")).strip()
    for part in ("film=bbb", "k=7", "view=bands", "t="):
        assert part in link, link
    moment = page.locator("text=/moment \\d+ of 720/").first.text_content()
    reopened = time.monotonic()
    other = _open(browser, link)
    other.wait_for_function(f"document.querySelectorAll('{BARS}').length === 7")
    other.locator('[data-testid="stImage"] img').first.wait_for(state="visible")
    timings["share_link_to_view_restored_s"] = time.monotonic() - reopened
    assert _sidebar_k(other) == "7"
    assert other.get_by_role("radio", name="Equal bands").get_attribute("aria-checked") == "true"
    assert other.get_by_text(moment.strip()).count() >= 1
    assert other.url.split("?")[1] == link.split("?")[1]
    other.wait_for_timeout(500)
    other.screenshot(path=ARTIFACTS / "browser-4-shared-link.png")
    # Leave with a poster and the data.
    poster_started = time.monotonic()
    with other.expect_download() as download:
        other.get_by_role("button", name="Download poster (PNG)").click()
    poster = Path(download.value.path()).read_bytes()
    timings["poster_click_to_downloaded_s"] = time.monotonic() - poster_started
    assert poster.startswith(b"\x89PNG") and download.value.suggested_filename.endswith(".png")
    (ARTIFACTS / "browser-poster.png").write_bytes(poster)
    with other.expect_download() as download:
        other.get_by_role("button", name="Palettes (CSV)").click()
    csv = Path(download.value.path()).read_text().splitlines()
    assert csv[0].startswith("sample,time,color_1,share_1") and len(csv) == 721
    # The whole page, for a look at the exports too.
    other.set_viewport_size({"width": 1440, "height": 1900})
    other.wait_for_timeout(800)
    other.screenshot(path=ARTIFACTS / "browser-5-whole-page.png")


# A fresh server serves a page's URL from the pages/ folder, without the router, until some
# session has run app.py: a share link must still open through the router.
FIRST_VISITS = {
    "explore": ("/?film=flower&k=3&samples=40&view=bands", "Flower"),
    "compare": ("/compare?a=bbb&b=flower&k=3&samples=40&top=4", "Compare two films"),
}


@pytest.mark.parametrize("name", FIRST_VISITS)
def test_a_share_link_as_a_fresh_servers_first_request_opens_through_the_router(
    name: str, browser: object, tmp_path: Path
) -> None:
    link, heading = FIRST_VISITS[name]
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit(cache=tmp_path / "cache", log=tmp_path / "streamlit.log") as (url, _):
        page = _open(browser, url + link)
        page.get_by_role("heading", name=heading).wait_for()
        # The router's navigation, not the folder's files; and its settings sidebar.
        links = page.get_by_test_id("stSidebarNav").get_by_role("link")
        sync_api.expect(links).to_have_count(4)  # Explore, Compare, Collection, About
        for title in ("Explore", "Compare", "About & help"):
            sync_api.expect(links.get_by_text(title, exact=True)).to_be_visible()
        page.get_by_role("heading", name="Analysis").wait_for()
        # The link's settings, restored and kept in the address bar.
        sidebar = page.get_by_test_id("stSidebar")
        assert sidebar.locator(K_SLIDER).input_value() == "3"
        assert sidebar.get_by_label("Samples (columns)", exact=True).input_value() == "40"
        query = link.split("?")[1]
        page.wait_for_function(f"window.location.search.includes({query!r})")
        if name == "explore":
            page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 3")
            pressed = page.get_by_role("radio", name="Equal bands")
            assert pressed.get_attribute("aria-checked") == "true"
        else:
            page.get_by_test_id("stMetric").filter(has_text="Palette similarity").wait_for()
            assert page.get_by_role("heading", name="Big Buck Bunny").is_visible()
            assert page.get_by_role("heading", name="Flower").is_visible()
            top = page.get_by_test_id("stSlider").filter(has_text="whole-film palettes")
            assert top.locator('input[type="range"]').input_value() == "4"
        assert page.get_by_text("Page not found").count() == 0
        page.screenshot(path=ARTIFACTS / f"browser-first-visit-{name}.png")
