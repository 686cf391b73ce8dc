"""Uploads through the real server and Chromium (issue 21): the upload receiver stands in
front of Streamlit's upload route, so a large file reaches the cache folder while the
server's memory stays flat, and a refused upload is said in a sentence on the page."""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.appserver import CHROMIUM, streamlit

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

FLOWER = ROOT / "demo" / "flower_5s_540p_h264.mp4"
CHOOSER = "Choose a film — a demo, your own video, the movies folder or the library"
BARS = ".js-plotly-plot .barlayer .trace"
MIB = 2**20


def _big_film(path: Path, padding: int) -> Path:
    """The flower clip followed by an MP4 ``free`` box of ``padding`` random bytes (which
    players skip): a valid film as large as asked, written 1 MiB at a time."""
    shutil.copyfile(FLOWER, path)
    with path.open("ab") as out:
        out.write(struct.pack(">I4s", 8 + padding, b"free"))
        for _ in range(padding // MIB):
            out.write(os.urandom(MIB))
    return path


def _memory(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


@contextlib.contextmanager
def _server(folder: Path, **env: str) -> Iterator[tuple[str, int]]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with streamlit(cache=folder / "cache", log=folder / "streamlit.log") as (url, process):
            yield url, process.pid


def _upload_tab(browser: object, url: str) -> object:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length > 0")  # the demo
    page.get_by_text(CHOOSER).click()
    page.get_by_role("tab", name="Upload").click()
    return page


def test_a_large_upload_reaches_the_cache_without_the_server_holding_it(
    browser: object, tmp_path: Path
) -> None:
    film = _big_film(tmp_path / "big_flower.mp4", 384 * MIB)
    with _server(tmp_path) as (url, pid):
        page = _upload_tab(browser, url)
        before = _memory(pid, "VmRSS")
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # the server's peak from here
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(film)
        uploads = tmp_path / "cache" / "uploads"
        deadline = time.monotonic() + 120
        while not any(p.is_file() for p in uploads.glob("*/*")):
            assert time.monotonic() < deadline, "the upload never reached the cache"
            time.sleep(0.05)
        grew = _memory(pid, "VmHWM") - before
        # The receiver held 9 MB for a 911 MB film (docs/benchmarks.md); Streamlit's own
        # route held the whole file.
        assert grew < 96 * MIB, f"the server grew by {grew / MIB:.0f} MB for a 385 MB upload"
        [stored] = uploads.glob("*/*")
        assert stored.name == film.name and stored.stat().st_size == film.stat().st_size
        page.wait_for_function(
            "[...document.querySelectorAll('h2')].some(h => h.textContent.trim() === 'big flower')"
        )
        page.wait_for_function(f"document.querySelectorAll('{BARS}').length > 0")
        assert page.get_by_test_id("stException").count() == 0
        page.context.close()


def test_an_upload_the_server_cannot_keep_is_refused_in_a_sentence(
    browser: object, tmp_path: Path
) -> None:
    with _server(tmp_path, FINGERPRINT_CACHE_MAX_BYTES="500K") as (url, _):
        page = _upload_tab(browser, url)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(FLOWER)
        error = page.get_by_test_id("stAlertContentError")
        error.wait_for()
        assert error.inner_text().strip() == (
            "This file is larger than this server keeps (500 KB): open it from a movies "
            "folder instead (see About)."
        )
        assert page.get_by_test_id("stException").count() == 0
        assert not any((tmp_path / "cache" / "uploads").rglob("*.mp4"))
        page.context.close()
