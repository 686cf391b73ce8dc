"""The hosted demo under load: K visitors at once against one `streamlit run` on 127.0.0.1.

    python bench/load.py              # K = 1, 4, 8
    python bench/load.py --visitors 4
    python bench/load.py --landing --visitors 1 --visitors 8 --rounds 3 --old DIR

``--landing`` (issue 18 §4): a server started, 30 s later K visitors open the landing
link together; per visitor, seconds from opening it to the default demo's fingerprint
drawn (and to its caption, which the server sends with the fingerprint). Each visitor is
a Chromium page (``--client chromium``, the default) or, to tell the server's share from
the browsers' (K Chromiums on the server's own cores), a session speaking Streamlit's
protocol with no browser, timed to the fingerprint's chart sent (``--client session``),
or one Chromium page among K - 1 sessions (``--client mixed``); the CPU seconds the
server and the browsers used are in each run's line. ``--old DIR``
serves another checkout (the code before a change, e.g. ``git archive main | tar -x -C
DIR``) in alternation with this one, in swapped order each round.

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
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import websockets
from playwright.async_api import Page, async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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


# --- the landing page (issue 18 §4) --------------------------------------------------------
# The visitors come to a server started this long before them.
LANDING_WAIT_S = 30
# Issue 18 §4: every one of 8 visitors arriving together within 3 s, a lone one within 2 s.
LANDING_TARGETS_S = {1: 2.0, 8: 3.0}
# The landing page's film and its columns at the default settings (30 s at 24 fps).
LANDING_FILM, LANDING_SAMPLES = "Big Buck Bunny", 720
LANDING_POLL_S = 0.1

# The page shows the film's caption (sent with its fingerprint), its strip as a picture
# (webapp.preview, until Plotly is loaded) and its strip drawn by Plotly.
LANDED = """([title, samples]) => {
  const titled = [...document.querySelectorAll('h2')].some(h => h.textContent.trim() === title);
  const described = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .some(c => c.textContent.includes(`${samples} moments`));
  const picture = document.querySelector('.st-key-explore_preview .fingerprint-preview');
  const pictured = titled && !!picture && picture.getBoundingClientRect().height > 0
    && getComputedStyle(picture).backgroundImage.startsWith('url("data:image/png');
  const chart = document.querySelector('.js-plotly-plot');
  const drawn = titled && !!chart && !!chart.calcdata && chart.calcdata[0].length === samples
    && document.querySelectorAll('.js-plotly-plot .barlayer .trace path').length > 0;
  return {described: titled && described, seen: pictured || drawn, drawn: drawn};
}"""


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user and system) the processes ``pids`` have used."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


async def lander(browser, url: str, n: int) -> dict:
    """One visitor opening the landing link in Chromium: seconds to the film's caption,
    to its strip on screen (a picture or the chart) and to the chart drawn."""
    record = {"visitor": n, "client": "chromium", "described_s": None, "seen_s": None,
              "drawn_s": None, "errors": []}
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    started = time.monotonic()
    try:
        await page.goto(url)
        while time.monotonic() - started < DEADLINE_S:
            state = await page.evaluate(LANDED, [LANDING_FILM, LANDING_SAMPLES])
            now = round(time.monotonic() - started, 2)
            for name in ("described", "seen"):
                if state[name] and record[f"{name}_s"] is None:
                    record[f"{name}_s"] = now
            if state["drawn"]:
                record["drawn_s"] = now
                break
            await asyncio.sleep(LANDING_POLL_S)
    except Exception as exc:  # a visitor that breaks is a figure, not the end of the run
        record["errors"].append(f"bench: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()
    return record


async def session(url: str, n: int) -> dict:
    """One visitor's session without a browser: Streamlit's own protocol, as the page
    speaks it (a run of the landing link), timed until the server has sent the
    fingerprint's chart. What the server adds, whatever the visitor's computer."""
    record = {"visitor": n, "client": "session", "drawn_s": None, "errors": []}
    started = time.monotonic()
    try:
        async with websockets.connect(
            url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
            max_size=None, open_timeout=DEADLINE_S,
        ) as socket:
            run = BackMsg()
            run.rerun_script.query_string = ""
            await socket.send(run.SerializeToString())
            while time.monotonic() - started < DEADLINE_S:
                message = ForwardMsg()
                message.ParseFromString(await asyncio.wait_for(socket.recv(), DEADLINE_S))
                kind = message.WhichOneof("type")
                element = message.delta.new_element.WhichOneof("type") if kind == "delta" else None
                if element == "plotly_chart":
                    record["drawn_s"] = round(time.monotonic() - started, 2)
                    break
                if kind == "script_finished":
                    record["errors"].append("bench: the run ended without a chart")
                    break
    except Exception as exc:
        record["errors"].append(f"bench: {type(exc).__name__}: {str(exc)[:200]}")
    return record


async def landing(
    k: int, code: str, root: Path, logs: Path, wait: float, client: str
) -> list[dict]:
    """A new server of ``root``'s code, empty cache; ``wait`` s later, K visitors at once,
    each a Chromium page or a protocol ``session``; the CPU each side used meanwhile."""
    cache = logs / f"cache-landing-{code}-{k}-{time.monotonic_ns()}"
    cache.mkdir()
    with serve(cache, logs, root=root) as (url, rss):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            # Chromium's own start-up is not the visitors' wait: a blank page first.
            blank = await browser.new_context()
            await (await blank.new_page()).goto("about:blank")
            await blank.close()
            await asyncio.sleep(wait)
            server = _tree(rss.pid)
            ours = [pid for pid in _tree(os.getpid()) if pid not in server]  # Chromium
            cpu_before = _cpu_s(server), _cpu_s(ours)
            load_before = os.getloadavg()
            # "mixed": the first visitor in Chromium, the others as sessions: what one of
            # K visitors sees in a browser when the others' browsers are not on this machine.
            in_chromium = {"chromium": k, "session": 0, "mixed": 1}[client]
            visitors = await asyncio.gather(*(
                lander(browser, url, n) if n < in_chromium else session(url, n)
                for n in range(k)
            ))
            cpu = _cpu_s(server) - cpu_before[0], _cpu_s(ours) - cpu_before[1]
            await browser.close()
        peak = rss.peak()
    def times(name: str) -> list[float]:
        return sorted(v[name] for v in visitors if v.get(name) is not None)

    # A session's fingerprint is on screen when the server has sent it.
    seen = [v.get("seen_s", v["drawn_s"]) for v in visitors]
    summary = {
        "measure": "landing", "code": code, "client": client, "visitors": k, "wait_s": wait,
        "seen_s": sorted(t for t in seen if t is not None), "drawn_s": times("drawn_s"),
        "described_s": times("described_s"),
        "server_cpu_s": round(cpu[0], 1), "browser_cpu_s": round(cpu[1], 1),
        "peak_rss_mb": round(peak),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    target = LANDING_TARGETS_S.get(k)
    if target is not None:
        summary["meets_target"] = None not in seen and max(seen) <= target
    return [summary, *visitors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, action="append",
                        help="K (repeatable); default 1, 4 and 8 (--landing: 1 and 8)")
    parser.add_argument("--landing", action="store_true",
                        help="the landing page at a server started --wait s earlier")
    parser.add_argument("--wait", type=float, default=LANDING_WAIT_S)
    parser.add_argument("--rounds", type=int, default=1, help="--landing: runs of each")
    parser.add_argument("--client", choices=("chromium", "session", "mixed"), action="append",
                        help="--landing: Chromium pages, protocol sessions, or one Chromium "
                        "page and K - 1 sessions (repeatable)")
    parser.add_argument("--old", type=Path,
                        help="--landing: a checkout of the code before, served in alternation")
    args = parser.parse_args()
    print(json.dumps(machine()), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        if not args.landing:
            for k in args.visitors or (1, 4, 8):
                for line in asyncio.run(run(k, Path(folder))):
                    print(json.dumps(line), flush=True)
            return
        codes = [("new", ROOT)] + ([("old", args.old.resolve())] if args.old else [])
        for n in range(args.rounds):
            for client in args.client or ("chromium",):
                for k in args.visitors or (1, 8):
                    for code, root in codes[::-1] if n % 2 else codes:  # swapped each round
                        for line in asyncio.run(
                            landing(k, code, root, Path(folder), args.wait, client)
                        ):
                            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
