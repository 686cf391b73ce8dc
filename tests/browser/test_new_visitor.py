"""What a new user hit that only a browser shows (issue 9 items 1, 9, 10; issue 12 item 6):
no traceback after a trim error, only the new film's progress while it is analysed, a
portrait frame that fits the window with arrow keys stepping the moments, and a file name
that stays text in the DOM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support.appserver import CHROMIUM, streamlit
from tests.support.videos import make_video

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

BARS = ".js-plotly-plot .barlayer .trace"
VIEWPORT = {"width": 1280, "height": 800}
PHISHING = ("[Session expired - click to log in](https:127.0.0.1:8799?phish=1) "
            "![](https:127.0.0.1:8799?track=viewer)")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("newuser-server")
    with streamlit(cache=folder / "cache", log=folder / "streamlit.log") as (url, _):
        yield url


def _open(browser: object, url: str) -> object:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    return page


def _drawn(page: object, traces: int = 5) -> None:
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length === {traces}")


def _no_traceback(page: object) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()


def test_a_trim_error_then_a_good_end_never_shows_a_traceback(server: str, browser: object):
    page = _open(browser, f"{server}/?film=flower&samples=20")
    _drawn(page)
    sidebar = page.get_by_test_id("stSidebar")
    for field, value in (("Start", "3"), ("End", "2"), ("End", "4")):
        box = sidebar.get_by_role("textbox", name=field)
        box.fill(value)
        box.press("Enter")
        page.wait_for_timeout(1500)
    _drawn(page)
    # The view is shown selected again, and the next changes work.
    page.get_by_role("radio", name="Palette").wait_for()
    assert page.get_by_role("radio", name="Palette").get_attribute("aria-checked") == "true"
    page.get_by_role("button", name="Reset to defaults").click()
    page.wait_for_timeout(2000)
    _drawn(page)
    _no_traceback(page)
    assert "None" not in page.url
    page.context.close()


def test_while_a_new_film_is_analysed_only_its_progress_shows(server: str, browser: object):
    # Exact mode: Big Buck Bunny's 300 samples take seconds, time to look at the page.
    page = _open(browser, f"{server}/?film=flower&samples=300&mode=exact")
    _drawn(page)
    # Flower's caption under the title (the chooser's demo cards have its credit too).
    caption = page.get_by_text("0:00:05 · ").filter(visible=True)
    assert caption.count() == 1
    page.get_by_text("Choose a film").first.click()  # the chooser, folded while a film shows
    page.get_by_role("button", name="Big Buck Bunny").first.click()  # not analysed yet
    page.get_by_test_id("stProgress").wait_for(state="visible", timeout=30_000)
    # Streamlit marks the previous run's elements stale a moment into the new run.
    page.wait_for_function(
        "![...document.querySelectorAll('.js-plotly-plot')].some(e => e.offsetParent)",
        timeout=10_000,
    )
    assert page.get_by_test_id("stProgress").is_visible()  # still analysing
    assert caption.count() == 0
    _drawn(page)
    page.context.close()


def _portrait_clip(folder: Path) -> Path:
    """2 s of a portrait phone video, 180 × 320: a colour a second."""
    frames = [np.full((320, 180, 3), c, np.uint8) for c in ((200, 40, 40),) * 10
              + ((40, 40, 200),) * 10]
    return make_video(folder / f"{PHISHING}.mp4", frames, fps=10)


def test_an_upload_named_as_markdown_stays_text_and_its_portrait_frame_fits(
    server: str, browser: object, tmp_path: Path
) -> None:
    clip = _portrait_clip(tmp_path)
    page = _open(browser, f"{server}/?samples=20")
    _drawn(page)
    page.get_by_text("Choose a film").first.click()
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(clip)
    heading = page.get_by_role("heading", level=2).filter(has_text="Session expired")
    heading.wait_for()
    assert heading.inner_text().strip() == PHISHING
    # No link and no image made of the name, anywhere in the page (the heading's own
    # anchor, "#session-expired-…", stays on the page).
    assert page.locator('a[href*="phish="]').count() == 0
    assert page.locator('img[src*="track="]').count() == 0
    _drawn(page)

    # A moment's portrait frame fits the window, with its ◀ ▶ under it. (Clicked, not
    # opened by a link: an upload is private to the session that made it.)
    # The uploaded film's own chart, once the runs that follow the upload have settled.
    page.get_by_text("180×320").first.wait_for()
    _drawn(page)
    page.wait_for_timeout(1500)
    strip = page.locator(".js-plotly-plot .nsewdrag").first
    strip.scroll_into_view_if_needed()
    box = strip.bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5
    page.mouse.move(x, y)  # the chart answers a hover once it is ready for a click
    page.wait_for_function("document.querySelector('.hoverlayer').textContent.includes('#')")
    page.mouse.click(x, y)
    frame = page.locator('[data-testid="stImage"] img').first
    frame.wait_for(state="visible")
    page.wait_for_timeout(500)
    frame.scroll_into_view_if_needed()
    shown = frame.bounding_box()
    assert shown["height"] <= 0.7 * VIEWPORT["height"], shown
    assert shown["width"] < shown["height"]  # still portrait: scaled, not squashed
    ahead = page.get_by_role("button", name="▶")
    assert ahead.bounding_box()["y"] + ahead.bounding_box()["height"] <= (
        shown["y"] + VIEWPORT["height"]
    )

    # The arrow keys step through the moments where the page has focus.
    moment = page.locator("text=/moment \\d+ of \\d+/").first
    before = moment.inner_text()
    moment.click()  # the page has focus, not a text box
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "t => !document.body.innerText.includes(t)", arg=before.split("·")[1].strip()
    )
    after = moment.inner_text()
    n_before = int(before.split("moment ")[1].split()[0])
    n_after = int(after.split("moment ")[1].split()[0])
    assert n_after == n_before + 1
    _no_traceback(page)
    page.context.close()
