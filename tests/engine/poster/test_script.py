"""The colour script poster: a synthetic film of four solid-colour shots gives exactly those
four panels in that order; the grid reads left to right, top to bottom, fills the size
asked, and the SVG draws it where the PNG does."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import InvalidParameterError, Params, ShotsNeededError, analyze
from fingerprint._theme import BACKGROUND
from fingerprint.model import Shot
from fingerprint.palette import simulate_cvd
from fingerprint.poster import poster, poster_png, poster_svg
from fingerprint.poster._script import script_panels
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_video, segments

SVG = "{http://www.w3.org/2000/svg}"
# Four shots whose cuts the detector sees (they differ in lightness, not in hue alone),
# at known times: 0-1 s, 1-2.6 s, 2.6-3.4 s, 3.4-4.6 s, whole frames at 25 fps (every shot
# longer than the shortest shot the detector keeps).
SHOTS = [((200, 30, 30), 1.0), ((240, 220, 60), 1.6), ((20, 150, 160), 0.8),
         ((30, 40, 120), 1.2)]
CUTS = [0.0, 1.0, 2.6, 3.4]


@pytest.fixture(scope="module")
def four_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("script") / "four.mp4",
                      segments(SHOTS, 25, size=(48, 32)), fps=25)


@pytest.fixture(scope="module")
def analysed(four_shots: Path, tmp_path_factory: pytest.TempPathFactory):
    return analyze(four_shots, params=Params(samples=20, clusters=3, shots=True))


def close(pixel, color, tolerance: int = 4) -> bool:
    return bool(np.abs(np.asarray(pixel, int) - np.asarray(color, int)).max() <= tolerance)


def test_four_solid_shots_give_exactly_those_four_panels_in_order(analysed) -> None:
    assert [s.start for s in analysed.shots] == pytest.approx(CUTS, abs=1e-6)
    width, height = 400, 100
    image = np.asarray(poster(analysed, kind="script", width=width, height=height))
    assert image.shape == (height, width, 3)
    panels = script_panels(4, width=width, height=height, aspect=48 / 32)
    assert [p.top for p in panels] == [panels[0].top] * 4  # a banner: one row
    assert [p.left for p in panels] == sorted(p.left for p in panels)
    for panel, (color, _) in zip(panels, SHOTS, strict=True):
        x, y = panel.centre
        assert close(image[y, x], color), (image[y, x], color)
    # Between the panels, the gutter of the background.
    gap = (panels[0].right + panels[1].left) // 2
    assert tuple(image[height // 2, gap]) == BACKGROUND


def test_on_a_tall_poster_the_rows_read_left_to_right_then_down(analysed) -> None:
    image = np.asarray(poster(analysed, kind="script", width=240, height=360))
    panels = script_panels(4, width=240, height=360, aspect=48 / 32)
    assert len({p.top for p in panels}) > 1
    order = sorted(range(4), key=lambda i: (panels[i].top, panels[i].left))
    assert order == [0, 1, 2, 3]
    for panel, (color, _) in zip(panels, SHOTS, strict=True):
        x, y = panel.centre
        assert close(image[y, x], color)


def test_the_svg_draws_each_panel_where_the_png_does(analysed) -> None:
    svg = ET.fromstring(poster_svg(analysed, kind="script", width=400, height=100,
                                   title="Four shots"))
    png = np.asarray(Image.open(io.BytesIO(
        poster_png(analysed, kind="script", width=400, height=100, title="Four shots"))))
    rects = list(svg.find(f"{SVG}g[@id='picture']"))
    assert rects
    for rect in rects:
        x = float(rect.get("x")) + float(rect.get("width")) / 2
        y = float(rect.get("y")) + float(rect.get("height")) / 2
        fill = rect.get("fill")
        assert png[int(y), int(x)].tolist() == [int(fill[i : i + 2], 16) for i in (1, 3, 5)]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts[1].startswith("4 shots · ")


def palettes(count: int):
    """A fingerprint with ``count`` shots, shot ``i`` all of colour (i, 255 - i, 128)."""
    fp = make_fingerprint([[[10, 20, 30], [40, 50, 60]]])
    shots = tuple(Shot(float(i), i + 1.0, np.array([[i, 255 - i, 128], [0, 0, 0]], np.uint8),
                       np.array([1.0, 0.0])) for i in range(count))
    return replace(fp, shots=shots)


@pytest.mark.parametrize("size", [(3000, 1000), (2480, 3508), (1920, 1080), (97, 13)])
def test_every_shot_has_a_panel_inside_the_poster_and_none_overlap(size) -> None:
    width, height = size
    panels = script_panels(150, width=width, height=height)
    assert len(panels) == 150
    covered = np.zeros((height, width), int)
    for p in panels:
        assert 0 <= p.left < p.right <= width and 0 <= p.top < p.bottom <= height
        covered[p.top : p.bottom, p.left : p.right] += 1
    assert covered.max() == 1
    image = np.asarray(poster(palettes(150), kind="script", width=width, height=height))
    for i, p in enumerate(panels):
        x, y = p.centre
        assert image[y, x].tolist() == [i, 255 - i, 128]


def test_a_film_without_shots_has_no_colour_script() -> None:
    with pytest.raises(ShotsNeededError, match="the colour script needs shots: add --shots"):
        poster_png(make_fingerprint([[[1, 2, 3]]]), kind="script", width=30, height=10)
    with pytest.raises(ShotsNeededError):
        poster_svg(replace(make_fingerprint([[[1, 2, 3]]]), shots=()), kind="script")


def test_more_shots_than_pixels_is_refused_with_a_size_to_choose() -> None:
    with pytest.raises(InvalidParameterError, match="choose a larger poster size"):
        poster_png(palettes(40), kind="script", width=6, height=6)


def test_the_colour_script_is_seen_as_the_other_posters_are(analysed) -> None:
    true = np.asarray(poster(analysed, kind="script", width=200, height=60))
    seen = np.asarray(poster(analysed, kind="script", width=200, height=60, cvd="deutan"))
    np.testing.assert_array_equal(seen, simulate_cvd(true, kind="deutan"))
