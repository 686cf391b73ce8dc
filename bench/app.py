"""App benchmarks: the app served by `streamlit run`, driven by headless Chromium.

    python bench/app.py                  # all five
    python bench/app.py --only upload    # first_view, upload, movies, recluster or landing_moves
    python bench/app.py --only recluster --rounds 3 --app /tmp/old --app .   # alternated

1. first_view: from `streamlit run` to the demo film's fingerprint drawn, empty cache;
2. upload: a 10-minute 720p film uploaded through the page, from the upload's start to its
   fingerprint drawn;
3. movies: the 2-hour 1080p film opened from the movies folder at the app's default
   settings, from choosing it to its fingerprint drawn, and the server's peak RSS;
4. recluster: that film drawn (cold), then the sidebar's k slider dragged 5 → 7 and 7 → 4,
   the colour space switched to RGB, and k stepped 4 → 5 with the keyboard: from each
   input (the browser's pointerup or keydown) to the strip redrawn with the new palettes.
   Each of these is computed from the cached frames' colour summary, never found cached.
5. landing_moves: the same moves on the landing page of a new server (the demo film, its
   result shipped with the app, `webapp.seeding`): a first visitor's first answers.

`--app DIR` serves DIR/app.py (another checkout) instead of this one's; given several
times, each round runs every checkout in turn, so they share whatever else the machine
does. `--rounds N` repeats the measures, each with a new server and an empty cache.

Each runs its own server, whose memory (PSS, its children included) is polled every 0.2 s. Films
come from /tmp/bench-film (bench/make-bench-film.sh); the 10-minute film is
built there once by looping the 60 s 720p piece. Prints JSON lines, the machine first, for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import imageio_ffmpeg
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    TimeoutError as PlaywrightTimeout,
    sync_playwright,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._moves import DEFAULTS, moves
from fingerprint import Params
from tests.support.appserver import launch_chromium, streamlit

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".streamlit" / "config.toml"
FILMS = Path("/tmp/bench-film")
PIECE_720 = FILMS / "bbb_60s_720p24_h264.mp4"
PIECE_1080 = FILMS / "bbb_60s_1080p24_h264.mp4"
UPLOAD_FILM = FILMS / "bbb_60s_720p24_h264_x10.mp4"
FEATURE = FILMS / "film_2h_1080p24_h264.mp4"
MAKE_FILMS = ROOT / "bench" / "make-bench-film.sh"
CHOOSER = "Choose a film — a demo, your own video, the movies folder or the library"
POLL_S = 0.2
# Samples the app chooses by default: one per frame of the 30 s, 24 fps demo film; for the
# longer films, its cap.
DEMO_SAMPLES = 720

# True once the page shows the film titled arg[0] as a strip of arg[1] columns, bars drawn.
# The column count tells the new strip from the previous film's, which stays on screen
# (stale) while the new one is computed.
DRAWN = """([title, samples]) => {
  const titled = [...document.querySelectorAll('h2')].some(h => h.textContent.trim() === title);
  const chart = document.querySelector('.js-plotly-plot');
  const traces = document.querySelectorAll('.js-plotly-plot .barlayer .trace');
  return titled && !!chart && !!chart.calcdata && chart.calcdata[0].length === samples
    && traces.length > 0 && traces[0].querySelectorAll('path').length > 0;
}"""


# --- films -------------------------------------------------------------------------------
def _ffmpeg(*args: str | Path) -> None:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", *map(str, args)],
        check=True,
    )


def ensure_films() -> None:
    """Build the 10-minute 720p film once; stop with the fix when a source is missing."""
    pieces = (UPLOAD_FILM, PIECE_720, PIECE_1080)
    if not FEATURE.is_file() or not any(p.is_file() for p in pieces):
        sys.exit(f"the benchmark films are missing from {FILMS}: run {MAKE_FILMS} first")
    if UPLOAD_FILM.is_file():
        return
    if not PIECE_720.is_file():
        _ffmpeg("-i", PIECE_1080, "-vf", "scale=-2:720", "-c:v", "libx264", "-preset",
                "veryfast", "-crf", "20", "-c:a", "copy", "-y", PIECE_720)
    # Written aside and renamed, so an interrupted build is never taken for the film.
    partial = UPLOAD_FILM.with_suffix(".partial.mp4")
    _ffmpeg("-stream_loop", "9", "-i", PIECE_720, "-c", "copy", "-y", partial)
    partial.rename(UPLOAD_FILM)


# --- the server and its memory -----------------------------------------------------------
def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB: their proportional
    set sizes (PSS), so pages they share, such as a forked k-means worker's view of the
    server's memory, count once (summed RSS counted them in every worker)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
    total_kb, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


class RssPoller:
    """Samples a process tree's RSS every `POLL_S` seconds in a thread, until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), _tree_rss_mb(self.pid)))
            self._stop.wait(POLL_S)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, since: float = 0.0) -> float:
        return max((mb for t, mb in self.samples if t >= since), default=0.0)

    def now(self) -> float:
        return self.samples[-1][1] if self.samples else 0.0


@contextlib.contextmanager
def serve(
    cache: Path, logs: Path, movies: Path | None = None, root: Path = ROOT
) -> Iterator[tuple[str, RssPoller]]:
    """`streamlit run app.py` (``root``'s, this checkout's by default) on a free port,
    healthy: its URL and its RSS poller. Its output goes to a file in ``logs``."""
    log = logs / f"streamlit-{time.monotonic_ns()}.log"
    with streamlit(cache=cache, log=log, movies=movies, app=root) as (url, process):
        poller = RssPoller(process.pid)
        try:
            yield url, poller
        finally:
            poller.stop()


# --- measurements ------------------------------------------------------------------------
def _title(film: Path) -> str:
    return film.stem.replace("_", " ")  # as the app titles a file


def _wait_drawn(page: Page, title: str, samples: int, timeout_s: float) -> None:
    page.wait_for_function(DRAWN, arg=[title, samples], timeout=timeout_s * 1000, polling=100)


def _open(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.goto(url)
    return page


def first_view(browser: Browser, cache: Path, logs: Path, root: Path = ROOT) -> dict:
    """A new server with an empty cache, the root URL opened as soon as it is healthy."""
    started = time.monotonic()
    with serve(cache, logs, root=root) as (url, rss):
        healthy = time.monotonic()
        page = _open(browser, url)
        _wait_drawn(page, "Big Buck Bunny", DEMO_SAMPLES, 300)
        drawn = time.monotonic()
        page.context.close()
        return {
            "measure": "first_view", "film": "demo bbb_30s_720p_vp8.webm",
            "start_to_healthy_s": round(healthy - started, 2),
            "start_to_fingerprint_drawn_s": round(drawn - started, 2),
            "peak_rss_mb": round(rss.peak()),
        }


def _choose_tab(page: Page, tab: str) -> None:
    page.get_by_text(CHOOSER).click()
    page.get_by_role("tab", name=tab).click()


def upload(browser: Browser, cache: Path, logs: Path, root: Path = ROOT) -> dict:
    """The 10-minute film through the Explore page's uploader, as a visitor sends it."""
    limit_mb = tomllib.loads(CONFIG.read_text())["server"]["maxUploadSize"]
    if UPLOAD_FILM.stat().st_size > limit_mb * 2**20:  # how Streamlit counts a megabyte
        sys.exit(f"{UPLOAD_FILM.name} is over the upload limit in {CONFIG} ({limit_mb} MB)")
    with serve(cache, logs, root=root) as (url, rss):
        page = _open(browser, url)
        _wait_drawn(page, "Big Buck Bunny", DEMO_SAMPLES, 300)
        _choose_tab(page, "Upload")
        before = rss.now()
        started = time.monotonic()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            UPLOAD_FILM
        )
        _wait_drawn(page, _title(UPLOAD_FILM), Params.samples, 600)
        drawn = time.monotonic()
        page.context.close()
        return {
            "measure": "upload", "film": UPLOAD_FILM.name,
            "size_mb": round(UPLOAD_FILM.stat().st_size / 1e6),
            "upload_to_fingerprint_drawn_s": round(drawn - started, 2),
            "rss_before_mb": round(before), "peak_rss_mb": round(rss.peak(started)),
        }


def _feature_option(page: Page) -> Locator:
    """The 2-hour film's option in the movies folder's list, shown. Under load the list
    sometimes does not open on the first click (a rerun redraws it): tried again."""
    _choose_tab(page, "Movies folder")
    option = page.get_by_role("option", name=FEATURE.name, exact=True)
    for _ in range(5):
        page.get_by_role("combobox", name="films in the movies folder").click()
        with contextlib.suppress(PlaywrightTimeout):
            option.wait_for(timeout=10_000)
            return option
        page.keyboard.press("Escape")
    sys.exit("the movies folder's list never showed the 2-hour film")


def _choose_feature(page: Page) -> float:
    """Click the 2-hour film in the movies folder's list: when the click was made. A rerun
    can close the list between finding the option and clicking it (once in a round of
    recluster at load 1): opened again."""
    for _ in range(5):
        option = _feature_option(page)
        started = time.monotonic()
        with contextlib.suppress(PlaywrightTimeout):
            option.click(timeout=5_000)
            return started
    sys.exit("the 2-hour film's option never took a click")


def movies(browser: Browser, cache: Path, logs: Path, root: Path = ROOT) -> dict:
    """The 2-hour film picked in the Explore page's movies folder tab."""
    with serve(cache, logs, movies=FILMS, root=root) as (url, rss):
        page = _open(browser, url)
        _wait_drawn(page, "Big Buck Bunny", DEMO_SAMPLES, 300)
        before = rss.now()
        started = _choose_feature(page)
        _wait_drawn(page, _title(FEATURE), Params.samples, 900)
        drawn = time.monotonic()
        page.context.close()
        return {
            "measure": "movies", "film": FEATURE.name,
            "size_gb": round(FEATURE.stat().st_size / 1e9, 2),
            "settings": f"the app's defaults: {Params.samples} samples, k = {DEFAULTS.clusters}, "
            f"{DEFAULTS.mode}, {DEFAULTS.color_space}, crop {DEFAULTS.crop}",
            "choose_to_fingerprint_drawn_s": round(drawn - started, 2),
            "rss_before_mb": round(before), "peak_rss_mb": round(rss.peak(started)),
        }


def recluster(browser: Browser, cache: Path, logs: Path, app: Path = ROOT) -> Iterator[dict]:
    """The 2-hour film from the movies folder, drawn cold, then `MOVES`: another k or colour
    space from the cache, as the sidebar asks for it."""
    with serve(cache, logs, movies=FILMS, root=app) as (url, rss):
        page = _open(browser, url)
        _wait_drawn(page, "Big Buck Bunny", DEMO_SAMPLES, 300)
        started = _choose_feature(page)
        _wait_drawn(page, _title(FEATURE), Params.samples, 900)
        common = {"measure": "recluster", "app": str(app), "film": FEATURE.name}
        yield {**common, "move": "cold, the defaults (k = 5, CIELAB)",
               "choose_to_fingerprint_drawn_s": round(time.monotonic() - started, 2),
               "peak_rss_mb": round(rss.peak(started)),
               "load_1min": round(os.getloadavg()[0], 2)}
        yield from moves(page, rss, cache, common, Params.samples)


def landing_moves(browser: Browser, cache: Path, logs: Path, app: Path = ROOT) -> Iterator[dict]:
    """The landing page of a new server (the demo film at the defaults), then `MOVES`: a
    visitor's first moves of the k slider and the colour space."""
    with serve(cache, logs, root=app) as (url, rss):
        page = _open(browser, url)
        _wait_drawn(page, "Big Buck Bunny", DEMO_SAMPLES, 300)
        common = {"measure": "landing_moves", "app": str(app), "film": "demo bbb_30s_720p_vp8.webm"}
        yield from moves(page, rss, cache, common, DEMO_SAMPLES)


def machine() -> dict:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.machine())
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "measure": "machine", "cores": os.cpu_count(), "cpu": cpu,
        "memory_gib": round(memory_kb / 2**20, 1),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(), "streamlit": version("streamlit"),
        "playwright": version("playwright"), "date": time.strftime("%Y-%m-%d"),
    }


MEASURES = {"first_view": first_view, "upload": upload, "movies": movies}
# Measures that print several lines, and take the checkout to serve.
SERIES = {"recluster": recluster, "landing_moves": landing_moves}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[*MEASURES, *SERIES])
    parser.add_argument("--app", type=Path, action="append", metavar="DIR",
                        help="serve DIR/app.py (a checkout); several: alternated each round")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    apps = [path.resolve() for path in args.app or [ROOT]]
    for app in apps:
        if not (app / "app.py").is_file():
            sys.exit(f"no app.py in {app}")
    ensure_films()
    print(json.dumps(machine()), flush=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for round_ in range(args.rounds):
            for app in apps:
                # One cache for all: empty for the first view, then it holds the demo film,
                # so the others start from a drawn page without analysing it again.
                with tempfile.TemporaryDirectory() as folder:
                    cache = Path(folder) / "cache"
                    cache.mkdir()
                    for name, measure in MEASURES.items():
                        if args.only in (None, name):
                            line = measure(browser, cache, Path(folder), root=app)
                            print(json.dumps({**line, "round": round_ + 1}), flush=True)
                    for name, series in SERIES.items():
                        if args.only in (None, name):
                            # Its own empty cache: the movies measure cached its film.
                            own = Path(folder) / name
                            own.mkdir()
                            for line in series(browser, own, Path(folder), app):
                                print(json.dumps({**line, "round": round_ + 1}), flush=True)
        browser.close()


if __name__ == "__main__":
    main()
