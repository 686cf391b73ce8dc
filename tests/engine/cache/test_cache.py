"""The content-keyed cache: what it reuses, what it refuses to trust (fingerprint/cache.py)."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import io
import json
import os
import threading
import time

import numpy as np
import pytest

import fingerprint.cache._cache as cache_module
import fingerprint.cache._frames as cache_frames
import fingerprint.cache._keys as cache_keys_module
import fingerprint.cache._size as cache_size
import fingerprint.decode._sampling as sampling_module
import fingerprint.decode._video as video_module
from fingerprint import Cache, DecodedFrames, Params, VideoInfo, analyze, content_key
from fingerprint.cache._evict import _drop_film_if_empty
from fingerprint.errors import (
    CacheWriteError,
    FingerprintError,
    InvalidParameterError,
    NotAVideoError,
    VideoNotFoundError,
)
from tests.support.held_frames import held
from tests.support.videos import make_code, make_rgb, truncate_copy


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
    """Wraps the decoders' `sample_held` and `probe` as the pipeline calls them, counting
    calls; ``forbid`` makes them raise, proving a run never touched the video."""

    def __init__(self, monkeypatch) -> None:
        self.sample = 0
        self.probe = 0
        self.forbid = False
        real_sample, real_probe = sampling_module.sample_held, video_module.probe

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

        monkeypatch.setattr(sampling_module, "sample_held", sample)
        monkeypatch.setattr(video_module, "probe", probe)


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


UNSAVED = "The cache could not be written ({}): results were not saved for next time."


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


def test_another_k_or_colour_space_reads_no_frames(film, cache, calls, monkeypatch):
    # The colour summary saved beside the frames is all that reclustering reads.
    first = analyze(film, params=Params(samples=12, clusters=5), cache=cache)
    assert len(files(cache.root, "colours-*.zst")) == 1
    calls.forbid = True

    def no_frames(*args, **kwargs):
        raise AssertionError("read the frames although the colour summary was cached")

    monkeypatch.setattr(cache_frames, "read_frames", no_frames)
    monkeypatch.setattr(cache_module, "read_frames", no_frames)
    for change in ({"clusters": 2}, {"color_space": "rgb"}, {"seed": 3}):
        fp = analyze(film, params=Params(**{"samples": 12, "clusters": 5, **change}), cache=cache)
        np.testing.assert_array_equal(fp.average, first.average)
        assert fp.crop == first.crop


def test_reclustered_from_the_summary_equals_from_the_frames(film, cache, tmp_path):
    analyze(film, params=Params(samples=12, clusters=5), cache=cache)
    reused = analyze(film, params=Params(samples=12, clusters=4), cache=cache)
    for summary in files(cache.root, "colours-*.zst"):
        summary.unlink()
    for result in files(cache.root, "result-*.json"):
        result.unlink()
    from_frames = analyze(film, params=Params(samples=12, clusters=4), cache=cache)
    assert_same(reused, from_frames)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other version", "more bins"])
def test_a_damaged_colour_summary_is_made_again_from_the_frames(film, cache, calls, damage):
    first = analyze(film, params=Params(samples=12, clusters=3), cache=cache)
    (summary,) = files(cache.root, "colours-*.zst")
    data = summary.read_bytes()
    magic, header, body = data.split(b"\n", 2)
    if damage == "truncate":
        summary.write_bytes(data[: len(data) - 20])
    elif damage == "garbage":
        summary.write_bytes(magic + b"\n" + header + b"\n" + b"\x28\xb5\x2f\xfd" + bytes(50))
    elif damage == "other version":
        summary.write_bytes(magic.replace(b"1", b"0") + b"\n" + header + b"\n" + body)
    else:
        fields = json.loads(header)
        fields["bins"] += 1
        summary.write_bytes(magic + b"\n" + json.dumps(fields).encode() + b"\n" + body)
    for result in files(cache.root, "result-*.json"):
        result.unlink()
    calls.forbid = True  # the frames are still cached: nothing is decoded
    again = analyze(film, params=Params(samples=12, clusters=3), cache=cache)
    assert_same(first, again)
    (summary,) = files(cache.root, "colours-*.zst")
    assert summary.read_bytes() == data  # made again, as it was


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
    (frames_file,) = files(cache.root, "frames-*.zst")
    frames_file.write_bytes(frames_file.read_bytes()[: frames_file.stat().st_size // 2])
    for result in files(cache.root, "result-*.json") + files(cache.root, "colours-*.zst"):
        result.unlink()  # without its colour summary, the result needs the frames
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
    """A whole, readable frames file of 10 frames of 4x4 under this film's name: wrong
    for 320 px, so it is rebuilt."""
    params = Params(samples=12, clusters=3)
    analyze(film, params=Params(samples=6, clusters=3), cache=cache)  # the film is known
    key = cache.key(film)
    tiny = DecodedFrames(frames=np.zeros((10, 4, 4, 3), np.uint8), times=np.arange(10.0),
                   targets=np.arange(10.0))
    with cache.saving_samples(key, params, held(tiny)):
        pass
    assert cache._frames_path(key, params).is_file()
    assert cache.load_samples(key, params) is None
    fp = analyze(film, params=params, cache=cache)
    assert len(fp) == 12
    assert cache.load_samples(key, params).frames.shape[0] == 12


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
    for key in ("../etc", "a/b", "", "x y", "uploads"):
        with pytest.raises(FingerprintError):
            cache._dir(key)


# --- atomic writes --------------------------------------------------------------------


def test_writes_leave_no_temporary_files(film, cache):
    for k in (1, 2, 3):
        analyze(film, params=Params(samples=6, clusters=k), cache=cache)
    analyze(film, params=Params(samples=6, clusters=2, mode="exact"), cache=cache)
    names = [p.name for p in cache.root.rglob("*") if p.is_file()]
    temporary = [n for n in names if n.endswith((".tmp", ".part"))
                 or (n.startswith(".") and n not in (".lock", ".prune.lock"))]
    assert not temporary, names
    assert len([n for n in names if n.startswith("result-")]) == 4
    assert len([n for n in names if n.startswith("frames-")]) == 2


def test_a_failed_write_leaves_nothing(film, cache, monkeypatch):
    """A crash between writing and renaming leaves neither a temporary file nor a
    half-written entry under the final name."""
    import fingerprint._atomic as atomic

    def boom(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    monkeypatch.setattr(cache_module.os, "replace", boom)
    fp = analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    assert fp.warnings == (UNSAVED.format("no space left on the device"),)
    monkeypatch.undo()
    leftovers = [p.name for p in cache.root.rglob("*")
                 if p.is_file() and p.name not in (".lock", ".prune.lock")]
    assert leftovers == []
    # And the next run simply works.
    assert len(analyze(film, params=Params(samples=6, clusters=2), cache=cache)) == 6


def test_written_files_have_ordinary_permissions(film, cache):
    analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    umask = os.umask(0)
    os.umask(umask)
    for path in files(cache.root, "*.json") + files(cache.root, "frames-*"):
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
    """Replaces ``open`` inside fingerprint.cache._keys, counting the bytes read."""

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
    monkeypatch.setattr(cache_keys_module, "open", counting, raising=False)
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


@pytest.mark.parametrize("one_object", [True, False])
def test_two_threads_on_one_film_decode_once(film, cache, calls, one_object):
    """Two sessions (one Cache object, or two as two processes would have) asking for the
    same film at once: one decodes, the other waits and reads the result."""
    params = Params(samples=20, clusters=3)
    caches = [cache, cache] if one_object else [cache, Cache(cache.root)]
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


# --- stored frames --------------------------------------------------------------------


def fake_samples(n, *, height=18, width=32, seed=0, ended_at=None):
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (n, height, width, 3), dtype=np.uint8)
    times = np.linspace(0.5, 9.5, n)
    return DecodedFrames(frames=frames, times=times, targets=times + 0.01, ended_at=ended_at)


def known_film(cache, key, *, width=32, height=18):
    """An info.json for ``key``: frames are checked against the film's size."""
    info = VideoInfo(name="f.mp4", duration=10.0, fps=24.0, frame_count=240, width=width,
                     height=height, codec="h264", pix_fmt="yuv420p", rotation=0, stream_index=0)
    cache.save_info(key, info, source=None)


@pytest.mark.parametrize("ended_at", [None, 7.25])
def test_frames_round_trip_exactly(cache, ended_at):
    params = Params(samples=40, size=32)
    known_film(cache, "aa")
    stored = fake_samples(40, ended_at=ended_at)
    with cache.saving_samples("aa", params, held(stored)):
        pass
    back = cache.load_samples("aa", params)
    np.testing.assert_array_equal(back.frames, stored.frames)
    np.testing.assert_array_equal(back.times, stored.times)
    np.testing.assert_array_equal(back.targets, stored.targets)
    assert back.ended_at == ended_at


def test_flat_frames_are_stored_compactly(cache):
    """Rows of one colour become rows of zeros after the row difference: a 1000-frame set
    of flat 320x180 frames (173 MB raw) takes under 0.1 % of that on disk."""
    params = Params(samples=1000)
    known_film(cache, "aa", width=320, height=180)
    frames = np.empty((1000, 180, 320, 3), np.uint8)
    frames[:] = np.arange(1000, dtype=np.uint8)[:, None, None, None]
    stored = DecodedFrames(frames, np.arange(1000.0), np.arange(1000.0))
    with cache.saving_samples("aa", params, held(stored)):
        pass
    assert cache._frames_path("aa", params).stat().st_size < frames.nbytes / 1000
    np.testing.assert_array_equal(cache.load_samples("aa", params).frames, frames)


def test_saving_frames_makes_no_second_copy(cache):
    """The frames go to disk as they are held: saving 34.6 MB of frames allocates under
    4 MB (numpy and Python report their buffers to tracemalloc)."""
    import tracemalloc

    params = Params(samples=200)
    known_film(cache, "aa", width=320, height=180)
    stored = held(fake_samples(200, height=180, width=320))
    tracemalloc.start()
    try:
        with cache.saving_samples("aa", params, stored):
            pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4_000_000, peak
    assert cache.load_samples("aa", params) is not None


def test_frames_file_is_the_held_frames_end_to_end(cache):
    """Caching the frames writes the bytes the decoders held: nothing is compressed
    again."""
    params = Params(samples=40, size=32)
    known_film(cache, "aa")
    stored = held(fake_samples(40))
    blobs = list(stored.blobs)
    with cache.saving_samples("aa", params, stored):
        pass
    assert cache._frames_path("aa", params).read_bytes().endswith(b"".join(blobs))


def test_frames_file_of_one_zstandard_frame_reads_the_same(cache):
    """Files written before the frames were cached as held (all the row differences in
    one Zstandard frame) still read."""
    import zstandard

    params = Params(samples=40, size=32)
    known_film(cache, "aa")
    stored = fake_samples(40, ended_at=7.25)
    diff = stored.frames.copy()
    diff[:, :, 1:] -= stored.frames[:, :, :-1]
    header = {"shape": list(stored.frames.shape), "times": stored.times.tolist(),
              "targets": stored.targets.tolist(), "ended_at": 7.25}
    body = zstandard.ZstdCompressor(level=1).compress(diff.tobytes())
    write_frames_header(cache._frames_path("aa", params), header, body)
    back = cache.load_samples("aa", params)
    np.testing.assert_array_equal(back.frames, stored.frames)
    np.testing.assert_array_equal(back.times, stored.times)
    assert back.ended_at == 7.25


def write_frames_header(path, header, body=b""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cache_frames._FRAMES_MAGIC + json.dumps(header).encode() + b"\n" + body)


@pytest.mark.parametrize(
    "change",
    [
        {"shape": [41, 18, 32, 3]},  # more frames than samples
        {"shape": [40, 18, 30, 3]},  # not the film's working size
        {"shape": [40, 18, 32, 4]},
        {"shape": [40, 18, 32]},
        {"shape": "abc"},
        {"times": [1.0, 2.0]},
        {"times": "abc"},
        {"ended_at": "abc"},
        {"ended_at": float("nan")},
    ],
)
def test_frames_files_that_do_not_fit_are_missing(cache, change):
    params = Params(samples=40, size=32)
    known_film(cache, "aa")
    with cache.saving_samples("aa", params, held(fake_samples(40))):
        pass
    path = cache._frames_path("aa", params)
    head, body = path.read_bytes()[len(cache_frames._FRAMES_MAGIC):].split(b"\n", 1)
    header = {**json.loads(head), **change}
    write_frames_header(path, header, body)
    assert cache.load_samples("aa", params) is None


def test_frames_with_extra_or_missing_bytes_are_missing(cache):
    params = Params(samples=40, size=32)
    known_film(cache, "aa")
    with cache.saving_samples("aa", params, held(fake_samples(40))):
        pass
    path = cache._frames_path("aa", params)
    whole = path.read_bytes()
    path.write_bytes(whole[:-100])
    assert cache.load_samples("aa", params) is None
    path.write_bytes(whole + whole[-1000:])
    assert cache.load_samples("aa", params) is None
    path.write_bytes(whole)
    assert cache.load_samples("aa", params) is not None


def test_frames_without_the_films_info_are_not_trusted(cache):
    params = Params(samples=40, size=32)
    with cache.saving_samples("aa", params, held(fake_samples(40))):
        pass
    assert cache.load_samples("aa", params) is None


# --- well-formed but wrong entries ----------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"crop": 5}, {"crop": [0.1, 0.1]}, {"crop": ["a", 0, 0, 0]}, {"warnings": 5},
     {"warnings": [5]}, {"warnings": "text"}],
)
def test_result_with_wrong_field_types_is_rebuilt(film, cache, calls, change):
    params = Params(samples=12, clusters=3)
    first = analyze(film, params=params, cache=cache)
    (result,) = files(cache.root, "result-*.json")
    result.write_text(json.dumps({**json.loads(result.read_text()), **change}))
    assert cache.load_result(cache.key(film), params) is None
    calls.forbid = True  # rebuilt from the cached frames
    assert_same(first, analyze(film, params=params, cache=cache))
    assert json.loads(result.read_text())["crop"] == json.loads(first.to_json())["crop"]


@pytest.mark.parametrize(
    "change",
    [{"duration": "abc"}, {"duration": None}, {"width": "320"}, {"width": 0},
     {"fps": -1}, {"frame_count": 2.5}, {"name": 3}, {"duration_estimated": "no"}],
)
def test_info_with_wrong_field_types_is_rebuilt(film, cache, calls, change):
    params = Params(samples=6, clusters=2)
    first = analyze(film, params=params, cache=cache)
    (info,) = files(cache.root, "info.json")
    record = json.loads(info.read_text())
    record["info"].update(change)
    info.write_text(json.dumps(record))
    for result in files(cache.root, "result-*.json"):
        result.unlink()
    assert cache.entries() == []
    fp = analyze(film, params=params, cache=cache)
    assert fp.video == first.video
    assert calls.probe == 2
    assert cache.entry(cache.key(film)).info == first.video


def test_info_with_a_wrong_date_or_source_is_missing(film, cache):
    analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    (info,) = files(cache.root, "info.json")
    record = json.loads(info.read_text())
    for change in ({"analysed_at": "yesterday"}, {"source": 5}, {"info": 5}):
        info.write_text(json.dumps({**record, **change}))
        assert cache.entry(cache.key(film)) is None


# --- size cap and eviction ------------------------------------------------------------


def disk_bytes(root):
    """Bytes of every file under root, each inode once."""
    seen, total = set(), 0
    for path in root.rglob("*"):
        st = path.stat()
        if path.is_file() and st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_size
    return total


def filled(cache, keys, *, when):
    """One frame set and one result per key, used at the given times (epoch seconds)."""
    params = Params(samples=40, size=32)
    for key, used in zip(keys, when, strict=True):
        known_film(cache, key)
        with cache.saving_samples(key, params, held(fake_samples(40, seed=len(key)))):
            pass
        path = cache._frames_path(key, params)
        os.utime(path, (used, used))
    return params


def test_parse_size():
    assert cache_size.parse_size("2G") == 2_000_000_000
    assert cache_size.parse_size("500 MB") == 500_000_000
    assert cache_size.parse_size("1.5GiB") == 1_610_612_736
    assert cache_size.parse_size("2000") == 2000
    assert cache_size.parse_size("0") == 0
    for bad in ("", "lots", "-1G", "2X"):
        with pytest.raises(InvalidParameterError):
            cache_size.parse_size(bad)


def test_the_cap_comes_from_the_argument_the_environment_or_2_gb(tmp_path, monkeypatch):
    monkeypatch.delenv("FINGERPRINT_CACHE_MAX_BYTES", raising=False)
    assert Cache(tmp_path / "c").max_bytes == 2_000_000_000
    monkeypatch.setenv("FINGERPRINT_CACHE_MAX_BYTES", "300M")
    assert Cache(tmp_path / "c").max_bytes == 300_000_000
    assert Cache(tmp_path / "c", max_bytes=1234).max_bytes == 1234
    monkeypatch.setenv("FINGERPRINT_CACHE_MAX_BYTES", "big")
    with pytest.raises(InvalidParameterError):
        Cache(tmp_path / "c")


def test_info_counts_exactly(cache, film):
    analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    analyze(film, params=Params(samples=6, clusters=3), cache=cache)
    stats = cache.info()
    assert (stats.films, stats.entries, stats.uploads) == (1, 4, 0)  # frames, colours, 2 results
    assert stats.bytes == disk_bytes(cache.root)
    assert stats.max_bytes == cache.max_bytes


def test_least_recently_used_go_first(cache):
    now = time.time()
    params = filled(cache, ["aa", "bb", "cc"], when=[now - 300, now - 100, now - 200])
    sizes = {k: cache._frames_path(k, params).stat().st_size for k in ("aa", "bb", "cc")}
    total = cache.info().bytes
    cache.max_bytes = total - 1  # one entry must go: the least recently used, aa
    freed = cache.prune()
    assert not (cache.root / "aa").exists()  # its folder and library entry went with it
    assert [e.key for e in cache.entries()] != [] and cache.entry("aa") is None
    assert cache.load_samples("bb", params) is not None  # read: now the most recent
    cache.max_bytes = cache.info().bytes - 1
    cache.prune()
    assert cache.entry("cc") is None and cache.entry("bb") is not None
    assert freed >= sizes["aa"]
    assert cache.info().bytes == disk_bytes(cache.root) <= cache.max_bytes


def test_an_entry_in_use_is_never_evicted(cache):
    now = time.time()
    params = filled(cache, ["aa", "bb"], when=[now - 300, now - 100])
    cache.max_bytes = 0
    with cache.lock("aa"):  # an analysis of aa holds its lock
        cache.prune()
        assert cache.load_samples("aa", params) is not None
        assert not (cache.root / "bb").exists()
    cache.prune()
    assert cache.info().entries == 0


def test_a_lock_taken_while_its_folder_was_evicted_still_excludes(cache):
    """An analysis that opened the lock file just before eviction removed the folder
    must not hold a lock nobody else can see."""
    known_film(cache, "aa")
    with cache.lock("aa"):
        pass  # the lock file exists
    acquired = threading.Event()
    release = threading.Event()

    def hold():
        with cache.lock("aa"):
            acquired.set()
            release.wait(10)

    with cache._try_lock("aa") as free:
        assert free
        thread = threading.Thread(target=hold)
        thread.start()
        time.sleep(0.2)  # the thread has opened the old lock file and waits on it
        assert _drop_film_if_empty(cache, "aa", clear=True) == 0  # we hold it: not dropped
        for path in (cache.root / "aa").iterdir():
            path.unlink()
        (cache.root / "aa").rmdir()
    assert acquired.wait(10)
    with cache._try_lock("aa") as free:
        assert not free  # the thread's lock is on the new lock file
    release.set()
    thread.join(10)


def test_analysis_evicts_down_to_the_cap(film, cache):
    first = Params(samples=12, clusters=2)
    analyze(film, params=first, cache=cache)
    one_film = cache.info().bytes
    (frames,) = files(cache.root, "frames-*")
    # Room for one frame set and its result (13 samples a little more than 12), not two.
    cache.max_bytes = one_film + frames.stat().st_size // 2
    time.sleep(0.01)
    analyze(film, params=Params(samples=13, clusters=2), cache=cache)
    stats = cache.info()
    assert stats.bytes <= cache.max_bytes
    assert len(files(cache.root, "frames-*")) == 1  # the older set went
    assert cache.load_samples(cache.key(film), first) is None


def test_clear_removes_all_but_what_is_in_use(cache, film):
    analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    cache.store_upload(io.BytesIO(b"not really a film"), "x.mp4")
    filled(cache, ["aa"], when=[time.time()])
    with cache.lock("aa"):
        freed = cache.clear()
    stats = cache.info()
    assert (stats.films, stats.entries, stats.uploads) == (1, 1, 0)
    assert freed > 0
    cache.clear()
    assert cache.info().films == 0 and cache.info().entries == 0


# --- uploads --------------------------------------------------------------------------


def test_one_content_under_five_names_is_stored_once(cache, film):
    data = film.read_bytes()
    paths = [cache.store_upload(io.BytesIO(data), f"name {i}.mp4") for i in range(5)]
    assert [p.name for p in paths] == [f"name {i}.mp4" for i in range(5)]
    assert all(p.read_bytes() == data for p in paths)
    assert len({p.stat().st_ino for p in paths}) == 1
    stats = cache.info()
    assert stats.uploads == 1
    assert len(data) <= stats.bytes < len(data) + 4096
    assert stats.bytes == disk_bytes(cache.root)


@pytest.mark.parametrize("name", ["..", ".", "", "/", "a" * 300 + ".mp4"])
def test_upload_names_that_are_not_file_names(cache, name):
    path = cache.store_upload(io.BytesIO(b"data"), name)
    assert path.parent.parent == cache.root / "uploads"
    assert path.name.startswith("upload") and path.read_bytes() == b"data"


# --- stale temporaries ----------------------------------------------------------------


def test_stale_temporaries_are_swept_but_never_one_being_written(cache):
    import fcntl

    filled(cache, ["aa"], when=[time.time()])
    old = time.time() - cache_size.STALE_SECONDS - 60
    (cache.root / "uploads").mkdir()
    stale = [cache.root / "aa" / ".frames-0123.zst.abcd.tmp",
             cache.root / "aa" / ".result-0123.json.efgh.tmp",
             cache.root / "uploads" / "tmpabcd.part"]
    young = cache.root / "aa" / ".result-4567.json.ijkl.tmp"
    writing = cache.root / "uploads" / "tmpwxyz.part"
    for path in [*stale, young, writing]:
        path.write_bytes(b"x" * 1000)
        if path is not young:
            os.utime(path, (old, old))
    with open(writing, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # its writer is alive (and slow)
        Cache(cache.root)  # opening sweeps
        assert not any(p.exists() for p in stale)
        assert young.exists() and writing.exists()
    cache.prune()
    assert not writing.exists() and young.exists()
    assert cache.entry("aa") is not None


# --- a cache that cannot be written ---------------------------------------------------


@pytest.fixture
def mount_point(tmp_path):
    """A tiny tmpfs (as root); the test is skipped where mounting is not allowed."""
    import subprocess

    point = tmp_path / "mnt"
    point.mkdir()
    mounted = []

    def mount(options):
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                              capture_output=True)
        if done.returncode:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(point)
        return point

    yield mount
    for p in mounted:
        subprocess.run(["umount", str(p)], check=False)


def test_a_full_disk_degrades_to_no_cache(film, mount_point, tmp_path):
    point = mount_point("size=256k")
    cache = Cache(point / "cache")
    with open(point / "filler", "wb") as fh, contextlib.suppress(OSError):
        fh.write(b"\0" * 1024 * 1024)  # fill the filesystem
    params = Params(samples=6, clusters=2)
    fp = analyze(film, params=params, cache=cache)
    assert fp.warnings == (UNSAVED.format("no space left on the device"),)
    assert_same(
        dataclasses.replace(fp, warnings=()),
        analyze(film, params=params, cache=Cache(tmp_path / "roomy")),
    )
    assert not [p for p in (point / "cache").rglob("*") if p.name.endswith((".tmp", ".part"))]
    stored = r"^The film could not be stored \(no space left"
    with pytest.raises(CacheWriteError, match=stored) as e:
        cache.store_upload(io.BytesIO(b"x" * 500_000), "big.mp4")
    assert e.value.errno == errno.ENOSPC
    assert not files(point / "cache", "*.part")


def test_a_read_only_cache_still_serves_and_degrades(film, mount_point, calls):
    import subprocess

    point = mount_point("size=4m")
    cache = Cache(point / "cache")
    params = Params(samples=6, clusters=2)
    first = analyze(film, params=params, cache=cache)
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
    calls.forbid = True
    assert_same(first, analyze(film, params=params, cache=Cache(point / "cache")))
    other = analyze(film, params=Params(samples=6, clusters=3), cache=cache)
    assert other.warnings == (UNSAVED.format("the cache folder is read-only"),)
    calls.forbid = False
    fresh = analyze(film, params=params, cache=Cache(point / "new-cache"))  # cannot be made
    assert fresh.warnings == (UNSAVED.format("the cache folder is read-only"),)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "no space left on the device"), (errno.EACCES,
      "no permission to write the cache folder"), (errno.EROFS, "the cache folder is read-only")],
)
def test_unwritable_cache_without_mounts(film, cache, monkeypatch, code, reason):
    """The same, by making every temporary file fail as the filesystem would."""
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(cache.root / "secret" / "path"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    fp = analyze(film, params=Params(samples=6, clusters=2), cache=cache)
    assert fp.warnings == (UNSAVED.format(reason),)
    assert str(cache.root) not in fp.warnings[0]
    assert len(fp) == 6
