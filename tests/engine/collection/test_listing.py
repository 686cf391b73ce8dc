"""The films a page lists from a batch folder (`fingerprint.collection._listing`): from
its search index, never its films' JSON, and only the films collection.json says are
finished."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fingerprint.collection import _listing
from fingerprint.collection._collection import load_batch
from fingerprint.collection._index import STRIP_HEIGHT, STRIP_WIDTH, film_record
from fingerprint.collection._index_writer import IndexWriter
from fingerprint.collection._listing import list_batch, strip_images
from fingerprint.errors import FingerprintFormatError
from fingerprint.poster import strip_image
from tests.support.batches import synthetic_fingerprint, write_batch


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, list]:
    folder = tmp_path / "batch"
    return folder, write_batch(folder, 5, samples=30)


def test_the_films_come_from_the_index_without_a_json(batch, monkeypatch) -> None:
    folder, fps = batch
    for path in (folder / "films").glob("*.json"):
        path.unlink()  # the page must not need them
    listing = list_batch(folder)
    assert [f.title for f in listing.collection.films] == [fp.video.name[:-4] for fp in fps]
    assert listing.strips.shape == (5, STRIP_HEIGHT, STRIP_WIDTH, 3)
    assert np.array_equal(listing.strips[3],
                          strip_image(fps[3], width=STRIP_WIDTH, height=STRIP_HEIGHT))
    assert listing.unindexed == 0
    # The same films, palettes and sort keys as collection.json's own listing.
    listed = load_batch(folder)
    for mine, theirs in zip(listing.collection.films, listed.films, strict=True):
        assert (mine.key, mine.source, mine.duration) == (theirs.key, theirs.source,
                                                          theirs.duration)
        assert mine.lightness == pytest.approx(theirs.lightness, abs=0.5)
        assert mine.warmth == pytest.approx(theirs.warmth, abs=0.5)


def test_the_strips_are_decoded_once_then_memory_mapped(batch, monkeypatch) -> None:
    folder, fps = batch
    first = list_batch(folder)
    kept = list((folder / "index").glob("strips-*.npy"))
    assert [p.name for p in kept] == [f"strips-{first.digest}.npy"]

    def refuse(*args, **kwargs):
        raise AssertionError("the strips were decoded again")

    monkeypatch.setattr(_listing, "read_strips", refuse)
    again = list_batch(folder)
    assert isinstance(again.strips, np.memmap)
    assert np.array_equal(again.strips, first.strips)
    assert np.array_equal(again.strips[4],
                          strip_image(fps[4], width=STRIP_WIDTH, height=STRIP_HEIGHT))
    monkeypatch.undo()
    # The index grows: new strips, the old file removed.
    writer = IndexWriter(folder)
    writer.add(film_record(fps[0], source="/films/new.mp4", key="d" * 24, json_path="n.json",
                           analysed_at=0.0))
    writer.flush(force=True)
    assert len(strip_images(folder)) == 6
    assert len(list((folder / "index").glob("strips-*.npy"))) == 1


def test_a_folder_that_cannot_be_written_keeps_the_strips_in_memory(batch,
                                                                   monkeypatch) -> None:
    folder, _ = batch

    def read_only(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(_listing, "_save", read_only)  # (tests run as root: chmod is moot)
    listing = list_batch(folder)
    assert listing.strips.shape[0] == 5 and not isinstance(listing.strips, np.memmap)
    assert not list((folder / "index").glob("strips-*.npy"))


def test_only_the_films_collection_json_calls_finished(batch) -> None:
    folder, _ = batch
    index = json.loads((folder / "collection.json").read_text())
    index["films"][1]["status"] = "failed"  # analysed again, and failed: not the batch's
    index["films"][2]["key"] = "f" * 24  # its file changed: the index has its old content
    extra = synthetic_fingerprint(9, samples=30)
    index["films"].append({**index["films"][0], "source": "/films/lost.mp4", "key": "e" * 24})
    (folder / "collection.json").write_text(json.dumps(index))
    listing = list_batch(folder)
    assert [f.title for f in listing.collection.films] == ["film 0000", "film 0003",
                                                          "film 0004"]
    assert listing.strips.shape[0] == 3
    # The changed film and the lost one are finished but not in the index: counted.
    assert listing.unindexed == 2
    # Running the batch again adds their rows: they are listed.
    writer = IndexWriter(folder)
    writer.add(film_record(extra, source="/films/lost.mp4", key="e" * 24,
                           json_path="films/lost.json", analysed_at=0.0))
    writer.flush(force=True)
    again = list_batch(folder)
    assert again.unindexed == 1 and again.collection.films[-1].title == "lost"
    assert again.digest != listing.digest


def test_a_batch_made_before_the_index_is_an_error_that_says_what_to_run(tmp_path) -> None:
    folder = tmp_path / "old"
    write_batch(folder, 2, samples=20, search_index=False)
    with pytest.raises(FingerprintFormatError, match="fingerprint batch"):
        list_batch(folder)
    (folder / "collection.json").write_text("{}")
    with pytest.raises(FingerprintFormatError, match="not a"):
        list_batch(folder)
