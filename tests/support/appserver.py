"""The real app for browser tests and benchmarks: `streamlit run` on a free port, and
Debian's Chromium driven by Playwright (never a browser Playwright downloads)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox as root; no GPU headless; no calls home, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The scripts a page fetches when it first draws a widget (with what they import), and
# Plotly's: a test that holds them (`page.route`) sees the page as a browser does while
# they are still on their way.
WIDGET_SCRIPTS = re.compile(
    r"/(Slider|NumberInput|Selectbox|Checkbox|TextInput|ButtonGroup|FileUploader)\.[^/]*\.js$"
)
PLOTLY_SCRIPT = "**/PlotlyChart*.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit(
    *, cache: Path, log: Path, movies: Path | None = None, timeout: float = 60,
    app: Path = ROOT, env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None, args: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run app.py` from ``app`` (a checkout: this one unless a benchmark names
    another) with its own cache folder (and movies folder, and ``env``), until
    `/_stcore/health` answers: its URL and process. ``args`` go to the app, after ``--``
    (``("--collection", DIR)``). ``preexec_fn`` runs in the child before Streamlit starts
    (a benchmark puts it in a cgroup). Stopped on exit; output in ``log``."""
    port = free_port()
    environ = {**os.environ, "FINGERPRINT_CACHE_DIR": str(cache), **(env or {})}
    environ.pop("FINGERPRINT_MOVIES_DIR", None)
    if movies is not None:
        environ["FINGERPRINT_MOVIES_DIR"] = str(movies)
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *(("--", *args) if args else ())],
            cwd=app, env=environ, stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, log, timeout)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not start:\n{log.read_text(errors='replace')[-2000:]}")


def launch_chromium(playwright: Any) -> Any:
    """Headless Debian Chromium for a `sync_playwright()` session."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
