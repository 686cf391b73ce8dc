"""The sound print: known levels read back at known times, and films without sound."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import threading
from pathlib import Path

import av
import numpy as np
import pytest

from fingerprint._pipeline import analyze
from fingerprint.cache._cache import Cache
from fingerprint.cli._main import main
from fingerprint.decode._sampling import sample_times
from fingerprint.decode._video import probe
from fingerprint.errors import Cancelled, DecodeError
from fingerprint.model import Fingerprint
from fingerprint.params import Params
from fingerprint.sound._forked import SOUND_PROCESS, ForkedSoundPrint, start_sound_print
from fingerprint.sound._loudness import FLOOR, lufs
from fingerprint.sound._print import SOUND_THREAD, SoundPrint, audio_stream, has_sound, loudness
from tests.support import DEMO
from tests.support.films import LEVELS, make_tones
from tests.support.videos import ffmpeg_exe, make_rgb, wrapped_ts


# 2 s of silence, 2 s of a -20 dBFS tone, 2 s of a -6 dBFS tone (peak amplitude 10^(L/20),
# the same in both channels of a stereo pair: BS.1770 reads such a 1 kHz tone at L LUFS).
@pytest.fixture(scope="module")
def tones(tmp_path_factory) -> Path:
    return make_tones(tmp_path_factory.mktemp("sound") / "tones.mp4")


def expected(times: np.ndarray) -> np.ndarray:
    return np.array([FLOOR if LEVELS[int(t // 2)] is None else LEVELS[int(t // 2)]
                     for t in times])


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize("count", [6, 12, 30])
def test_levels_read_back_at_their_times(tones, mode, count):
    info = probe(tones)
    times, slot = sample_times(info, count=count)
    levels = loudness(tones, info=info, times=times, slot=slot, mode=mode)
    np.testing.assert_allclose(levels, expected(times), atol=1.0)


@pytest.mark.parametrize("name,codec", [("pcm.mov", "pcm_s16le"), ("flac.mkv", "flac")])
def test_levels_read_back_from_integer_sound(tmp_path, name, codec):
    """Decoders that give interleaved integers (PCM, FLAC) go through the conversion to
    planar float: the same levels."""
    film = make_tones(tmp_path / name, codec=codec)
    info = probe(film)
    times, slot = sample_times(info, count=12)
    for mode in ("fast", "exact"):
        levels = loudness(film, info=info, times=times, slot=slot, mode=mode)
        np.testing.assert_allclose(levels, expected(times), atol=1.0)


@pytest.mark.parametrize("name,video,codec", [
    ("dvd.vob", "mpeg2video", "ac3"),  # as on a DVD
    ("h264.mpg", "libx264", "mp2"),
])
def test_levels_read_back_from_mpeg_program_streams(tmp_path, name, video, codec):
    """A program stream states no duration, and FFmpeg's estimate for the H.264 one was
    0.05 s of 6 s; after a seek its first sound packet is the tail of a frame, which does
    not decode (the rest of the track read as ended: NaN)."""
    film = make_tones(tmp_path / name, codec=codec, video=video)
    info = probe(film)
    assert info.duration == pytest.approx(6.0, abs=0.05)
    # Windows clear of the level changes: the file's end is its sound's (11 ms later).
    times, slot = np.arange(0.5, 6.0, 1.0), 0.5
    for mode in ("fast", "exact"):
        levels = loudness(film, info=info, times=times, slot=slot, mode=mode)
        np.testing.assert_allclose(levels, expected(times), atol=1.0)


def test_levels_read_back_across_a_wrapped_clock(tones, tmp_path):
    """An MPEG-TS recording whose clock wrapped 3 s in: its first 3 s are stamped below
    zero, where the sound's seeks were not aimed (the 2.5 s window read the wrap's side)."""
    film = wrapped_ts(tones, tmp_path / "wrapped.ts", after=3.0)
    info = probe(film)
    assert info.start_time < 0
    times, slot = np.arange(0.5, 6.0, 1.0), 0.5
    for mode in ("fast", "exact"):
        levels = loudness(film, info=info, times=times, slot=slot, mode=mode)
        np.testing.assert_allclose(levels, expected(times), atol=1.0)


def test_fast_mode_uses_the_short_term_window(tones):
    """Columns 3 s apart: the 3 s window around 1.5 s holds 2 s of silence and 1 s of the
    -20 dB tone (a third of its power); the one around 4.5 s, 1 s at -20 and 2 s at -6."""
    info = probe(tones)
    levels = loudness(tones, info=info, times=np.array([1.5, 4.5]), slot=3.0, mode="fast")
    np.testing.assert_allclose(
        levels, 10 * np.log10([0.01 / 3, (0.01 + 2 * 10**-0.6) / 3]), atol=0.5
    )


def test_exact_mode_counts_every_moment_of_the_slot(tones):
    """Exact mode's slot around t=3 s is the whole film: its mean power."""
    info = probe(tones)
    level = loudness(tones, info=info, times=np.array([3.0]), slot=6.0, mode="exact")[0]
    assert level == pytest.approx(10 * np.log10((0.01 + 10**-0.6) / 3), abs=0.5)


def test_lufs_of_a_sine_and_of_silence():
    rate = 48000
    t = np.arange(3 * rate) / rate
    tone = 10 ** (-23 / 20) * np.sin(2 * np.pi * 997 * t)
    assert lufs(np.stack([tone, tone]), rate=rate) == pytest.approx(-23.0, abs=0.05)
    # One channel of the pair carries half the power: 3 dB less.
    assert lufs(tone[None], rate=rate) == pytest.approx(-26.0, abs=0.05)
    assert lufs(np.zeros((2, rate)), rate=rate) == FLOOR
    assert np.isnan(lufs(np.zeros((2, 0)), rate=rate))


def test_a_film_without_sound_has_none(tmp_path):
    film = make_rgb(tmp_path / "silent.mp4")
    assert "no sound track" in has_sound(film)


def test_a_film_with_sound_has_it(tones):
    assert has_sound(tones) is None


def test_main_stream_is_not_the_commentary(tmp_path):
    """A six-channel commentary first, marked by its title and disposition, loses to the
    stereo film sound after it."""
    film = tmp_path / "two.mkv"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y",
         "-f", "lavfi", "-i", "color=c=gray:s=160x90:r=10:d=1",
         "-f", "lavfi", "-i", "sine=f=300:d=1",
         "-f", "lavfi", "-i", "sine=f=600:d=1",
         "-map", "0", "-map", "1", "-map", "2",
         "-c:v", "libx264", "-c:a", "aac", "-ac:a:0", "6", "-ac:a:1", "2",
         "-metadata:s:a:0", "title=Director's commentary",
         "-disposition:a:0", "default+comment", "-disposition:a:1", "0", str(film)],
        check=True,
    )
    with av.open(str(film)) as container:
        assert audio_stream(container).index == 2


def test_cancel_raises(tones):
    info = probe(tones)
    times, slot = sample_times(info, count=6)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        loudness(tones, info=info, times=times, slot=slot, cancel=cancel)


def test_an_exception_from_the_progress_callback_propagates(tones):
    info = probe(tones)
    times, slot = sample_times(info, count=30)

    calls = []

    def fail(fraction, message):
        calls.append(fraction)
        if len(calls) > 1:  # the first says the stage started; the next come from the decoders
            raise RuntimeError("the page went away")

    with pytest.raises(RuntimeError, match="went away"):
        loudness(tones, info=info, times=times, slot=slot, on_progress=fail)
    assert not [t for t in threading.enumerate() if t.name.startswith(SOUND_THREAD)]


def test_analyze_adds_the_sound_print_and_it_survives_json_and_csv(tones, tmp_path):
    fp = analyze(tones, params=Params(samples=6, sound=True), cache=Cache(tmp_path / "c"))
    np.testing.assert_allclose(fp.loudness, expected(fp.times), atol=1.0)
    again = Fingerprint.from_dict(json.loads(fp.to_json()))
    np.testing.assert_allclose(again.loudness, fp.loudness, atol=0.01)
    header, *rows = fp.to_csv(header=True).splitlines()
    assert header.endswith(",loudness") and rows[-1].endswith(f",{fp.loudness[-1]:.2f}")
    # Cached with the rest: the second call reads the result back.
    cached = analyze(tones, params=Params(samples=6, sound=True), cache=Cache(tmp_path / "c"))
    np.testing.assert_allclose(cached.loudness, fp.loudness, atol=0.01)


def test_without_the_option_or_the_sound_there_is_no_sound_print(tones, tmp_path):
    plain = analyze(tones, params=Params(samples=6))
    assert plain.loudness is None and "loudness" not in plain.to_json()
    assert "loudness" not in plain.to_csv(header=True)
    film = make_rgb(tmp_path / "silent.mp4")
    fp = analyze(film, params=Params(samples=6, sound=True))
    assert fp.loudness is None
    assert sum("no sound track" in w for w in fp.warnings) == 1
    # The colour fingerprint is the same as without the option.
    np.testing.assert_array_equal(fp.colors, analyze(film, params=Params(samples=6)).colors)


def test_a_file_with_a_silent_gap_loads_it_as_nan(tones):
    data = json.loads(analyze(tones, params=Params(samples=6, sound=True)).to_json())
    data["frames"][0]["loudness"] = None
    for row in data["frames"][1:]:
        row.pop("loudness")
    fp = Fingerprint.from_dict(data)
    assert np.isnan(fp.loudness).all()


def test_command_line_sound(tones, tmp_path, monkeypatch):
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["analyze", str(tones), "--out", str(tmp_path), "--samples", "6",
                 "--sound", "--csv-header"]) == 0
    fp = Fingerprint.load(tmp_path / "tones.json")
    assert fp.params.sound and len(fp.loudness) == 6
    assert (tmp_path / "tones.csv").read_text().splitlines()[0].endswith(",loudness")


def _with_sound(tones) -> Fingerprint:
    return analyze(tones, params=Params(samples=6, sound=True))


def test_loudness_trace_lines_up_with_the_strip_and_shows_levels(tones):
    from fingerprint.plotting._film import strip_figure
    from fingerprint.plotting._sound import add_sound_ring, loudness_figure

    fp = _with_sound(tones)
    trace = loudness_figure(fp).data[-1]
    assert list(trace.x) == list(strip_figure(fp).data[0].x)
    assert trace.text[2] == f"{fp.loudness[2]:.1f} LUFS"
    assert [int(c[0]) for c in trace.customdata] == list(range(6))
    ring = add_sound_ring(strip_figure(fp), fp)
    assert ring.data[-1].hovertext[4] == f"{fp.loudness[4]:.1f} LUFS"


def test_sound_on_posters(tones):
    from fingerprint._theme import BACKGROUND
    from fingerprint.poster import _render as render

    fp = _with_sound(tones)
    plain = np.asarray(render.poster(fp, kind="palette", width=600, height=200))
    loud = np.asarray(render.poster(fp, kind="palette", width=600, height=200, sound=True))
    assert loud.shape == plain.shape
    band = loud[170:, :, :]
    # Silent first third: the band is empty there; loud last third: the band is filled.
    assert (band[:, :190] == BACKGROUND).all()
    assert (band[-5:, 420:] != BACKGROUND).any(axis=-1).all()
    assert '<g id="sound">' in render.poster_svg(fp, kind="ring", width=300, height=300,
                                                sound=True)
    assert "sound" not in render.poster_svg(fp, kind="ring", width=300, height=300)
    ring = np.asarray(render.poster(fp, kind="ring", width=300, height=300, sound=True))
    assert (ring[150, 150] == BACKGROUND).all()  # the centre stays clear


def test_five_one_counts_surrounds_more_and_the_lfe_not_at_all(tmp_path):
    """5.1 AAC: a -20 dBFS 1 kHz tone in the front pair and a -6 dBFS 60 Hz one in the LFE
    (which would make it read about -12 LUFS if it counted) reads -20; the tone in the back pair
    instead reads 1.5 dB louder, BS.1770's surround weight of 1.41."""
    tone, rumble = f"{10 ** (-20 / 20)}*sin(2*PI*1000*t)", f"{10 ** (-6 / 20)}*sin(2*PI*60*t)"
    levels = []
    for channels in (f"{tone}|{tone}|0|{rumble}|0|0", f"0|0|0|{rumble}|{tone}|{tone}"):
        film = tmp_path / f"surround{len(levels)}.mp4"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y",
             "-f", "lavfi", "-i", "color=c=gray:s=160x90:r=10:d=4",
             "-f", "lavfi", "-i", f"aevalsrc='{channels}':s=48000:d=4:c=5.1",
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(film)],
            check=True,
        )
        info = probe(film)
        levels.append(loudness(film, info=info, times=np.array([2.0]), slot=3.0)[0])
    np.testing.assert_allclose(levels, [-20.0, -20.0 + 10 * np.log10(1.41)], atol=0.3)


# --- measured while the frames decode ---------------------------------------------------


def test_times_handed_over_out_of_order_read_the_same_levels(tones):
    """As the frames' decoders find them, two parts' times interleave: the decoder seeks
    back and forth, and each window reads what it reads in order."""
    info = probe(tones)
    times, slot = sample_times(info, count=12)
    in_order = loudness(tones, info=info, times=times, slot=slot)
    with SoundPrint(tones, info=info, slot=slot) as sound:
        for pair in zip(times[:6], times[6:], strict=True):
            for t in pair:
                sound.add(t)
        levels = sound.levels(times)
    np.testing.assert_allclose(levels, in_order, atol=0.05)
    np.testing.assert_allclose(levels, expected(times), atol=1.0)


def test_analyze_hands_each_sample_time_over_while_the_frames_decode(tones, monkeypatch):
    """Every sample's time reaches the sound print before the frames are clustered, so it
    is measured beside their decoding; in exact mode, each slot's middle."""
    from fingerprint import _pipeline as pipeline

    handed, at_clustering = [], []
    add = ForkedSoundPrint.add  # the pipeline's, where the system forks
    monkeypatch.setattr(ForkedSoundPrint, "add",
                        lambda self, t: (handed.append(t), add(self, t)))
    cluster = pipeline.summarise_samples  # the first step of clustering decoded frames

    def clustering(samples, **kwargs):
        at_clustering.append(list(handed))
        return cluster(samples, **kwargs)

    monkeypatch.setattr(pipeline, "summarise_samples", clustering)
    for mode in ("fast", "exact"):
        handed.clear()
        fp = analyze(tones, params=Params(samples=12, sound=True, mode=mode))
        moments = fp.times if mode == "fast" else sample_times(fp.video, count=12)[0]
        assert sorted(at_clustering[-1]) == pytest.approx(list(moments))
        np.testing.assert_allclose(fp.loudness, expected(moments), atol=1.0)


def test_a_failed_decode_stops_the_sound_print(tones, monkeypatch):
    """The frames' decoding fails after the sound print started: no sound decoder is left
    running."""
    from fingerprint.decode import _sampling as sampling

    def broken(*args, **kwargs):
        raise DecodeError("the frames do not decode")

    monkeypatch.setattr(sampling, "sample_held", broken)
    with pytest.raises(DecodeError):
        analyze(tones, params=Params(samples=6, sound=True))
    assert not [t for t in threading.enumerate() if t.name.startswith(SOUND_THREAD)]
    assert not sound_processes()


def test_loudness_of_a_film_without_sound_says_why(tmp_path):
    from fingerprint.errors import DecodeError

    film = make_rgb(tmp_path / "silent.mp4")
    with pytest.raises(DecodeError, match="no sound track"):
        loudness(film, info=probe(film), times=np.array([0.5]), slot=1.0)


# --- cached ---------------------------------------------------------------------------


def _loudness_files(cache: Cache) -> list[Path]:
    return sorted(cache.root.glob("*/loudness-*.json"))


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_another_k_reuses_the_sound_print(tones, tmp_path, monkeypatch, mode):
    """Another k re-clusters the cached frames and reads the cached sound print: no sound
    decoder is opened, and the levels are the same known ones."""
    cache = Cache(tmp_path / "c")
    first = analyze(tones, params=Params(samples=12, sound=True, mode=mode), cache=cache)
    assert len(_loudness_files(cache)) == 1
    opened = []
    monkeypatch.setattr("fingerprint.sound._print._Track.__init__",
                        lambda *a, **k: opened.append(1) or pytest.fail("decoded again"))
    again = analyze(tones, params=Params(samples=12, sound=True, mode=mode, clusters=3),
                    cache=cache)
    assert not opened
    np.testing.assert_array_equal(again.loudness, first.loudness)
    moments = first.times if mode == "fast" else sample_times(first.video, count=12)[0]
    np.testing.assert_allclose(again.loudness, expected(moments), atol=1.0)


@pytest.mark.parametrize("damage", [
    lambda path: path.write_text("{not json"),
    lambda path: path.write_text('{"times": [1, 2], "loudness": [-20, -6]}'),  # other times
    lambda path: path.write_text(path.read_text().replace("-", "")),  # above full scale
    lambda path: path.write_bytes(path.read_bytes()[:40]),  # truncated
])
def test_a_damaged_sound_print_is_measured_again(tones, tmp_path, damage):
    cache = Cache(tmp_path / "c")
    first = analyze(tones, params=Params(samples=12, sound=True), cache=cache)
    [saved] = _loudness_files(cache)
    damage(saved)
    again = analyze(tones, params=Params(samples=12, sound=True, clusters=3), cache=cache)
    np.testing.assert_allclose(again.loudness, first.loudness, atol=0.01)
    # Measured again and saved whole.
    assert cache.load_loudness(cache.key(tones), again.params, first.times) is not None


def test_the_cache_counts_and_clears_sound_prints(tones, tmp_path):
    cache = Cache(tmp_path / "c")
    analyze(tones, params=Params(samples=12, sound=True), cache=cache)
    plain = Cache(tmp_path / "d")
    analyze(tones, params=Params(samples=12), cache=plain)
    assert cache.info().entries == plain.info().entries + 1
    cache.clear()
    assert not _loudness_files(cache)


def test_a_cancel_while_the_frames_decode_stops_the_sound_print_and_saves_nothing(
    tones, tmp_path, monkeypatch
):
    """Cancelled from another thread while both the frames and the sound are decoding:
    `Cancelled`, no sound or frame decoder left running, and no sound print cached."""
    from fingerprint.decode import _reader as reader, _sampling as sampling

    cancel = threading.Event()
    to_rgb = reader.FrameReader.to_rgb

    def cancelling(self, frame):
        cancel.set()  # the sound print started before the frames: both are running now
        return to_rgb(self, frame)

    monkeypatch.setattr(reader.FrameReader, "to_rgb", cancelling)
    cache = Cache(tmp_path / "c")
    with pytest.raises(Cancelled):
        analyze(tones, params=Params(samples=12, sound=True), cache=cache, cancel=cancel)
    running = [t.name for t in threading.enumerate()]
    assert not [n for n in running if n.startswith((SOUND_THREAD, sampling.DECODER_THREAD))]
    assert not sound_processes()
    assert not _loudness_files(cache)


def sound_processes():
    return [p for p in multiprocessing.active_children() if p.name == SOUND_PROCESS]


def test_the_pipeline_measures_the_sound_in_a_child_process_where_it_forks(tones):
    """The same levels as in-process, from a child that is gone once closed."""
    info = probe(tones)
    times, slot = sample_times(info, count=12)
    with start_sound_print(tones, info=info, slot=slot) as sound:
        assert isinstance(sound, ForkedSoundPrint)
        assert sound_processes()
        for t in times[::2]:
            sound.add(t)
        levels = sound.levels(times)
    assert not sound_processes()
    np.testing.assert_allclose(levels, loudness(tones, info=info, times=times, slot=slot))
    np.testing.assert_allclose(levels, expected(times), atol=1.0)


def test_a_cancel_stops_the_sound_print_in_its_child(tones):
    info = probe(tones)
    times, slot = sample_times(info, count=30)
    cancel = threading.Event()

    def cancelling(fraction, message):
        cancel.set()

    with pytest.raises(Cancelled), ForkedSoundPrint(tones, info=info, slot=slot,
                                                    cancel=cancel) as sound:
        sound.levels(times, on_progress=cancelling)
    assert not sound_processes()


def test_a_child_that_dies_is_a_clear_error(tones):
    info = probe(tones)
    times, slot = sample_times(info, count=6)
    with ForkedSoundPrint(tones, info=info, slot=slot) as sound:
        sound._process.kill()
        with pytest.raises(DecodeError, match="stopped unexpectedly"):
            sound.levels(times)
    assert not sound_processes()


def test_a_window_reached_by_a_seek_reads_as_one_decoded_on_in_vorbis():
    """In WebM, Vorbis frames where the block size changes are stamped 9.8 ms off their
    samples: placed by the first frame after a seek, 0.1 s windows of the demo film read
    up to 3.5 LU off what decoding on from the start reads there. Every window from 18 s
    to 24 s (where the sound changes often), each after a seek of its own."""
    from fingerprint.sound._print import _Track

    film = DEMO / "bbb_30s_720p_vp8.webm"
    info = probe(film)
    times, slot = sample_times(info, count=300)
    half = slot / 2
    on = _Track(str(film), info)
    decoded_on = [on.measure(max(0.0, t - half), t + half) for t in times]
    on.close()
    for t, level in list(zip(times, decoded_on, strict=True))[180:240]:
        track = _Track(str(film), info)
        assert track.measure(t - half, t + half) == pytest.approx(level, abs=0.1), t
        track.close()
