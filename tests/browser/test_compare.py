"""The Compare page in a real browser: the app served by `streamlit run`, driven with
Debian's headless Chromium through Playwright. Skipped where either is missing.

Opens a comparison of two demo films from a share link and checks that both
fingerprints, the difference strip, the scores and the shared hover are on screen, then
the alignment: both strips, the gaps marked, a pair's hover; screenshots are left in
``test-artifacts/compare.png`` and ``test-artifacts/compare-alignment.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.appserver import CHROMIUM, ROOT, launch_chromium, streamlit

ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free port with its own empty cache; its base URL."""
    folder = tmp_path_factory.mktemp("compare-server")
    with streamlit(cache=folder / "cache", log=folder / "streamlit.log") as (url, _):
        yield url


@pytest.fixture(scope="module")
def page(server):
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        tab = browser.new_page(viewport={"width": 1400, "height": 2600})
        try:
            yield tab
        finally:
            browser.close()


def test_a_comparison_of_two_demo_films_shows_both_fingerprints_and_the_scores(server, page):
    # The share link is the fresh server's first request (the pages open through the router).
    page.goto(f"{server}/compare?a=bbb&b=flower&samples=60")

    similarity = page.get_by_test_id("stMetric").filter(has_text="Palette similarity")
    similarity.wait_for(timeout=180_000)
    for label in ("Mean difference", "Curve correlation", "Most different at"):
        assert page.get_by_test_id("stMetric").filter(has_text=label).is_visible()
    value = similarity.get_by_test_id("stMetricValue").inner_text()
    assert 0 <= float(value) <= 1

    for title in ("Big Buck Bunny", "Flower"):
        assert page.get_by_role("heading", name=title).is_visible()
    strips = page.locator(".js-plotly-plot").first
    strips.wait_for(timeout=60_000)
    # Both fingerprints are images in the strips chart, over the shared time axis.
    assert strips.locator("g.imagelayer image").count() == 2
    for caption in ("A · Big Buck Bunny", "B · Flower", "Difference"):  # the titles shown
        assert strips.get_by_text(caption, exact=False).count() >= 1
    assert page.locator(".js-plotly-plot").count() == 3  # strips, alignment, curves

    # Hovering the first fingerprint shows both films' colours at the same relative time.
    box = strips.locator("g.imagelayer image").first.bounding_box()
    assert box is not None and box["width"] > 300
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    hover = strips.locator("g.hoverlayer")
    hover.get_by_text("difference", exact=False).wait_for(timeout=10_000)
    label = hover.text_content() or ""
    assert "A 0:" in label and "B 0:" in label and "%" in label

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "compare.png")
    assert "a=bbb" in page.url and "b=flower" in page.url
    # Through the router: its navigation and the shared settings sidebar are there.
    assert page.get_by_role("link", name="Compare", exact=True).is_visible()
    assert page.get_by_role("heading", name="Analysis").is_visible()


def test_the_alignment_shows_both_strips_the_gaps_and_the_pairs(server, page):
    """Big Buck Bunny and Flower share no moment: each film is one gap, outlined in red
    on its strip and listed under the figure."""
    page.goto(f"{server}/compare?a=bbb&b=flower&samples=60")
    score = page.get_by_test_id("stMetric").filter(has_text="Alignment score")
    score.wait_for(timeout=180_000)
    assert 0 <= float(score.get_by_test_id("stMetricValue").inner_text()) <= 1
    gaps = int(page.get_by_test_id("stMetric").filter(has_text="Gaps")
               .get_by_test_id("stMetricValue").inner_text())
    chart = page.locator(".js-plotly-plot").nth(1)
    chart.scroll_into_view_if_needed()
    assert chart.locator("g.imagelayer image").count() == 2
    # Each gap outlined in the gap colour (#e15759) on its film's strip.
    red = chart.locator('g.shapelayer path[style*="rgb(225, 87, 89)"]')
    assert red.count() == gaps >= 1
    assert page.get_by_text("Only in A: 0:00:00.0").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    chart.screenshot(path=ARTIFACTS / "compare-alignment.png")
    # The best-matching stretch instead, from the radio: kept in the link.
    page.get_by_text("Best-matching stretch", exact=True).first.click()
    page.get_by_test_id("stMetric").filter(has_text="Best-matching stretch").wait_for(
        timeout=30_000)
    assert "align=local" in page.url
