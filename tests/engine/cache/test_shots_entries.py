"""The shots' cache: another k or colour space with shots on clusters the cached
boundaries and pixels again, without decoding the film; damaged entries are found again."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import fingerprint.shots._scan as scan_module
import fingerprint.shots._tuning as tuning
from fingerprint._pipeline import analyze
from fingerprint.cache._cache import Cache
from fingerprint.decode._video import probe
from fingerprint.errors import CacheWriteError
from fingerprint.params import Params
from fingerprint.shots._find import shots_key
from tests.support.films import CUTS, FPS, make_clips


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    return make_clips(tmp_path_factory.mktemp("shot-cache") / "clips.mp4")


@pytest.fixture
def cache(tmp_path) -> Cache:
    return Cache(tmp_path / "cache")


@pytest.fixture
def scans(monkeypatch) -> list[float]:
    """Counts the film's decodes for shots (`_scan.scan`, one per decoder's part)."""
    seen: list[float] = []
    real = scan_module.scan

    def scan(*args, **kwargs):
        seen.append(kwargs["lo"])
        return real(*args, **kwargs)

    monkeypatch.setattr(scan_module, "scan", scan)
    return seen


def params(**changes) -> Params:
    return Params(**{"samples": 20, "shots": True, **changes})


def starts(fp) -> list[float]:
    return [s.start for s in fp.shots]


def shots_files(cache: Cache) -> list[Path]:
    return sorted(cache.root.glob("*/shots-*.zst"))


def test_another_k_clusters_the_cached_shots_without_decoding(clips, cache, scans, monkeypatch):
    first = analyze(clips, params=params(clusters=5), cache=cache)
    assert scans and len(shots_files(cache)) == 1
    assert len(first.shots) == len(CUTS) + 1
    np.testing.assert_allclose(starts(first)[1:-1], CUTS[:-1], atol=1 / FPS + 1e-6)

    def no_decode(*args, **kwargs):
        raise AssertionError("the film was decoded for shots again")

    monkeypatch.setattr(scan_module, "scan", no_decode)
    for change in ({"clusters": 3}, {"clusters": 3, "color_space": "rgb"}):
        again = analyze(clips, params=params(**change), cache=cache)
        assert starts(again) == starts(first)
        assert [s.end for s in again.shots] == [s.end for s in first.shots]
        assert all(len(s.colors) == 3 for s in again.shots)
    assert len(shots_files(cache)) == 1


def test_cached_shots_give_what_a_fresh_analysis_gives(clips, cache):
    analyze(clips, params=params(clusters=5), cache=cache)
    cached = analyze(clips, params=params(clusters=3), cache=cache)
    fresh = analyze(clips, params=params(clusters=3), cache=None)
    assert starts(cached) == starts(fresh)
    for a, b in zip(cached.shots, fresh.shots, strict=True):
        np.testing.assert_array_equal(a.colors, b.colors)
        np.testing.assert_array_equal(a.shares, b.shares)


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x10]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        _flip,
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1],
        lambda data: data + b"\0",  # lengthened
        lambda data: b"",
        lambda data: b"not a shots file at all\n" + data,
    ],
    ids=["flipped", "halved", "last-byte", "extra-byte", "empty", "foreign"],
)
def test_a_damaged_entry_is_found_again(clips, cache, scans, damage):
    first = analyze(clips, params=params(clusters=5), cache=cache)
    (path,) = shots_files(cache)
    path.write_bytes(damage(path.read_bytes()))
    scans.clear()
    again = analyze(clips, params=params(clusters=3), cache=cache)
    assert scans  # decoded again, not trusted
    assert starts(again) == starts(first)
    scans.clear()
    analyze(clips, params=params(clusters=4), cache=cache)
    assert not scans  # and stored again, whole


def test_an_entry_for_other_options_is_not_trusted(clips, cache):
    analyze(clips, params=params(), cache=cache)
    (path,) = shots_files(cache)
    key = path.parent.name
    request = shots_key(start=None, end=None, seed=0, crop=None)
    assert cache.load_shots(key, request) is not None
    other = shots_key(start=None, end=None, seed=1, crop=None)
    # Even under the other options' name (a collision of the hash): its header says whose.
    path.rename(cache._shots_path(key, other))
    assert cache.load_shots(key, other) is None


@pytest.mark.parametrize(
    "change",
    [{"start": 1.0}, {"end": 9.0}, {"seed": 1}, {"crop": (0.1, 0.1, 0.0, 0.0)}, {"workers": 1}],
)
def test_the_key_follows_what_changes_the_shots(change):
    base = {"start": None, "end": None, "seed": 0, "crop": None}
    assert shots_key(**base) == shots_key(**base)
    assert shots_key(**base) != shots_key(**{**base, **change})


def test_the_key_follows_the_detectors_tuning(monkeypatch):
    base = {"start": None, "end": None, "seed": 0, "crop": None}
    before = shots_key(**base)
    assert json.loads(json.dumps(before)) == before  # stored in the entry's header
    monkeypatch.setattr(tuning, "CUT_THRESHOLD", 30.0)
    assert shots_key(**base) != before
    monkeypatch.undo()
    monkeypatch.setattr(tuning, "DETECTOR_VERSION", tuning.DETECTOR_VERSION + 1)
    assert shots_key(**base) != before


def test_cache_info_counts_and_clear_removes_the_shots(clips, cache):
    analyze(clips, params=params(), cache=cache)
    stats = cache.info()
    assert stats.entries == 4  # frames, their colour summary, shots, result
    assert stats.bytes >= sum(p.stat().st_size for p in shots_files(cache))
    cache.clear()
    assert not shots_files(cache) and cache.info().entries == 0


def test_the_cap_evicts_shots_in_their_turn(clips, cache):
    analyze(clips, params=params(), cache=cache)
    (path,) = shots_files(cache)
    others = [p for p in path.parent.iterdir() if p.name.startswith(("frames-", "result-"))]
    for old in others:  # the frames and result last used long ago, the shots just now
        os.utime(old, (1, 1))
    cache.max_bytes = cache.info().bytes - sum(p.stat().st_size for p in others)
    cache.prune()
    assert path.exists() and not any(p.exists() for p in others)
    cache.max_bytes = 0
    cache.prune()
    assert not path.exists()


def test_a_cache_that_cannot_be_written_still_gives_the_shots(clips, cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise CacheWriteError("The cache could not be written (no space left on the device).")

    monkeypatch.setattr(cache, "save_shots", refuse)
    fp = analyze(clips, params=params(), cache=cache)
    assert len(fp.shots) == len(CUTS) + 1
    assert any("could not be written" in w for w in fp.warnings)
    assert not shots_files(cache)


def test_the_queue_learns_which_decodes_are_stored(clips, cache):
    key = cache.key(clips)
    fitted = params(mode="exact").fitted(probe(clips))[0]
    assert not cache.has_frames(key, fitted) and not cache.has_shots(key, fitted)
    analyze(clips, params=params(mode="exact"), cache=cache)
    assert cache.has_frames(key, fitted) and cache.has_shots(key, fitted)
    assert cache.has_shots(key, replace(fitted, clusters=3, mode="fast", crop=False))
    assert not cache.has_shots(key, replace(fitted, seed=1))
    assert not cache.has_shots(key, replace(fitted, start=1.0))
    assert not cache.has_frames(key, replace(fitted, mode="fast"))


def test_with_shots_cached_the_colours_take_the_progress_bar(clips, cache):
    """Finding shots takes most of the bar when it decodes every frame; from the cache it
    is quick, and the bar must not sit at 30 % and then jump to the end."""

    def colors_reach(**change) -> float:
        reports: list[tuple[float, str]] = []
        analyze(clips, params=params(**change), cache=cache,
                on_progress=lambda f, m: reports.append((f, m)))
        return max(f for f, m in reports if "shots" not in m)

    assert colors_reach(clusters=5) == pytest.approx(0.3)
    assert colors_reach(clusters=3) == pytest.approx(0.9)
