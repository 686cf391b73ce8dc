"""The demo films' results shipped in demo/results/ (webapp.seeding), at the defaults and at
every k of the app's slider: what the engine makes today, and handed to a server's cache
only for exactly the film, options and engine they were made with."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import fingerprint._pipeline
from fingerprint import Cache, CacheWriteError, Fingerprint, Params, VideoInfo, analyze, probe
from fingerprint.cache import content_key
from tests.support import DEMO
from webapp.films import demo_films
from webapp.seeding import MANIFEST, RESULTS, made_results, seed, shipped
from webapp.settings import CLUSTERS_RANGE, Settings, params_for, stored_params

SHIPPED = DEMO / RESULTS
BBB = DEMO / "bbb_30s_720p_vp8.webm"
EVERY_K = range(CLUSTERS_RANGE[0], CLUSTERS_RANGE[1] + 1)


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine may only read results from the cache: any analysis fails the test."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the film was analysed")

    monkeypatch.setattr(fingerprint._pipeline, "_run", fail)


def _default(path: Path = BBB, **change: object) -> tuple[str, Path, VideoInfo, Params]:
    """A demo film as the app opens it at the default settings (with ``change``): key,
    path, probed info and the options its result is stored under."""
    info = probe(path)
    settings = replace(Settings(), **change)
    return content_key(path), path, info, stored_params(params_for(settings), info)


def test_the_shipped_results_are_what_the_engine_makes_today() -> None:
    """Each demo film analysed with the app's defaults at every k gives the shipped file
    byte for byte: an engine or defaults change that alters them fails here until
    `python demo/make_results.py` is run again."""
    made = made_results(demo_films(DEMO).values())
    assert sorted(p.name for p in SHIPPED.iterdir()) == sorted(made)
    for name, text in made.items():
        assert (SHIPPED / name).read_text(encoding="utf-8") == text, (
            f"demo/results/{name} is stale: run python demo/make_results.py"
        )


def test_every_demo_film_has_its_result_at_the_defaults_and_every_k() -> None:
    films = demo_films(DEMO)
    by_key = shipped(SHIPPED)
    assert len(by_key) == len(films) * len(EVERY_K)
    for film in films.values():
        for k in EVERY_K:
            key, _, info, fitted = _default(film.path, clusters=k)
            fp = Fingerprint.load(by_key[key, k])
            assert fp.params == fitted and fp.video == info
            assert fp.colors.shape[1] == k


def test_a_shipped_result_at_another_k_is_what_a_fresh_analysis_gives() -> None:
    """A k from the cached frames (how the files are made) is what a fresh analysis at
    that k gives: a server that analyses the film itself shows the same strip."""
    fresh = analyze(BBB, params=params_for(replace(Settings(), clusters=3)))
    assert Fingerprint.load(shipped(SHIPPED)[content_key(BBB), 3]).to_json() == fresh.to_json()


@pytest.mark.parametrize("k", EVERY_K)
def test_every_k_on_a_new_server_is_seeded_unanalysed(
    tmp_path: Path, no_decoding: None, k: int
) -> None:
    cache = Cache(tmp_path)
    key, path, info, fitted = _default(clusters=k)
    fp = seed(cache, key, path, info, fitted, SHIPPED)
    assert fp is not None and fp.params == fitted and fp.params.clusters == k
    assert cache.load_result(key, fitted) is not None


def test_a_seeded_result_is_stored_where_analyze_finds_it(
    tmp_path: Path, no_decoding: None
) -> None:
    cache = Cache(tmp_path)
    key, path, info, fitted = _default()
    fp = seed(cache, key, path, info, fitted, SHIPPED)
    assert fp is not None and fp.params == fitted and len(fp) == 720
    # The engine's own look-up, as the command line and the app's queue make it.
    assert analyze(path, params=params_for(Settings()), cache=cache).to_json() == fp.to_json()
    entry = cache.entry(key)
    assert entry is not None and entry.info == info and entry.source == str(path.resolve())


@pytest.mark.parametrize("change", [
    {"samples": 719}, {"color_space": "rgb"}, {"mode": "exact"},
    {"crop": False}, {"end": 20.0}, {"sound": True},
])
def test_other_settings_get_no_shipped_result(tmp_path: Path, change: dict) -> None:
    cache = Cache(tmp_path)
    key, path, info, fitted = _default()
    assert seed(cache, key, path, info, replace(fitted, **change), SHIPPED) is None
    assert not list(tmp_path.glob("*/result-*.json"))


def test_another_film_or_another_probe_gets_no_shipped_result(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key, path, info, fitted = _default()
    assert seed(cache, "0" * 24, path, info, fitted, SHIPPED) is None
    # What another FFmpeg might say of the same file: analysed here, not taken on trust.
    assert seed(cache, key, path, replace(info, start_time=0.0), fitted, SHIPPED) is None
    assert not list(tmp_path.glob("*/result-*.json"))


def test_results_made_by_another_engine_version_are_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "results"
    shutil.copytree(SHIPPED, folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).write_text(json.dumps({**manifest, "engine": manifest["engine"] - 1}))
    key, path, info, fitted = _default()
    assert shipped(folder) == {}
    assert seed(Cache(tmp_path / "cache"), key, path, info, fitted, folder) is None


@pytest.mark.parametrize("damage", ["no manifest", "bad manifest", "bad result", "a path"])
def test_a_damaged_results_folder_seeds_nothing(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "results"
    shutil.copytree(SHIPPED, folder)
    key, path, info, fitted = _default()
    manifest = json.loads((folder / MANIFEST).read_text())
    if damage == "no manifest":
        (folder / MANIFEST).unlink()
    elif damage == "bad manifest":
        (folder / MANIFEST).write_text("{")
    elif damage == "bad result":
        (folder / "bbb-k5.json").write_text('{"format": "movie-color-fingerprint"}')
    else:  # a result named outside the folder is never read
        for film in manifest["films"]:
            film["results"] = {k: str(SHIPPED / name) for k, name in film["results"].items()}
        (folder / MANIFEST).write_text(json.dumps(manifest))
    assert seed(Cache(tmp_path / "cache"), key, path, info, fitted, folder) is None


def test_a_cleared_cache_is_seeded_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key, path, info, fitted = _default()
    assert seed(cache, key, path, info, fitted, SHIPPED) is not None
    cache.clear()
    assert cache.load_result(key, fitted) is None
    assert seed(cache, key, path, info, fitted, SHIPPED) is not None
    assert cache.load_result(key, fitted) is not None


def test_a_cache_that_cannot_be_written_still_gets_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)

    def full(*args: object, **kwargs: object) -> None:
        raise CacheWriteError("The cache could not be written (no space left on the device).")

    monkeypatch.setattr(cache, "save_result", full)
    key, path, info, fitted = _default()
    assert seed(cache, key, path, info, fitted, SHIPPED) is not None
