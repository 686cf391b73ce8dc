"""Uploads received straight to the cache folder, never whole in memory. Pure: no Streamlit.

Streamlit's own upload route (``PUT /_stcore/upload_file/<session>/<file>``, where
`st.file_uploader` sends a file) parses the whole body and reads the file into memory
before the app sees a byte: a 900 MB upload took the server to 2.3 GB, and three at once
got it killed on a 2.7 GB host (issue 21; docs/benchmarks.md, "Uploads and the memory
budget"). `UploadReceiver` is ASGI middleware that answers that route in its place:

- the request is checked as Streamlit checks it (XSRF token, a live session: `Hooks.check`);
- it is admitted by the server's `Budget` (how many uploads at once, how many bytes in
  flight), or refused at once with a sentence the visitor's page shows (`Deliveries`,
  `Hooks.wake`): "The server is receiving other uploads: try again in a minute.";
- the multipart body is parsed as it arrives and the file's bytes go, `CHUNK` at a time and
  at most `DEPTH` chunks ahead, to a thread that writes them into the cache
  (`Cache.store_upload`: ``uploads/<content key>/<name>``), so memory does not grow with
  the file;
- Streamlit is told a file arrived (`Hooks.announce`, with no bytes), and the outcome (the
  stored path, or why it was not stored) waits for that session alone in `Deliveries`,
  under the session's id and the file's: no other visitor can reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from fingerprint import FingerprintError

from .budget import Budget
from .films import upload_name
from .messages import hide_paths, os_reason

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_LOG = logging.getLogger(__name__)
_ROUTE = re.compile(r"/_stcore/upload_file/(?P<session>[^/]+)/(?P<file>[^/]+)/?$")
_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
# Bytes handed to the disk at a time, and how many such chunks may wait for it: the
# memory an upload holds beyond the socket's buffers and the parser (docs/benchmarks.md).
CHUNK = 1 << 20
DEPTH = 4
# The multipart framing around the file (boundaries, part headers), as Streamlit allows.
OVERHEAD = 1 << 20
# How long an outcome or a sentence waits for its session to collect it.
KEEP_S = 3600.0


@dataclass(frozen=True)
class Outcome:
    """What became of one upload: ``path`` where it was stored, or ``message`` why not.
    ``name`` is the file's name as the visitor sent it (their own text)."""

    name: str
    path: Path | None = None
    message: str | None = None


class Deliveries:
    """Outcomes by (session, file id), and sentences for sessions whose upload was
    refused before it arrived; each taken once, by its own session only."""

    def __init__(self, keep_s: float = KEEP_S) -> None:
        self.keep_s = keep_s
        self._outcomes: dict[tuple[str, str], tuple[float, Outcome]] = {}
        self._notices: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def put(self, session: str, file_id: str, outcome: Outcome) -> None:
        with self._lock:
            self._expire()
            self._outcomes[session, file_id] = (time.monotonic(), outcome)

    def take(self, session: str, file_id: str) -> Outcome | None:
        with self._lock:
            found = self._outcomes.pop((session, file_id), None)
        return found[1] if found else None

    def refuse(self, session: str, message: str) -> None:
        with self._lock:
            self._expire()
            self._notices[session] = (time.monotonic(), message)

    def notice(self, session: str) -> str | None:
        """The sentence waiting for ``session``, taken."""
        with self._lock:
            found = self._notices.pop(session, None)
        return found[1] if found else None

    def _expire(self) -> None:
        old = time.monotonic() - self.keep_s
        for book in (self._outcomes, self._notices):
            for key in [k for k, (when, _) in book.items() if when < old]:
                del book[key]


@dataclass(frozen=True)
class Hooks:
    """What the receiver needs from the server it stands in front of.

    ``check(scope, session)``: None if the request may upload into that session, else the
    HTTP status and reason; ``store(stream, name)``: the bytes of ``stream`` into the
    cache, returning where (`Cache.store_upload`); ``max_bytes()``: the largest file
    accepted; ``announce(session, file_id, name, type)``: tell the session's widget the
    file arrived; ``wake(session)``: run the session again, to show a refusal;
    ``budget()``: the server's `Budget`.
    """

    check: Callable[[Scope, str], tuple[int, str] | None]
    store: Callable[[IO[bytes], str], Path]
    max_bytes: Callable[[], int]
    announce: Callable[[str, str, str, str], None]
    wake: Callable[[str], None]
    budget: Callable[[], Budget]
    deliveries: Deliveries


class _Refused(Exception):
    """A request answered with ``status`` and ``message``, the visitor told if ``tell``."""

    def __init__(self, status: int, message: str, *, tell: bool = False) -> None:
        super().__init__(message)
        self.status, self.message, self.tell = status, message, tell


class _Gone(Exception):
    """The visitor left (closed the tab, cancelled the upload) before the body ended."""


class _Sink:
    """The file's bytes, from the event loop to a thread that stores them: at most
    `DEPTH` chunks of `CHUNK` bytes wait for the disk; the thread reads them as a file."""

    def __init__(self, store: Callable[[IO[bytes]], Path]) -> None:
        self.buffer = bytearray()
        self.size = 0
        self._loop = asyncio.get_running_loop()
        self._chunks: queue.SimpleQueue[bytes | BaseException | None] = queue.SimpleQueue()
        self._room = asyncio.Semaphore(DEPTH)
        self._eof = False
        self.done: asyncio.Future[Path] = self._loop.create_future()
        threading.Thread(target=self._run, args=(store,), name="upload", daemon=True).start()

    # --- the thread ------------------------------------------------------------------
    def _run(self, store: Callable[[IO[bytes]], Path]) -> None:
        try:
            result: Path | BaseException = store(self)  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the event loop, which answers for it
            result = exc
        self._loop.call_soon_threadsafe(self._finish, result)

    def _finish(self, result: Path | BaseException) -> None:
        if isinstance(result, BaseException):
            self.done.set_exception(result)
        else:
            self.done.set_result(result)
        self._room.release()  # a push waiting for room stops waiting: nobody reads now

    def read(self, _size: int = -1) -> bytes:
        """The next chunk, b"" at the end (on the storing thread)."""
        if self._eof:
            return b""
        item = self._chunks.get()
        self._loop.call_soon_threadsafe(self._room.release)
        if item is None or isinstance(item, BaseException):
            self._eof = True
            if item is not None:
                raise item
            return b""
        return item

    # --- the event loop --------------------------------------------------------------
    def write(self, data: bytes) -> None:
        self.buffer += data
        self.size += len(data)

    async def push(self, final: bool = False) -> None:
        """Hand the buffer's full chunks (all of it if ``final``) to the thread, waiting
        while `DEPTH` chunks wait already."""
        while len(self.buffer) >= CHUNK or (final and self.buffer):
            chunk = bytes(self.buffer[:CHUNK])
            del self.buffer[:CHUNK]
            if not self.done.done():
                await self._room.acquire()
            if not self.done.done():  # a failed store reads no more: the rest is dropped
                self._chunks.put(chunk)

    async def close(self) -> Path:
        """Hand over the rest and the end; where the file was stored."""
        await self.push(final=True)
        self._chunks.put(None)
        return await self.done

    async def abort(self) -> None:
        """Stop the thread (it deletes what it wrote) and wait for it."""
        self._chunks.put(_Gone("the upload was abandoned"))
        with contextlib.suppress(Exception):  # the abandon itself, or what it interrupted
            await self.done


class UploadReceiver:
    """ASGI middleware: Streamlit's upload route, received into the cache (see module)."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, hooks: Hooks) -> None:
        self.app = app
        self.hooks = hooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = None
        if scope["type"] == "http" and scope.get("method") == "PUT":
            match = _ROUTE.search(scope.get("path", ""))
        if match is None:
            await self.app(scope, receive, send)
            return
        session, file_id = match["session"], match["file"]
        try:
            await self._receive(scope, receive, session, file_id)
        except _Refused as refused:
            if refused.tell:
                self.hooks.deliveries.refuse(session, refused.message)
                self.hooks.wake(session)
            await _respond(send, refused.status, refused.message)
        except _Gone:
            return  # nobody to answer
        else:
            await _respond(send, 204, "")

    async def _receive(self, scope: Scope, receive: Receive, session: str, file_id: str) -> None:
        if not (_ID.fullmatch(session) and _ID.fullmatch(file_id)):
            raise _Refused(400, "Bad upload address.")
        refused = self.hooks.check(scope, session)
        if refused is not None:
            raise _Refused(*refused)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        limit = self.hooks.max_bytes()
        try:
            length = int(headers["content-length"])
        except (KeyError, ValueError):
            length = limit  # chunked, or no length said: counted as the largest
        if length > limit + OVERHEAD:
            raise _Refused(413, too_large(limit), tell=True)
        kind, options = parse_options_header(headers.get("content-type", ""))
        if kind != b"multipart/form-data" or not options.get(b"boundary"):
            raise _Refused(400, "An upload is a multipart form with one file.")
        budget = self.hooks.budget()
        hold = budget.receive(min(length, limit))
        if isinstance(hold, str):
            raise _Refused(503, hold, tell=True)
        try:
            outcome, kind_sent = await self._store(receive, options[b"boundary"], limit)
        finally:
            budget.received(hold)
        self.hooks.deliveries.put(session, file_id, outcome)
        self.hooks.announce(session, file_id, outcome.name, kind_sent)

    async def _store(self, receive: Receive, boundary: bytes, limit: int) -> tuple[Outcome, str]:
        """Parse the body as it arrives, its one file into the cache: the outcome and the
        file's content type as the browser said it."""
        part: dict[str, Any] = {"headers": {}, "field": b"", "value": b""}
        files: list[tuple[str, str]] = []
        sink: list[_Sink] = []

        def on_header_field(data: bytes, start: int, end: int) -> None:
            part["field"] += data[start:end]

        def on_header_value(data: bytes, start: int, end: int) -> None:
            part["value"] += data[start:end]

        def on_header_end() -> None:
            part["headers"][part["field"].decode("latin-1").lower()] = part["value"]
            part["field"], part["value"] = b"", b""

        def on_headers_finished() -> None:
            headers, part["headers"] = part["headers"], {}
            _, disposition = parse_options_header(headers.get("content-disposition"))
            if b"filename" not in disposition:
                return  # a plain field: the uploader sends none, and none is kept
            name = disposition[b"filename"].decode("utf-8", errors="replace")
            kind = headers.get("content-type", b"").decode("latin-1").strip()
            kind = kind or "application/octet-stream"
            files.append((name, kind))
            if len(files) == 1:
                sink.append(_Sink(lambda stream: self.hooks.store(stream, upload_name(name))))

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if len(files) == 1 and sink:
                sink[0].write(data[start:end])

        parser = MultipartParser(boundary, {
            "on_header_field": on_header_field, "on_header_value": on_header_value,
            "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
        })
        received = 0
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Gone("the visitor left")
                body = message.get("body", b"")
                received += len(body)
                if received > limit + OVERHEAD or (sink and sink[0].size > limit):
                    raise _Refused(413, too_large(limit), tell=True)
                parser.write(body)
                if sink:
                    await sink[0].push()
                if not message.get("more_body", False):
                    break
            parser.finalize()
            if len(files) != 1:
                raise _Refused(400, f"Expected 1 file, but got {len(files)}.")
        except FormParserError as exc:
            await _abort(sink)
            raise _Refused(400, "The upload's form could not be read.") from exc
        except BaseException:
            await _abort(sink)
            raise
        name, kind = files[0]
        try:
            return Outcome(name, path=await sink[0].close()), kind
        except FingerprintError as exc:  # the cache could not be written: its sentence
            _LOG.warning("an upload was not stored: %s", exc)
            return Outcome(name, message=hide_paths(str(exc))), kind
        except OSError as exc:
            _LOG.warning("an upload was not stored: %s", exc)
            return Outcome(name, message=f"Could not store {name}: {os_reason(exc)}."), kind


async def _abort(sink: list[_Sink]) -> None:
    if sink:
        await sink[0].abort()


def limit_text(nbytes: int) -> str:
    """An upload limit as people say it, counted as Streamlit counts `maxUploadSize`
    (megabytes of 2**20 bytes): "1 GB", "200 MB"."""
    megabytes = nbytes / 2**20
    return f"{megabytes / 1024:g} GB" if megabytes >= 1024 else f"{megabytes:g} MB"


def too_large(limit: int) -> str:
    """What a visitor reads about a file over the upload limit."""
    return (f"This file is larger than the upload limit ({limit_text(limit)}): open it "
            "from a movies folder instead (see About).")


async def _respond(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if status != 204:
        headers.append((b"content-length", str(len(body)).encode()))
    if status >= 400:
        headers.append((b"connection", b"close"))  # the body may not have been read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
