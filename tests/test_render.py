"""Posters from a hand-made fingerprint whose picture is known exactly."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from conftest import make_fingerprint
from PIL import Image

from fingerprint import Fingerprint, InvalidParameterError
from fingerprint.render import poster, poster_png, strip_image, strip_svg

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def known() -> Fingerprint:
    """Two moments: 3/4 red over 1/4 blue, then all white (its second colour unused)."""
    return make_fingerprint(
        [[RED, BLUE], [WHITE, BLUE]],
        [[0.75, 0.25], [1.0, 0.0]],
        times=[30.0, 90.0],
        average=[[191, 0, 64], [255, 255, 255]],
        duration=120.0,
        name="k.mp4",
    )


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


def test_title_adds_a_caption_under_an_unchanged_strip() -> None:
    plain = poster(known(), width=300, height=90)
    titled = poster(known(), width=300, height=90, title="Known Film (2026)")
    assert plain.size == (300, 90)
    assert titled.size[0] == 300 and titled.size[1] > 90
    assert np.array_equal(np.asarray(titled)[:90], np.asarray(plain))
    caption = np.asarray(titled)[90:]
    assert caption.max() > 200  # the title's light ink is drawn on the dark band


def test_png_bytes_decode_to_the_same_picture() -> None:
    data = poster_png(known(), width=64, height=16)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(
        np.asarray(Image.open(io.BytesIO(data))), strip_image(known(), width=64, height=16)
    )


def test_svg_has_one_rect_per_used_band() -> None:
    root = ET.fromstring(strip_svg(known(), width=200, height=100))
    rects = [r.attrib for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert [r["fill"] for r in rects] == ["#ff0000", "#0000ff", "#ffffff"]
    assert float(rects[0]["height"]) == 75.0 and float(rects[2]["x"]) == 100.0


def test_impossible_sizes_and_unknown_bands_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="at least 1 pixel"):
        strip_image(known(), width=0, height=10)
    with pytest.raises(InvalidParameterError, match="bands"):
        strip_svg(known(), bands="wide")  # type: ignore[arg-type]
