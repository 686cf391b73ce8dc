"""The landing page of a new server in a real browser (issue 18 §4): the default demo's
fingerprint comes from the results shipped with the app, nothing decoded, and shows as a
picture in the chart's place while the browser still loads Plotly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.appserver import CHROMIUM, PLOTLY_SCRIPT, ROOT, WIDGET_SCRIPTS, streamlit

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
BARS = ".js-plotly-plot .barlayer .trace path"
PICTURE = ".st-key-explore_preview .fingerprint-preview"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    folder = tmp_path_factory.mktemp("landing-server")
    with streamlit(cache=folder / "cache", log=folder / "streamlit.log") as (url, process):
        yield url, folder / "cache", process.pid


def _new_page(browser: object) -> object:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(90_000)
    return page


def _box(page: object, selector: str) -> tuple[float, ...]:
    box = page.locator(selector).bounding_box()
    return tuple(round(box[side]) for side in ("x", "y", "width", "height"))


def test_the_strip_shows_as_a_picture_in_its_place_until_the_chart_is_drawn(
    server: tuple[str, Path, int], browser: object
) -> None:
    url, cache, _ = server
    page = _new_page(browser)
    held: list[object] = []

    def hold(route: object) -> None:  # Plotly still on its way
        held.append(route)

    page.route(PLOTLY_SCRIPT, hold)
    page.goto(url)
    page.locator(PICTURE).wait_for(state="visible")
    background = page.evaluate(f"getComputedStyle(document.querySelector('{PICTURE}'))"
                               ".backgroundImage")
    assert background.startswith('url("data:image/png;base64,'), background[:60]
    # Where the chart will be, as large (Streamlit's placeholder for it is its size), the
    # columns in its plot area.
    place = _box(page, ".st-key-explore_chart")
    assert place[3] == 340
    assert _box(page, PICTURE) == place
    padding = page.evaluate(f"getComputedStyle(document.querySelector('{PICTURE}')).padding")
    assert padding == "28px 28px 32px"  # as the figure's margins: top, left and right, bottom
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "landing-picture.png")

    for route in held:
        route.continue_()
    page.unroute(PLOTLY_SCRIPT)
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length > 0")
    page.locator(PICTURE).wait_for(state="hidden")
    assert _box(page, ".st-key-explore_chart") == place  # nothing moved
    page.screenshot(path=ARTIFACTS / "landing-chart.png")
    assert page.get_by_test_id("stException").count() == 0
    # Nothing decoded: the shipped result was stored, as the library lists it.
    assert not list(cache.glob("*/frames-*"))
    assert len(list(cache.glob("*/result-*.json"))) == 1
    page.context.close()


def test_the_picture_stays_put_when_the_view_control_and_the_chart_come(
    server: tuple[str, Path, int], browser: object
) -> None:
    """Shown before the widgets' renderers are in, the picture must not move when the view
    control replaces its placeholder above it (webapp.preview.CONTROL_ROWS), nor when the
    chart replaces the picture."""
    url, _, _ = server
    page = _new_page(browser)
    held: list[object] = []
    page.route(WIDGET_SCRIPTS, lambda route: held.append(route))
    page.route(PLOTLY_SCRIPT, lambda route: held.append(route))
    page.goto(url)
    page.locator(PICTURE).wait_for(state="visible")
    assert page.locator(".st-key-explore_view [data-testid='stSkeleton']").count() == 1
    shown = _box(page, PICTURE)
    for route in held:
        route.continue_()
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length > 0")
    assert page.locator(".st-key-explore_view [data-testid='stButtonGroup']").count() == 1
    assert _box(page, ".st-key-explore_chart") == shown
    page.context.close()


def _inotify_watches(pid: int) -> int:
    """How many folders (or files) process ``pid`` watches through inotify."""
    count = 0
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            count += sum(line.startswith("inotify wd:") for line in info.read_text().splitlines())
        except OSError:  # a descriptor closed meanwhile
            continue
    return count


def test_a_visit_leaves_the_server_watching_no_folder(
    server: tuple[str, Path, int], browser: object
) -> None:
    # Streamlit's default watcher would watch the checkout recursively once a session runs:
    # with the venv inside it (the README's set-up) every file the server opens is an
    # event it handles, 0.4 CPU-s a visit. The app's config runs with no watcher.
    url, _, pid = server
    page = _new_page(browser)
    page.goto(url)
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length > 0")
    assert _inotify_watches(pid) == 0
    page.context.close()
