"""On-disk cache keyed by a film's content: decoded frames, results, and the film library.

Layout under the cache root (``$FINGERPRINT_CACHE_DIR``, else the user's cache folder)::

    <key>/info.json                   VideoInfo, source path, when first analysed
    <key>/frames-<decode hash>.npz    working-size frames + times (per decode options)
    <key>/result-<params hash>.json   the Fingerprint, in the project's JSON format
    uploads/<key>/<name>              uploaded films, so a share link can reopen them

Every write goes to a temporary file and is renamed into place, so a kill mid-write never
leaves a half-written entry; anything unreadable is treated as missing and rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import platformdirs

from .errors import FingerprintError
from .model import Fingerprint, Params, VideoInfo, write_atomic
from .video import DecodedFrames

ENV_VAR = "FINGERPRINT_CACHE_DIR"
_CHUNKS = 64
_CHUNK = 64 * 1024


def content_key(path: str | os.PathLike[str]) -> str:
    """A key for the file's content that reads at most 4 MiB, whatever the file's size.

    The SHA-256 of the size and 64 chunks of 64 KiB spread evenly over the file (first
    and last included); files under 4 MiB are hashed whole. Two films that differ only
    between the chunks would collide, which re-encodes, edits and remuxes never do: they
    change the size or the bytes at every chunk.
    """
    size = os.path.getsize(path)
    digest = hashlib.sha256(f"mcf1:{size}:".encode())
    with open(path, "rb") as fh:
        if size <= _CHUNKS * _CHUNK:
            digest.update(fh.read())
        else:
            for offset in np.linspace(0, size - _CHUNK, _CHUNKS).astype(np.int64):
                fh.seek(int(offset))
                digest.update(fh.read(_CHUNK))
    return digest.hexdigest()[:24]


def _hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """A film this cache has analysed: for the app's library list and share links."""

    key: str
    info: VideoInfo
    source: str | None
    analysed_at: float


class Cache:
    """A cache folder. Safe to share between threads and processes."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        root = (
            root
            or os.environ.get(ENV_VAR)
            or platformdirs.user_cache_dir("movie-color-fingerprint")
        )
        self.root = Path(root).expanduser()
        self.root.mkdir(parents=True, exist_ok=True)
        self._keys: dict[tuple[str, int, int], str] = {}

    # --- keys ---------------------------------------------------------------------
    def key(self, path: str | os.PathLike[str]) -> str:
        """`content_key`, remembered per (path, size, mtime) so an unchanged file is
        hashed once per process."""
        st = os.stat(path)
        memo = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
        if memo not in self._keys:
            self._keys[memo] = content_key(path)
        return self._keys[memo]

    def _dir(self, key: str) -> Path:
        if not key.isalnum():
            raise FingerprintError(f"not a film key: {key!r}")
        return self.root / key

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Exclusive per film across threads and processes, so two sessions analysing the
        same film do the work once: the second waits, then finds the result."""
        folder = self._dir(key)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- film info ----------------------------------------------------------------
    def save_info(
        self, key: str, info: VideoInfo, *, source: str | os.PathLike[str] | None
    ) -> None:
        previous = self.entry(key)
        record = {
            "info": asdict(info),
            "source": str(source) if source is not None else None,
            "analysed_at": previous.analysed_at if previous else time.time(),
        }
        write_atomic(self._dir(key) / "info.json", json.dumps(record).encode())

    def entry(self, key: str) -> Entry | None:
        try:
            record = json.loads((self._dir(key) / "info.json").read_text())
            return Entry(
                key=key,
                info=VideoInfo(**record["info"]),
                source=record.get("source"),
                analysed_at=float(record["analysed_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError, FingerprintError):
            return None

    def entries(self) -> list[Entry]:
        """Every analysed film, most recent first."""
        found = [self.entry(p.name) for p in self.root.iterdir() if p.is_dir() and p.name.isalnum()]
        return sorted((e for e in found if e), key=lambda e: -e.analysed_at)

    # --- frames -------------------------------------------------------------------
    def _frames_path(self, key: str, params: Params) -> Path:
        return self._dir(key) / f"frames-{_hash(params.decode_key())}.npz"

    def load_samples(self, key: str, params: Params) -> DecodedFrames | None:
        path = self._frames_path(key, params)
        try:
            with np.load(path, allow_pickle=False) as data:
                frames, times, targets = data["frames"], data["times"], data["targets"]
                ended = float(data["ended_at"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # missing, truncated or foreign: rebuilt by the caller
        if (
            frames.ndim != 4
            or frames.shape[-1] != 3
            or not len(frames) == len(times) == len(targets)
        ):
            return None
        return DecodedFrames(
            frames=frames, times=times, targets=targets, ended_at=None if np.isnan(ended) else ended
        )

    def save_samples(self, key: str, params: Params, samples: DecodedFrames) -> None:
        path = self._frames_path(key, params)
        buf = io.BytesIO()
        ended = np.nan if samples.ended_at is None else samples.ended_at
        np.savez(
            buf,
            frames=samples.frames,
            times=samples.times,
            targets=samples.targets,
            ended_at=np.float64(ended),
        )
        write_atomic(path, buf.getbuffer())

    # --- results ------------------------------------------------------------------
    def _result_path(self, key: str, params: Params) -> Path:
        return self._dir(key) / f"result-{_hash(asdict(params))}.json"

    def load_result(self, key: str, params: Params) -> Fingerprint | None:
        try:
            fp = Fingerprint.load(self._result_path(key, params))
        except FingerprintError:
            return None
        return fp if fp.params == params else None

    def save_result(self, key: str, fingerprint: Fingerprint) -> None:
        fingerprint.save(self._result_path(key, fingerprint.params))

    # --- uploads ------------------------------------------------------------------
    def store_upload(self, data: IO[bytes], name: str) -> Path:
        """Copy an uploaded file into the cache (streamed, never whole in memory) and
        return its path; the same content uploaded twice is stored once."""
        uploads = self.root / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=uploads, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(data, out, 1024 * 1024)
            key = content_key(tmp)
            final = uploads / key / (Path(name).name or "upload")
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp, final)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return final
