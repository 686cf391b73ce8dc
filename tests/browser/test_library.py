"""The library's Collection for a first visitor, in a real browser (issue 19 part 1):
`streamlit run` on an empty cache, the Collection opened first at the app's defaults. The
page fingerprints the three demo films itself, with a progress bar and counts that add up
while it does, then shows the three."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.appserver import CHROMIUM, ROOT, launch_chromium, streamlit
from tests.support.apptests import said
from webapp.library_films import Tally

ARTIFACTS = ROOT / "test-artifacts"
BARS = ".js-plotly-plot .barlayer .trace path"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("library-server")
    with pytest.MonkeyPatch.context() as env:
        env.delenv("FINGERPRINT_COLLECTION_DIR", raising=False)  # the library, not a batch
        with streamlit(cache=folder / "cache", log=folder / "streamlit.log") as (url, _):
            yield url


def _captions(page: object) -> list[str]:
    return [text.strip() for text in
            page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").all_inner_texts()]


def test_a_first_visitor_sees_the_demo_films_fingerprinted_by_the_page(server: str) -> None:
    with sync_api.sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"{server}/collection")
            # While the page fingerprints: its progress, and counts that add up to three.
            bar = page.get_by_test_id("stProgress")
            bar.wait_for(state="visible")
            assert "shown" in bar.inner_text()
            counts = said(_captions(page))
            assert counts.total == 3 and counts.fingerprinting >= 1, counts
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "library-fingerprinting.png")
            # Then the three demo films, one bar each, and no progress left.
            page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 3")
            page.get_by_text("3 films of this server's library").wait_for()
            # (The last run's captions stay, stale, until this run ends.)
            page.get_by_text("being fingerprinted").wait_for(state="detached")
            assert said(_captions(page)) == Tally(3)
            assert bar.count() == 0
            page.screenshot(path=ARTIFACTS / "library.png")
            assert page.get_by_test_id("stException").count() == 0
        finally:
            browser.close()
