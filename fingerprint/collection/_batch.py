"""Many films at once: each film one task on a Dask cluster, results and an index in DIR.

Layout of the output folder::

    DIR/films/<name>-<key>.json, .csv, .png   one film's fingerprint, CSV and poster
    DIR/collection.json                      the index (format below), rewritten atomically
    DIR/collection.csv                       one row per film
    DIR/index/part-NNNNNN.parquet            the search index (`_index.py`)

Workers read their own films and write their own ``films/`` files (the client only sends
paths and receives about 46 kB per film of 1,000 moments, most of it the film's row of
the search index), so on a cluster both the films and DIR must
be on a filesystem every worker sees at the same paths. A film's JSON is written last and
is its commit mark: a film whose JSON loads with the same options is done, whatever
happened to the client or to the index since, and is never analysed again; a per-film lock
(check, lock, check again, as `analyze` does with its cache) keeps two copies of one film
in one run from being analysed twice.

The index (``collection.json``, its format, and ``collection.csv``) is `batch_index.py`'s.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import os
import resource
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .._cores import limited_cores, usable_cores
from .._extras import missing_extra

try:
    import dask
    import psutil
    from distributed import Client, Future, KilledWorker, LocalCluster, wait
except ImportError as exc:
    raise missing_extra("batch") from exc

from .._files import check_file
from .._memory import limit_arenas
from .._outputs import Outputs, is_complete, poster_frames, write_outputs
from .._pipeline import analyze
from ..cache._cache import content_key
from ..compare._compare import film_palette
from ..errors import FingerprintError, InvalidParameterError
from ..model import Fingerprint
from ..params import Params
from ._batch_index import BatchIndex, FilmOutcome, Status, one_line
from ._index import film_record

__all__ = [
    "CRASH_ENV",
    "BatchSummary",
    "check_out",
    "connect",
    "find_films",
    "process_film",
    "run_batch",
]

#: TEST ONLY: a worker analysing a film with this file name exits at once (``os._exit``),
#: as a segfault or the out-of-memory killer would end it; tests/test_batch.py uses it.
CRASH_ENV = "FINGERPRINT_TEST_CRASH_ON"

# Times a film may take its worker down before it is failed (the scheduler's
# allowed-failures: attempts = this + 1). A film that crashes a worker once will do so
# again; a second try covers a worker killed for an unrelated reason.
_ALLOWED_FAILURES = 2
# Scheduler settings for the batches it runs: one task per worker thread at a time
# (worker-saturation 1.0 queues the rest on the scheduler), so a worker holds one film in
# memory, and a dying worker takes down only the film it was running.
_DASK_CONFIG = {
    "distributed.scheduler.allowed-failures": _ALLOWED_FAILURES,
    "distributed.scheduler.worker-saturation": 1.0,
    # Dask's nanny also sets MALLOC_TRIM_THRESHOLD_=65536 in its workers; any fixed trim
    # threshold turns off glibc's dynamic mmap threshold, so every large array is mapped
    # and faulted in afresh: the 2-hour film took 25.5 s of CPU instead of 13.3 s
    # (bench/batch.py, docs/benchmarks.md). None unsets it (Dask's own rule).
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}
# How often the client looks at which films are running (seconds).
_POLL = 0.5


@dataclass(frozen=True)
class BatchSummary:
    outcomes: tuple[FilmOutcome, ...]
    cancelled: bool = False

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    def line(self) -> str:
        """``N done, M skipped, K failed``."""
        return ", ".join(f"{self.count(s)} {s}" for s in ("done", "skipped", "failed"))


# --- finding the films (client side: names only, no film is opened) ---------------------
def find_films(
    paths: Sequence[str | os.PathLike[str]], *, exclude: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Absolute paths of the films named by ``paths``: a file as given, a folder searched
    recursively (every file but hidden ones: a file that is not a video fails in its task,
    with its reason), ``@list.txt`` one path a line (blank lines and ``#`` comments
    skipped, relative paths taken from the list's folder). ``exclude`` (the output
    folder) is never searched. Duplicates are dropped, the first order kept."""
    skip = Path(exclude).resolve() if exclude is not None else None
    found: list[Path] = []
    for given in paths:
        text = os.fspath(given)
        if text.startswith("@"):
            listing = Path(text[1:])
            try:
                lines = listing.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise InvalidParameterError(f"cannot read the film list {listing}: {exc}") from exc
            entries = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
            found += find_films([listing.parent / e for e in entries], exclude=exclude)
            continue
        path = Path(text).absolute()
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                here = Path(root)
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip
                )
                found += [here / f for f in sorted(files) if not f.startswith(".")]
        else:
            found.append(path)
    return list(dict.fromkeys(found))


# --- one film (runs on a worker) ----------------------------------------------------------
def process_film(
    source: str, *, out: str, params: Params, output: Outputs, since: float = math.inf
) -> FilmOutcome:
    """Fingerprint one film into ``out/films/`` unless its result is already there.

    A result written at or after ``since`` (the run's start) counts as done in this run,
    not skipped: Dask runs a task again when the worker holding its result dies.

    Runs on a Dask worker; returns a small `FilmOutcome` (no frames, no fingerprint). A
    film that cannot be used returns status ``failed`` with the library's one-line reason.
    """
    if os.environ.get(CRASH_ENV) and os.environ[CRASH_ENV] == Path(source).name:
        os._exit(70)  # test-only: see CRASH_ENV
    # Workers are one per core: a film's decoders and k-means workers are not also one
    # per core each (exact mode's would be the cores squared).
    with limited_cores(1):
        return _process_film(source, out=out, params=params, output=output, since=since)


def _process_film(
    source: str, *, out: str, params: Params, output: Outputs, since: float
) -> FilmOutcome:
    """`process_film`'s work, inside its worker's one-core limit."""
    started, cpu_started, read_started = time.monotonic(), time.process_time(), _read_bytes()

    def record(action: str) -> dict[str, Any]:
        return {
            "action": action,
            "seconds": round(time.monotonic() - started, 3),
            "cpu_seconds": round(time.process_time() - cpu_started, 3),
            "read_bytes": _read_bytes() - read_started,
            # The worker process's peak so far: it runs one film at a time, so this bounds
            # the film's own peak from above.
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "worker": socket.gethostname(),
            "at": time.time(),
        }

    try:
        path = check_file(source)
        key = content_key(path)
        stem = f"films/{path.stem}-{key}"
        base = Path(out) / stem
        fp = _load_done(base, params)
        action = "skipped"
        if fp is None:
            with _lock(base):
                fp = _load_done(base, params)  # a copy of this film may have just made it
                if fp is None:
                    limit_arenas()  # fingerprint._memory; the worker is this library's
                    fp = analyze(path, params=params, cache=None)
                    frames = poster_frames(path, fp, output.poster, cache=None)
                    write_outputs(base, fp, output, frames=frames)
                    action = "analysed"
        palette = film_palette(fp)
        written = base.with_name(base.name + ".json").stat().st_mtime
        # Sent even for a skipped film: the client keeps it only if its index lacks it.
        row = film_record(
            fp, source=source, key=key, json_path=f"{stem}.json", analysed_at=written,
            palette=palette,
        )
        return FilmOutcome(
            source=source,
            status="done" if action == "analysed" or written >= since else "skipped",
            key=key,
            stem=stem,
            video=asdict(fp.video),
            palette=tuple(palette.pairs()),
            warnings=fp.warnings,
            analysed_at=written,
            record=record(action),
            index_row=row,
        )
    except FingerprintError as exc:
        return FilmOutcome(
            source=source, status="failed", reason=one_line(exc), record=record("failed")
        )
    except OSError as exc:
        reason = f"cannot write results: {exc.strerror or exc}"
        return FilmOutcome(source=source, status="failed", reason=reason, record=record("failed"))


def _load_done(base: Path, params: Params) -> Fingerprint | None:
    """The film's finished result, when all its files are there and its JSON loads with
    these options (as fitted to the film); None otherwise (missing, half-written or other
    options)."""
    if not is_complete(base):
        return None
    try:
        fp = Fingerprint.load(base.with_name(base.name + ".json"))
    except FingerprintError:
        return None
    return fp if fp.params == params.fitted(fp.video)[0] else None


@contextlib.contextmanager
def _lock(base: Path) -> Iterator[None]:
    base.parent.mkdir(parents=True, exist_ok=True)
    with open(base.parent / f".{base.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_bytes() -> int:
    """Bytes this process has read through system calls (page-cache hits included)."""
    try:
        return int(psutil.Process().io_counters().read_chars)
    except (AttributeError, psutil.Error):
        return 0


# --- the cluster --------------------------------------------------------------------------
@contextlib.contextmanager
def connect(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A Dask client: on the scheduler at ``scheduler`` (``tcp://host:8786``), or on a new
    `LocalCluster` of ``workers`` process workers (default: one per core), one thread each.

    The batch settings (allowed failures, one film per worker) apply to a local cluster;
    an existing scheduler must be started with them (README: "Batches on a cluster").
    """
    with dask.config.set(_DASK_CONFIG):
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise InvalidParameterError(
                    f"cannot reach the Dask scheduler at {scheduler}: {one_line(exc)}. "
                    f"Is `dask scheduler` running there?"
                ) from exc
            with client:
                yield client
            return
        if workers is not None and workers < 1:
            raise InvalidParameterError(f"workers must be at least 1, not {workers}.")
        with (
            LocalCluster(
                n_workers=workers or usable_cores(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":8787",  # the usual port; another when taken
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client


# --- the batch (client side) ----------------------------------------------------------------
def check_out(out: str | os.PathLike[str], *, params: Params, output: Outputs) -> None:
    """Raise `InvalidParameterError` unless ``out`` is new or holds a batch with these very
    options (so a resume cannot mix options): call it before starting a cluster."""
    BatchIndex.open(Path(out), params, output)


ProgressCallback = Callable[[int, int, Sequence[str], FilmOutcome | None], None]


def run_batch(
    films: Sequence[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str],
    client: Client,
    params: Params | None = None,
    output: Outputs | None = None,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BatchSummary:
    """Fingerprint ``films`` (paths as `find_films` gives them) on ``client``'s cluster
    into ``out``, one task per film, and keep ``out/collection.json`` up to date.

    ``on_progress(finished, total, running, outcome)`` is called when a film finishes
    (``outcome`` is its `FilmOutcome`) and every half second with the films now running
    (``outcome`` None). ``should_stop()`` returning True cancels the films not yet finished.
    Raises `InvalidParameterError` when ``out`` holds a batch made with other options.
    """
    params = params or Params()
    output = output or Outputs()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    index = BatchIndex.open(out, params, output)
    run = index.start_run(client)
    sources = [str(Path(f).absolute()) for f in films]
    started = time.time()
    token = uuid.uuid4().hex[:8]
    names = {f"film-{token}-{i}": Path(s).name for i, s in enumerate(sources)}
    futures = client.map(
        process_film,
        sources,
        key=list(names),
        out=str(out.absolute()),
        params=params,
        output=output,
        since=started,
        pure=False,
        retries=0,
    )
    total = len(futures)
    # Only unfinished futures are kept: a finished film's result is released at once.
    source_of = dict(zip(futures, sources, strict=True))
    pending: set[Future] = set(futures)
    del futures
    outcomes: list[FilmOutcome] = []
    cancelled = False
    try:
        while pending:
            if should_stop is not None and should_stop():
                client.cancel(list(pending))
                cancelled = True
                break
            try:
                finished, pending = wait(pending, timeout=_POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                finished = set()
            for future in finished:
                outcome = _outcome(future, source_of.pop(future))
                outcomes.append(outcome)
                index.add(outcome, run)
                if on_progress:
                    on_progress(len(outcomes), total, _running(client, names), outcome)
            if not finished and on_progress:
                on_progress(len(outcomes), total, _running(client, names), None)
            index.save(force=False)
    finally:
        index.finish_run(run)
        index.save(force=True)
    return BatchSummary(outcomes=tuple(outcomes), cancelled=cancelled)


def _outcome(future: Future, source: str) -> FilmOutcome:
    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        reason = "cancelled before it finished"
    elif isinstance(exc := future.exception(), KilledWorker):
        # The scheduler's allowed-failures decides how often: on a cluster it is its own.
        reason = "its worker died each time it was tried (a crash, or out of memory)"
    else:
        reason = f"internal error ({type(exc).__name__}: {one_line(exc)}); please report it"
    return FilmOutcome(
        source=source,
        status="failed",
        reason=reason,
        record={"action": "failed", "at": time.time()},
    )


def _running(client: Client, names: dict[str, str]) -> list[str]:
    try:
        processing = client.processing()
    except (OSError, TimeoutError):
        return []
    return sorted(names[k] for keys in processing.values() for k in keys if k in names)
