"""On-disk cache keyed by a film's content: decoded frames, results, uploads, size-capped.

Layout under the cache root (``$FINGERPRINT_CACHE_DIR``, else the user's cache folder)::

    <key>/info.json                   VideoInfo, source path, when first analysed
    <key>/frames-<decode hash>.zst    working-size frames + times (per decode options)
    <key>/colours-<hash>.zst          the frames' colour summary (per decode options and
                                      crop): what another k or colour space reclusters
    <key>/result-<params hash>.json   the Fingerprint, in the project's JSON format
    <key>/shots-<span>-<crop>.zst     shot boundaries and pixels (hashes: span, seed and
                                      detector tuning; crop)
    <key>/loudness-<decode hash>.json the sound print at the frames' times
    <key>/thumbs-<hash>.zst           shots' middle frames at one size (the colour script)
    <key>/.lock                       held while a film is analysed (and so never evicted)
    uploads/<key>/<name>              an uploaded film; other names for the same content
                                      are hard links to it, so it is stored once

Every write goes to a temporary file and is renamed into place, so a kill mid-write never
leaves a half-written entry; every read is checked like a file from outside, and anything
unreadable or inconsistent is treated as missing and rebuilt. The cache keeps itself under
a size cap (``$FINGERPRINT_CACHE_MAX_BYTES``, default 2 GB) by evicting the least recently
used entries and uploads after each save, never those of a film being analysed.
A cache that cannot be written raises `CacheWriteError`; `analyze` then goes on without it.
Formats: frames `_frames`, colour summaries `_summary`, shots `_shots`, sound `_loudness`,
thumbnails `_thumbnails`; keys `_keys`, locks
`_locks`, the cap `_size`, eviction `_evict`, uploads `_uploads`, what a failed write says
`_errors`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import platformdirs

from .._atomic import UMASK, write_atomic
from ..decode._frames import DecodedFrames, HeldFrames
from ..errors import FingerprintError, InvalidParameterError
from ..model import Fingerprint, VideoInfo, is_number
from ..palette._summary import ColorSummary
from ..params import Params
from ..shots._find import shot_options, shots_key
from ..shots._pixels import ShotPixels
from ._errors import writing
from ._evict import evict
from ._frames import read_frames, write_frames
from ._keys import content_key
from ._locks import acquire, try_lock
from ._loudness import loudness_bytes, read_loudness
from ._shots import read_shots, write_shots
from ._size import DEFAULT_MAX_BYTES, MAX_BYTES_VAR, parse_size, scan
from ._summary import SUMMARY_VERSION, read_summary, write_summary
from ._uploads import UPLOADS, store_upload

ENV_VAR = "FINGERPRINT_CACHE_DIR"

# What the engine makes of a film: bumped whenever decoding or the stored records change
# what an entry holds (2: HDR and wide-gamut frames converted to SDR, and the stream's
# colour description in the film's record; 3: palettes from 16 restarts; 4: samples
# point-scaled to the working size), so entries made before are never trusted.
ENGINE_VERSION = 4
# What a result's palettes are made by, beside ENGINE_VERSION (which would also discard
# the frames): bumped when the same options give other palettes (2: k-means on colour
# histograms, issue 18), so results made before are made again from the cached frames.
RESULT_VERSION = 2


def _hash(data: dict[str, Any]) -> str:
    salted = {"engine": ENGINE_VERSION, **data}
    return hashlib.sha256(json.dumps(salted, sort_keys=True).encode()).hexdigest()[:16]


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

    ``films`` analysed films (the library's entries), ``entries`` stored frame sets, shots,
    thumbnails, results and uploads (``uploads`` of them uploads), ``bytes`` on disk in all
    (temporary files included, a hard-linked upload once), ``max_bytes`` the cap.
    """

    films: int
    entries: int
    uploads: int
    bytes: int
    max_bytes: int


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
        if not key.isalnum() or key == UPLOADS:
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
        return acquire(self._dir(key) / ".lock")

    def _try_lock(self, key: str) -> contextlib.AbstractContextManager[bool]:
        return try_lock(self._dir(key) / ".lock")

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
        with writing():
            write_atomic(self._dir(key) / "info.json", json.dumps(record).encode())

    def entry(self, key: str) -> Entry | None:
        try:
            record = json.loads((self._dir(key) / "info.json").read_text())
            if record.get("engine") != ENGINE_VERSION:
                return None  # made by an older engine: probed again
            source, analysed_at = record.get("source"), record["analysed_at"]
            if not (source is None or isinstance(source, str)) or not is_number(analysed_at):
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
                if p.name.isalnum() and p.name != UPLOADS and p.is_dir()
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
        samples = read_frames(path, params=params, info=entry.info)
        if samples is not None:
            self._touch(key, path)
        return samples

    def has_frames(self, key: str, params: Params) -> bool:
        """Whether frames are stored for these decode options (unchecked: for the app's
        queue, whether an analysis decodes at length)."""
        return self._frames_path(key, params).is_file()

    @contextlib.contextmanager
    def saving_samples(
        self, key: str, params: Params, held: HeldFrames
    ) -> Iterator[None]:
        """Write the frames held compressed to disk now, under a temporary name that
        becomes theirs when the block ends without an error (with one, the file is
        removed): a run unpacks and drops its frames before clustering, yet caches them
        only if it completes."""
        path = self._frames_path(key, params)
        with writing(), self._temporary(path) as fh:
            write_frames(fh, held)
            del held  # this generator's frame would hold them until the block ends
            yield
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

    # --- colour summaries ---------------------------------------------------------
    def _summary_path(self, key: str, params: Params) -> Path:
        options = {**params.decode_key(), "crop": params.crop, "summary": SUMMARY_VERSION}
        return self._dir(key) / f"colours-{_hash(options)}.zst"

    def load_summary(self, key: str, params: Params) -> ColorSummary | None:
        """The colour summary saved for these decode options and crop, or None if missing
        or not right for them: the caller summarises the frames again."""
        entry = self.entry(key)
        if entry is None:
            return None
        path = self._summary_path(key, params)
        summary = read_summary(path, params=params, info=entry.info)
        if summary is not None:
            self._touch(key, path)
        return summary

    def save_summary(self, key: str, params: Params, summary: ColorSummary) -> None:
        path = self._summary_path(key, params)
        with writing(), self._temporary(path) as fh:
            write_summary(fh, summary)
        self.prune()

    # --- shots --------------------------------------------------------------------
    def _shots_path(self, key: str, request: dict[str, Any]) -> Path:
        # The crop hashed apart: `has_shots` asks before the frames say what it is.
        rest = {name: value for name, value in request.items() if name != "crop"}
        return self._dir(key) / f"shots-{_hash(rest)}-{_hash({'crop': request['crop']})}.zst"

    def has_shots(self, key: str, params: Params) -> bool:
        """Whether shots were found over the span of ``params`` with its seed, for some
        crop (unchecked: for the app's queue, whether an analysis decodes at length)."""
        path = self._shots_path(key, shots_key(**shot_options(params, None)))
        return any(path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.zst"))

    def load_shots(self, key: str, request: dict[str, Any]) -> ShotPixels | None:
        """The shots found for ``request`` (`shots.shots_key`), or None if missing or
        damaged: the caller decodes them again."""
        path = self._shots_path(key, request)
        found = read_shots(path, request=request)
        if found is not None:
            self._touch(key, path)
        return found

    def save_shots(self, key: str, request: dict[str, Any], found: ShotPixels) -> None:
        path = self._shots_path(key, request)
        with writing(), self._temporary(path) as fh:
            write_shots(fh, found, request=request)
        self.prune()

    # --- the sound print -------------------------------------------------------------
    def _loudness_path(self, key: str, params: Params) -> Path:
        return self._dir(key) / f"loudness-{_hash(params.decode_key())}.json"

    def load_loudness(self, key: str, params: Params, times: np.ndarray) -> np.ndarray | None:
        """The sound print saved for these decode options, if measured at exactly
        ``times``; else None (the caller measures it again)."""
        path = self._loudness_path(key, params)
        levels = read_loudness(path, times)
        if levels is not None:
            self._touch(key, path)
        return levels

    def save_loudness(self, key: str, params: Params, times: np.ndarray,
                      levels: np.ndarray) -> None:
        with writing():
            write_atomic(self._loudness_path(key, params), loudness_bytes(times, levels))
        self.prune()

    # --- results ------------------------------------------------------------------
    def _result_path(self, key: str, params: Params) -> Path:
        options = {**asdict(params), "result": RESULT_VERSION}
        return self._dir(key) / f"result-{_hash(options)}.json"

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
        with writing():
            fingerprint.save(self._result_path(key, fingerprint.params))
        self.prune()

    def _touch(self, key: str, path: Path) -> None:
        """Mark an entry, and the film's upload if any, as just used (for eviction; atime
        is not to be trusted: filesystems are mounted noatime or relatime)."""
        for used in (path, self.root / UPLOADS / key):
            with contextlib.suppress(OSError):
                os.utime(used)

    # --- uploads ------------------------------------------------------------------
    def store_upload(self, data: IO[bytes], name: str) -> Path:
        """Copy an uploaded file into the cache (streamed, never whole in memory) and
        return its path, ``uploads/<key>/<name>``. The same content under another name is
        a hard link to the copy already there: stored once."""
        return store_upload(self, data, name)

    # --- size ---------------------------------------------------------------------
    def info(self) -> CacheStats:
        """What the cache holds now."""
        items, total, _ = scan(self._film_dirs(), self.root / UPLOADS, self.root, sweep=False)
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
        return evict(self, self.max_bytes, clear=False)

    def clear(self) -> int:
        """Remove everything not in use right now; returns the bytes freed."""
        return evict(self, 0, clear=True)

