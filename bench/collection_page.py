"""The Collection page's time to draw, in headless Chromium, and its server's memory.

Two ways to get a batch folder:

- by default a synthetic one made here (tests/support/batches.py: N films of 1000 samples
  x 5 colours, as the app's default analysis of a feature, with their search index);
- ``--folder DIR``: one already made, such as bench/search.py's 10,000 films
  (``bench/search.py make DIR --jsons``: its index, collection.json and every film's JSON,
  so the code from before the index can be served the same folder).

The app is served with ``streamlit run app.py -- --collection DIR`` from this checkout,
or from ``--app CHECKOUT`` (e.g. ``git archive`` of an older commit, to alternate old and
new code on the same folder), each run its own server with an empty cache. Times are from
``page.goto`` of the link until the chart's strips are on screen (so each includes a page
load and a fresh session): the first visit (the server reads the films; when the
strips are first shown, as the picture the page shows until Plotly has drawn the chart
or as the chart, and when the chart is drawn), a second one
(cached), then with ``--views`` the other views. The server's memory (VmRSS and its
high-water mark VmHWM, from /proc) is read after the first visit and at the end; with
``--search`` after a colour search too (the batch's whole index opened: its neighbour
cache should be on disk already, as `fingerprint batch` leaves it). With ``--cold`` the
decoded strips (``DIR/index/strips-*.npy``) are removed first, as for an index no batch of
this version finished: the first visit decodes them. Prints one JSON line.

    /work/main/.venv/bin/python bench/collection_page.py [--films 500] [--samples 1000]
    /work/main/.venv/bin/python bench/collection_page.py --folder /tmp/bench-search \\
        [--app /tmp/before] [--views] [--search] [--cold]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import numpy as np
from PIL import Image
from playwright.sync_api import sync_playwright

from tests.support.appserver import ROOT, launch_chromium, streamlit

STRIPS = ".js-plotly-plot g.imagelayer image"
# The strips' picture, shown until Plotly has drawn the chart (webapp/preview.py), or the
# chart itself where the app has no picture (older code, small pages).
SHOWN = f".st-key-collection_preview .fingerprint-preview, {STRIPS}"
MAP = ".js-plotly-plot .scatterlayer .point, .js-plotly-plot canvas.gl-canvas-context"
# The old code read 500 films' JSON in 38.7 s: at 10,000 films its first visit takes
# minutes, so the wait is long.
TIMEOUT_MS = 1_800_000


def _drawn(page, selector: str, since: float) -> float:
    page.locator(selector).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return round(time.monotonic() - since, 2)


def _painted(page, selector: str, since: float, pixels: int = 20_000) -> float:
    """When the chart of ``selector`` shows its dots: an SVG dot attaches before the
    browser paints it, and a WebGL canvas before anything is drawn on it, so the chart is
    photographed until ``pixels`` of it are bright (the map's dots and their light rims;
    its grid on the dark background is not). Each photograph takes 0.1-0.3 s."""
    page.locator(selector).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    chart = page.locator(".js-plotly-plot").first
    while time.monotonic() - since < TIMEOUT_MS / 1000:
        shot = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB"))
        if int((shot.max(axis=2) > 120).sum()) >= pixels:
            break
    return round(time.monotonic() - since, 2)


def _memory_mb(pid: int) -> dict[str, int]:
    """The server's resident memory now and its high-water mark, MB."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            name = line.split(":")[0]
            if name in ("VmRSS", "VmHWM"):
                out[name] = round(int(line.split()[1]) / 1024)
    return out


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def run(folder: Path, app: Path, work: Path, views: bool, search: bool) -> dict:
    result: dict = {"folder": str(folder), "app": str(app), "load_before": _load()}
    with streamlit(cache=work / "cache", log=work / "streamlit.log", app=app, timeout=120,
                   args=("--collection", str(folder))) as (url, process), \
            sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        t = time.monotonic()
        page.goto(f"{url}/collection")
        result["first_visit_shown_s"] = _drawn(page, SHOWN, t)
        result["first_visit_strips_s"] = _drawn(page, STRIPS, t)
        result["memory_after_first_mb"] = _memory_mb(process.pid)
        result["bars"] = page.locator(".js-plotly-plot .barlayer .trace path").count()
        t = time.monotonic()
        page.goto(f"{url}/collection?sort=duration")
        result["second_visit_strips_s"] = _drawn(page, STRIPS, t)
        if views:
            for name, query, selector in (
                ("page_2_s", "sort=duration&page=2", STRIPS),
                ("matrix_first_s", "show=matrix", ".js-plotly-plot .heatmaplayer image"),
                ("matrix_again_s", "show=matrix&sort=warmth",
                 ".js-plotly-plot .heatmaplayer image"),
                # SVG dots up to 1,000 films, WebGL past it: timed until painted.
                ("map_first_s", "show=map", MAP),
                ("map_again_s", "show=map&desc=1", MAP),
                ("similar_s", "sort=similar", STRIPS),
            ):
                t = time.monotonic()
                page.goto(f"{url}/collection?{query}")
                result[name] = (_painted if selector == MAP else _drawn)(page, selector, t)
        if search:
            box = page.get_by_label("Colours (hex codes; several: a palette)")
            box.fill("#c0392b")
            t = time.monotonic()
            box.press("Enter")
            page.get_by_role("button", name="Like this").first.wait_for(timeout=TIMEOUT_MS)
            result["first_search_s"] = round(time.monotonic() - t, 2)
            result["memory_after_search_mb"] = _memory_mb(process.pid)
        result["memory_at_end_mb"] = _memory_mb(process.pid)
        browser.close()
    result["load_after"] = _load()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=500)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--folder", type=Path, help="a batch folder already made")
    parser.add_argument("--app", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--views", action="store_true", help="also the other views")
    parser.add_argument("--search", action="store_true", help="also a colour search")
    parser.add_argument("--cold", action="store_true", help="remove the decoded strips first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        result: dict = {}
        folder = args.folder
        if folder is None:
            from tests.support.batches import write_batch

            started = time.monotonic()
            folder = work / "batch"
            write_batch(folder, args.films, samples=args.samples)
            result.update(films=args.films, samples=args.samples,
                          build_s=round(time.monotonic() - started, 1))
        if args.cold:
            for path in (folder / "index").glob("strips-*.npy"):
                path.unlink()
            result["cold"] = True
        result.update(run(folder.resolve(), args.app.resolve(), work, args.views, args.search))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
