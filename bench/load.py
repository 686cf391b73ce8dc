"""The hosted demo under load: K visitors at once against one `streamlit run` on 127.0.0.1.

    python bench/load.py              # K = 1, 4, 8
    python bench/load.py --visitors 4

Each visitor is its own headless Chromium context (Debian's chromium, never a browser
Playwright downloads), all arriving together, in turn one of:

- demo: opens a demo film;
- hostile: a link asking for the most samples with a trim no one asked before
  (``?film=bbb&samples=3000&start=0.00N``: new work, the heaviest a link can start);
- upload: uploads a 30 s clip at once, abandoning the demo film the page opened on;
- probe: two links to films that are not there (a made-up key, a path), then a demo film.

Per visitor: seconds to its first fingerprint drawn, whether it saw its place in the
queue, the error lines it saw and any traceback. Per run: the server's peak RSS (children
included), the cache's size after, the load average. Bounded: every wait has a deadline;
loopback only. Prints JSON lines for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import Page, async_playwright

# The repository (tests.support), then bench/ before it: `app` is bench/app.py here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from app import machine, serve  # bench/app.py: the server and its RSS poller
from tests.support.appserver import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent

CLIP = ROOT / "tests" / "data" / "cars_30s_432p_h264.mp4"
CHOOSER = "Choose a film — a demo, your own video, the movies folder or the library"
DEMOS = (("bbb", "Big Buck Bunny"), ("flower", "Flower"), ("friday", "His Girl Friday (1940)"))
ROLES = ("demo", "hostile", "upload", "probe")
DEADLINE_S = 600
# Issue 12's target for a small host: 8 visitors never push the server past 1.5 GB.
TARGET_RSS_MB = 1500
POLL_S = 0.25

# What the page shows now: the title, whether a fingerprint is drawn, a queue place, the
# error lines and tracebacks (Streamlit's exception element).
STATE = """() => {
  const h2 = [...document.querySelectorAll('h2')].map(h => h.textContent.trim());
  const traces = document.querySelectorAll('.js-plotly-plot .barlayer .trace path');
  const body = document.body.innerText;
  return {
    titles: h2,
    drawn: traces.length > 0,
    queued: body.includes('Queued '),
    errors: [...document.querySelectorAll('[data-testid="stAlertContentError"]')]
      .map(e => e.innerText.trim()),
    tracebacks: document.querySelectorAll('[data-testid="stException"]').length,
  };
}"""


async def _watch(page: Page, title: str, record: dict, started: float) -> None:
    """Poll the page until ``title``'s fingerprint is drawn or the deadline passes."""
    while time.monotonic() - started < DEADLINE_S:
        state = await page.evaluate(STATE)
        record["tracebacks"] = max(record["tracebacks"], state["tracebacks"])
        for error in state["errors"]:
            if error not in record["errors"]:
                record["errors"].append(error)
        if state["queued"] and record["queued_after_s"] is None:
            record["queued_after_s"] = round(time.monotonic() - started, 2)
        if state["drawn"] and title in state["titles"]:
            record["first_fingerprint_s"] = round(time.monotonic() - started, 2)
            return
        await asyncio.sleep(POLL_S)


async def visitor(browser, url: str, n: int) -> dict:
    role = ROLES[n % len(ROLES)]
    record = {"visitor": n, "role": role, "first_fingerprint_s": None, "queued_after_s": None,
              "errors": [], "tracebacks": 0}
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    started = time.monotonic()
    try:
        if role == "demo":
            film, title = DEMOS[n // len(ROLES) % len(DEMOS)]
            await page.goto(f"{url}/?film={film}")
        elif role == "hostile":
            title = "Big Buck Bunny"
            await page.goto(f"{url}/?film=bbb&samples=3000&start=0.00{n + 1}")
        elif role == "upload":
            title = CLIP.stem.replace("_", " ")
            await page.goto(url)
            await page.get_by_text(CHOOSER).click()
            await page.get_by_role("tab", name="Upload").click()
            await page.locator('[data-testid="stFileUploader"] input[type="file"]') \
                .set_input_files(CLIP)
        else:
            for bad in ("0123456789abcdef01234567", "..%2F..%2Fetc%2Fpasswd"):
                await page.goto(f"{url}/?film={bad}")
                error = await page.wait_for_selector(
                    '[data-testid="stAlertContentError"]', timeout=60_000
                )
                record["errors"].append((await error.inner_text()).strip())
            _, title = DEMOS[2]
            await page.goto(f"{url}/?film=friday")
        await _watch(page, title, record, started)
    except Exception as exc:  # a visitor that breaks is a figure, not the end of the run
        record["errors"].append(f"bench: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()
    return record


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


async def run(k: int, logs: Path) -> list[dict]:
    cache = logs / f"cache-{k}"
    cache.mkdir()
    with serve(cache, logs) as (url, rss):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            load_before = os.getloadavg()
            started = time.monotonic()
            visitors = await asyncio.gather(*(visitor(browser, url, n) for n in range(k)))
            wall = time.monotonic() - started
            await browser.close()
        peak = rss.peak()
    served = [v for v in visitors if v["first_fingerprint_s"] is not None or v["queued_after_s"]]
    summary = {
        "measure": "load", "visitors": k, "wall_s": round(wall, 1),
        "peak_rss_mb": round(peak), "cache_after_mb": round(_size_mb(cache), 1),
        "got_fingerprint_or_queue_place": f"{len(served)}/{k}",
        "tracebacks": sum(v["tracebacks"] for v in visitors),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "slots": os.environ.get("FINGERPRINT_MAX_ANALYSES", "default"),
    }
    summary["meets_target"] = (
        peak <= TARGET_RSS_MB and len(served) == k and summary["tracebacks"] == 0
    )
    return [summary, *visitors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, action="append",
                        help="K (repeatable); default 1, 4 and 8")
    args = parser.parse_args()
    print(json.dumps(machine()), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for k in args.visitors or (1, 4, 8):
            for line in asyncio.run(run(k, Path(folder))):
                print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
