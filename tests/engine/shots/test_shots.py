"""Shots: cuts and a cross-fade found where a film made of known clips has them."""

from __future__ import annotations

import itertools
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from fingerprint.cli._main import main
from fingerprint.decode._video import probe
from fingerprint.errors import Cancelled
from fingerprint.model import Fingerprint, Shot
from fingerprint.shots import detect_shots, shot_stats, shots_to_csv
from tests.support.films import CUTS, END, FPS, make_clips
from tests.support.videos import (
    BLUE,
    ORANGE,
    TEAL,
    WHITE,
    ffmpeg_exe,
    make_video,
    palettized,
    solid,
    split,
)

# Pictures for cross-fades: still ones, and ones that move (a slow pan across each).
PICTURES = {
    "bars": "smptehdbars",
    "rgb": "rgbtestsrc",
    "spectrum": "colorspectrum",
    "testsrc": "testsrc",  # its counter and bar move
    "pal": "pal100bars",
    "panning bars": "smptehdbars,scroll=h=0.002",
    "panning spectrum": "colorspectrum,scroll=h=-0.002:v=0.001",
    "panning rgb": "rgbtestsrc,scroll=v=0.003",
}


def make_cross_fade(path: Path, before: str, after: str, seconds: float) -> float:
    """3 s of ``before`` cross-fading into 3 s of ``after`` over ``seconds`` (ending at 3
    s): returns the cross-fade's middle."""
    inputs = []
    for name in (before, after):
        source, _, motion = PICTURES[name].partition(",")
        chain = f"{source}=s=160x90:r={FPS}:d=3" + (f",{motion}" if motion else "")
        inputs += ["-f", "lavfi", "-i", chain]
    graph = f"[0][1]xfade=transition=fade:duration={seconds}:offset={3 - seconds},format=yuv420p"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", *inputs, "-filter_complex", graph,
         "-c:v", "libx264", "-threads", "1", "-filter_complex_threads", "1",
         "-fflags", "+bitexact", str(path)],
        check=True,
    )
    return 3 - seconds / 2


@pytest.mark.parametrize("seconds", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("before, after", [
    ("bars", "rgb"), ("testsrc", "spectrum"), ("spectrum", "testsrc"), ("pal", "testsrc"),
    ("panning spectrum", "panning rgb"), ("panning bars", "panning spectrum"),
])
def test_a_cross_fade_is_placed_at_its_middle(tmp_path, before, after, seconds):
    """One boundary, within a frame of the middle, whatever the pictures and the length.
    PySceneDetect marks some 0.5 s ones as a cut at their first frames (the panning bars'
    with no dissolve-like window at all: motion spoils the 1 s test); their middle is also
    where the two decoders meet (half-way through the 5.5 s film)."""
    film = tmp_path / "fade.mp4"
    middle = make_cross_fade(film, before, after, seconds)
    shots = detect_shots(film, info=probe(film))
    assert len(shots) == 2
    assert abs(shots[1].start - middle) <= 1 / FPS + 1e-6


def test_cuts_either_side_of_a_cross_fade(tmp_path):
    """Hard cuts 1.5 s before and 2.5 s after a cross-fade's middle: the ramp is read
    between them, and all three boundaries stand, each within a frame."""
    sources = ["pal100bars=s=160x90:r=24:d=2", "colorspectrum=s=160x90:r=24:d=2",
               "testsrc=s=160x90:r=24:d=3", "rgbtestsrc=s=160x90:r=24:d=2"]
    inputs = [arg for source in sources for arg in ("-f", "lavfi", "-i", source)]
    graph = "[1][2]xfade=transition=fade:duration=1:offset=1[x];[0][x][3]concat=n=3,format=yuv420p"
    film = tmp_path / "around.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *inputs, "-filter_complex", graph,
                    "-c:v", "libx264", "-threads", "1", "-filter_complex_threads", "1",
                    "-fflags", "+bitexact", str(film)], check=True)
    shots = detect_shots(film, info=probe(film))
    np.testing.assert_allclose([s.start for s in shots[1:]], [2.0, 3.5, 6.0],
                               atol=1 / FPS + 1e-6)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    return make_clips(tmp_path_factory.mktemp("shots") / "clips.mp4")


@pytest.mark.parametrize("palette", [False, True])
@pytest.mark.parametrize("workers", [1, 2])
def test_every_cut_within_a_frame_and_none_inside_a_clip(clips, workers, palette, tmp_path):
    """``palette``: the film as 8-bit palettized AVI, whose palette comes with the first
    frame only: the second decoder, which seeks first, saw black and no cut after 5.5 s."""
    if palette:
        clips = palettized(clips, tmp_path / "clips.avi")
    info = probe(clips)
    shots = detect_shots(clips, info=info, workers=workers)
    starts = np.array([s.start for s in shots])
    assert len(shots) == len(CUTS) + 1
    # Hard cuts and the cross-fade's middle within one frame.
    np.testing.assert_allclose(starts[1:], CUTS, atol=1 / FPS + 1e-6)
    assert starts[0] == 0.0 and shots[-1].end == pytest.approx(END, abs=1 / FPS)
    assert all(a.end == b.start for a, b in itertools.pairwise(shots))


def test_each_shot_has_its_palette(tmp_path):
    """Orange, teal, then white on three quarters of the frame and blue on the rest:
    each shot's palette is its colours, shared as its pixels share them."""
    parts = [(ORANGE, 2.0), (TEAL, 2.0), (split(WHITE, BLUE, 0.75), 2.0)]
    film = make_video(tmp_path / "flat.mp4", _frames(parts), fps=10)
    shots = detect_shots(film, info=probe(film), k=2)
    assert [round(s.start) for s in shots] == [0, 2, 4]
    for shot, colour in zip(shots[:2], [ORANGE, TEAL], strict=True):
        assert np.abs(shot.colors[0].astype(int) - colour).max() < 40
        assert shot.shares[0] > 0.95
    last = shots[-1]
    assert np.abs(last.colors.astype(int) - [WHITE, BLUE]).max() < 40
    assert last.shares[0] == pytest.approx(0.75, abs=0.05)


def _frames(parts):
    out = []
    for picture, seconds in parts:
        frame = solid(picture) if isinstance(picture, tuple) else picture
        out += [frame] * round(seconds * 10)
    return out


def test_stats_and_csv(clips):
    shots = detect_shots(clips, info=probe(clips))
    stats = shot_stats(shots)
    lengths = np.diff([0.0, *CUTS, END])
    assert stats.count == 5
    assert stats.average == pytest.approx(lengths.mean(), abs=0.05)
    assert stats.median == pytest.approx(np.median(lengths), abs=0.05)
    assert stats.counts.sum() == 5
    rows = shots_to_csv(shots).splitlines()
    assert rows[0].startswith("shot,start,end,length,color_1,share_1")
    assert len(rows) == 6 and rows[1].startswith("1,0.000,2.000,2.000,#")


def test_shots_survive_json(clips, tmp_path):
    from fingerprint._pipeline import analyze
    from fingerprint.params import Params

    fp = analyze(clips, params=Params(samples=20, shots=True))
    again = Fingerprint.from_dict(fp.to_dict())
    assert len(again.shots) == len(fp.shots) == 5
    np.testing.assert_array_equal(again.shots[2].colors, fp.shots[2].colors)


def test_cancel_raises(clips):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        detect_shots(clips, info=probe(clips), cancel=cancel)


def test_command_line_shots(clips, tmp_path, monkeypatch):
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["analyze", str(clips), "--out", str(tmp_path), "--samples", "20",
                 "--shots"]) == 0
    rows = (tmp_path / "clips-shots.csv").read_text().splitlines()
    assert len(rows) == 1 + len(CUTS) + 1
    assert Fingerprint.load(tmp_path / "clips.json").params.shots


def test_shots_figures(clips):
    from fingerprint.plotting._shots import shot_histogram_figure, shot_lengths_figure, shots_figure

    shots = detect_shots(clips, info=probe(clips))
    fig = shots_figure(shots, highlight=2)
    bars = fig.data[1]
    np.testing.assert_allclose(bars.width, [s.end - s.start for s in shots])
    np.testing.assert_allclose(np.asarray(bars.x) - np.asarray(bars.width) / 2,
                               [s.start for s in shots])
    assert [int(c[0]) for c in bars.customdata] == list(range(5))
    # A colour no pixel of a shot chose (a black shot's) is no bar, so the hover does not
    # list it at 0 %: Plotly leaves NaN out of an "x unified" hover.
    black = Shot(shots[-1].end, shots[-1].end + 2.0, np.zeros((5, 3), np.uint8),
                 np.array([1.0, 0, 0, 0, 0]))
    heights = np.array([t.y for t in shots_figure((*shots, black)).data[1:6]], float).T
    assert np.isnan(heights[-1, 1:]).all() and heights[-1, 0] == 1.0
    np.testing.assert_allclose(heights[:-1], np.stack([s.shares for s in shots]))
    assert fig.data[0].text[1].startswith("shot 2 of 5 · 0:00:02 – 0:00:04 (2.0 s)")
    lengths = shot_lengths_figure(shots).data[0]
    np.testing.assert_allclose(lengths.y, [s.end - s.start for s in shots])
    assert sum(shot_histogram_figure(shot_stats(shots)).data[0].y) == 5


@pytest.mark.parametrize("size", [(640, 360), (1280, 720)])
def test_small_frames_read_from_the_planes_match_a_full_conversion(tmp_path, size):
    """The detectors' frames, read straight from the 4:2:0 planes, show the colours the
    engine's own conversion shows (the frame's matrix and range)."""
    import av

    from fingerprint.decode._rgb import frame_to_rgb
    from fingerprint.shots._frames import small_rgb as _small_rgb

    picture = split(ORANGE, TEAL, 0.5, size=size)
    picture[: size[1] // 2, : size[0] // 4] = WHITE
    film = make_video(tmp_path / "big.mp4", [picture] * 3, fps=10)
    with av.open(str(film)) as container:
        frame = next(container.decode(video=0))
        ours = _small_rgb(frame, 128, 72).astype(int)
        theirs = frame_to_rgb(frame, width=128, height=72).astype(int)
    assert ours.shape == theirs.shape == (72, 128, 3)
    # Away from the edges between colours, where sampling positions differ.
    for y, x in ((18, 16), (54, 16), (36, 40), (36, 100)):
        assert np.abs(ours[y, x] - theirs[y, x]).max() <= 4


def test_a_cut_on_the_seam_between_the_decoders_is_found(tmp_path):
    """Two 2 s shots: the cut at 2 s is where the two decoders' halves of the film meet."""
    film = make_video(tmp_path / "halves.mp4", _frames([(ORANGE, 2.0), (TEAL, 2.0)]), fps=10)
    shots = detect_shots(film, info=probe(film), workers=2)
    assert [(s.start, s.end) for s in shots] == [(0.0, 2.0), (2.0, 4.0)]


def test_content_scores_are_pyscenedetects(clips):
    """The content detector's score, taken in two OpenCV calls, is PySceneDetect's own
    ContentDetector's to the last bit, frame by frame, and so are its cuts (an upgrade of
    PySceneDetect that changes its score fails here)."""
    import av
    from scenedetect.common import FrameTimecode
    from scenedetect.detectors import ContentDetector

    from fingerprint.shots._detector import content_detector as _content_detector
    from fingerprint.shots._frames import small_rgb as _small_rgb

    theirs = ContentDetector(threshold=27.0, min_scene_len=15)
    ours = _content_detector()(threshold=27.0, min_scene_len=15)
    rng = np.random.default_rng(0)
    found: tuple[list, list] = ([], [])
    with av.open(str(clips)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            bgr = _small_rgb(frame, 128, 72)[..., ::-1].astype(np.int16)
            # With noise: scores off the test pictures' round numbers.
            bgr = np.clip(bgr + rng.integers(-4, 5, bgr.shape), 0, 255).astype(np.uint8)
            timecode = FrameTimecode(i + 1, float(FPS))
            found[0].extend(theirs.process_frame(timecode, bgr))
            found[1].extend(ours.process_frame(timecode, bgr))
            assert ours._frame_score == theirs._frame_score
    assert found[0] == found[1] and len(found[0]) >= 3
