"""From synthetic films to fingerprints with known answers (fingerprint/pipeline.py)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from fingerprint import DecodedFrames, Params, analyze, fingerprint_samples, probe
from fingerprint.errors import InvalidParameterError
from fingerprint.palette._color import delta_e2000, rgb_to_lab
from tests.support.videos import (
    BLACK,
    BLUE,
    GREEN,
    ORANGE,
    RED,
    TEAL,
    letterbox,
    make_code,
    make_rgb,
    make_video,
    solid,
    split,
    truncate_copy,
)

FRAME = 0.1  # every synthetic film here runs at 10 fps
EPS = 1e-6
PINK = (200, 60, 120)
LEAF = (90, 160, 40)
BAR = 16  # letterbox bar height, px, on a 160x96 frame


@pytest.fixture(scope="session")
def films(tmp_path_factory):
    d = tmp_path_factory.mktemp("pipeline")
    # A letterboxed scene: 160x64 of picture that changes every 2 s, 16 px bars above and
    # below (a third of the frame).
    scenes = [(ORANGE, TEAL), (TEAL, PINK), (LEAF, ORANGE)]
    boxed = [letterbox(split(*scenes[i // 20], 0.5, (160, 64)), BAR) for i in range(60)]
    pillar = [letterbox(split(ORANGE, TEAL, 0.5, (120, 90)), 20, sides=True)] * 30
    long = make_code(d / "long.mkv", count=100, gop=10)
    return {
        "rgb": make_rgb(d / "rgb.mp4"),
        "letterbox": make_video(d / "letterbox.mp4", boxed),
        "pillarbox": make_video(d / "pillarbox.mp4", pillar),
        # 4:1 between two colours: 128 of 160 columns orange, 32 blue.
        "split": make_video(d / "split.mp4", [split(ORANGE, BLUE, 0.8)] * 30),
        "truncated": truncate_copy(long, d / "truncated.mkv"),
        "code": make_code(d / "code.mp4", gop=10),
    }


def delta_e(a, b) -> np.ndarray:
    return delta_e2000(rgb_to_lab(np.asarray(a, np.uint8)), rgb_to_lab(np.asarray(b, np.uint8)))


def share_near(colors: np.ndarray, shares: np.ndarray, target, limit: float = 3.0) -> float:
    """Total share of the palette colours within ΔE2000 ``limit`` of ``target``."""
    return float(shares[delta_e(colors, np.broadcast_to(target, colors.shape)) < limit].sum())


def rgb_truth(time: float):
    return (RED, GREEN, BLUE)[min(int(time // 2.0 + EPS), 2)]


def check_palettes(fp) -> None:
    """Invariants of every fingerprint: shapes, shares summing to 1 and descending."""
    n, k = len(fp), fp.params.clusters
    assert fp.times.shape == (n,)
    assert fp.colors.shape == (n, k, 3) and fp.colors.dtype == np.uint8
    assert fp.shares.shape == (n, k)
    assert fp.average.shape == (n, 3) and fp.average.dtype == np.uint8
    np.testing.assert_allclose(fp.shares.sum(axis=1), 1.0, atol=1e-9)
    assert np.all(np.diff(fp.shares, axis=1) <= 1e-12)
    assert np.all(fp.shares >= 0)


# --- red, green, blue -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "exact"])
@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("color_space", ["lab", "rgb"])
def test_red_green_blue(films, mode, k, color_space):
    count = 12
    fp = analyze(films["rgb"], params=Params(samples=count, clusters=k, mode=mode,
                                             color_space=color_space))
    check_palettes(fp)
    assert len(fp) == count
    assert fp.crop is None
    assert fp.warnings == ()
    slot = 6.0 / count
    targets = (np.arange(count) + 0.5) * slot
    assert np.all(np.diff(fp.times) > 0)
    for i, time in enumerate(fp.times):
        truth = rgb_truth(time)
        # The colours within ΔE 3 of the truth hold (nearly) all of the frame.
        assert share_near(fp.colors[i], fp.shares[i], truth) > 0.95, (time, fp.palette(i))
        assert delta_e(fp.colors[i, 0], truth) < 3
        assert delta_e(fp.average[i], truth) < 3
        if mode == "exact":
            assert targets[i] - FRAME - EPS < time <= targets[i] + EPS
        else:
            assert targets[i] - slot / 2 - EPS <= time < targets[i] + slot / 2
    if k == 1:
        np.testing.assert_allclose(fp.shares, 1.0)


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_colours_at_known_times(films, mode):
    """Three samples target 1, 3 and 5 s: red, then green, then blue."""
    fp = analyze(films["rgb"], params=Params(samples=3, clusters=2, mode=mode))
    for i, truth in enumerate((RED, GREEN, BLUE)):
        assert delta_e(fp.colors[i, 0], truth) < 3
        assert fp.shares[i, 0] > 0.95
    if mode == "exact":
        np.testing.assert_allclose(fp.times, [1.0, 3.0, 5.0], atol=EPS)


# --- bars -----------------------------------------------------------------------------


def test_letterbox_is_cropped(films):
    fp = analyze(films["letterbox"], params=Params(samples=6, clusters=3, crop=True))
    check_palettes(fp)
    assert fp.crop is not None
    top, bottom, left, right = fp.crop
    assert top == pytest.approx(BAR / 96, abs=2 / 96)
    assert bottom == pytest.approx(BAR / 96, abs=2 / 96)
    assert left == right == 0
    for i in range(len(fp)):
        used = fp.shares[i] > 0.005
        # No bar colour left: nothing near black carries any share.
        assert np.all(delta_e(fp.colors[i][used], np.broadcast_to(BLACK, (used.sum(), 3))) > 20)
        assert np.all(rgb_to_lab(fp.colors[i][used])[:, 0] > 25), fp.palette(i)
    # Each scene's two colours each hold half of the picture.
    for i, time in enumerate(fp.times):
        for colour in [(ORANGE, TEAL), (TEAL, PINK), (LEAF, ORANGE)][int(time // 2)]:
            assert share_near(fp.colors[i], fp.shares[i], colour) == pytest.approx(0.5, abs=0.05)


def test_letterbox_kept_when_crop_is_off(films):
    fp = analyze(films["letterbox"], params=Params(samples=6, clusters=3, crop=False))
    check_palettes(fp)
    assert fp.crop is None
    for i in range(len(fp)):
        # Black holds the bars' share, a third of the frame.
        assert share_near(fp.colors[i], fp.shares[i], BLACK) == pytest.approx(1 / 3, abs=0.05)
    # And the average colour is darker than with the crop.
    cropped = analyze(films["letterbox"], params=Params(samples=6, clusters=3, crop=True))
    luma = rgb_to_lab(fp.average)[:, 0]
    assert np.all(luma < rgb_to_lab(cropped.average)[:, 0] - 5)


def test_pillarbox_is_cropped(films):
    fp = analyze(films["pillarbox"], params=Params(samples=4, clusters=2))
    assert fp.crop is not None
    top, bottom, left, right = fp.crop
    assert top == bottom == 0
    assert left == pytest.approx(20 / 160, abs=2 / 160)
    assert right == pytest.approx(20 / 160, abs=2 / 160)
    for i in range(len(fp)):
        assert share_near(fp.colors[i], fp.shares[i], ORANGE) == pytest.approx(0.5, abs=0.05)
        assert share_near(fp.colors[i], fp.shares[i], TEAL) == pytest.approx(0.5, abs=0.05)


def test_no_bars_no_crop(films):
    fp = analyze(films["split"], params=Params(samples=3, clusters=2, crop=True))
    assert fp.crop is None


# --- shares ---------------------------------------------------------------------------


@pytest.mark.parametrize("color_space", ["lab", "rgb"])
@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_four_to_one_split(films, color_space, mode):
    fp = analyze(films["split"],
                 params=Params(samples=5, clusters=2, color_space=color_space, mode=mode))
    check_palettes(fp)
    for i in range(len(fp)):
        assert delta_e(fp.colors[i, 0], ORANGE) < 3, fp.palette(i)
        assert delta_e(fp.colors[i, 1], BLUE) < 3, fp.palette(i)
        np.testing.assert_allclose(fp.shares[i], [0.8, 0.2], atol=0.05)


def test_fingerprint_samples_without_video():
    """Clustering needs no video: hand-made frames give their exact palettes."""
    frames = np.stack([
        split(ORANGE, BLUE, 0.75),
        letterbox(solid(GREEN, (160, 60)), 15),
        split(RED, TEAL, 0.5),
    ])
    assert frames.shape == (3, 90, 160, 3)
    samples = DecodedFrames(frames=frames, times=np.array([0.5, 1.5, 2.5]),
                      targets=np.array([0.5, 1.5, 2.5]))
    info = probe_like(duration=3.0)
    fp = fingerprint_samples(samples, info=info, params=Params(samples=3, clusters=2, crop=False))
    check_palettes(fp)
    np.testing.assert_array_equal(fp.times, [0.5, 1.5, 2.5])
    np.testing.assert_allclose(fp.shares[0], [0.75, 0.25], atol=0.02)
    np.testing.assert_allclose(fp.shares[1], [2 / 3, 1 / 3], atol=0.02)
    np.testing.assert_allclose(fp.shares[2], [0.5, 0.5], atol=0.02)
    np.testing.assert_allclose(fp.colors[0].astype(int), [ORANGE, BLUE], atol=1)
    np.testing.assert_allclose(fp.colors[1].astype(int), [GREEN, BLACK], atol=1)
    assert fp.warnings == ()


def probe_like(duration: float):
    from fingerprint.model import VideoInfo

    return VideoInfo(name="hand-made", duration=duration, fps=10.0, frame_count=None,
                     width=160, height=90, codec="none", pix_fmt="rgb24", rotation=0,
                     stream_index=0)


def test_average_is_gamma_correct():
    """Half black, half white averages to sRGB 188, not 128."""
    frames = split(BLACK, (255, 255, 255), 0.5)[None]
    samples = DecodedFrames(frames=frames, times=np.array([0.0]), targets=np.array([0.0]))
    fp = fingerprint_samples(samples, info=probe_like(1.0),
                             params=Params(samples=1, clusters=2, crop=False))
    np.testing.assert_allclose(fp.average[0], [188, 188, 188], atol=1)


# --- spans, warnings, progress --------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_start_end_in_params(films, mode):
    params = Params(samples=8, clusters=2, mode=mode, start=2.0, end=4.0)
    fp = analyze(films["rgb"], params=params)
    assert fp.params == params
    assert len(fp) == 8
    assert np.all((fp.times >= 2.0 - EPS) & (fp.times <= 4.0 + EPS))
    for i in range(len(fp)):
        assert delta_e(fp.colors[i, 0], GREEN) < 3


def test_truncated_film_warns(films):
    fp = analyze(films["truncated"], params=Params(samples=20, clusters=2))
    check_palettes(fp)
    assert 4 <= len(fp) < 20
    assert len(fp.warnings) == 1
    warning = fp.warnings[0]
    assert "ended early" in warning
    assert f"{len(fp)} of 20 samples" in warning
    assert "0:00:10" in warning  # what the container claims
    assert fp.video.duration == pytest.approx(10.0, abs=FRAME)


def test_complete_film_has_no_warning(films):
    fp = analyze(films["code"], params=Params(samples=20, clusters=2))
    assert fp.warnings == ()
    assert len(fp) == 20


def test_progress_reaches_one_in_order(films):
    seen = []
    caller = threading.get_ident()

    def progress(fraction, message):
        assert threading.get_ident() == caller, "callbacks must run on the calling thread"
        assert isinstance(message, str) and message
        seen.append(fraction)

    analyze(films["code"], params=Params(samples=40, clusters=3), on_progress=progress)
    assert seen, "no progress reported"
    assert all(0.0 <= f <= 1.0 + EPS for f in seen)
    assert np.all(np.diff(seen) >= -EPS), seen
    assert seen[-1] == pytest.approx(1.0)


def test_video_info_is_recorded(films):
    fp = analyze(films["rgb"], params=Params(samples=3, clusters=1))
    assert fp.video == probe(films["rgb"])


def test_analyze_without_cache_writes_nothing(films, tmp_path, monkeypatch):
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    analyze(films["rgb"], params=Params(samples=3, clusters=1), cache=None)
    assert not (tmp_path / "cache").exists()
    assert not (tmp_path / "xdg").exists()


@pytest.mark.parametrize(
    "kwargs",
    [{"samples": 0}, {"clusters": 0}, {"clusters": 33}, {"mode": "quick"},
     {"color_space": "hsv"}, {"size": 8}, {"start": -1.0}, {"start": 3.0, "end": 2.0}],
)
def test_bad_params(kwargs):
    with pytest.raises(InvalidParameterError):
        Params(**kwargs)


def test_start_past_the_end(films):
    with pytest.raises(InvalidParameterError, match="past the end"):
        analyze(films["rgb"], params=Params(samples=3, start=60.0))


# --- cancelling -----------------------------------------------------------------------


def test_cancel_mid_decode_saves_nothing(films, tmp_path, monkeypatch):
    """Cancelled from another thread while the decoders work: `Cancelled`, no decoder
    thread left, and the cache holds neither frames nor a result."""
    from fingerprint import Cache, Cancelled
    from fingerprint.decode import _reader as reader, _sampling as sampling

    held = threading.Event()
    to_rgb = reader.FrameReader.to_rgb

    def holding(self, frame):
        held.set()
        for _ in range(1000):  # at most 10 s: a broken cancel fails instead of hanging
            if self.stop():
                break
            threading.Event().wait(0.01)
        return to_rgb(self, frame)

    monkeypatch.setattr(reader.FrameReader, "to_rgb", holding)
    cancel = threading.Event()
    canceller = threading.Thread(target=lambda: (held.wait(10), cancel.set()))
    canceller.start()
    cache = Cache(tmp_path / "cache")
    params = Params(samples=20, clusters=2, mode="exact")
    with pytest.raises(Cancelled):
        analyze(films["code"], params=params, cache=cache, cancel=cancel)
    canceller.join()
    assert not [t for t in threading.enumerate() if t.name.startswith(sampling.DECODER_THREAD)]
    key = cache.key(films["code"])
    assert cache.load_samples(key, params) is None
    assert cache.load_result(key, params) is None


def test_frames_go_to_the_cache_before_clustering_and_stay_only_if_it_ends(
    films, tmp_path, monkeypatch
):
    """The decoded frames are written (not yet under their name) and let go once
    summarised, so clustering runs without them; a run stopped while clustering leaves
    neither them nor a temporary file, and a run that ends keeps them."""
    import gc
    import weakref

    from fingerprint import Cache, Cancelled, _pipeline as pipeline

    summarise, cluster = pipeline.summarise_samples, pipeline.fingerprint_summary
    frames: list[weakref.ref] = []
    alive: list[bool] = []

    def summarising(samples, **kwargs):
        frames.append(weakref.ref(samples))
        return summarise(samples, **kwargs)

    def clustering(summary, **kwargs):
        gc.collect()
        alive.append(frames[-1]() is not None)
        if kwargs["params"].clusters == 3:
            raise Cancelled
        return cluster(summary, **kwargs)

    monkeypatch.setattr(pipeline, "summarise_samples", summarising)
    monkeypatch.setattr(pipeline, "fingerprint_summary", clustering)
    cache = Cache(tmp_path / "cache")
    key = cache.key(films["code"])
    stopped = Params(samples=12, clusters=3)
    with pytest.raises(Cancelled):
        analyze(films["code"], params=stopped, cache=cache)
    assert alive == [False]
    assert cache.load_samples(key, stopped) is None
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.name.endswith(".tmp")]
    ended = Params(samples=12, clusters=2)
    analyze(films["code"], params=ended, cache=cache)
    assert alive == [False, False]
    assert cache.load_samples(key, ended).frames.shape[0] == 12


def test_cancel_during_clustering():
    from fingerprint import Cancelled

    frames = np.stack([split(ORANGE, BLUE, 0.75)] * 3)
    samples = DecodedFrames(frames=frames, times=np.arange(3.0), targets=np.arange(3.0))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        fingerprint_samples(samples, info=probe_like(3.0),
                            params=Params(samples=3, clusters=2), cancel=cancel)


def test_fast_mode_capped_at_distinct_frames_says_so(films):
    """60 frames, 150 samples asked: capped at the 60 frames, and fast mode never repeats
    a frame; each shortening is said."""
    fp = analyze(films["code"], params=Params(samples=150, clusters=2, mode="fast"))
    assert 40 <= len(fp) <= 60
    assert np.all(np.diff(fp.times) > 0)
    assert fp.warnings[0] == ("The analysed span has 60 frames, so it was sampled 60 times, "
                              "not 150: every sample is a distinct frame.")
    if len(fp) < 60:
        assert len(fp.warnings) == 2
        assert f"only {len(fp)} distinct frames" in fp.warnings[1] and "60" in fp.warnings[1]
    else:
        assert len(fp.warnings) == 1


def test_another_k_from_the_cache_never_imports_the_decoders(films, tmp_path):
    """The command line's other k opens no film, so it does not load PyAV either (35 ms
    of its start), nor the comparison of two films (14 ms): a fresh interpreter
    reclusters from the cache without those modules."""
    import subprocess
    import sys

    from fingerprint import Cache

    cache_dir = tmp_path / "cache"
    analyze(films["code"], params=Params(samples=12, clusters=3), cache=Cache(cache_dir))
    script = (
        "import sys\n"
        "from fingerprint.cli import main\n"
        f"main(['analyze', {str(films['code'])!r}, '--out', {str(tmp_path / 'out')!r},\n"
        f"      '--samples', '12', '-k', '2', '--cache-dir', {str(cache_dir)!r}])\n"
        "print([m for m in ('av', 'fingerprint.compare._compare') if m in sys.modules])\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, stdin=subprocess.DEVNULL)
    assert run.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / f"{films['code'].stem}.json").is_file()
