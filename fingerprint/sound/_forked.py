"""The sound print measured in a forked child process, beside the frames' decoders.

A `SoundPrint` in the decoders' process hands the interpreter lock to and fro with them
at every audio packet: the frames decoded about 2.2 s later with it, 1 s of it contention
(docs/benchmarks.md, "The sound print measured while the frames decode"). A child has a
lock of its own. `ForkedSoundPrint` is a `SoundPrint` run in a child (`_serve`), the
times handed to it and its levels handed back through a pipe; `start_sound_print` gives
one where the system forks (`fingerprint._forking`), a `SoundPrint` elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import queue
import threading
from typing import Any

import numpy as np

from .._forking import can_fork, forking, ignore_interrupts
from .._progress import ProgressCallback
from ..errors import Cancelled, DecodeError, FingerprintError
from ..model import VideoInfo
from ..params import Mode
from ._print import SoundPrint

__all__ = ["ForkedSoundPrint", "start_sound_print"]

SOUND_PROCESS = "fingerprint-sound"
_POLL = 0.05  # seconds between checks for a cancel while waiting for the child
_STOP_WAIT = 2.0  # seconds a child has to stop before it is killed


def start_sound_print(
    path: str | os.PathLike[str], *, info: VideoInfo, slot: float, mode: Mode = "fast",
    workers: int | None = None, cancel: threading.Event | None = None,
) -> SoundPrint | ForkedSoundPrint:
    """A sound print started now (`SoundPrint`'s arguments), in a child process where
    the system forks."""
    kind = ForkedSoundPrint if can_fork() else SoundPrint
    return kind(path, info=info, slot=slot, mode=mode, workers=workers, cancel=cancel)


class ForkedSoundPrint:
    """`SoundPrint`'s interface (``missing``, `add`, `levels`, `close`, a context
    manager), measured by a `SoundPrint` in a child process. The child finds out whether
    the film has sound (`has_sound`, 0.04 s for a 2-hour film), not the caller, whose
    frames' decoders start meanwhile."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        info: VideoInfo,
        slot: float,
        mode: Mode = "fast",
        workers: int | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self._cancel = cancel
        self._lock = threading.Lock()  # the decoders' threads hand times over at once
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, str(path), info, slot, mode, workers),
            name=SOUND_PROCESS, daemon=True,
        )
        with forking():
            self._process.start()
        child.close()

    @functools.cached_property
    def missing(self) -> str | None:
        """As `SoundPrint.missing` (waits, once, for the child to know)."""
        return self._receive("ready")

    def add(self, t: float) -> None:
        """As `SoundPrint.add`."""
        with self._lock, contextlib.suppress(OSError):  # a child gone: `levels` says so
            self._conn.send(("add", float(t)))

    def levels(
        self, times: np.ndarray, *, on_progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """As `SoundPrint.levels`."""
        if self.missing:
            raise DecodeError(self.missing)
        try:
            with self._lock:
                self._conn.send(("levels", np.asarray(times, np.float64)))
        except OSError:  # the child is gone
            raise DecodeError(_DIED) from None
        return self._receive("levels", on_progress)

    def _receive(self, wanted: str, on_progress: ProgressCallback | None = None) -> Any:
        """What the child sends as ``wanted``, reporting its progress meanwhile; a cancel,
        the child's error or its death raise."""
        while True:
            if self._cancel is not None and self._cancel.is_set():
                raise Cancelled
            if not self._conn.poll(_POLL):
                if not self._process.is_alive() and not self._conn.poll():
                    raise DecodeError(_DIED)
                continue
            try:
                kind, *what = self._conn.recv()
            except (EOFError, OSError):
                raise DecodeError(_DIED) from None
            if kind == "progress" and on_progress:
                on_progress(*what)
            elif kind == wanted:
                return what[0]
            elif kind == "cancelled":
                raise Cancelled
            elif kind == "error":
                raise DecodeError(what[0])

    def close(self) -> None:
        if self._process is None:  # closed already
            return
        with contextlib.suppress(OSError), self._lock:
            self._conn.send(("stop",))
        self._process.join(_STOP_WAIT)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
        self._process = None

    def __enter__(self) -> ForkedSoundPrint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DIED = "The sound print's process stopped unexpectedly, so there is no sound print."


def _serve(
    conn: Any, path: str, info: VideoInfo, slot: float, mode: Mode, workers: int | None
) -> None:
    """The child: a `SoundPrint` measuring the times that come through ``conn`` (``add``),
    until the parent asks for the levels of its times (``levels``) or to ``stop``. A
    thread reads the pipe, so a stop cancels the measuring."""
    ignore_interrupts()
    cancel = threading.Event()
    asked: queue.SimpleQueue[np.ndarray | None] = queue.SimpleQueue()
    try:
        with SoundPrint(path, info=info, slot=slot, mode=mode, workers=workers,
                        cancel=cancel) as sound:

            conn.send(("ready", sound.missing))
            if sound.missing:
                return

            def read() -> None:
                while True:
                    try:
                        kind, *what = conn.recv()
                    except (EOFError, OSError):  # the parent is gone
                        kind = "stop"
                    if kind == "add":
                        sound.add(what[0])
                    elif kind == "levels":
                        asked.put(what[0])
                    else:
                        cancel.set()
                        asked.put(None)
                        return

            threading.Thread(target=read, daemon=True).start()
            times = asked.get()
            if times is None:
                return
            levels = sound.levels(times, on_progress=lambda *p: conn.send(("progress", *p)))
            conn.send(("levels", levels))
    except Cancelled:
        _tell(conn, ("cancelled",))
    except FingerprintError as exc:
        _tell(conn, ("error", str(exc)))
    except Exception as exc:  # the parent says there is no sound print, and why
        _tell(conn, ("error", f"The sound print failed ({type(exc).__name__}), so there "
                              "is no sound print."))


def _tell(conn: Any, message: tuple) -> None:
    with contextlib.suppress(OSError):
        conn.send(message)
