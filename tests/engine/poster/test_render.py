"""Posters from hand-made fingerprints whose pictures are known exactly: every kind is the
size asked, caption included; print sizes carry their DPI; the average barcode, the bands
and the ring show the samples where they should be; the SVG matches."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import Fingerprint, InvalidParameterError
from fingerprint._theme import BACKGROUND
from fingerprint.model import Shot
from fingerprint.poster import (
    POSTER_KINDS,
    POSTER_SIZES,
    average_image,
    poster,
    poster_png,
    poster_svg,
    ring_image,
    strip_image,
)
from fingerprint.poster._ring import RING_HOLE
from tests.support import ROOT
from tests.support.fingerprints import make_fingerprint
from tests.support.videos import make_rgb

SVG = "{http://www.w3.org/2000/svg}"
RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
YELLOW, CYAN, MAGENTA, BLACK = (255, 255, 0), (0, 255, 255), (255, 0, 255), (0, 0, 0)
CREDIT = "Big Buck Bunny, (c) 2008 Blender Foundation, www.bigbuckbunny.org · CC BY 3.0"


def known() -> Fingerprint:
    """Two moments: 3/4 red over 1/4 blue, then all white (its second colour unused);
    each the palette of its shot, so that every kind of poster draws it."""
    fp = make_fingerprint(
        [[RED, BLUE], [WHITE, BLUE]],
        [[0.75, 0.25], [1.0, 0.0]],
        times=[30.0, 90.0],
        average=[[191, 0, 64], [255, 255, 255]],
        duration=120.0,
        name="k.mp4",
    )
    shots = tuple(Shot(start, end, fp.colors[i], fp.shares[i])
                  for i, (start, end) in enumerate([(0.0, 60.0), (60.0, 120.0)]))
    return replace(fp, shots=shots)


def quarters() -> Fingerprint:
    """Four moments, each a quarter of the ring, two colours each, inside half first."""
    return make_fingerprint(
        [[RED, GREEN], [BLUE, YELLOW], [WHITE, BLACK], [CYAN, MAGENTA]],
        [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]],
    )


def decoded(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data))


# --- the pictures ----------------------------------------------------------------------
def test_share_bands_are_proportional_and_time_runs_left_to_right() -> None:
    image = strip_image(known(), width=100, height=40, bands="share")
    assert image.shape == (40, 100, 3)
    left, right = image[:, :50], image[:, 50:]
    assert (left[:30] == RED).all() and (left[30:] == BLUE).all()
    assert (right == WHITE).all()


def test_equal_bands_replace_unused_colours_with_the_main_one() -> None:
    image = strip_image(known(), width=10, height=40, bands="equal")
    assert (image[:20, :5] == RED).all() and (image[20:, :5] == BLUE).all()
    assert (image[:, 5:] == WHITE).all()


def test_more_columns_than_pixels_and_odd_sizes() -> None:
    image = strip_image(known(), width=1, height=3)
    assert image.shape == (3, 1, 3)


def test_average_poster_is_the_average_colours_column_by_column() -> None:
    rng = np.random.default_rng(7)
    average = rng.integers(0, 256, (50, 3))
    fp = make_fingerprint(rng.integers(0, 256, (50, 3, 3)), average=average)
    for width in (50, 150, 37):  # one, three, and fewer than one pixel per sample
        image = np.asarray(decoded(poster_png(fp, kind="average", width=width, height=20)))
        sample = (np.arange(width) * 50) // width
        assert (image == fp.average[sample][None]).all()
    # With a caption, the picture above it is still the averages, column by column.
    titled = np.asarray(poster(fp, kind="average", width=150, height=300, title="T"))
    assert (titled[:200] == fp.average[np.arange(150) // 3][None]).all()
    assert (titled[-1] == BACKGROUND).all()


def test_ring_runs_clockwise_from_the_top_and_its_palette_from_the_inside_out() -> None:
    size = 400
    image = ring_image(quarters(), size=size)
    centre = size / 2
    outer = size / 2 * 0.94
    inner = outer * RING_HOLE

    def at(turn: float, depth: float) -> tuple[int, ...]:
        """The pixel ``turn`` of the way round clockwise from 12 o'clock, ``depth`` of
        the way from the ring's inner edge to its outer one."""
        r = inner + depth * (outer - inner)
        angle = 2 * math.pi * turn
        x, y = centre + r * math.sin(angle), centre - r * math.cos(angle)
        return tuple(image[int(y), int(x)])

    # Sample i fills the i-th quarter clockwise from the top; first colour inside.
    for i, (inside, outside) in enumerate(quarters().colors.tolist()):
        for turn in (i / 4 + 0.03, i / 4 + 0.125, i / 4 + 0.22):
            assert at(turn, 0.25) == tuple(inside), (i, turn)
            assert at(turn, 0.75) == tuple(outside), (i, turn)
    # The centre and the corners are the background.
    assert tuple(image[size // 2, size // 2]) == BACKGROUND
    assert tuple(image[0, 0]) == BACKGROUND == tuple(image[-1, -1])


def test_ring_shares_set_each_band_depth() -> None:
    fp = make_fingerprint([[RED, BLUE]], [[0.8, 0.2]])
    image = ring_image(fp, size=200)
    outer = 100 * 0.94
    inner = outer * RING_HOLE
    # Straight up from the centre: red for 80 % of the ring's depth, then blue.
    column = image[:100, 100]
    depth = (100 - np.arange(100) - 0.5 - inner) / (outer - inner)
    assert (column[(depth > 0.02) & (depth < 0.78)] == RED).all()
    assert (column[(depth > 0.82) & (depth < 0.98)] == BLUE).all()


# --- posters: size, caption, DPI -------------------------------------------------------
@pytest.mark.parametrize("kind", POSTER_KINDS)
@pytest.mark.parametrize("title", [None, "Known Film (2026)"])
@pytest.mark.parametrize("credit", [None, CREDIT])
@pytest.mark.parametrize("size", [(300, 100), (248, 351), (97, 13)])
def test_every_poster_is_exactly_the_size_chosen(
    kind: str, title: str | None, credit: str | None, size: tuple[int, int]
) -> None:
    width, height = size
    image = decoded(poster_png(known(), kind=kind, width=width, height=height, title=title,
                               credit=credit))  # type: ignore[arg-type]
    assert image.size == (width, height)
    root = ET.fromstring(
        poster_svg(known(), kind=kind, width=width, height=height, title=title, credit=credit)  # type: ignore[arg-type]
    )
    assert (root.get("width"), root.get("height")) == (str(width), str(height))
    assert root.get("viewBox") == f"0 0 {width} {height}"


def test_the_caption_takes_its_room_from_the_bottom_of_the_poster() -> None:
    plain = np.asarray(poster(known(), width=300, height=120))
    titled = np.asarray(poster(known(), width=300, height=120, title="Known Film",
                               credit=CREDIT))
    assert plain.shape == titled.shape == (120, 300, 3)
    # The strip is drawn shorter, from the top; the caption is the dark band below it,
    # with light ink on it.
    strip_rows = int((titled[:, 1] != BACKGROUND).any(axis=1).sum())
    assert 60 < strip_rows < 120
    assert np.array_equal(titled[:strip_rows], strip_image(known(), width=300, height=strip_rows))
    caption = titled[strip_rows:]
    assert caption.max() > 200 and (caption[:, -1] == BACKGROUND).all()


def test_a_title_too_long_for_the_width_is_set_smaller_not_cut() -> None:
    long = "A Very Long Title " * 12
    image = np.asarray(poster(known(), width=400, height=200, title=long))
    caption = int(np.argmax((image[:, 0] == BACKGROUND).all(axis=1)))
    assert 100 < caption < 200
    ink = (image[caption:] != BACKGROUND).any(axis=2)
    assert ink.any() and not ink[:, -3:].any()  # some text, and a margin on the right


def test_print_sizes_carry_their_dpi_and_screen_sizes_none() -> None:
    a4 = next(s for s in POSTER_SIZES if s.name == "a4")
    assert (a4.width, a4.height, a4.dpi) == (2480, 3508, 300)
    # A4 is 210 x 297 mm: 2480 x 3508 pixels at 300 dpi are within a pixel of it.
    assert abs(a4.width / a4.dpi * 25.4 - 210) < 0.1 and abs(a4.height / a4.dpi * 25.4 - 297) < 0.1
    assert all(s.dpi is None for s in POSTER_SIZES if s.name in ("banner", "hd", "4k"))
    printed = decoded(poster_png(known(), kind="average", width=248, height=351, dpi=300))
    assert printed.size == (248, 351)
    assert [round(d) for d in printed.info["dpi"]] == [300, 300]
    assert "dpi" not in decoded(poster_png(known(), width=30, height=10)).info
    svg = ET.fromstring(poster_svg(known(), kind="average", width=2480, height=3508, dpi=300))
    assert (svg.get("width"), svg.get("height")) == ("209.97mm", "297.01mm")
    assert svg.get("viewBox") == "0 0 2480 3508"


# --- SVG -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "elements"),
    # palette: the unused white-column band is not drawn; bands: all four; average: one
    # per moment; ring: one sector per drawn band; script: one rectangle per drawn band.
    [("palette", 3), ("bands", 4), ("average", 2), ("ring", 3), ("script", 3)],
)
def test_svg_has_one_element_per_band(kind: str, elements: int) -> None:
    root = ET.fromstring(poster_svg(known(), kind=kind, width=200, height=100, title="T"))  # type: ignore[arg-type]
    picture = root.find(f"{SVG}g[@id='picture']")
    assert picture is not None and len(picture) == elements


def test_svg_bands_are_where_the_png_draws_them() -> None:
    root = ET.fromstring(poster_svg(known(), kind="palette", width=200, height=100))
    rects = [r.attrib for r in root.find(f"{SVG}g[@id='picture']")]
    assert [r["fill"] for r in rects] == ["#ff0000", "#0000ff", "#ffffff"]
    assert float(rects[0]["height"]) == 75.0 and float(rects[2]["x"]) == 100.0
    average = ET.fromstring(poster_svg(known(), kind="average", width=200, height=100))
    fills = [r.get("fill") for r in average.find(f"{SVG}g[@id='picture']")]
    assert fills == ["#bf0040", "#ffffff"]


def test_poster_text_is_drawn_as_given_never_interpreted() -> None:
    title = "<b>Tom & Jerry</b> {name} %s \\n"
    root = ET.fromstring(poster_svg(known(), width=300, height=100, title=title,
                                    credit="line one\nline two"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[0] == title
    assert texts[-1] == "line one line two"  # one line: a break would leave the poster
    assert len(texts) == 3  # title, the line about the analysis, credit
    # The PNG draws the same text without error, markup and all.
    assert decoded(poster_png(known(), width=300, height=100, title=title)).size == (300, 100)


def test_impossible_posters_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="at least 1 pixel"):
        strip_image(known(), width=0, height=10)
    with pytest.raises(InvalidParameterError, match="bands"):
        strip_image(known(), width=10, height=10, bands="wide")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="palette, bands, average, ring"):
        poster_png(known(), kind="heatmap")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="too large"):
        poster_svg(known(), width=20000, height=20000)
    with pytest.raises(InvalidParameterError, match="dpi"):
        poster_png(known(), width=10, height=10, dpi=0)
    with pytest.raises(InvalidParameterError, match="at least 1 pixel"):
        average_image(known(), width=10, height=0)


# --- the command line ------------------------------------------------------------------
@pytest.fixture(scope="module")
def rgb_film(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_rgb(tmp_path_factory.mktemp("posters") / "rgb.mp4")


def test_command_line_writes_the_ring_poster_of_the_size_asked(
    rgb_film: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "FINGERPRINT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "fingerprint", "analyze", str(rgb_film), "--out", str(out),
         "--samples", "12", "--clusters", "2", "--poster", "ring", "--title", "X",
         "--credit", "Test credit", "--poster-size", "320x240"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    image = Image.open(out / "rgb.png")
    assert image.size == (320, 240) and "dpi" not in image.info
    pixels = np.asarray(image)
    # A ring: the corners and the centre of its picture are the background, and the
    # film's first colour (red) is just clockwise of 12 o'clock.
    assert tuple(pixels[0, 0]) == BACKGROUND
    root = ET.fromstring((out / "rgb.svg").read_text())
    assert (root.get("width"), root.get("height")) == ("320", "240")
    assert [t.text for t in root.iter(f"{SVG}text")][::2] == ["X", "Test credit"]
    top = next(i for i in range(240) if tuple(pixels[i, 163]) != BACKGROUND)
    red = pixels[top + 3, 163]
    assert red[0] > 200 and red[1] < 80 and red[2] < 80


def test_command_line_named_print_size_carries_its_dpi(rgb_film: Path, tmp_path: Path) -> None:
    from fingerprint.cli._main import main

    argv = ["analyze", str(rgb_film), "--out", str(tmp_path), "--samples", "6",
            "--poster", "average", "--poster-size", "a4", "--no-cache"]
    assert main(argv) == 0
    image = Image.open(tmp_path / "rgb.png")
    assert image.size == (2480, 3508)
    assert [round(d) for d in image.info["dpi"]] == [300, 300]
    with pytest.raises(SystemExit):
        main([*argv, "--poster-dpi", "0"])
    with pytest.raises(SystemExit):
        main([*argv[:-1], "--poster-size", "99999x99999"])
