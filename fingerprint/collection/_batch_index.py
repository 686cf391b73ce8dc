"""A batch's index in its output folder: ``collection.json`` and ``collection.csv``, made
of one `FilmOutcome` per film and run, kept in memory and written atomically.

Index (``collection.json``)::

    {"format": "movie-color-fingerprint-collection", "version": 1,
     "options": {"params": {...Params...}, "output": {...Outputs...}},
     "runs": [{"run": 1, "started": t, "finished": t or null, "scheduler": ..., "workers": n}],
     "films": [{"source": "/abs/film.mp4", "key": "...", "status": "done" | "skipped" | "failed",
                "reason": "one line" or null,
                "files": {"json": "films/...", "csv": ..., "png": ...},
                "video": {...VideoInfo...}, "palette": [{"color": "#rrggbb", "share": s}, ...],
                "seconds": s, "analysed_at": t, "warnings": [...],
                "runs": [{"run": 1, "action": "analysed" | "skipped" | "failed", "seconds": s,
                          "cpu_seconds": s, "read_bytes": n, "peak_rss_bytes": n, "worker": ...}]}]}

Times are Unix seconds. ``runs`` per film is the history: a film is analysed at most once
for one DIR, which the records show.

Beside it, the search index (``DIR/index/*.parquet``, `_index.py`): every finished film's
row, sent back by its worker as ``FilmOutcome.index_row``, written by `IndexWriter`.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._atomic import write_atomic
from .._outputs import Outputs
from ..errors import FingerprintError, FingerprintFormatError, InvalidParameterError
from ..params import Params
from ._collection import INDEX_FORMAT, INDEX_VERSION
from ._index import FilmRecord
from ._index_writer import IndexWriter

if TYPE_CHECKING:
    from distributed import Client

# The index is rewritten at most every _INDEX_INTERVAL seconds, and at most
# 1/_INDEX_SHARE of the client's time (with 10,000 films it is megabytes); a lost update
# costs nothing: the films' JSON files are the truth, and a rerun rebuilds the index.
_INDEX_INTERVAL = 2.0
_INDEX_SHARE = 20

Status = Literal["done", "skipped", "failed"]


@dataclass(frozen=True)
class FilmOutcome:
    """What became of one film in one run; ``record`` is its run record for the index."""

    source: str
    status: Status
    reason: str | None = None
    key: str | None = None
    stem: str | None = None  # "films/<name>-<key>", relative to DIR
    video: dict[str, Any] | None = None
    palette: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()
    analysed_at: float | None = None
    record: dict[str, Any] = field(default_factory=dict)
    index_row: FilmRecord | None = None  # the film's row of the search index


def one_line(exc: BaseException) -> str:
    """An exception as one line of text: for an index record's reason and for messages."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


# Every option at its default: what an index written before an option existed ran with.
_DEFAULTS = json.loads(json.dumps({"params": asdict(Params()), "output": asdict(Outputs())}))


def _with_defaults(stored: Any, defaults: Any) -> Any:
    """``stored`` options with each option they lack (added since they were written) at
    its default, so a folder made before an option existed resumes with it unset."""
    if not isinstance(stored, dict) or not isinstance(defaults, dict):
        return stored
    filled = {key: _with_defaults(value, defaults.get(key)) for key, value in stored.items()}
    return {**{k: v for k, v in defaults.items() if k not in stored}, **filled}


class BatchIndex:
    """``collection.json`` and ``collection.csv``, kept in memory, written atomically."""

    def __init__(self, out: Path, data: dict[str, Any]) -> None:
        self.out, self.data = out, data
        self.films = {f["source"]: f for f in data["films"]}
        self.saved, self.interval = 0.0, _INDEX_INTERVAL
        self.search_index = IndexWriter(out)

    @classmethod
    def open(cls, out: Path, params: Params, output: Outputs) -> BatchIndex:
        options = {"params": asdict(params), "output": asdict(output)}
        options = json.loads(json.dumps(options))  # tuples as lists, as they come back
        path = out / "collection.json"
        if not path.exists():
            return cls(
                out,
                {
                    "format": INDEX_FORMAT,
                    "version": INDEX_VERSION,
                    "options": options,
                    "runs": [],
                    "films": [],
                },
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != INDEX_FORMAT or data.get("version") != INDEX_VERSION:
                raise FingerprintFormatError(
                    f"{path} is not a {INDEX_FORMAT} index, version {INDEX_VERSION}."
                )
            data["films"], data["runs"] = list(data["films"]), list(data["runs"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, FingerprintError) as exc:
            raise InvalidParameterError(
                f"the output folder's index cannot be read ({one_line(exc)}); "
                f"choose another --out folder, or delete its collection.json to rebuild it."
            ) from exc
        if _with_defaults(data.get("options"), _DEFAULTS) != options:
            raise InvalidParameterError(
                "the output folder holds a batch made with other options; run with the same "
                "options to resume it, or choose another --out folder."
            )
        return cls(out, data)

    def start_run(self, client: Client) -> int:
        run = 1 + max((r["run"] for r in self.data["runs"]), default=0)
        info = client.scheduler_info()
        self.data["runs"].append(
            {
                "run": run,
                "started": time.time(),
                "finished": None,
                "scheduler": info.get("address"),
                "workers": len(info.get("workers", {})),
            }
        )
        self.save(force=True)
        return run

    def finish_run(self, run: int) -> None:
        for r in self.data["runs"]:
            if r["run"] == run:
                r["finished"] = time.time()

    def add(self, outcome: FilmOutcome, run: int) -> None:
        entry = self.films.get(outcome.source)
        if entry is None:
            entry = {"source": outcome.source, "runs": []}
            self.films[outcome.source] = entry
            self.data["films"].append(entry)
        entry["runs"].append({"run": run, **outcome.record})
        entry.update(status=outcome.status, reason=outcome.reason)
        if outcome.status == "failed":
            return
        assert outcome.stem is not None
        if outcome.index_row is not None:
            self.search_index.add(outcome.index_row)
        entry.update(
            key=outcome.key,
            files={ext: f"{outcome.stem}.{ext}" for ext in ("json", "csv", "png")},
            video=outcome.video,
            palette=[{"color": c, "share": round(s, 6)} for c, s in outcome.palette],
            seconds=outcome.record.get("seconds")
            if outcome.status == "done"
            else entry.get("seconds"),
            analysed_at=outcome.analysed_at,
            warnings=list(outcome.warnings),
        )

    def save(self, *, force: bool) -> None:
        # The search index writes a part when it has enough films (its own rule).
        self.search_index.flush(force=force)
        now = time.monotonic()
        if not force and now - self.saved < self.interval:
            return
        write_atomic(self.out / "collection.csv", self._csv().encode())
        write_atomic(self.out / "collection.json", json.dumps(self.data, indent=1).encode())
        self.saved = time.monotonic()
        self.interval = max(_INDEX_INTERVAL, _INDEX_SHARE * (self.saved - now))

    def _csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(
            [
                "name",
                "source",
                "key",
                "status",
                "reason",
                "duration",
                "width",
                "height",
                "fps",
                "palette",
                "shares",
                "seconds",
                "json",
            ]
        )
        for f in self.data["films"]:
            video = f.get("video") or {}
            palette = f.get("palette") or []
            writer.writerow(
                [
                    Path(f["source"]).name,
                    f["source"],
                    f.get("key", ""),
                    f["status"],
                    f.get("reason") or "",
                    video.get("duration", ""),
                    video.get("width", ""),
                    video.get("height", ""),
                    video.get("fps", ""),
                    " ".join(p["color"] for p in palette),
                    " ".join(f"{p['share']:.4f}" for p in palette),
                    f.get("seconds", ""),
                    (f.get("files") or {}).get("json", ""),
                ]
            )
        return buf.getvalue()
