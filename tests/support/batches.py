"""Synthetic batch folders: what `fingerprint batch --out DIR` leaves (``collection.json``
and ``films/*.json``), for films that never existed, so the Collection page and its
benchmark get any number of films in seconds. Known colours: film i drifts from one hue
to another over its running time, warm films and cool films alternate.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from fingerprint import Fingerprint, Params, VideoInfo
from fingerprint.collection._collection import INDEX_FORMAT, INDEX_VERSION
from fingerprint.collection._index import film_record
from fingerprint.collection._index_writer import IndexWriter
from fingerprint.compare._compare import film_palette

WARM = np.array([(230, 120, 30), (200, 60, 40), (240, 170, 60)], np.float64)
COOL = np.array([(20, 150, 160), (40, 80, 200), (60, 130, 220)], np.float64)


def synthetic_fingerprint(i: int, *, samples: int = 200, k: int = 5, seed: int = 0) -> Fingerprint:
    """Film ``i``: warm if ``i`` is even, cool if odd, its colours drifting over time,
    lasting 20 minutes to 3 hours."""
    rng = np.random.default_rng(seed * 100_003 + i)
    base = WARM if i % 2 == 0 else COOL
    start, end = base[rng.integers(3)], base[rng.integers(3)]
    t = np.linspace(0, 1, samples)[:, None, None]
    colors = start * (1 - t) + end * t + rng.normal(0, 18, (samples, k, 3))
    colors = np.clip(colors, 0, 255).astype(np.uint8)
    shares = -np.sort(-rng.dirichlet(np.ones(k), samples), axis=1)
    duration = float(rng.uniform(1200, 10800))
    info = VideoInfo(
        name=f"film {i:04d}.mp4", duration=duration, fps=24.0, frame_count=None,
        width=1920, height=1080, codec="h264", pix_fmt="yuv420p", rotation=0, stream_index=0,
    )
    return Fingerprint(
        video=info, params=Params(samples=samples, clusters=k),
        times=(np.arange(samples) + 0.5) * duration / samples, colors=colors, shares=shares,
        average=colors[:, 0].copy(),
    )


def write_batch(
    out: Path, count: int, *, samples: int = 200, k: int = 5, sources: Path | None = None,
    search_index: bool = True,
) -> list[Fingerprint]:
    """A batch folder of ``count`` synthetic films in ``out``, with its search index
    unless ``search_index`` is False; their sources are named under ``sources`` (default
    ``/films``; nothing is written there)."""
    (out / "films").mkdir(parents=True, exist_ok=True)
    sources = sources or Path("/films")
    fingerprints, films = [], []
    writer = IndexWriter(out)
    now = time.time()
    for i in range(count):
        fp = synthetic_fingerprint(i, samples=samples, k=k)
        key = hashlib.sha256(f"synthetic {i}".encode()).hexdigest()[:24]
        stem = f"films/film-{i:04d}-{key}"
        fp.save(out / f"{stem}.json")
        palette = film_palette(fp)
        films.append({
            "source": str(sources / fp.video.name), "key": key, "status": "done", "reason": None,
            "files": {ext: f"{stem}.{ext}" for ext in ("json", "csv", "png")},
            "video": asdict(fp.video),
            "palette": [{"color": c, "share": round(s, 6)} for c, s in palette.pairs()],
            "seconds": 1.0, "analysed_at": now - i, "warnings": [], "runs": [],
        })
        fingerprints.append(fp)
        if search_index:
            writer.add(film_record(fp, source=films[-1]["source"], key=key,
                                   json_path=f"{stem}.json", analysed_at=now - i,
                                   palette=palette))
    writer.flush(force=True)
    index = {
        "format": INDEX_FORMAT, "version": INDEX_VERSION,
        "options": {"params": asdict(Params(samples=samples, clusters=k)), "output": {}},
        "runs": [], "films": films,
    }
    (out / "collection.json").write_text(json.dumps(index), encoding="utf-8")
    return fingerprints


def put_film(out: Path, i: int, fp: Fingerprint, source: Path, key: str) -> None:
    """Make film ``i`` of the batch folder ``out`` the file ``source`` (content ``key``,
    fingerprint ``fp``), as a batch that analysed it would leave it: its entry in
    collection.json and its row in the search index (the film it replaces keeps its old
    row, under its old source, which collection.json no longer lists)."""
    path = out / "collection.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["films"][i].update(source=str(source), key=key)
    path.write_text(json.dumps(index), encoding="utf-8")
    writer = IndexWriter(out)
    writer.add(film_record(fp, source=str(source), key=key,
                           json_path=index["films"][i]["files"]["json"], analysed_at=0.0))
    writer.flush(force=True)
