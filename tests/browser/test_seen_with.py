"""The sidebar's "Seen with" in a real browser: choosing deuteranopia redraws the strip's
bars in the simulated colours, puts the choice in the address bar, and the severity
slider appears with it; the downloaded poster is the simulated one."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint.palette import simulate_cvd
from tests.support.appserver import CHROMIUM, streamlit

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

BARS = ".js-plotly-plot .barlayer .trace"
RGB = re.compile(r"rgb\((\d+), (\d+), (\d+)\)")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("seen-cache")
    with streamlit(cache=cache, log=cache / "streamlit.log") as (address, _):
        yield address


def _fills(page: object) -> np.ndarray:
    """The first palette rank's bar colours, left to right, as drawn."""
    styles = page.eval_on_selector_all(
        f"{BARS}:first-child path", "paths => paths.map(p => p.style.fill)")
    return np.array([[int(v) for v in RGB.fullmatch(s).groups()] for s in styles], np.uint8)


def _drawn(page: object, colors: np.ndarray) -> None:
    """Wait until the chart's first rank of bars is ``colors``, left to right (a rerun may
    show the old chart beside the new one for a moment)."""
    wanted = json.dumps([f"rgb({r}, {g}, {b})" for r, g, b in colors.tolist()],
                        separators=(",", ":"))  # as JSON.stringify writes it
    page.wait_for_function(
        f"[...document.querySelectorAll('{BARS}:first-child')].some(trace => "
        f"JSON.stringify([...trace.querySelectorAll('path')].map(p => p.style.fill)) "
        f"=== {json.dumps(wanted)})")


def _choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar's select box ``label``; a rerun that lands while the
    list is open closes it, so open it again until the option is there."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has_text=label).locator("input")
    for _ in range(5):
        box.click()
        try:
            page.get_by_role("option", name=option).click(timeout=5_000)
            return
        except sync_api.TimeoutError:
            page.keyboard.press("Escape")
    raise AssertionError(f"{option!r} never showed in {label!r}")


def test_choosing_deuteranopia_in_the_sidebar_redraws_the_strip(url: str, browser: object) -> None:
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{url}/?film=bbb&samples=12")
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 5 && "
                           f"document.querySelectorAll('{BARS} path').length >= 60")
    page.wait_for_timeout(500)  # the first run's last messages
    true = _fills(page)
    assert len(true) == 12
    _choose(page, "Seen with", "Deuteranopia")
    page.wait_for_function("window.location.search.includes('cvd=deutan')")
    page.get_by_test_id("stSidebar").get_by_text("Severity").wait_for()
    expected = simulate_cvd(true, kind="deutan")
    assert not np.array_equal(expected, true)
    _drawn(page, expected)
    # The poster downloaded now is the simulated one (once the poster block says so: the
    # run that drew the new chart has drawn its button too).
    page.get_by_text("As seen with deuteranopia, the sidebar's colour vision.").wait_for()
    page.wait_for_timeout(500)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download poster (PNG)").click()
    assert "deutan" in download.value.suggested_filename
    poster = np.asarray(Image.open(io.BytesIO(Path(download.value.path()).read_bytes())))
    top_left = poster[5, 5]
    assert np.abs(top_left.astype(int) - expected[0].astype(int)).max() <= 1
