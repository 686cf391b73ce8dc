"""The synthetic archive bench/search.py and bench/collection_page.py measure: a batch
folder of N films (10,000 by default) x 1,000 moments x 5 colours, written straight into
the search index's format (no film is analysed), with collection.json listing them as
done and, with ``jsons``, every film's fingerprint JSON; then what `fingerprint batch`
does at its end (the neighbour cache built, the strips decoded). Run it through
``bench/search.py make``.

Each film has 4-8 scenes, each a palette of 5 colours (dark and muted more often than
bright, as films are) that its moments jitter around, shares from a Dirichlet; the strip
thumbnail is drawn from the moments; parts of 500 films, then merged, as a batch does.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from fingerprint.collection._index import (
    SHARE_SCALE,
    STRIP_HEIGHT,
    STRIP_WIDTH,
    FilmRecord,
    lab_codes,
)
from fingerprint.model import VideoInfo

K = 5
MOMENTS = 1000


def _load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def synthetic_record(i: int, rng: np.random.Generator) -> FilmRecord:
    from fingerprint.compare._align import curves

    scenes = int(rng.integers(4, 9))
    # Films are mostly dark and muted: scale a random colour towards its own grey.
    base = rng.integers(0, 256, (scenes, K, 3)).astype(np.float64)
    grey = base.mean(axis=-1, keepdims=True)
    base = (grey + (base - grey) * rng.uniform(0.2, 1.0, (scenes, K, 1))) * rng.uniform(
        0.25, 1.0, (scenes, 1, 1))
    scene = np.sort(rng.integers(0, scenes, MOMENTS))
    rgb = np.clip(base[scene] + rng.normal(0, 6, (MOMENTS, K, 3)), 0, 255).astype(np.uint8)
    shares = -np.sort(-rng.dirichlet(np.full(K, 0.8), MOMENTS), axis=1)
    duration = float(rng.uniform(1200, 10800))
    times = (np.arange(MOMENTS) + 0.5) * duration / MOMENTS
    columns = (np.arange(STRIP_WIDTH) * MOMENTS) // STRIP_WIDTH
    bands = np.minimum((np.arange(STRIP_HEIGHT) * K) // STRIP_HEIGHT, K - 1)
    strip = rgb[columns][:, bands].transpose(1, 0, 2)
    palette = rgb[:: MOMENTS // 8, 0][:8]
    palette_shares = np.full(8, 1 / 8)
    lightness, _, warmth = curves(palette[None], palette_shares[None])
    video = VideoInfo(name=f"film {i:05d}.mp4", duration=duration, fps=24.0, frame_count=None,
                      width=1920, height=1080, codec="h264", pix_fmt="yuv420p", rotation=0,
                      stream_index=0)
    return FilmRecord(
        source=f"/archive/film {i:05d}.mp4", key=f"{i:024x}", json=f"films/film-{i:05d}.json",
        video=json.dumps(asdict(video)), analysed_at=1.7e9 + i, palette=palette,
        palette_shares=palette_shares, lightness=float(lightness[0]), warmth=float(warmth[0]),
        strip=np.ascontiguousarray(strip), times=times, colors=lab_codes(rgb),
        shares=np.rint(shares * SHARE_SCALE).astype(np.uint16),
    )


def _entry(record: FilmRecord) -> dict:
    """The film's entry in collection.json, as `fingerprint batch` writes it."""
    from fingerprint.model import to_hex

    stem = record.json.removesuffix(".json")
    return {
        "source": record.source, "key": record.key, "status": "done", "reason": None,
        "files": {ext: f"{stem}.{ext}" for ext in ("json", "csv", "png")},
        "video": json.loads(record.video),
        "palette": [{"color": c, "share": round(float(s), 6)} for c, s in
                    zip(to_hex(record.palette), record.palette_shares, strict=True)],
        "seconds": 1.0, "analysed_at": record.analysed_at, "warnings": [],
        "runs": [{"run": 1, "action": "analysed", "seconds": 1.0}],
    }


def _fingerprint(record: FilmRecord):
    """The fingerprint the record stands for (its colours as the index keeps them)."""
    from fingerprint.collection._index import codes_to_rgb
    from fingerprint.model import Fingerprint
    from fingerprint.params import Params

    colors = codes_to_rgb(record.colors)
    return Fingerprint(
        video=VideoInfo(**json.loads(record.video)), params=Params(samples=MOMENTS, clusters=K),
        times=record.times, colors=colors,
        shares=record.shares.astype(np.float64) / SHARE_SCALE, average=colors[:, 0].copy(),
    )


def make(folder: Path, films: int, jsons: bool = False) -> None:
    from fingerprint.collection import _index_writer
    from fingerprint.collection._collection import INDEX_FORMAT, INDEX_VERSION
    from fingerprint.collection._index_writer import IndexWriter

    rng = np.random.default_rng(19)
    writer = IndexWriter(folder)
    writer._indexed = {}  # a new folder: nothing to look up
    entries = []
    started = time.perf_counter()
    for i in range(films):
        record = synthetic_record(i, rng)
        entries.append(_entry(record))
        if jsons:
            _fingerprint(record).save(folder / record.json)
        writer.add(record)
        writer.flush(force=False)
        if (i + 1) % 1000 == 0:
            print(f"{i + 1} films, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    writer.flush(force=True)
    index = {"format": INDEX_FORMAT, "version": INDEX_VERSION,
             "options": {"params": {"samples": MOMENTS, "clusters": K}, "output": {}},
             "runs": [{"run": 1, "started": 1.7e9, "finished": 1.7e9 + films}],
             "films": entries}
    (folder / "collection.json").write_text(json.dumps(index), encoding="utf-8")
    t = time.perf_counter()
    writer.compact()
    size = sum(p.stat().st_size for p in (folder / "index").glob("part-*.parquet"))
    print(f"made {films} films in {time.perf_counter() - started:.0f} s "
          f"(last merge {time.perf_counter() - t:.1f} s); index {size / 1e6:.0f} MB on disk; "
          f"parts of {_index_writer._PART_FILMS} films; load {_load()}")
    from fingerprint.cli._batch import _prepare_search

    t = time.perf_counter()
    _prepare_search(folder)
    print(f"neighbour cache and strips, as a batch's end: {time.perf_counter() - t:.0f} s",
          file=sys.stderr)
