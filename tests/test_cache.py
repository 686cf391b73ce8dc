"""The content-keyed cache: what it reuses, what it refuses to trust (fingerprint/cache.py)."""

from __future__ import annotations

import io
import os
import threading
import time

import numpy as np
import pytest
from videos import make_code, make_rgb, truncate_copy

import fingerprint.cache as cache_module
import fingerprint.pipeline as pipeline
from fingerprint import Cache, Params, analyze, content_key
from fingerprint.errors import FingerprintError, NotAVideoError, VideoNotFoundError


@pytest.fixture(scope="session")
def film_source(tmp_path_factory):
    d = tmp_path_factory.mktemp("cache_films")
    return {"rgb": make_rgb(d / "rgb.mp4"), "code": make_code(d / "code.mp4", gop=10)}


@pytest.fixture
def film(film_source, tmp_path):
    """A private copy per test, so no test sees another's cache entry by content."""
    path = tmp_path / "film.mp4"
    path.write_bytes(film_source["rgb"].read_bytes())
    return path


@pytest.fixture
def cache(tmp_path):
    return Cache(tmp_path / "cache")


class Calls:
    """Wraps `pipeline.sample` and `pipeline.probe`, counting calls; ``forbid`` makes
    them raise, proving a run never touched the video."""

    def __init__(self, monkeypatch) -> None:
        self.sample = 0
        self.probe = 0
        self.forbid = False
        real_sample, real_probe = pipeline.sample, pipeline.probe

        def sample(*args, **kwargs):
            if self.forbid:
                raise AssertionError("decoded frames although the cache had them")
            self.sample += 1
            return real_sample(*args, **kwargs)

        def probe(*args, **kwargs):
            if self.forbid:
                raise AssertionError("opened the video although the cache knew it")
            self.probe += 1
            return real_probe(*args, **kwargs)

        monkeypatch.setattr(pipeline, "sample", sample)
        monkeypatch.setattr(pipeline, "probe", probe)


@pytest.fixture
def calls(monkeypatch):
    return Calls(monkeypatch)


def assert_same(a, b) -> None:
    """Equal fingerprints, up to the JSON file's 6 decimals for times and shares."""
    assert a.params == b.params
    assert a.video == b.video
    np.testing.assert_array_equal(a.colors, b.colors)
    np.testing.assert_array_equal(a.average, b.average)
    np.testing.assert_allclose(a.times, b.times, atol=1e-6)
    np.testing.assert_allclose(a.shares, b.shares, atol=1e-6)
    assert a.crop == b.crop
    assert a.warnings == b.warnings


def files(root, pattern):
    return sorted(root.rglob(pattern))


# --- reuse ----------------------------------------------------------------------------


def test_second_run_reads_no_frames(film, cache, calls):
    params = Params(samples=12, clusters=3)
    first = analyze(film, params=params, cache=cache)
    assert calls.sample == 1
    calls.forbid = True
    second = analyze(film, params=params, cache=cache)
    assert_same(first, second)
    # And a fresh Cache object (another process) on the same folder.
    third = analyze(film, params=params, cache=Cache(cache.root))
    assert_same(first, third)


def test_the_cache_follows_content_not_path(film, cache, calls, tmp_path):
    params = Params(samples=6, clusters=2)
    first = analyze(film, params=params, cache=cache)
    moved = tmp_path / "renamed copy.mp4"
    moved.write_bytes(film.read_bytes())
    calls.forbid = True
    assert_same(first, analyze(moved, params=params, cache=cache))


@pytest.mark.parametrize("k", [1, 2, 7])
def test_another_k_reuses_the_frames(film, cache, calls, k):
    analyze(film, params=Params(samples=12, clusters=5), cache=cache)
    calls.forbid = True
    fp = analyze(film, params=Params(samples=12, clusters=k), cache=cache)
    assert fp.k == k
    assert fp.colors.shape == (12, k, 3)
    assert fp.params.clusters == k
    np.testing.assert_allclose(fp.shares.sum(axis=1), 1.0, atol=1e-5)


def test_reclustered_result_equals_a_fresh_one(film, cache, calls, tmp_path):
    analyze(film, params=Params(samples=12, clusters=5), cache=cache)
    calls.forbid = True
    reused = analyze(film, params=Params(samples=12, clusters=3), cache=cache)
    calls.forbid = False
    fresh = analyze(film, params=Params(samples=12, clusters=3), cache=Cache(tmp_path / "other"))
    assert_same(reused, fresh)


@pytest.mark.parametrize(
    "change", [{"crop": False}, {"color_space": "rgb"}, {"seed": 7}, {"clusters": 2}]
)
def test_clustering_options_never_decode(film, cache, calls, change):
    base = {"samples": 12, "clusters": 3}
    analyze(film, params=Params(**base), cache=cache)
    calls.forbid = True
    fp = analyze(film, params=Params(**{**base, **change}), cache=cache)
    assert fp.params == Params(**{**base, **change})


@pytest.mark.parametrize(
    "change",
    [{"samples": 13}, {"mode": "exact"}, {"start": 1.0}, {"end": 5.0}, {"size": 64}],
)
def test_sampling_options_decode_again(film, cache, calls, change):
    base = {"samples": 12, "clusters": 3}
    analyze(film, params=Params(**base), cache=cache)
    fp = analyze(film, params=Params(**{**base, **change}), cache=cache)
    assert calls.sample == 2
    assert fp.params == Params(**{**base, **change})
    # Both frame sets are kept: going back decodes nothing.
    calls.forbid = True
    analyze(film, params=Params(**base), cache=cache)
    analyze(film, params=Params(**{**base, **change}), cache=cache)


def test_a_changed_file_is_analysed_again(film, cache, calls, film_source):
    params = Params(samples=6, clusters=2)
    analyze(film, params=params, cache=cache)
    film.write_bytes(film_source["code"].read_bytes())  # same path, other film
    fp = analyze(film, params=params, cache=cache)
    assert calls.sample == 2
    # The code film is black and white only: no red, green or blue.
    assert np.all(np.ptp(fp.colors.astype(int), axis=2) < 30)


def test_warnings_survive_the_cache(cache, calls, tmp_path):
    long = make_code(tmp_path / "long.mkv", count=100, gop=10)
    truncated = truncate_copy(long, tmp_path / "truncated.mkv")
    params = Params(samples=20, clusters=2)
    first = analyze(truncated, params=params, cache=cache)
    assert len(first.warnings) == 1 and "ended early" in first.warnings[0]
    calls.forbid = True
    assert_same(first, analyze(truncated, params=params, cache=cache))
    # Re-clustered from the cached frames: the frames remember where the film ended.
    again = analyze(truncated, params=Params(samples=20, clusters=3), cache=cache)
    assert again.warnings == first.warnings
    assert len(again) == len(first)


def test_errors_pass_through_and_leave_no_entry(cache, tmp_path):
    with pytest.raises(VideoNotFoundError):
        analyze(tmp_path / "missing.mp4", cache=cache)
    text = tmp_path / "notes.txt"
    text.write_text("not a film\n" * 50)
    with pytest.raises(NotAVideoError):
        analyze(text, params=Params(samples=5), cache=cache)
    assert cache.entries() == []
    assert not files(cache.root, "result-*.json") and not files(cache.root, "frames-*")


def test_entries_list_the_analysed_films(film, cache):
    analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    entries = cache.entries()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.key == cache.key(film)
    assert entry.info.name == "film.mp4"
    assert entry.source == str(film.resolve())
    assert abs(entry.analysed_at - time.time()) < 60
    # Analysing again keeps the first date.
    analyze(film, params=Params(samples=7, clusters=2), cache=cache)
    assert cache.entries()[0].analysed_at == entry.analysed_at


# --- distrust -------------------------------------------------------------------------


def test_truncated_frames_file_is_rebuilt(film, cache, calls):
    params = Params(samples=12, clusters=3)
    first = analyze(film, params=params, cache=cache)
    (frames_file,) = files(cache.root, "frames-*.npz")
    frames_file.write_bytes(frames_file.read_bytes()[: frames_file.stat().st_size // 2])
    for result in files(cache.root, "result-*.json"):
        result.unlink()
    second = analyze(film, params=params, cache=cache)
    assert calls.sample == 2
    assert_same(first, second)
    # The rebuilt file is whole again: a third run decodes nothing.
    calls.forbid = True
    analyze(film, params=Params(samples=12, clusters=2), cache=cache)


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"\xff\xfe\x00garbage", b'{"format": "something else"}', b"[]",
     b'{"format": "movie-color-fingerprint", "version": 1, "frames": []}'],
)
def test_garbage_result_is_rebuilt(film, cache, calls, garbage):
    params = Params(samples=12, clusters=3)
    first = analyze(film, params=params, cache=cache)
    (result,) = files(cache.root, "result-*.json")
    result.write_bytes(garbage)
    second = analyze(film, params=params, cache=cache)
    assert_same(first, second)
    # Rebuilt from the cached frames, and written back whole.
    assert calls.sample == 1
    assert result.read_bytes() != garbage
    calls.forbid = True
    assert_same(first, analyze(film, params=params, cache=cache))


def test_result_for_other_params_is_not_trusted(film, cache):
    """A result file under this key's name but holding other parameters (a hash collision,
    a hand-copied file) is ignored."""
    params = Params(samples=12, clusters=3)
    other = analyze(film, params=Params(samples=12, clusters=2), cache=cache)
    key = cache.key(film)
    cache._result_path(key, params).write_text(other.to_json())
    fp = analyze(film, params=params, cache=cache)
    assert fp.k == 3
    assert fp.params == params


def test_frames_file_with_wrong_shapes_is_not_trusted(film, cache):
    params = Params(samples=12, clusters=3)
    key = cache.key(film)
    buf = io.BytesIO()
    np.savez(buf, frames=np.zeros((5, 4, 4), np.uint8), times=np.zeros(5),
             targets=np.zeros(5), ended_at=np.float64(np.nan))
    cache._frames_path(key, params).parent.mkdir(parents=True)
    cache._frames_path(key, params).write_bytes(buf.getvalue())
    assert cache.load_samples(key, params) is None
    fp = analyze(film, params=params, cache=cache)
    assert len(fp) == 12


def test_garbage_info_is_ignored(film, cache, calls):
    params = Params(samples=6, clusters=2)
    analyze(film, params=params, cache=cache)
    (info,) = files(cache.root, "info.json")
    info.write_text('{"info": {"name": 3}}')
    for result in files(cache.root, "result-*.json"):
        result.unlink()
    assert cache.entries() == []
    fp = analyze(film, params=params, cache=cache)
    assert fp.video.name == "film.mp4"
    assert calls.probe == 2
    assert len(cache.entries()) == 1


def test_bad_keys_are_refused(cache):
    for key in ("../etc", "a/b", "", "x y"):
        with pytest.raises(FingerprintError):
            cache._dir(key)


# --- atomic writes --------------------------------------------------------------------


def test_writes_leave_no_temporary_files(film, cache):
    for k in (1, 2, 3):
        analyze(film, params=Params(samples=6, clusters=k), cache=cache)
    analyze(film, params=Params(samples=6, clusters=2, mode="exact"), cache=cache)
    names = [p.name for p in cache.root.rglob("*") if p.is_file()]
    temporary = [n for n in names if n.endswith((".tmp", ".part"))
                 or (n.startswith(".") and n != ".lock")]
    assert not temporary, names
    assert len([n for n in names if n.startswith("result-")]) == 4
    assert len([n for n in names if n.startswith("frames-")]) == 2


def test_a_failed_write_leaves_nothing(film, cache, monkeypatch):
    """A crash between writing and renaming leaves neither a temporary file nor a
    half-written entry under the final name."""
    import fingerprint.model as model

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(model.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    monkeypatch.undo()
    leftovers = [p.name for p in cache.root.rglob("*") if p.is_file() and p.name != ".lock"]
    assert leftovers == []
    # And the next run simply works.
    assert len(analyze(film, params=Params(samples=6, clusters=2), cache=cache)) == 6


def test_written_files_have_ordinary_permissions(film, cache):
    analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    umask = os.umask(0)
    os.umask(umask)
    for path in files(cache.root, "*.json") + files(cache.root, "*.npz"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path


def test_store_upload_streams_and_deduplicates(cache, film):
    data = film.read_bytes()
    first = cache.store_upload(io.BytesIO(data), "My Film.mp4")
    second = cache.store_upload(io.BytesIO(data), "../../evil/My Film.mp4")
    assert first.read_bytes() == data
    assert first.name == "My Film.mp4"
    assert second.parent == first.parent
    assert second.is_relative_to(cache.root / "uploads")
    assert first.parent.name == content_key(film)
    assert not files(cache.root, "*.part")


# --- content keys ---------------------------------------------------------------------


def test_content_key_is_stable_and_follows_content(tmp_path, film):
    key = content_key(film)
    assert key == content_key(film)
    assert key.isalnum() and len(key) == 24
    copy = tmp_path / "copy.bin"
    copy.write_bytes(film.read_bytes())
    assert content_key(copy) == key
    changed = bytearray(film.read_bytes())
    changed[len(changed) // 3] ^= 1
    copy.write_bytes(bytes(changed))
    assert content_key(copy) != key
    copy.write_bytes(film.read_bytes() + b"\0")
    assert content_key(copy) != key


class CountingOpen:
    """Replaces ``open`` inside fingerprint.cache, counting the bytes read."""

    def __init__(self) -> None:
        self.read = 0

    def __call__(self, path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)  # noqa: SIM115 - handed back to the caller
        counter = self
        real_read = fh.read

        class Wrapped:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                fh.close()

            def read(self, n=-1):
                data = real_read(n)
                counter.read += len(data)
                return data

            def seek(self, *args):
                return fh.seek(*args)

        return Wrapped()


def test_content_key_of_a_big_file_reads_at_most_4_mib(tmp_path, monkeypatch):
    big = tmp_path / "big.mkv"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    counting = CountingOpen()
    monkeypatch.setattr(cache_module, "open", counting, raising=False)
    started = time.perf_counter()
    key = content_key(big)
    assert time.perf_counter() - started < 2.0
    assert 0 < counting.read <= 4 * 1024 * 1024
    monkeypatch.undo()
    assert content_key(big) == key
    # A byte in the first or the last chunk changes the key; so does the size.
    for offset in (0, 200 * 1024 * 1024 - 1):
        with open(big, "r+b") as fh:
            fh.seek(offset)
            fh.write(b"\x01")
        assert content_key(big) != key
        with open(big, "r+b") as fh:
            fh.seek(offset)
            fh.write(b"\x00")
        assert content_key(big) == key
    with open(big, "r+b") as fh:
        fh.truncate(200 * 1024 * 1024 + 1)
    assert content_key(big) != key


def test_small_files_are_hashed_whole(tmp_path):
    """Under 4 MiB every byte counts, wherever it is."""
    data = bytearray(3 * 1024 * 1024)
    path = tmp_path / "small.bin"
    path.write_bytes(bytes(data))
    key = content_key(path)
    data[1_234_567] = 1  # between where the sampled chunks of a big file would be
    path.write_bytes(bytes(data))
    assert content_key(path) != key


def test_cache_key_is_hashed_once_per_unchanged_file(film, cache, monkeypatch):
    hashed = []
    real = cache_module.content_key
    monkeypatch.setattr(cache_module, "content_key", lambda p: hashed.append(p) or real(p))
    key = cache.key(film)
    assert cache.key(film) == key
    assert len(hashed) == 1
    film.write_bytes(film.read_bytes() + b"\0")
    assert cache.key(film) != key
    assert len(hashed) == 2


def test_cache_root_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(tmp_path / "env-cache"))
    assert Cache().root == tmp_path / "env-cache"
    assert (tmp_path / "env-cache").is_dir()
    assert Cache(tmp_path / "explicit").root == tmp_path / "explicit"


# --- concurrency ----------------------------------------------------------------------


@pytest.mark.parametrize("shared", [True, False])
def test_two_threads_on_one_film_decode_once(film, cache, calls, shared):
    """Two sessions (one Cache object, or two as two processes would have) asking for the
    same film at once: one decodes, the other waits and reads the result."""
    params = Params(samples=20, clusters=3)
    caches = [cache, cache] if shared else [cache, Cache(cache.root)]
    barrier = threading.Barrier(2)
    results, errors = [None, None], []

    def run(i):
        try:
            barrier.wait()
            results[i] = analyze(film, params=params, cache=caches[i])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert calls.sample == 1
    assert_same(results[0], results[1])
