"""The colour script with frames: a film of four solid-colour shots gives four panels, each
its shot's colour in the frame and in the palette column beside it, in order; with frames
and palettes that differ, each is where it belongs; the frame loses its black bars and is
cut about its centre; the SVG embeds the very pixels of the PNG; frames are refused where
they cannot be drawn."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import InvalidParameterError, Params, analyze, script_frames
from fingerprint._theme import BACKGROUND
from fingerprint.model import Shot, VideoInfo
from fingerprint.palette import simulate_cvd
from fingerprint.poster import (
    FRAME_SIZES,
    SCRIPT_PANELS,
    poster,
    poster_png,
    poster_svg,
    script_frame_size,
)
from fingerprint.poster._framed import framed_panels
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_video, segments

SVG = "{http://www.w3.org/2000/svg}"
# As test_script's: four shots the detector cuts, at 25 fps, 48 x 32 pixels.
SHOTS = [((200, 30, 30), 1.0), ((240, 220, 60), 1.6), ((20, 150, 160), 0.8),
         ((30, 40, 120), 1.2)]


@pytest.fixture(scope="module")
def four_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(tmp_path_factory.mktemp("framed") / "four.mp4",
                      segments(SHOTS, 25, size=(48, 32)), fps=25)


@pytest.fixture(scope="module")
def analysed(four_shots: Path):
    return analyze(four_shots, params=Params(samples=20, clusters=3, shots=True))


def inside(panel, margin: int = 2) -> tuple[slice, slice]:
    """The panel's pixels away from its edges (scaling blurs the outermost)."""
    return (slice(panel.top + margin, panel.bottom - margin),
            slice(panel.left + margin, panel.right - margin))


def test_the_choices_are_palettes_first_then_frames() -> None:
    assert list(SCRIPT_PANELS) == ["palettes", "frames"]
    assert [c.frames for c in SCRIPT_PANELS.values()] == [False, True]


def test_four_solid_shots_give_each_panel_its_colour_in_frame_and_column(
    four_shots: Path, analysed
) -> None:
    width, height = 400, 100
    size = script_frame_size(analysed, width=width, height=height)
    frames = script_frames(four_shots, analysed, size=size).frames
    assert frames.shape[0] == 4
    image = np.asarray(poster(analysed, kind="script", width=width, height=height,
                              frames=frames))
    assert image.shape == (height, width, 3)
    panels = framed_panels(4, width=width, height=height, aspect=48 / 32)
    order = sorted(range(4), key=lambda i: (panels[i][0].top, panels[i][0].left))
    assert order == [0, 1, 2, 3]  # rows left to right, then down
    for (frame, column), (color, _) in zip(panels, SHOTS, strict=True):
        assert column is not None and column.left == frame.right  # the column on the right
        assert frame.right - frame.left > 2 * (column.right - column.left)
        for area in (frame, column):
            pixels = image[inside(area)].reshape(-1, 3).astype(int)
            assert np.abs(pixels - color).max() <= 6, (area, pixels.min(0), pixels.max(0))
    gap = (panels[0][1].right + panels[1][0].left) // 2  # the gutter between two panels
    assert tuple(image[panels[0][0].top + 5, gap]) == BACKGROUND


def distinct(count: int = 3, *, width: int = 64, height: int = 36):
    """A fingerprint whose shot ``i`` has palette (i, 200, 50) over (0, 0, 255) at 3:1,
    and frames of colour (250, 10 + 40 i, 100): frames and palettes never alike."""
    video = VideoInfo(name="d.mp4", duration=9.0, fps=25.0, frame_count=None, width=width,
                      height=height, codec="h264", pix_fmt="yuv420p", rotation=0,
                      stream_index=0)
    fp = replace(make_fingerprint([[[10, 20, 30], [40, 50, 60]]], video=video), shots=tuple(
        Shot(3.0 * i, 3.0 * i + 3, np.array([[i, 200, 50], [0, 0, 255]], np.uint8),
             np.array([0.75, 0.25])) for i in range(count)))
    frames = np.empty((count, height, width, 3), np.uint8)
    for i in range(count):
        frames[i] = (250, 10 + 40 * i, 100)
    return fp, frames


def test_the_frame_fills_its_area_and_the_palette_its_column() -> None:
    fp, frames = distinct()
    image = np.asarray(poster(fp, kind="script", width=600, height=120, frames=frames))
    for i, (frame, column) in enumerate(framed_panels(3, width=600, height=120,
                                                      aspect=64 / 36)):
        assert (image[inside(frame, 0)] == (250, 10 + 40 * i, 100)).all()
        tall = column.bottom - column.top
        # Bands by share, largest on top: three quarters, then one quarter.
        top = image[column.top : column.top + int(0.75 * tall) - 1, column.left : column.right]
        bottom = image[column.top + int(0.75 * tall) + 1 : column.bottom,
                       column.left : column.right]
        assert (top == (i, 200, 50)).all() and (bottom == (0, 0, 255)).all()


def test_a_frame_loses_its_bars_and_is_cut_about_its_centre() -> None:
    fp, frames = distinct(1, width=160, height=90)
    # Black bars of 15 px top and bottom (the analysis's crop), and the picture between
    # them: a 40-px-wide green stripe in the middle of red.
    frames[:] = (0, 0, 0)
    frames[0, 15:75] = (255, 0, 0)
    frames[0, 15:75, 60:100] = (0, 255, 0)
    fp = replace(fp, crop=(15 / 90, 15 / 90, 0.0, 0.0))
    image = np.asarray(poster(fp, kind="script", width=200, height=100, frames=frames))
    (frame, _), = framed_panels(1, width=200, height=100, aspect=160 / 90)
    area = image[frame.top : frame.bottom, frame.left : frame.right].astype(int)
    assert (np.abs(area - (0, 0, 0)).sum(axis=2) > 60).all()  # no black bar left
    middle = area[:, area.shape[1] // 2]
    assert (np.abs(middle - (0, 255, 0)).max(axis=1) <= 8).all()  # the stripe, centred
    # The stripe is 40 of the content's 160 px; the content 160 x 60 cut to the area's
    # shape keeps its middle, so the stripe is centred and at least as wide a share.
    green = (np.abs(area[area.shape[0] // 2] - (0, 255, 0)).max(axis=1) <= 8).nonzero()[0]
    assert abs((green[0] + green[-1]) / 2 - (area.shape[1] - 1) / 2) <= 1.5
    assert len(green) >= 0.25 * area.shape[1] - 2


def test_the_svg_embeds_the_pixels_of_the_png_and_the_palettes_as_rects() -> None:
    fp, frames = distinct()
    options = {"kind": "script", "width": 600, "height": 150, "title": "Three", "frames": frames}
    png = np.asarray(Image.open(io.BytesIO(poster_png(fp, **options))))
    svg = ET.fromstring(poster_svg(fp, **options))
    picture = svg.find(f"{SVG}g[@id='picture']")
    images = picture.findall(f"{SVG}image")
    assert len(images) == 3
    for element in images:
        x, y = int(element.get("x")), int(element.get("y"))
        w, h = int(element.get("width")), int(element.get("height"))
        head, _, data = element.get("href").partition(",")
        assert head == "data:image/png;base64"
        embedded = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))
        assert embedded.shape == (h, w, 3)
        np.testing.assert_array_equal(embedded, png[y : y + h, x : x + w])
    rects = picture.findall(f"{SVG}rect")
    assert len(rects) == 6  # two bands a shot
    for rect in rects:
        x = float(rect.get("x")) + float(rect.get("width")) / 2
        y = float(rect.get("y")) + float(rect.get("height")) / 2
        fill = rect.get("fill")
        assert png[int(y), int(x)].tolist() == [int(fill[i : i + 2], 16) for i in (1, 3, 5)]


def test_frames_are_seen_with_the_deficiency_as_the_palettes_are() -> None:
    fp, frames = distinct()
    true = np.asarray(poster(fp, kind="script", width=300, height=80, frames=frames))
    seen = np.asarray(poster(fp, kind="script", width=300, height=80, frames=frames,
                             cvd="protan"))
    np.testing.assert_array_equal(seen, simulate_cvd(true, kind="protan"))


def test_frames_are_refused_where_they_cannot_be_drawn() -> None:
    fp, frames = distinct()
    with pytest.raises(InvalidParameterError, match="only by the colour script"):
        poster_png(fp, kind="palette", width=60, height=20, frames=frames)
    with pytest.raises(InvalidParameterError, match="3 shots but 2 frames"):
        poster_svg(fp, kind="script", width=60, height=20, frames=frames[:2])
    with pytest.raises(InvalidParameterError, match="uint8"):
        poster(fp, kind="script", width=60, height=20, frames=frames.astype(float))


def test_the_thumbnails_asked_for_cover_the_panels_and_no_more_than_needed() -> None:
    fp, _ = distinct(4, width=1920, height=1080)
    # Four shots on a banner: large panels; 150 on the same banner: small ones.
    few = script_frame_size(fp, width=3000, height=1000)
    many = script_frame_size(replace(fp, shots=fp.shots * 40), width=3000, height=1000)
    assert few in FRAME_SIZES and many in FRAME_SIZES and many < few
    for shots, size in ((fp.shots, few), (fp.shots * 40, many)):
        panels = framed_panels(len(shots), width=3000, height=1000, aspect=1920 / 1080)
        wide = max(f.right - f.left for f, _ in panels)
        high = max(f.bottom - f.top for f, _ in panels)
        # At this long side, the film's frame is at least as large as every area...
        assert size * 1080 / 1920 >= high or size == FRAME_SIZES[-1]
        assert size >= wide or size == FRAME_SIZES[-1]
        # ...and the next size down is not.
        smaller = FRAME_SIZES[FRAME_SIZES.index(size) - 1] if size != FRAME_SIZES[0] else 0
        assert smaller < wide or smaller * 1080 / 1920 < high
