"""On-disk cache keyed by a film's content: decoded frames, results, uploads, size-capped.

Layout under the cache root (``$FINGERPRINT_CACHE_DIR``, else the user's cache folder)::

    <key>/info.json                   VideoInfo, source path, when first analysed
    <key>/frames-<decode hash>.zst    working-size frames + times (per decode options)
    <key>/result-<params hash>.json   the Fingerprint, in the project's JSON format
    <key>/.lock                       held while a film is analysed (and so never evicted)
    uploads/<key>/<name>              an uploaded film; other names for the same content
                                      are hard links to it, so it is stored once

Every write goes to a temporary file and is renamed into place, so a kill mid-write never
leaves a half-written entry; every read is checked like a file from outside, and anything
unreadable or inconsistent is treated as missing and rebuilt. The cache keeps itself under
a size cap (``$FINGERPRINT_CACHE_MAX_BYTES``, default 2 GB) by evicting the least recently
used frames, results and uploads after each save, never those of a film being analysed.
A cache that cannot be written raises `CacheWriteError`; `analyze` then goes on without it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import platformdirs
import zstandard

from .errors import CacheWriteError, FingerprintError, InvalidParameterError
from .model import UMASK, Fingerprint, Params, VideoInfo, write_atomic
from .sampling import DecodedFrames, working_size

ENV_VAR = "FINGERPRINT_CACHE_DIR"
MAX_BYTES_VAR = "FINGERPRINT_CACHE_MAX_BYTES"
# 2 GB: a small host's disk (a hosted demo has a few GB) still has room for the films and
# the app, and it holds about 35 sets of 1000 frames at 320 px (56 KB per frame stored),
# or one uploaded feature film and its frames.
DEFAULT_MAX_BYTES = 2 * 1000**3
# A temporary file untouched this long, and not locked by its writer, was left by a kill.
STALE_SECONDS = 10 * 60

_UPLOADS = "uploads"  # a folder beside the films' folders, never a film key
_CHUNKS = 64
_CHUNK = 64 * 1024

# Frames files: a magic line, a JSON header line, then the frames, each row replaced by
# the difference of neighbouring pixels (mod 256), compressed with Zstandard level 1.
# Lossless, 2.9x smaller than raw on the shared clips at 0.5 ms per frame to save and
# 0.23 ms to load (bench/cache_frames.py, docs/benchmarks.md).
_FRAMES_MAGIC = b"movie-color-fingerprint frames 1\n"
_FRAMES_LEVEL = 1
_FRAMES_CHUNK = 16  # frames filtered and compressed at a time: bounds the memory a save adds
_HEADER_LIMIT = 16 * 1024 * 1024  # 3000 samples' times take about 0.1 MB

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*", re.IGNORECASE)

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the cache folder is read-only",
    errno.EACCES: "no permission to write the cache folder",
    errno.EPERM: "no permission to write the cache folder",
}


def parse_size(text: str) -> int:
    """Bytes from ``"2G"``, ``"500 MB"``, ``"1.5GiB"`` or ``"2000000"`` (K, M, G, T are
    powers of 1000; with an ``i`` powers of 1024)."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise InvalidParameterError(
            f"cache size {text!r} is not a size: write it like 2G, 500M or 2000000000."
        )
    number, unit, binary = match.groups()
    base = 1024 if binary else 1000
    return int(float(number) * base ** " kmgt".index(unit.lower() or " "))


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


# What the engine makes of a film: bumped whenever decoding or the stored records change
# what an entry holds (2: HDR and wide-gamut frames converted to SDR, and the stream's
# colour description in the film's record), so entries made before are never trusted.
ENGINE_VERSION = 2


def _hash(data: dict[str, Any]) -> str:
    salted = {"engine": ENGINE_VERSION, **data}
    return hashlib.sha256(json.dumps(salted, sort_keys=True).encode()).hexdigest()[:16]


_UNSAVED = "The cache could not be written ({}): results were not saved for next time."
_NOT_STORED = "The film could not be stored ({})."


@contextlib.contextmanager
def _writing(sentence: str = _UNSAVED) -> Iterator[None]:
    """Turn an OS error while writing into `CacheWriteError`, with the one sentence a user
    sees: the reason, never a path."""
    try:
        yield
    except CacheWriteError:
        raise
    except OSError as exc:
        reason = _REASONS.get(exc.errno or 0) or (
            os.strerror(exc.errno).lower() if exc.errno else "it could not be written"
        )
        error = CacheWriteError(sentence.format(reason))
        error.errno = exc.errno  # for callers that word the reason themselves
        raise error from exc


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Entry:
    """A film this cache has analysed: for the app's library list and share links."""

    key: str
    info: VideoInfo
    source: str | None
    analysed_at: float


@dataclass(frozen=True)
class CacheStats:
    """What a cache folder holds: for ``fingerprint cache info``.

    ``films`` analysed films (the library's entries), ``entries`` stored frame sets, results
    and uploads (``uploads`` of them uploads), ``bytes`` on disk in all (temporary files
    included, a hard-linked upload once), ``max_bytes`` the cap.
    """

    films: int
    entries: int
    uploads: int
    bytes: int
    max_bytes: int


@dataclass(frozen=True)
class _Item:
    """Something eviction can remove: a frames or result file, or an upload's folder."""

    key: str
    kind: str  # "frames", "result" or "upload"
    paths: tuple[Path, ...]  # removed in this order (an upload's folder last)
    bytes: int
    used: float


class Cache:
    """A cache folder. Safe to share between threads and processes.

    ``max_bytes`` caps its size (else ``$FINGERPRINT_CACHE_MAX_BYTES``, as bytes or a size
    like ``2G``, else 2 GB). Opening it sweeps temporary files left by kills and evicts down
    to the cap; a folder that cannot be created or written still opens, and only its
    writes fail (with `CacheWriteError`).
    """

    def __init__(
        self, root: str | os.PathLike[str] | None = None, *, max_bytes: int | None = None
    ) -> None:
        root = (
            root
            or os.environ.get(ENV_VAR)
            or platformdirs.user_cache_dir("movie-color-fingerprint")
        )
        self.root = Path(root).expanduser()
        if max_bytes is None:
            env = os.environ.get(MAX_BYTES_VAR)
            max_bytes = parse_size(env) if env else DEFAULT_MAX_BYTES
        if max_bytes < 0:
            raise InvalidParameterError(f"the cache size cap must not be negative ({max_bytes}).")
        self.max_bytes = int(max_bytes)
        self._keys: dict[tuple[str, int, int], str] = {}
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            self.prune()

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
        if not key.isalnum() or key == _UPLOADS:
            raise FingerprintError(f"not a film key: {key!r}")
        return self.root / key

    # --- locks --------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Exclusive per film across threads and processes, so two sessions analysing the
        same film do the work once: the second waits, then finds the result. A held lock
        also keeps the film's entries from eviction. Where no lock file can be made (a
        read-only cache), nothing can be written either, so it runs unlocked."""
        fd = self._acquire(key)
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # releases the flock
        # While locked, the film's older entries were safe from the saves' evictions.
        self.prune()

    def _acquire(self, key: str) -> int | None:
        path = self._dir(key) / ".lock"
        while True:
            fd = self._open_lock(path)
            if fd is None:
                return None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                # Eviction may have removed the film's folder, lock file included, while
                # we waited: then this lock guards nothing, so take the new one.
                if os.fstat(fd).st_ino == os.stat(path).st_ino:
                    return fd
            except FileNotFoundError:
                pass
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)

    @staticmethod
    def _open_lock(path: Path) -> int | None:
        for _ in range(100):  # the folder can vanish between mkdir and open (eviction)
            with contextlib.suppress(OSError):
                path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            except FileNotFoundError:
                continue
            except OSError:
                try:
                    return os.open(path, os.O_RDONLY)  # flock needs no write access
                except OSError:
                    return None
        return None

    @contextlib.contextmanager
    def _try_lock(self, key: str) -> Iterator[bool]:
        """The film's lock if nobody holds it, without waiting: True when taken. The lock
        file is made if missing, so that whoever comes next waits on this one."""
        path = self._dir(key) / ".lock"
        fd = self._open_lock(path)
        if fd is None:
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                taken = os.fstat(fd).st_ino == os.stat(path).st_ino
            except OSError:
                taken = False
            yield taken
        finally:
            os.close(fd)

    # --- film info ----------------------------------------------------------------
    def save_info(
        self, key: str, info: VideoInfo, *, source: str | os.PathLike[str] | None
    ) -> None:
        previous = self.entry(key)
        record = {
            "engine": ENGINE_VERSION,
            "info": asdict(info),
            "source": str(source) if source is not None else None,
            "analysed_at": previous.analysed_at if previous else time.time(),
        }
        with _writing():
            write_atomic(self._dir(key) / "info.json", json.dumps(record).encode())

    def entry(self, key: str) -> Entry | None:
        try:
            record = json.loads((self._dir(key) / "info.json").read_text())
            if record.get("engine") != ENGINE_VERSION:
                return None  # made by an older engine: probed again
            source, analysed_at = record.get("source"), record["analysed_at"]
            if not (source is None or isinstance(source, str)) or not _is_number(analysed_at):
                return None
            return Entry(
                key=key,
                info=VideoInfo(**record["info"]),
                source=source,
                analysed_at=float(analysed_at),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, FingerprintError):
            return None

    def entries(self) -> list[Entry]:
        """Every analysed film, most recent first."""
        found = [self.entry(p.name) for p in self._film_dirs()]
        return sorted((e for e in found if e), key=lambda e: -e.analysed_at)

    def _film_dirs(self) -> list[Path]:
        try:
            return [
                p for p in self.root.iterdir()
                if p.name.isalnum() and p.name != _UPLOADS and p.is_dir()
            ]
        except OSError:
            return []

    # --- frames -------------------------------------------------------------------
    def _frames_path(self, key: str, params: Params) -> Path:
        return self._dir(key) / f"frames-{_hash(params.decode_key())}.zst"

    def load_samples(self, key: str, params: Params) -> DecodedFrames | None:
        """The frames saved for these decode options, or None if missing or not right for
        them (count, working size, times): the caller decodes them again."""
        path = self._frames_path(key, params)
        entry = self.entry(key)
        if entry is None:
            return None  # nothing to check the frames' size against: decode again
        try:
            with open(path, "rb") as fh:
                if fh.readline(len(_FRAMES_MAGIC)) != _FRAMES_MAGIC:
                    return None
                header = json.loads(fh.readline(_HEADER_LIMIT))
                shape, times, targets, ended = self._check_header(header, params, entry.info)
                frames = np.empty(shape, np.uint8)
                with zstandard.ZstdDecompressor().stream_reader(fh) as stream:
                    view, done = memoryview(frames).cast("B"), 0
                    while done < len(view):
                        got = stream.readinto(view[done:])
                        if not got:
                            return None  # truncated
                        done += got
                    if stream.read(1):
                        return None  # more frames than the header says
        except (OSError, ValueError, KeyError, TypeError, zstandard.ZstdError):
            return None  # missing, truncated or foreign: rebuilt by the caller
        np.add.accumulate(frames, axis=2, out=frames)  # undo the row differences
        self._touch(key, path)
        return DecodedFrames(frames=frames, times=times, targets=targets, ended_at=ended)

    @staticmethod
    def _check_header(
        header: Any, params: Params, info: VideoInfo
    ) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray, float | None]:
        """Shape, times, targets and end of a frames file, or ValueError if they do not
        fit each other or the decode options (checked before anything is allocated)."""
        shape = tuple(header["shape"])
        if len(shape) != 4 or not all(isinstance(n, int) and n >= 1 for n in shape):
            raise ValueError("bad shape")
        n, height, width, channels = shape
        expected = working_size(info, params.size)
        if channels != 3 or n > params.samples or (width, height) != expected:
            raise ValueError("frames do not match the decode options")
        times = np.array(header["times"], dtype=np.float64)
        targets = np.array(header["targets"], dtype=np.float64)
        if times.shape != (n,) or targets.shape != (n,):
            raise ValueError("times do not match the frames")
        if not (np.isfinite(times).all() and np.isfinite(targets).all()):
            raise ValueError("times are not finite")
        ended = header["ended_at"]
        if not (ended is None or _is_number(ended)):
            raise ValueError("bad end time")
        return (n, height, width, 3), times, targets, None if ended is None else float(ended)

    def save_samples(self, key: str, params: Params, samples: DecodedFrames) -> None:
        """Stream the frames to disk a few at a time (never a second copy in memory)."""
        frames = samples.frames
        header = {
            "shape": list(frames.shape),
            "times": np.asarray(samples.times, dtype=np.float64).tolist(),
            "targets": np.asarray(samples.targets, dtype=np.float64).tolist(),
            "ended_at": samples.ended_at,
        }
        path = self._frames_path(key, params)
        with _writing(), self._temporary(path) as fh:
            fh.write(_FRAMES_MAGIC + json.dumps(header).encode() + b"\n")
            with zstandard.ZstdCompressor(level=_FRAMES_LEVEL).stream_writer(
                fh, closefd=False
            ) as out:
                diff = np.empty_like(frames[:_FRAMES_CHUNK])
                for lo in range(0, len(frames), _FRAMES_CHUNK):
                    chunk = frames[lo : lo + _FRAMES_CHUNK]
                    part = diff[: len(chunk)]
                    part[:, :, 0] = chunk[:, :, 0]
                    np.subtract(chunk[:, :, 1:], chunk[:, :, :-1], out=part[:, :, 1:])
                    out.write(part)
        self.prune()

    @contextlib.contextmanager
    def _temporary(self, path: Path) -> Iterator[IO[bytes]]:
        """A locked temporary file beside ``path``, renamed onto it when the block ends
        (the lock tells the sweeper it is still being written)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
                os.chmod(tmp, 0o666 & ~UMASK)  # mkstemp makes 0600
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    # --- results ------------------------------------------------------------------
    def _result_path(self, key: str, params: Params) -> Path:
        return self._dir(key) / f"result-{_hash(asdict(params))}.json"

    def load_result(self, key: str, params: Params) -> Fingerprint | None:
        path = self._result_path(key, params)
        try:
            fp = Fingerprint.load(path)
        except FingerprintError:
            return None
        if fp.params != params or len(fp) > params.samples:
            return None
        self._touch(key, path)
        return fp

    def save_result(self, key: str, fingerprint: Fingerprint) -> None:
        with _writing():
            fingerprint.save(self._result_path(key, fingerprint.params))
        self.prune()

    def _touch(self, key: str, path: Path) -> None:
        """Mark an entry, and the film's upload if any, as just used (for eviction; atime
        is not to be trusted: filesystems are mounted noatime or relatime)."""
        for used in (path, self.root / _UPLOADS / key):
            with contextlib.suppress(OSError):
                os.utime(used)

    # --- uploads ------------------------------------------------------------------
    def store_upload(self, data: IO[bytes], name: str) -> Path:
        """Copy an uploaded file into the cache (streamed, never whole in memory) and
        return its path, ``uploads/<key>/<name>``. The same content under another name is
        a hard link to the copy already there: stored once."""
        uploads = self.root / _UPLOADS
        name = Path(name).name
        if name in ("", ".", "..") or len(name.encode()) > 200:
            name = "upload" + Path(name).suffix[:16]
        with _writing(_NOT_STORED):
            uploads.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=uploads, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as out:
                    fcntl.flock(out, fcntl.LOCK_EX)  # being written: the sweeper keeps it
                    shutil.copyfileobj(data, out, 1024 * 1024)
                    out.flush()
                    key = content_key(tmp)
                    fd = self._acquire(key)  # not lock(): its prune could evict the upload
                    try:
                        final = self._place_upload(Path(tmp), uploads / key, name)
                        self.prune()
                    finally:
                        if fd is not None:
                            os.close(fd)
            finally:
                Path(tmp).unlink(missing_ok=True)
        return final

    @staticmethod
    def _place_upload(tmp: Path, folder: Path, name: str) -> Path:
        final = folder / name
        folder.mkdir(exist_ok=True)
        stored = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        if final in stored:
            os.utime(folder)
            return final
        if stored:
            link = folder / f".{name}.link.tmp"
            link.unlink(missing_ok=True)
            try:
                os.link(stored[0], link)
            except OSError:
                return stored[0]  # no hard links here: the first name serves every upload
            os.replace(link, final)
        else:
            os.chmod(tmp, 0o666 & ~UMASK)
            os.replace(tmp, final)
        os.utime(folder)
        return final

    # --- size ---------------------------------------------------------------------
    def info(self) -> CacheStats:
        """What the cache holds now."""
        items, total, _ = self._scan(sweep=False)
        return CacheStats(
            films=sum((p / "info.json").is_file() for p in self._film_dirs()),
            entries=len(items),
            uploads=sum(1 for i in items if i.kind == "upload"),
            bytes=total,
            max_bytes=self.max_bytes,
        )

    def prune(self) -> int:
        """Sweep stale temporary files, then evict least recently used entries until the
        cache is under its cap; a film being analysed keeps its entries. Returns the bytes
        freed. Runs after every save."""
        return self._evict(self.max_bytes, clear=False)

    def clear(self) -> int:
        """Remove everything not in use right now; returns the bytes freed."""
        return self._evict(0, clear=True)

    def _evict(self, target: int, *, clear: bool) -> int:
        try:
            with self._pruning():
                items, total, emptied = self._scan(sweep=True)
                start, busy = total, set()
                for item in sorted(items, key=lambda i: i.used):
                    if total <= target:
                        break
                    if item.key in busy:
                        continue
                    with self._try_lock(item.key) as free:
                        if not free:
                            busy.add(item.key)
                            continue
                        for path in item.paths:
                            with contextlib.suppress(OSError):
                                path.rmdir() if path.is_dir() else path.unlink()
                        total -= item.bytes
                        emptied.add(item.key)
                films = {p.name for p in self._film_dirs()} if clear else emptied - busy
                for key in films:
                    total -= self._drop_film_if_empty(key, clear=clear)
                return start - total
        except OSError:
            return 0  # a read-only cache: nothing could be saved to evict

    @contextlib.contextmanager
    def _pruning(self) -> Iterator[None]:
        """One eviction at a time over the whole cache (it never waits on a film)."""
        with open(self.root / ".prune.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            yield

    def _drop_film_if_empty(self, key: str, *, clear: bool) -> int:
        """Remove a film's folder (info.json, lock) once it holds no frames or results:
        its library entry goes with them. Returns the bytes freed."""
        folder = self._dir(key)
        with self._try_lock(key) as free:
            try:
                names = [p.name for p in folder.iterdir()]
            except OSError:
                return 0
            if not free or any(n.startswith(("frames-", "result-")) for n in names):
                return 0
            if not clear and (self.root / _UPLOADS / key).exists():
                return 0  # its upload is still here: keep its library entry
            freed = 0
            for name in names:
                with contextlib.suppress(OSError):
                    freed += (folder / name).stat().st_size
                    (folder / name).unlink()
            with contextlib.suppress(OSError):
                folder.rmdir()
            return freed

    def _scan(self, *, sweep: bool) -> tuple[list[_Item], int, set[str]]:
        """Evictable items, bytes on disk in all, and the films with nothing evictable
        left. With ``sweep``, stale temporary files are removed on the way."""
        items: list[_Item] = []
        total, empty, now = 0, set(), time.time()
        seen: set[int] = set()  # inodes: hard-linked uploads count once

        def size(path: Path) -> tuple[int, float] | None:
            try:
                st = path.stat()
            except OSError:
                return None
            stale = sweep and _is_temporary(path.name) and now - st.st_mtime > STALE_SECONDS
            if stale and _remove_unless_locked(path):
                return None
            if st.st_ino in seen:
                return 0, st.st_mtime
            seen.add(st.st_ino)
            return st.st_size, st.st_mtime

        for folder in self._film_dirs():
            key, found = folder.name, False
            for path in _files(folder):
                stat = size(path)
                if stat is None:
                    continue
                total += stat[0]
                if path.name.startswith(("frames-", "result-")):
                    kind = path.name.split("-")[0]
                    items.append(_Item(key, kind, (path,), stat[0], stat[1]))
                    found = True
            if not found:
                empty.add(key)
        uploads = self.root / _UPLOADS
        for path in _files(uploads):
            stat = size(path)  # sweeps uploads/*.part
            total += stat[0] if stat else 0
        for folder in _dirs(uploads):
            if not folder.name.isalnum():
                continue
            paths, nbytes = [], 0
            for path in _files(folder):
                stat = size(path)
                if stat is not None:
                    paths.append(path)
                    nbytes += stat[0]
            with contextlib.suppress(OSError):
                used = folder.stat().st_mtime
                items.append(_Item(folder.name, "upload", (*paths, folder), nbytes, used))
            total += nbytes
        for path in _files(self.root):
            stat = size(path)
            total += stat[0] if stat else 0
        return items, total, empty


def _files(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []


def _dirs(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir()]
    except OSError:
        return []


def _is_temporary(name: str) -> bool:
    return (name.startswith(".") and name.endswith(".tmp")) or name.endswith(".part")


def _remove_unless_locked(path: Path) -> bool:
    """Remove a temporary file unless its writer still holds its lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
