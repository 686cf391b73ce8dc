"""The Collection page's time to draw with N films (default 500), in headless Chromium.

Builds a synthetic batch folder (tests/batches.py: N films of 1000 samples x 5 colours,
as the app's default analysis of a feature), serves the app on it with
FINGERPRINT_COLLECTION_DIR, and times, from the moment the page is asked for until the
chart is on screen: the first visit (fingerprints read, strips drawn), a second visit
(everything cached), the distance matrix (computed once), the map (MDS once), and sorting
by similarity. Prints one JSON line.

    /work/main/.venv/bin/python bench/collection_page.py [--films 500] [--samples 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.sync_api import sync_playwright

from tests.support.appserver import launch_chromium, streamlit
from tests.support.batches import write_batch


def _drawn(page, selector: str, since: float) -> float:
    page.locator(selector).first.wait_for(state="attached", timeout=600_000)
    return round(time.monotonic() - since, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--films", type=int, default=500)
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        write_batch(folder / "batch", args.films, samples=args.samples)
        built = time.monotonic() - started
        os.environ["FINGERPRINT_COLLECTION_DIR"] = str(folder / "batch")
        result = {"films": args.films, "samples": args.samples, "build_s": round(built, 1),
                  "load_before": os.getloadavg()}
        with streamlit(cache=folder / "cache", log=folder / "log") as (url, _), \
                sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            strips = ".js-plotly-plot g.imagelayer image"
            t = time.monotonic()
            page.goto(f"{url}/collection")
            result["first_visit_strips_s"] = _drawn(page, strips, t)
            t = time.monotonic()
            page.goto(f"{url}/collection?sort=duration")
            result["second_visit_strips_s"] = _drawn(page, strips, t)
            for name, query, selector in (
                ("matrix_first_s", "show=matrix", ".js-plotly-plot .heatmaplayer image"),
                ("matrix_again_s", "show=matrix&sort=warmth",
                 ".js-plotly-plot .heatmaplayer image"),
                ("map_first_s", "show=map", ".js-plotly-plot .scatterlayer .point"),
                ("similar_s", "sort=similar", strips),
            ):
                t = time.monotonic()
                page.goto(f"{url}/collection?{query}")
                result[name] = _drawn(page, selector, t)
            browser.close()
        result["load_after"] = os.getloadavg()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
