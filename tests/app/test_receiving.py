"""The upload receiver (webapp.receiving, issue 21): an upload's bytes go to the cache
folder as they arrive, so the process's memory does not grow with the file; what the
budget does not admit is refused with its sentence; a visitor reaches only their own.

The receiver is driven as Uvicorn drives it (an ASGI scope, body messages of 64 KiB),
without Streamlit: `Hooks` stand for the server.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from fingerprint import Cache
from fingerprint.cache._keys import content_key
from webapp.budget import RECEIVING, UPLOADS_AT_ONCE, Budget
from webapp.receiving import Deliveries, Hooks, UploadReceiver

SESSION, OTHER, FILE = "session-a1", "session-b2", "file-1"
BOUNDARY = "----WebKitFormBoundaryq1w2e3r4t5"
PIECE = 64 * 1024  # what Uvicorn hands the app at a time
MIB = 2**20


class Server:
    """Hooks that record what the receiver told the server."""

    def __init__(self, cache: Path, *, budget: Budget | None = None, limit: int = 1024 * MIB,
                 refuse: tuple[int, str] | None = None) -> None:
        self.cache = Cache(cache)
        self.budget = budget or Budget(2700, disk_bytes=self.cache.max_bytes)
        self.announced: list[tuple[str, str, str, str]] = []
        self.woken: list[str] = []
        self.passed: list[str] = []
        self.deliveries = Deliveries()
        self.hooks = Hooks(
            check=lambda scope, session: refuse, store=self.store, max_bytes=lambda: limit,
            announce=lambda *a: self.announced.append(a), wake=self.woken.append,
            budget=lambda: self.budget, deliveries=self.deliveries,
        )

        async def inner(scope: Any, receive: Any, send: Any) -> None:
            self.passed.append(scope["path"])
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"streamlit"})

        self.receiver = UploadReceiver(inner, hooks=self.hooks)

    def store(self, stream: IO[bytes], name: str) -> Path:
        return self.cache.store_upload(stream, name)

    def put(self, body: Iterator[bytes], *, length: int | None, path: str | None = None,
            disconnect_after: int | None = None, method: str = "PUT") -> list[dict]:
        """One request through the receiver: the messages it sent back."""
        headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
        if length is not None:
            headers.append((b"content-length", str(length).encode()))
        scope = {"type": "http", "method": method, "headers": headers,
                 "path": path or f"/_stcore/upload_file/{SESSION}/{FILE}"}
        sent: list[dict] = []
        pieces = iter(body)
        count = 0

        async def receive() -> dict:
            nonlocal count
            count += 1
            if disconnect_after is not None and count > disconnect_after:
                return {"type": "http.disconnect"}
            piece = next(pieces, None)
            if piece is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.request", "body": piece, "more_body": True}

        async def send(message: dict) -> None:
            sent.append(message)

        asyncio.run(self.receiver(scope, receive, send))
        return sent

    def uploads(self) -> list[Path]:
        return sorted(p for p in (self.cache.root / "uploads").rglob("*") if p.is_file())


def form(name: str, size: int, digest: Any = None) -> tuple[Iterator[bytes], int]:
    """A multipart body as the browser sends it, carrying a file of ``size`` bytes made up
    as it goes (never whole in memory), and its length; ``digest`` sees the file's bytes."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; "
            f"filename=\"{name}\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    block = bytes(range(256)) * (PIECE // 256)

    def pieces() -> Iterator[bytes]:
        yield head
        for n in range(0, size, PIECE):
            piece = (n.to_bytes(8, "little") + block)[: min(PIECE, size - n)]
            if digest is not None:
                digest.update(piece)
            yield piece
        yield tail

    return pieces(), len(head) + size + len(tail)


def _status(sent: list[dict]) -> int:
    return sent[0]["status"]


def _memory(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
def test_an_upload_reaches_the_cache_without_memory_growing_with_its_size(
    tmp_path: Path,
) -> None:
    size = 512 * MIB
    server = Server(tmp_path / "cache")
    digest = hashlib.sha256()
    body, length = form("holiday film.mp4", size, digest)
    before = _memory("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark from here
    sent = server.put(body, length=length)
    grew = _memory("VmHWM") - before
    assert _status(sent) == 204
    # Measured at 6-13 MB (docs/benchmarks.md); a file held in memory would be 512.
    assert grew < 48 * MIB, f"memory grew by {grew / MIB:.0f} MB for a {size / MIB:.0f} MB upload"
    [stored] = server.uploads()
    assert stored.name == "holiday film.mp4" and stored.stat().st_size == size
    assert stored.parent.name == content_key(stored)  # content-keyed, as uploads always were
    check = hashlib.sha256()
    with stored.open("rb") as fh:
        while piece := fh.read(MIB):
            check.update(piece)
    assert check.digest() == digest.digest()
    assert server.announced == [(SESSION, FILE, "holiday film.mp4", "video/mp4")]
    assert server.deliveries.take(OTHER, FILE) is None  # another visitor gets nothing
    outcome = server.deliveries.take(SESSION, FILE)
    assert outcome is not None and outcome.path == stored and outcome.message is None
    assert server.deliveries.take(SESSION, FILE) is None  # taken once
    assert server.budget.uploads == []


def test_an_upload_beyond_the_budget_is_refused_with_its_sentence(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache")
    held = [server.budget.receive(MIB) for _ in range(UPLOADS_AT_ONCE)]
    body, length = form("late.mp4", MIB)
    sent = server.put(body, length=length)
    assert _status(sent) == 503 and sent[1]["body"].decode() == RECEIVING
    assert server.deliveries.notice(SESSION) == RECEIVING  # shown by the page it wakes
    assert server.woken == [SESSION] and server.deliveries.notice(OTHER) is None
    assert server.uploads() == [] and server.announced == []
    for hold in held:
        server.budget.received(hold)
    body, length = form("late.mp4", MIB)
    assert _status(server.put(body, length=length)) == 204  # room again


def test_bytes_in_flight_beyond_the_cache_cap_are_refused(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache", budget=Budget(2700, disk_bytes=3 * MIB))
    first = server.budget.receive(2 * MIB)  # another visitor's upload, arriving
    body, length = form("second.mp4", 2 * MIB)
    assert _status(server.put(body, length=length)) == 503
    assert server.deliveries.notice(SESSION) == RECEIVING
    server.budget.received(first)
    body, length = form("second.mp4", 2 * MIB)
    assert _status(server.put(body, length=length)) == 204


def test_a_file_over_the_limit_is_refused_even_when_its_length_lies(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache", limit=4 * MIB)
    body, length = form("big.mp4", 8 * MIB)
    sent = server.put(body, length=length)  # said up front: refused before a byte is read
    assert _status(sent) == 413
    assert "larger than the upload limit (4 MB)" in server.deliveries.notice(SESSION)
    body, _ = form("big.mp4", 8 * MIB)
    sent = server.put(body, length=None)  # said nothing (chunked): cut off on the way
    assert _status(sent) == 413 and server.uploads() == []
    assert not list((tmp_path / "cache" / "uploads").glob("*.part"))
    assert server.budget.uploads == []


def test_a_visitor_who_leaves_mid_upload_leaves_nothing_behind(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache")
    body, length = form("gone.mp4", 32 * MIB)
    sent = server.put(body, length=length, disconnect_after=200)  # about 12 MB in
    assert sent == [] and server.uploads() == [] and server.announced == []
    assert not list((tmp_path / "cache" / "uploads").glob("*.part"))
    assert server.budget.uploads == []


def test_a_file_name_cannot_leave_the_uploads_folder(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache")
    body, length = form("../../../etc/passwd", MIB)
    assert _status(server.put(body, length=length)) == 204
    [stored] = server.uploads()
    assert stored.name == "passwd" and stored.parent.parent == tmp_path / "cache" / "uploads"
    outcome = server.deliveries.take(SESSION, FILE)
    assert outcome is not None and outcome.name == "../../../etc/passwd"  # shown as text


@pytest.mark.parametrize("path", [
    f"/_stcore/upload_file/{SESSION}/..",
    "/_stcore/upload_file/../../etc/x",
    f"/_stcore/upload_file/{SESSION}/a%2F..%2Fb",
])
def test_a_made_up_upload_address_stores_nothing(tmp_path: Path, path: str) -> None:
    server = Server(tmp_path / "cache")
    body, length = form("film.mp4", MIB)
    sent = server.put(body, length=length, path=path)
    assert server.uploads() == [] and server.announced == []
    assert server.passed or _status(sent) == 400


def test_streamlit_s_own_checks_refuse_before_anything_is_stored(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache", refuse=(403, "XSRF token missing or invalid"))
    body, length = form("film.mp4", MIB)
    sent = server.put(body, length=length)
    assert _status(sent) == 403 and server.uploads() == [] and server.woken == []


def test_a_full_disk_is_said_in_a_sentence_without_a_path(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache")

    def full(stream: IO[bytes], name: str) -> Path:
        stream.read()
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/secret/uploads/x.part")

    server.hooks = server.receiver.hooks = Hooks(**{**server.hooks.__dict__, "store": full})
    body, length = form("holiday.mp4", 4 * MIB)
    assert _status(server.put(body, length=length)) == 204
    outcome = server.deliveries.take(SESSION, FILE)
    assert outcome is not None and outcome.path is None
    assert outcome.message == "Could not store holiday.mp4: the server's disk is full."
    assert server.budget.uploads == []


def test_other_requests_go_to_streamlit(tmp_path: Path) -> None:
    server = Server(tmp_path / "cache")
    body, length = form("film.mp4", MIB)
    server.put(body, length=length, method="DELETE")
    server.put(iter([]), length=0, path="/_stcore/health", method="GET")
    assert server.passed == [f"/_stcore/upload_file/{SESSION}/{FILE}", "/_stcore/health"]
