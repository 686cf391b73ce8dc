"""What every command that analyses films shares while it runs: a progress bar per film
(`ProgressBar`) and Ctrl-C as a cancel event (`cancel_on_interrupt`).

Ctrl-C cancels the film being analysed within a frame (`analyze`'s ``cancel``): the
command writes nothing for it and exits with `INTERRUPTED`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .._outputs import Poster, poster_frames
from .._pipeline import analyze
from ..cache import Cache
from ..errors import Cancelled
from ..model import Fingerprint
from ..params import Params

# The exit status of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
# Steps of the progress bar: finer than a terminal line, so it moves smoothly.
_STEPS = 1000


class ProgressBar:
    """`analyze`'s progress as a tqdm bar with the time left, on a terminal only."""

    def __init__(self, label: str) -> None:
        self.bar = tqdm(
            total=_STEPS, desc=label[:28], file=sys.stderr, disable=None, leave=True,
            bar_format="{desc} {bar} {percentage:3.0f}% {remaining} left{postfix}",
        )

    def __call__(self, fraction: float, message: str) -> None:
        self.bar.set_postfix_str(message[:40], refresh=False)
        self.bar.update(round(fraction * _STEPS) - self.bar.n)

    def close(self) -> None:
        self.bar.close()


@contextlib.contextmanager
def cancel_on_interrupt() -> Iterator[threading.Event]:
    """An event the first Ctrl-C sets (the analysis then stops within a frame); a second
    Ctrl-C interrupts at once, whatever is running. The previous handler comes back on
    leaving. Off the main thread, where no signal can be caught, the event is never set."""
    cancel = threading.Event()

    def on_interrupt(signum: int, frame: object) -> None:
        cancel.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main_thread else None
    try:
        yield cancel
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


def analyze_with_bar(
    path: str | Path, *, params: Params, cache: Cache | None, cancel: threading.Event
) -> Fingerprint:
    """`analyze` with a progress bar on a terminal; `Cancelled` when Ctrl-C set ``cancel``
    (nothing is written for the film)."""
    bar = ProgressBar(Path(path).name)
    try:
        fp = analyze(path, params=params, cache=cache, on_progress=bar, cancel=cancel)
    finally:
        bar.close()
    if cancel.is_set():
        raise Cancelled
    return fp


def frames_with_bar(
    path: str | Path, fp: Fingerprint, poster: Poster, *, cache: Cache | None,
    cancel: threading.Event,
) -> np.ndarray | None:
    """The frames ``poster`` shows (`poster_frames`; None: it shows none), decoded with a
    progress bar on a terminal; `Cancelled` when Ctrl-C set ``cancel``."""
    if not poster.shows_frames:
        return None
    bar = ProgressBar(f"{Path(path).name} frames")
    try:
        frames = poster_frames(path, fp, poster, cache=cache, on_progress=bar, cancel=cancel)
    finally:
        bar.close()
    if cancel.is_set():
        raise Cancelled
    return frames
