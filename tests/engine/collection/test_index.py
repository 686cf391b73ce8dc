"""The batch's search index (Parquet, `fingerprint.collection._index`): what goes in comes
back, a film indexed again under a new key replaces its old row, parts are merged."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.collection import _index_writer
from fingerprint.collection._index import (
    SHARE_SCALE,
    STRIP_HEIGHT,
    STRIP_WIDTH,
    codes_to_lab,
    codes_to_rgb,
    film_record,
    lab_codes,
    part_paths,
    read_index,
)
from fingerprint.collection._index_writer import IndexWriter
from fingerprint.compare._compare import film_palette
from fingerprint.errors import FingerprintFormatError, InvalidParameterError
from fingerprint.palette._color import delta_e2000, rgb_to_lab
from tests.support.batches import synthetic_fingerprint


def _record(i: int, *, key: str | None = None, samples: int = 50):
    fp = synthetic_fingerprint(i, samples=samples)
    return fp, film_record(fp, source=f"/films/film {i}.mp4", key=key or f"key{i}",
                           json_path=f"films/film-{i}.json", analysed_at=1000.0 + i)


def test_lab_codes_stay_within_a_just_noticeable_difference():
    rgb = np.random.default_rng(0).integers(0, 256, (20000, 3), dtype=np.uint8)
    lab = rgb_to_lab(rgb).astype(np.float64)
    moved = delta_e2000(lab, codes_to_lab(lab_codes(rgb)))
    assert moved.max() < 1.0  # under the ~2 ΔE a person can tell apart
    # Shown back as sRGB: dark channels may move several codes, the colour under 1.5 ΔE.
    back = rgb_to_lab(codes_to_rgb(lab_codes(rgb))).astype(np.float64)
    assert delta_e2000(lab, back).max() < 1.5


def test_what_goes_in_comes_back(tmp_path):
    writer = IndexWriter(tmp_path)
    fps = []
    for i in range(5):
        fp, record = _record(i, samples=40 + i)
        fps.append(fp)
        writer.add(record)
    writer.flush(force=True)
    index = read_index(tmp_path)
    assert [f.source for f in index.collection.films] == [f"/films/film {i}.mp4" for i in range(5)]
    assert [f.title for f in index.collection.films] == [f"film {i}" for i in range(5)]
    assert index.strips.shape == (5, STRIP_HEIGHT, STRIP_WIDTH, 3)
    assert list(np.diff(index.offsets)) == [40, 41, 42, 43, 44]
    for i, fp in enumerate(fps):
        rows = slice(index.offsets[i], index.offsets[i + 1])
        assert np.array_equal(index.times[rows], fp.times)
        assert np.array_equal(index.colors[rows], lab_codes(fp.colors))
        assert np.allclose(index.shares[rows] / SHARE_SCALE, fp.shares, atol=1e-5)
        film = index.collection.films[i]
        assert film.video == fp.video and film.key == f"key{i}"
        assert film.fingerprint_path == tmp_path / f"films/film-{i}.json"
        assert film.palette.pairs() == film_palette(fp).pairs()
    assert list(index.film_of(np.array([0, 39, 40, 209]))) == [0, 0, 1, 4]
    films_only = read_index(tmp_path, moments=False)
    assert len(films_only.collection) == 5 and films_only.times.size == 0


def test_a_film_with_new_content_replaces_its_row_and_known_films_are_skipped(tmp_path):
    writer = IndexWriter(tmp_path)
    for i in range(3):
        writer.add(_record(i)[1])
    writer.flush(force=True)
    again = IndexWriter(tmp_path)  # a resumed batch
    again.add(_record(1)[1])  # same film, same key: already there
    assert again.pending == []
    again.add(_record(7, key="newkey")[1].__class__(
        **{**_record(7, key="newkey")[1].__dict__, "source": "/films/film 1.mp4"}))
    again.flush(force=True)
    assert len(part_paths(tmp_path)) == 2
    index = read_index(tmp_path)
    assert [f.key for f in index.collection.films] == ["key0", "key2", "newkey"]


def test_parts_are_merged_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(_index_writer, "_MAX_PARTS", 3)
    writer = IndexWriter(tmp_path)
    for i in range(7):
        writer.add(_record(i)[1])
        writer.flush(force=True)
    assert len(part_paths(tmp_path)) <= 3
    index = read_index(tmp_path)
    assert sorted(f.key for f in index.collection.films) == sorted(f"key{i}" for i in range(7))


def test_a_folder_without_an_index_says_how_to_build_it(tmp_path):
    with pytest.raises(FingerprintFormatError, match="run the same `fingerprint batch`"):
        read_index(tmp_path)


def test_an_index_in_memory_searches_as_the_same_index_on_disk(tmp_path):
    from fingerprint.collection._index_writer import index_in_memory
    from fingerprint.collection._search import search_colors, search_index, similar_films

    records = [_record(i, samples=30)[1] for i in range(6)]
    writer = IndexWriter(tmp_path)
    for r in records:
        writer.add(r)
    writer.flush(force=True)
    on_disk = search_index(read_index(tmp_path))
    in_memory = search_index(index_in_memory(records, k=5))
    assert in_memory.index.folder is None
    for colors in (["#e67820"], ["#2850c8", "#3c82dc"]):
        assert search_colors(in_memory, colors) == search_colors(on_disk, colors)
    assert similar_films(in_memory, 2) == similar_films(on_disk, 2)


def test_an_index_in_memory_takes_the_films_titles():
    from fingerprint.collection._index_writer import index_in_memory

    records = [_record(i, samples=20)[1] for i in range(2)]
    index = index_in_memory(records, k=5, titles=["Big Buck Bunny", "Flower"])
    assert [f.title for f in index.collection.films] == ["Big Buck Bunny", "Flower"]
    with pytest.raises(InvalidParameterError, match="one title per film"):
        index_in_memory(records, k=5, titles=["one"])
