"""The server's memory budget, shared by uploads in flight and analyses. Pure, no Streamlit.

One setting, ``$FINGERPRINT_MEMORY_BUDGET`` (bytes, or a size like ``2.7G`` or
``1GiB``): the memory this server may use, its host's allowance (default: Streamlit
Community Cloud's 2.7 GB). Of it:

- `SERVER_MB` is the server itself, its visitors' sessions and what they draw;
- `UPLOADS_AT_ONCE` uploads in flight hold `UPLOAD_MB` each (bytes go to disk as they
  arrive, `webapp.receiving`), kept aside so that analyses never crowd them out; more
  uploads at once, or more bytes in flight than the cache keeps, are refused with
  `RECEIVING`;
- the rest is for analyses: each holds its measured cost (`analysis_mb`) while it runs,
  and one that does not fit waits in the queue (`webapp.jobs`); one that could never fit
  is refused with a sentence (`OverBudget`).

Nothing here measures the process: the costs are the benchmarks' (docs/benchmarks.md,
"Uploads and the memory budget" and "What an analysis costs in memory"), so the decisions
are the same on every host and testable.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from fingerprint.cache import parse_size
from fingerprint.decode import decoder_count
from fingerprint.errors import FingerprintError
from fingerprint.params import Params

BUDGET_ENV_VAR = "FINGERPRINT_MEMORY_BUDGET"
# Streamlit Community Cloud's largest allowance (issue 21).
DEFAULT_BUDGET = "2.7G"
MB = 1000**2

# The server without analyses: 175 MB fresh, 220-300 MB once it has analysed (Streamlit,
# Plotly, pandas, the engine); with eight visitors and two analyses running it peaked at
# 395-430 MB in a cgroup (docs/benchmarks.md, "Uploads and the memory budget"). Its
# sessions' shown frames (st.cache_data: up to 64 frames of 1280 px, 180 MB) and figures
# can add more over time, and allocators keep some of what analyses freed: 600 MB.
SERVER_MB = 600
# One upload in flight: its parser, `webapp.receiving`'s chunks queued for the disk (4 MiB)
# and the socket's buffers: 10-11 MB of growth for 64 MB to 1 GB uploads in-process, 9 MB
# in the server for a 911 MB upload (docs/benchmarks.md, "Uploads and the memory
# budget"; tests/test_receiving.py bounds it), 16 MB with room to spare.
UPLOAD_MB = 16
# Uploads received at once. Their memory is small; this bounds the disk bandwidth they
# share and the cache's churn (each upload may evict older entries when it lands). Three
# 911 MB uploads at once streamed side by side in a 2.7 GB, 2-CPU cgroup (docs/benchmarks.md,
# "Eight visitors on a small host"); a fourth keeps a margin, not a measured limit.
UPLOADS_AT_ONCE = 4

# What an analysis adds to the server's memory at its peak, from bench/job_memory.py
# (docs/benchmarks.md, "What an analysis costs in memory"). 40 samples of 4 s synthetic
# H.264 clips added 30 MB at 480p, 40 at 1080p, 140 at 4K, 575 at 8K (8192x4320), the
# same in fast and exact mode: two decoders' pictures at the film's full size, 8 MB per
# megapixel each. Samples add their frames at the 320-px working size and their share of
# clustering: the 2-hour 1080p film took 91, 236 and 617 MB at 40, 1000 and 3000 samples
# (0.2 MB a sample). Each decoder also holds the film's index: exact mode on that film
# peaked 56-58 MB higher for each decoder past two (285, 402 and 619 MB with 2, 4 and 8:
# "Exact mode on every core"), 17 MB of it pictures and the rest the index of its 172,800
# frames (0.00023 MB a frame). Exact mode runs a decoder per core (`decoder_count`). Shots
# added 50 MB at 8K, nothing measurable below (1.5 MB per megapixel). The rule errs high:
# 61 MB for the 1080p clip, 594 for the 8K one, 333 for the 2-hour film at 1000 samples.
ANALYSIS_BASE_MB = 20.0
DECODER_MB_PER_MEGAPIXEL = 8.0
SAMPLE_MB = 0.2
DECODER_INDEX_MB_PER_FRAME = 0.00023
SHOTS_MB_PER_MEGAPIXEL = 1.5

RECEIVING = "The server is receiving other uploads: try again in a minute."


class OverBudget(FingerprintError):
    """An analysis that needs more memory than this server has: raised, never run."""


def parse_budget(text: str | None) -> float:
    """The budget in MB from the setting's text (None: the default). Raises
    InvalidParameterError on text that is no size."""
    return parse_size(text or DEFAULT_BUDGET) / MB


def budget_mb() -> float:
    """$FINGERPRINT_MEMORY_BUDGET in MB, else the default; a value that is no size is
    ignored for the default, as the other settings of the server do."""
    try:
        return parse_budget(os.environ.get(BUDGET_ENV_VAR))
    except FingerprintError:
        return parse_budget(None)


def analysis_mb(params: Params, width: int, height: int, frames: float = 0.0) -> float:
    """What an analysis of a ``width`` × ``height`` film of about ``frames`` frames, with
    ``params`` as fitted to the film, adds to the server's memory at its peak, in MB
    (the rule above)."""
    megapixels = width * height / 1e6
    decoder = DECODER_MB_PER_MEGAPIXEL * megapixels + DECODER_INDEX_MB_PER_FRAME * frames
    cost = ANALYSIS_BASE_MB + SAMPLE_MB * params.samples + decoder_count(params.mode) * decoder
    if params.shots:
        cost += SHOTS_MB_PER_MEGAPIXEL * megapixels
    return cost


@dataclass
class Upload:
    """An upload in flight's hold on the budget: give it back with `Budget.received`."""

    nbytes: int
    done: bool = False


class Budget:
    """The server's memory in MB: what analyses and uploads in flight hold now.

    ``total_mb`` is the setting; ``disk_bytes`` the most bytes uploads in flight may
    hold together (the cache's size cap: more would evict each other on landing).
    Thread-safe: uploads arrive on the server's event loop, analyses start on their own
    threads.
    """

    def __init__(self, total_mb: float, *, disk_bytes: float = float("inf")) -> None:
        self.total_mb = total_mb
        self.disk_bytes = disk_bytes
        self.analyses_mb = 0.0
        self.uploads: list[Upload] = []
        self._lock = threading.Lock()

    @property
    def for_analyses_mb(self) -> float:
        """What analyses may hold together: the total less the server and the uploads'
        share."""
        return self.total_mb - SERVER_MB - UPLOADS_AT_ONCE * UPLOAD_MB

    # --- analyses --------------------------------------------------------------------
    def too_large(self, mb: float) -> str | None:
        """Why an analysis of ``mb`` can never run here, or None."""
        if mb <= self.for_analyses_mb:
            return None
        return (f"This film needs about {_size(mb)} of memory to fingerprint with these "
                f"settings, and this server has {_size(max(0.0, self.for_analyses_mb))} "
                f"for analyses: try fewer samples, or fast mode without shots.")

    def fits(self, mb: float) -> bool:
        """Whether an analysis of ``mb`` fits beside those running."""
        with self._lock:
            return self.analyses_mb + mb <= self.for_analyses_mb + 1e-9

    def hold(self, mb: float) -> None:
        with self._lock:
            self.analyses_mb += mb

    def release(self, mb: float) -> None:
        with self._lock:
            self.analyses_mb = max(0.0, self.analyses_mb - mb)

    # --- uploads ---------------------------------------------------------------------
    def receive(self, nbytes: int) -> Upload | str:
        """Hold room for an upload of ``nbytes`` (its declared size), or say why not."""
        with self._lock:
            if nbytes > self.disk_bytes:
                keeps = _size(self.disk_bytes / MB)
                return (f"This file is larger than this server keeps ({keeps}): open it "
                        "from a movies folder instead (see About).")
            in_flight = sum(u.nbytes for u in self.uploads)
            if len(self.uploads) >= UPLOADS_AT_ONCE or in_flight + nbytes > self.disk_bytes:
                return RECEIVING
            upload = Upload(nbytes)
            self.uploads.append(upload)
            return upload

    def received(self, upload: Upload) -> None:
        """An upload is on disk, or failed: its room is free again (once)."""
        with self._lock:
            if not upload.done:
                upload.done = True
                self.uploads.remove(upload)


def _size(mb: float) -> str:
    """"850 MB", "1.9 GB", "500 KB": a size as people read it."""
    if mb >= 1000:
        return f"{mb / 1000:.1f} GB"
    return f"{mb:.0f} MB" if mb >= 1 else f"{mb * 1000:.0f} KB"
