"""Search at archive scale (issue 19 §3): a synthetic batch index of 10,000 films x 1,000
moments x 5 colours, written straight into the index format (no film is analysed), then
measured in a fresh process.

    PYTHONPATH=. python bench/search.py make /tmp/bench-search [--films 10000] [--jsons]
    PYTHONPATH=. python bench/search.py measure /tmp/bench-search
    PYTHONPATH=. python bench/search.py ratio      # DIN99 and CIELAB distance / ΔE2000
    PYTHONPATH=. python bench/search.py record     # one film's index row vs analysing it
    PYTHONPATH=. python bench/search.py page /tmp/bench-search  # a page server's share
    PYTHONPATH=. python bench/search.py build /tmp/bench-search [--whole]  # the build's peak
    PYTHONPATH=. python bench/search.py lists      # moments as Parquet lists or as bytes

``make``: the synthetic archive (bench/synthetic_archive.py): its index, collection.json
listing the films as done, so the app serves the folder (``--collection DIR``), and with
``--jsons`` every film's fingerprint JSON (what a page that reads them, as before the
index, needs: bench/collection_page.py); then what `fingerprint batch` does at its end
(``measure`` builds the neighbour cache again, timed).
``measure``: the index read (films only, as a page listing them; then everything),
the neighbour cache built (the first search) and opened again, colour searches (a
common, a rare and an exact colour; palettes of two and three), films like a film (with
its recall against the exact EMD row), moments like a moment, and the process's memory.
``page`` (after ``measure``, so the neighbour cache is on disk): what a page server does
with the index, in a fresh process: the films listed with their strips, the strips
figure of all of them built and serialised, the search opened (its cache read), one
search, and the process's memory then.
Times are wall seconds, best of 3 after one warm-up unless said.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

# The synthetic archive, beside this script (its folder is first on sys.path).
from synthetic_archive import MOMENTS, K, make, synthetic_record


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def _best_of(fn, repeat: int = 3) -> tuple[float, object]:
    fn()
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def measure(folder: Path) -> None:
    import shutil

    from fingerprint.collection._index import read_index
    from fingerprint.collection._neighbours import load_tables
    from fingerprint.collection._search import (
        SearchIndex,
        search_colors,
        similar_films,
        similar_moments,
    )
    from fingerprint.compare._transport import palette_distance

    print(f"load before: {_load()}; RSS at start {_rss_mb():.0f} MB")
    for old in (folder / "index").glob("search-*"):
        shutil.rmtree(old)
    t = time.perf_counter()
    listing = read_index(folder, moments=False)
    print(f"read films + strips (the page's listing): {time.perf_counter() - t:.2f} s, "
          f"{len(listing.collection)} films; RSS {_rss_mb():.0f} MB")
    del listing
    t = time.perf_counter()
    index = read_index(folder)
    print(f"read everything: {time.perf_counter() - t:.2f} s, {len(index.times):,} moments; "
          f"RSS {_rss_mb():.0f} MB")
    t = time.perf_counter()
    colors, films = load_tables(index)
    print(f"neighbour cache built (first search): {time.perf_counter() - t:.1f} s, "
          f"{len(colors.cells):,} colour cells, {len(colors.entries):,} entries; "
          f"RSS {_rss_mb():.0f} MB, peak {_peak_mb():.0f} MB")
    t = time.perf_counter()
    colors, films = load_tables(index)
    print(f"neighbour cache opened again: {time.perf_counter() - t:.2f} s")
    search = SearchIndex(index=index, colors=colors, films=films)
    queries = {
        "exact colour of a moment": [_hex_of(index, 123_456)],
        "#c0392b (a red)": ["#c0392b"],
        "#202020 (near black, common)": ["#202020"],
        "#00ff00 (pure green, rare)": ["#00ff00"],
        "palette of 2": ["#c0392b", "#2c3e50"],
        "palette of 3": ["#c0392b", "#2c3e50", "#f1c40f"],
    }
    for name, query in queries.items():
        seconds, hits = _best_of(lambda q=query: search_colors(search, q, top=20))
        best = f"best {hits[0].score:.3f} at ΔE {hits[0].distance:.1f}" if hits else "no hit"
        print(f"search {name}: {seconds:.3f} s, {len(hits)} hits, {best}")
    from fingerprint.collection import _scoring

    radii: list[float] = []
    ring = _scoring._Rings.ring

    def counted(self, radius):
        radii.append(radius)
        return ring(self, radius)

    _scoring._Rings.ring = counted
    for colour in ("#202020", "#c0392b", "#00ff00"):
        radii.clear()
        search_colors(search, [colour], top=20)
        print(f"search {colour}: read up to {radii[-1]:g} ΔE of 15")
    _scoring._Rings.ring = ring
    seconds, _ = _best_of(lambda: search_colors(search, ["#c0392b"], top=20, per_film=1))
    print(f"search #c0392b, one hit per film: {seconds:.3f} s")
    recalls, times = [], []
    pal_colors, pal_shares = films.colors, films.shares
    for film in range(0, len(index.collection), len(index.collection) // 5):
        t = time.perf_counter()
        got = similar_films(search, film, top=10)
        times.append(time.perf_counter() - t)
        exact = palette_distance(pal_colors[film], pal_shares[film], pal_colors, pal_shares)
        exact[film] = np.inf
        truth = set(np.argsort(exact, kind="stable")[:10].tolist())
        recalls.append(len(truth & {m.film for m in got}) / 10)
    print(f"films like this, top 10: {min(times):.3f}-{max(times):.3f} s over 5 films; "
          f"recall of the exact top 10: {np.mean(recalls):.2f} (min {min(recalls):.1f})")
    t = time.perf_counter()
    exact = palette_distance(pal_colors[0], pal_shares[0], pal_colors, pal_shares)
    print(f"  (the exact row, every film measured: {time.perf_counter() - t:.2f} s)")
    seconds, _ = _best_of(lambda: similar_moments(search, 42, 600.0, top=10))
    print(f"moments like this, top 10: {seconds:.3f} s")
    print(f"memory with everything loaded: RSS {_rss_mb():.0f} MB, peak {_peak_mb():.0f} MB; "
          f"load after: {_load()}")


def _hex_of(index, moment: int) -> str:
    from fingerprint.collection._index import codes_to_rgb
    from fingerprint.model import to_hex

    return to_hex(codes_to_rgb(index.colors[moment, 0]))[0]


def ratio() -> None:
    """The largest distance in DIN99 and in CIELAB per ΔE2000, over 16 million random
    sRGB pairs with ΔE2000 over 1: what DIN99_RADIUS rests on."""
    from fingerprint.collection._neighbours import din99
    from fingerprint.palette._color import delta_e2000, rgb_to_lab

    rng = np.random.default_rng(0)
    worst99 = worst76 = 0.0
    for _ in range(4):
        a = rgb_to_lab(rng.integers(0, 256, (2000, 3), dtype=np.uint8)).astype(np.float64)
        b = rgb_to_lab(rng.integers(0, 256, (2000, 3), dtype=np.uint8)).astype(np.float64)
        d00 = delta_e2000(a[:, None], b[None])
        d99 = np.linalg.norm(din99(a)[:, None] - din99(b)[None], axis=-1)
        d76 = np.linalg.norm(a[:, None] - b[None], axis=-1)
        far = d00 > 1
        worst99 = max(worst99, float((d99[far] / d00[far]).max()))
        worst76 = max(worst76, float((d76[far] / d00[far]).max()))
    print(f"16,000,000 pairs: DIN99 / ΔE2000 at most {worst99:.2f}; "
          f"CIELAB / ΔE2000 at most {worst76:.2f}")
    # ΔE2000 from one colour to 700,000, in float64 and in float32 (the search's).
    many = np.stack([rng.uniform(0, 100, 700_000), rng.uniform(-80, 80, 700_000),
                     rng.uniform(-80, 80, 700_000)], axis=-1)
    one = np.array([40.0, 50.0, 30.0])
    t64, d64 = _best_of(lambda: delta_e2000(one, many))
    t32, d32 = _best_of(lambda: delta_e2000(one.astype(np.float32), many.astype(np.float32)))
    print(f"ΔE2000 to 700,000 colours: float64 {t64:.3f} s, float32 {t32:.3f} s, largest "
          f"difference {np.abs(d32 - d64).max():.1e} ΔE; load {_load()}")


def record() -> None:
    """What the index adds per film where it is made: `film_record` on a fingerprint of
    1,000 moments (its whole-film palette included, which the batch computed before)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fingerprint.collection._index import film_record, records_table
    from fingerprint.compare._compare import film_palette
    from tests.support.batches import synthetic_fingerprint

    fp = synthetic_fingerprint(0, samples=MOMENTS, k=K)
    palette = film_palette(fp)
    seconds, row = _best_of(lambda: film_record(fp, source="/a.mp4", key="k", json_path="a",
                                                analysed_at=0.0, palette=palette), 5)
    print(f"film_record (worker, palette given): {seconds * 1000:.1f} ms; load {_load()}")
    cpu = time.process_time()
    rows = [row] * 500
    seconds, _ = _best_of(lambda: records_table(rows, K))
    print(f"records_table for 500 films (client): {seconds * 1000 / 500:.2f} ms a film; "
          f"CPU {time.process_time() - cpu:.1f} s in all")


def page(folder: Path) -> None:
    from fingerprint.collection._collection import SORT_KEYS  # noqa: F401  (import cost)
    from fingerprint.collection._index import read_index
    from fingerprint.collection._search import open_search, search_colors
    from fingerprint.plotting._collection import strips_figure

    print(f"load before: {_load()}; RSS after imports {_rss_mb():.0f} MB")
    t = time.perf_counter()
    listing = read_index(folder, moments=False)
    read = time.perf_counter() - t
    t = time.perf_counter()
    order = listing.collection.sorted("title")
    position = {id(f): i for i, f in enumerate(listing.collection.films)}
    rows = [position[id(f)] for f in order.films]
    figure = strips_figure(listing.collection, listing.strips, rows)
    built = time.perf_counter() - t
    t = time.perf_counter()
    size = len(figure.to_json())
    print(f"films listed with strips: {read:.2f} s; strips figure of "
          f"{len(listing.collection)} films: built {built:.2f} s, to JSON "
          f"{time.perf_counter() - t:.2f} s ({size / 1e6:.1f} MB); RSS {_rss_mb():.0f} MB, "
          f"peak {_peak_mb():.0f} MB")
    del figure, listing
    t = time.perf_counter()
    search = open_search(folder)
    print(f"search opened (index read, neighbour cache from disk): "
          f"{time.perf_counter() - t:.2f} s; RSS {_rss_mb():.0f} MB")
    t = time.perf_counter()
    search_colors(search, ["#c0392b"], top=20, per_film=3)
    print(f"first search: {time.perf_counter() - t:.3f} s; RSS {_rss_mb():.0f} MB, "
          f"peak {_peak_mb():.0f} MB; load after: {_load()}")


def build(folder: Path, whole: bool) -> None:
    """The memory the inverted index's build adds to the read index: as built (sorted a
    band of lightness at a time), or with ``whole`` only the one argsort of every entry
    that it replaced."""
    from fingerprint.collection._index import read_index
    from fingerprint.collection._neighbours import build_color_table

    index = read_index(folder)
    base = _rss_mb()
    t = time.perf_counter()
    if whole:
        codes = index.colors.reshape(-1, 3)
        packed = ((codes[:, 0].astype(np.int32) << 16) | (codes[:, 1].astype(np.int32) << 8)
                  | codes[:, 2])
        packed[index.shares.reshape(-1) == 0] = -1
        order = np.argsort(packed, kind="stable").astype(np.int32)
        del order
    else:
        build_color_table(index)
    print(f"{'one argsort' if whole else 'the build, in bands'}: "
          f"{time.perf_counter() - t:.1f} s, peak {_peak_mb() - base:.0f} MB over the read "
          f"index ({base:.0f} MB); load {_load()}")


def lists() -> None:
    """The same 1,000 films' moment colours (Lab codes, 1,000 x 5 x 3 each) written as a
    Parquet list<uint8> column and as one binary value a film, zstd both, then read."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(19)
    colors = [synthetic_record(i, rng).colors.ravel() for i in range(1000)]
    offsets = np.concatenate([[0], np.cumsum([c.size for c in colors])]).astype(np.int32)
    as_list = pa.ListArray.from_arrays(pa.array(offsets), pa.array(np.concatenate(colors)))
    as_bytes = pa.array([c.tobytes() for c in colors], pa.large_binary())
    for name, column in (("list<uint8>", as_list), ("large_binary", as_bytes)):
        buffer = io.BytesIO()
        pq.write_table(pa.table({"colors": column}), buffer, compression="zstd")
        data = buffer.getvalue()
        seconds, _ = _best_of(lambda d=data: pq.read_table(pa.BufferReader(d)))
        print(f"{name}: {len(data) / 1e6:.1f} MB, read {seconds:.3f} s; load {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step",
                        choices=("make", "measure", "ratio", "record", "page", "build",
                                 "lists"))
    parser.add_argument("folder", nargs="?", type=Path, default=Path("/tmp/bench-search"))
    parser.add_argument("--films", type=int, default=10_000)
    parser.add_argument("--whole", action="store_true", help="build: one argsort instead")
    parser.add_argument("--jsons", action="store_true",
                        help="make: every film's fingerprint JSON too")
    args = parser.parse_args()
    if args.step == "make":
        make(args.folder, args.films, args.jsons)
    elif args.step == "measure":
        measure(args.folder)
    elif args.step == "lists":
        lists()
    elif args.step == "build":
        build(args.folder, args.whole)
    elif args.step == "page":
        page(args.folder)
    elif args.step == "ratio":
        ratio()
    else:
        record()


if __name__ == "__main__":
    main()
