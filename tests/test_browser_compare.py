"""The Compare page in a real browser: the app served by `streamlit run`, driven with
Debian's headless Chromium through Playwright. Skipped where either is missing.

Opens a comparison of two demo films from a share link and checks that both
fingerprints, the difference strip, the scores and the shared hover are on screen; a
screenshot is left in ``test-artifacts/compare.png``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """`streamlit run app.py` on a free port with its own empty cache; its base URL."""
    port = _free_port()
    env = {**os.environ, "FINGERPRINT_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    env.pop("FINGERPRINT_MOVIES_DIR", None)
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w+b")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"streamlit did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def page(server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
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
    for caption in ("A · bbb_30s_720p_vp8.webm", "B · flower_5s_540p_h264.mp4", "Difference"):
        assert strips.get_by_text(caption, exact=False).count() >= 1
    assert page.locator(".js-plotly-plot").count() == 2  # strips and curves

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
