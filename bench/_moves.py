"""The sidebar's moves of `bench/app.py` (recluster, landing_moves): each input timed in the
page's own clock, from the input to the strip redrawn with the new palettes."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from playwright.sync_api import Locator, Page

from webapp.settings import CLUSTERS_RANGE, Settings

DEFAULTS = Settings()
# The k slider in the sidebar.
K_SLIDER = "Colours per moment (k)"


class Peak(Protocol):
    """The server's peak memory since a time (`bench/app.py`'s poller)."""

    def peak(self, since: float = 0.0) -> float: ...


# Watches the page from an input to the strip redrawn, in the page's own clock: the input
# is the first pointerup or keydown after the watch starts (what commits a slider's or a
# button's value); the result's arrival, the caption stating "N moments × k colours" (only
# telling when k changes) or the analysis's progress bar gone again; the redraw, the Plotly
# chart with k bar traces, all drawn, whose colours differ from the ones before the input
# (a colour space change keeps k). Also notes the preview picture (`webapp.preview`) if it
# shows in between.
WATCH = """() => {
  const chart = () => document.querySelector('.js-plotly-plot');
  const colours = () => {
    const c = chart();
    return c && c.data ? JSON.stringify(c.data.map(t => t.marker && t.marker.color)) : '';
  };
  const caption = () => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .map(e => e.textContent).join(' | ');
  if (window.__watch) clearInterval(window.__watch.timer);
  const w = {before: colours(), input: null, k: null, samples: null, marks: {}};
  const note = () => { if (w.input === null) w.input = performance.now(); };
  // Capture phase, on the window: the slider's own handlers stop the keys' propagation.
  for (const type of ['pointerup', 'keydown']) window.addEventListener(type, note, true);
  w.timer = setInterval(() => {
    if (w.input === null || w.k === null) return;
    const now = performance.now() - w.input, m = w.marks;
    const progress = document.querySelector('[data-testid="stProgress"]');
    if (m.progress === undefined && progress) m.progress = now;
    if (m.progress !== undefined && m.progress_gone === undefined && !progress)
      m.progress_gone = now;
    if (m.preview === undefined && document.querySelector('.fingerprint-preview')
        && getComputedStyle(document.querySelector('.st-key-explore_preview')).display !== 'none')
      m.preview = now;
    if (m.caption === undefined && caption().includes(`${w.samples} moments × ${w.k} colours`))
      m.caption = now;
    const c = chart(), traces = document.querySelectorAll('.js-plotly-plot .barlayer .trace');
    if (m.caption !== undefined && m.drawn === undefined && c && c.calcdata
        && c.calcdata.length === w.k && c.calcdata[0].length === w.samples
        && traces.length === w.k && [...traces].every(t => t.querySelector('path'))
        && colours() !== w.before)
      m.drawn = now;
  }, 20);
  window.__watch = w;
}"""


def _k_input(page: Page) -> Locator:
    return page.locator(f'[data-testid="stSidebar"] input[type="range"][aria-label="{K_SLIDER}"]')


def _slider_value(page: Page) -> int:
    return int(float(_k_input(page).input_value()))


def _drag_k(page: Page, k: int) -> None:
    """Drag the k slider's thumb to ``k`` with the mouse, as a visitor does: one commit,
    at the release."""
    thumb = _k_input(page).locator("xpath=../..")  # the thumb, placed at left: p % of the track
    track = thumb.locator("xpath=..").bounding_box()
    handle = thumb.bounding_box()
    low, high = CLUSTERS_RANGE
    x = track["x"] + track["width"] * (k - low) / (high - low)
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(x, y, steps=5)
    page.mouse.up()


def _move(page: Page, action: str, k: int, samples: int, timeout_s: float) -> dict:
    """One input, timed in the page from the input to the strip redrawn with k colours."""
    page.evaluate(WATCH)
    page.evaluate("([k, samples]) => { window.__watch.k = k; window.__watch.samples = samples; }",
                  [k, samples])
    if action == "drag":
        _drag_k(page, k)
    elif action == "right":
        _k_input(page).focus()
        page.keyboard.press("ArrowRight")
    elif action == "rgb":
        page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="RGB",
                                                               exact=True).click()
    page.wait_for_function("() => window.__watch.marks.drawn !== undefined",
                           timeout=timeout_s * 1000, polling=50)
    marks = page.evaluate("() => window.__watch.marks")
    return {name: round(ms / 1000, 2) for name, ms in marks.items()}


# The moves after the film is drawn at the defaults (k = 5, CIELAB): (input, k, what).
MOVES = (
    ("drag", 7, "k 5 → 7, slider dragged"),
    ("drag", 4, "k 7 → 4, slider dragged"),
    ("rgb", 4, "CIELAB → RGB at k = 4"),
    ("right", 5, "k 4 → 5 in RGB, ArrowRight on the slider"),
)


def moves(page: Page, rss: Peak, cache: Path, common: dict, samples: int) -> Iterator[dict]:
    """`MOVES` on ``page``, whose film of ``samples`` columns is drawn at the defaults: a
    line per move, then the film's results in the server's ``cache``. Closes the page."""
    if DEFAULTS.clusters != 5 or DEFAULTS.color_space != "lab":
        sys.exit(f"the moves assume k = 5 in CIELAB by default, not {DEFAULTS}")
    for action, k, what in MOVES:
        load = os.getloadavg()[0]
        before = time.monotonic()
        marks = _move(page, action, k, samples, 120)
        shown = _slider_value(page)
        if shown != k:
            sys.exit(f"{what}: the slider shows {shown}")
        yield {**common, "move": what,
               "input_to_strip_redrawn_s": marks.get("drawn"),
               # The server's part: from the input to its new result on the page.
               "input_to_progress_bar_gone_s": marks.get("progress_gone"),
               "input_to_caption_with_k_s": marks.get("caption") if action != "rgb" else None,
               "progress_bar_at_s": marks.get("progress"),
               "preview_at_s": marks.get("preview"),
               "peak_rss_mb": round(rss.peak(before)), "load_1min": round(load, 2)}
    # Every result the server made for the film: one per move, or also k = 6 on the way to
    # 7 if a drag committed on the way.
    results = sorted(
        f"{params['samples']} samples, k = {params['clusters']}, {params['color_space']}"
        for params in (json.loads(path.read_text())["params"]
                       for path in cache.rglob("result-*.json"))
        if params["samples"] == samples
    )
    yield {**common, "move": "results in the cache after the moves", "results": results}
    page.context.close()
