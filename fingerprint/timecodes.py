"""Times as people read and type them: ``h:mm:ss`` for display, the one parser of
typed times (seconds or ``h:mm:ss``) for the command line and the app, and the round
steps of a time axis's ticks (the figures' and the PNGs').
"""

from __future__ import annotations

import math
import re

#: Seconds between time ticks: round steps, as people count time.
TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


def tick_step(span: float, *, most: int) -> int:
    """The finest of `TICK_STEPS` that puts at most ``most`` ticks on ``span`` seconds
    (the coarsest on a longer span)."""
    return next((s for s in TICK_STEPS if span / s <= most), TICK_STEPS[-1])


def parse_time(text: str | None) -> float | None:
    """Seconds from ``"90"``, ``"90.5"``, ``"1:30"`` or ``"1:02:03.5"``; blank gives None.

    The one reader of times typed by people, for the command line and the app's links and
    boxes alike. Raises ValueError with a message for the user on anything else.
    """
    text = (text or "").strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) > 3 or not all(re.fullmatch(r"\d+(\.\d*)?", p) for p in parts):
        raise ValueError(f"{text!r} is not a time: write seconds (95) or h:mm:ss (1:02:03).")
    if any("." in p for p in parts[:-1]) or any(float(p) >= 60 for p in parts[1:]):
        raise ValueError(f"{text!r} is not a time: minutes and seconds go up to 59.")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def timecode(seconds: float, *, tenths: bool = False) -> str:
    """``h:mm:ss``, the way films are timed (seconds truncated, never rounded up);
    ``h:mm:ss.s`` with ``tenths``, for edits finer than a second (a cut's place)."""
    if not math.isfinite(seconds):
        return "–"
    # Tenths counted whole, so 59.99 s reads 0:00:59.9, never 0:00:60.0.
    t = max(0, int(seconds * 10 + 1e-9)) if tenths else max(0, int(seconds)) * 10
    s = t // 10
    text = f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{text}.{t % 10}" if tenths else text
