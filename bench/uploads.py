"""Large uploads against `streamlit run app.py` on 127.0.0.1, alone and on a small host.

    python bench/uploads.py single [--app DIR]   # one 911 MB upload: the server's memory
    python bench/uploads.py load                 # two small hosts (cgroups), 8 visitors

single: one visitor uploads a 911 MB film (a 46-minute 1080p episode: the 60 s 1080p
benchmark piece looped by stream copy) through the Explore page; the server's RSS (its
children included) is read every 0.2 s from before the upload to its fingerprint drawn,
once the demo film the page opened on is drawn. The upload's peak is the kernel's
high-water mark (VmHWM, reset through /proc/PID/clear_refs as the file is chosen, read as
soon as the file is in place in the cache folder); the peak with the analysis that
follows is polled.
``--app DIR`` serves another checkout of the app (e.g. ``git archive`` of the commit
before the upload receiver) with this one's virtualenv.

load: the server in a Linux cgroup with a memory and a CPU limit (cgroup v2 if its memory
and cpu controllers are there, else v1's memory and cpu hierarchies; needs root), for each
host in `HOSTS`: 8 visitors arrive together, each its own headless Chromium context
(Debian's chromium, outside the cgroup): 3 upload a different 911 MB film at once, 2 open
a demo film, 3 open costly links (3000 samples with a trim nobody asked before; exact
mode at 3000 samples; shots in exact mode). Per visitor: what it saw (its film's
fingerprint drawn, a queue place, error lines, tracebacks, the uploader's own error) and
when. Per host: the cgroup's peak memory (with and without the page cache), the server's
peak RSS, the kernel's out-of-memory kills, whether the server lived, the load average.
`FINGERPRINT_MEMORY_BUDGET` is set to the host's memory, as its operator would. Loopback
only; every wait has a deadline. Prints JSON lines for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.async_api import Page, async_playwright

# The repository (tests.support), then bench/ before it: `app` is bench/app.py here.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from cgroups import Cgroup, UsagePoller
from load import STATE  # bench/load.py: what a page shows now

from app import FILMS, RssPoller, _ffmpeg, machine  # bench/app.py
from tests.support.appserver import CHROMIUM, CHROMIUM_ARGS, streamlit

ROOT = Path(__file__).resolve().parent.parent
PIECE = FILMS / "bbb_60s_1080p24_h264.mp4"
UPLOADS = FILMS / "upload900"
LOOPS = 45  # 46 x 19.8 MB: 911 MB, under the app's 1 GB limit
CHOOSER = "Choose a film — a demo, your own video, the movies folder or the library"
DEADLINE_S = 900
POLL_S = 0.25
# (name, memory limit in bytes, CPUs, the cache's size cap): Community Cloud's largest
# allowance with room on disk for the three uploads, and a small free host with the
# cache's default cap (2 GB: the third upload cannot be kept beside the two others).
HOSTS = (("2.7GB-2cpu", 2_700_000_000, 2, "3G"), ("1GiB-1cpu", 2**30, 1, None))
VISITORS = (
    ("upload", 1), ("upload", 2), ("upload", 3),
    ("demo", "?film=bbb"), ("demo", "?film=flower"),
    ("costly", "?film=bbb&samples=3000&start=0.001"),
    ("costly", "?film=friday&mode=exact&samples=3000&start=0.002"),
    ("costly", "?film=flower&mode=exact&shots=1&start=0.003"),
)
TITLES = {"bbb": "Big Buck Bunny", "flower": "Flower", "friday": "His Girl Friday (1940)"}
# The uploader's own line for a file it could not send (Streamlit's widget, not the app).
WIDGET_ERROR = """() => [...document.querySelectorAll('[data-testid="stFileUploaderFile"]')]
  .map(e => e.innerText.trim()).filter(t => /error|fail|status code/i.test(t))"""


def film(n: int) -> Path:
    """The n-th 911 MB upload, built once: the same frames, its own comment, so its own
    content key (and its own analysis)."""
    path = UPLOADS / f"episode_46min_1080p_v{n}.mp4"
    if not path.is_file():
        if not PIECE.is_file():
            sys.exit(f"{PIECE} is missing: run bench/make-bench-film.sh first")
        UPLOADS.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.mp4")
        _ffmpeg("-stream_loop", str(LOOPS), "-i", PIECE, "-map", "0", "-c", "copy",
                "-metadata", f"comment=visitor {n}", "-y", partial)
        partial.rename(path)
    return path


# --- the server --------------------------------------------------------------------------
@contextlib.contextmanager
def serve(app: Path, cache: Path, log: Path, env: dict[str, str],
          group: Cgroup | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run app.py` from ``app`` on a free port (in ``group``), until healthy."""
    with streamlit(cache=cache, log=log, timeout=120, app=app, env=env,
                   preexec_fn=group.join if group else None) as served:
        yield served


# --- visitors ----------------------------------------------------------------------------
# Whether the server under test still runs (set by `load_host`): a visitor stops waiting
# once it died.
_alive = [lambda: True]


async def _watch(page: Page, title: str, record: dict, started: float) -> None:
    while time.monotonic() - started < DEADLINE_S:
        if not _alive[0]():
            record["errors"].append("bench: the server died")
            return
        state = await page.evaluate(STATE)
        if title in state["titles"] and "opened_after_s" not in record:
            record["opened_after_s"] = round(time.monotonic() - started, 2)
        record["tracebacks"] = max(record["tracebacks"], state["tracebacks"])
        for error in [*state["errors"], *await page.evaluate(WIDGET_ERROR)]:
            if error not in record["errors"]:
                record["errors"].append(error)
                record.setdefault("first_error_s", round(time.monotonic() - started, 2))
        if state["queued"] and record["queued_after_s"] is None:
            record["queued_after_s"] = round(time.monotonic() - started, 2)
        if state["drawn"] and title in state["titles"]:
            record["first_fingerprint_s"] = round(time.monotonic() - started, 2)
            return
        if record["role"] == "upload" and state["errors"]:
            return  # refused, or not stored: said in a sentence
        await asyncio.sleep(POLL_S)


async def visitor(browser, url: str, n: int, role: str, what) -> dict:
    record = {"visitor": n, "role": role, "first_fingerprint_s": None,
              "queued_after_s": None, "errors": [], "tracebacks": 0}
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    started = time.monotonic()
    try:
        if role == "upload":
            path = film(what)
            title = path.stem.replace("_", " ")
            record["film"] = f"{path.name} ({path.stat().st_size / 1e6:.0f} MB)"
            await page.goto(url)
            await page.get_by_text(CHOOSER).click()
            await page.get_by_role("tab", name="Upload").click()
            record["link"] = "/ (upload)"
            started = time.monotonic()  # from the file chosen
            await page.locator('[data-testid="stFileUploader"] input[type="file"]') \
                .set_input_files(path)
        else:
            record["link"] = what
            title = TITLES[what.split("film=")[1].split("&")[0]]
            await page.goto(f"{url}/{what}")
        await _watch(page, title, record, started)
    except Exception as exc:  # a visitor that breaks is a figure, not the end of the run
        record["errors"].append(f"bench: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()
    return record


async def _visitors(url: str, roles: set[str]) -> tuple[list[dict], float]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS)
        started = time.monotonic()
        records = await asyncio.gather(*(visitor(browser, url, n, role, what)
                                         for n, (role, what) in enumerate(VISITORS)
                                         if role in roles))
        wall = time.monotonic() - started
        await browser.close()
    return list(records), wall


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def load_host(name: str, memory: int, cpus: int, cache_max: str | None, work: Path,
              roles: set[str]) -> list[dict]:
    group = Cgroup(f"fingerprint-bench-{name}", memory, cpus)
    cache = work / f"cache-{name}"
    cache.mkdir()
    log = work / f"server-{name}.log"
    env = {"FINGERPRINT_MEMORY_BUDGET": str(memory)}
    if cache_max:
        env["FINGERPRINT_CACHE_MAX_BYTES"] = cache_max
    load_before = os.getloadavg()
    try:
        with serve(ROOT, cache, log, env, group) as (url, process):
            usage, rss = UsagePoller(group), RssPoller(process.pid)
            time.sleep(1)
            idle_mb = rss.now()
            _alive[0] = lambda: process.poll() is None
            try:
                records, wall = asyncio.run(_visitors(url, roles))
            finally:
                usage.stop()
                rss.stop()
            alive = process.poll() is None
            exit_code = process.returncode
        text = log.read_text(errors="replace")
        summary = {
            "measure": "load", "host": name, "memory_limit_mb": round(memory / 1e6),
            "cpus": cpus, "cgroup": "v2" if group.v2 else "v1",
            "memory_budget": env["FINGERPRINT_MEMORY_BUDGET"],
            "cache_max": cache_max or "default (2 GB)", "wall_s": round(wall, 1),
            "server_alive_at_end": alive, "server_exit_code": exit_code,
            "oom_kills": group.oom_kills() - group.oom_kills_before,
            "server_idle_rss_mb": round(idle_mb),
            "server_peak_rss_mb": round(rss.peak()),
            "cgroup_peak_mb": round(group.peak() / 1e6),
            "cgroup_peak_without_page_cache_mb": round(usage.peak_anon / 1e6),
            "cache_after_mb": round(_size_mb(cache)),
            "tracebacks_in_pages": sum(r["tracebacks"] for r in records),
            "tracebacks_in_log": text.count("Traceback"),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        group.remove()
    return [summary, *records]


def _status(pid: int, field: str) -> float:
    """A /proc/PID/status figure (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


async def _landed(uploads: Path, started: float) -> float:
    """When the upload's file is in place in the cache (its .part renamed)."""
    while time.monotonic() - started < DEADLINE_S:
        if any(p.is_file() for p in uploads.glob("*/*")):
            return time.monotonic()
        await asyncio.sleep(0.1)
    return time.monotonic()


def single(app: Path, work: Path) -> dict:
    """One 911 MB upload, no cgroup: the server's RSS before it and at its peak."""
    path = film(1)
    cache = work / "cache-single"
    cache.mkdir()

    async def go(url: str, pid: int, rss: RssPoller) -> dict:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                       args=CHROMIUM_ARGS)
            page = await (await browser.new_context()).new_page()
            record = {"role": "upload", "first_fingerprint_s": None, "queued_after_s": None,
                      "errors": [], "tracebacks": 0}
            await page.goto(url)
            await _watch(page, TITLES["bbb"], dict(record), time.monotonic())  # settled
            await page.get_by_text(CHOOSER).click()
            await page.get_by_role("tab", name="Upload").click()
            await asyncio.sleep(1)
            before, started = _status(pid, "VmRSS"), time.monotonic()
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM from here
            await page.locator('[data-testid="stFileUploader"] input[type="file"]') \
                .set_input_files(path)
            landed = await _landed(cache / "uploads", started)
            peak = _status(pid, "VmHWM")  # the upload's peak, exactly (not polled)
            await _watch(page, path.stem.replace("_", " "), record, started)
            await browser.close()
        return {**record, "stored_after_s": round(landed - started, 2),
                "rss_before_mb": round(before), "peak_rss_while_uploading_mb": round(peak),
                "growth_while_uploading_mb": round(peak - before),
                "peak_rss_with_analysis_mb": round(rss.peak(started))}

    with serve(app, cache, work / "server-single.log", {}) as (url, process):
        rss = RssPoller(process.pid)
        try:
            result = asyncio.run(go(url, process.pid, rss))
        finally:
            rss.stop()
    return {"measure": "single", "app": str(app), "film": path.name,
            "size_mb": round(path.stat().st_size / 1e6), **result,
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("single", "load"))
    parser.add_argument("--app", type=Path, default=ROOT, help="the app's folder (single)")
    parser.add_argument("--host", choices=[h[0] for h in HOSTS], action="append")
    parser.add_argument("--roles", default="upload,demo,costly",
                        help="which visitors come (load; e.g. demo for a quick check)")
    args = parser.parse_args()
    print(json.dumps(machine()), flush=True)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:  # on disk, not in memory
        if args.what == "single":
            print(json.dumps(single(args.app.resolve(), Path(folder))), flush=True)
            return
        for name, memory, cpus, cache_max in HOSTS:
            if args.host in (None, []) or name in args.host:
                roles = set(args.roles.split(","))
                for line in load_host(name, memory, cpus, cache_max, Path(folder), roles):
                    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
