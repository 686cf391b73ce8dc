"""Posters as seen with a colour-vision deficiency: for a known palette, every pixel of the
picture is `simulate_cvd` of the pixel the true poster has there, in the PNG and the SVG,
and the caption says whose eyes it shows."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from fingerprint import InvalidParameterError
from fingerprint._theme import BACKGROUND
from fingerprint.palette import simulate_cvd
from fingerprint.poster import poster, poster_png, poster_svg
from tests.support.fingerprints import make_fingerprint

SVG = "{http://www.w3.org/2000/svg}"
RUST, LEAF, SKY, SAND = (181, 84, 60), (95, 138, 58), (40, 90, 200), (230, 200, 120)


def known():
    """Four moments of two colours each, 3/4 over 1/4, the red/green pair among them."""
    return make_fingerprint(
        [[RUST, LEAF], [LEAF, SKY], [SKY, SAND], [SAND, RUST]], [[0.75, 0.25]] * 4,
        average=[RUST, LEAF, SKY, SAND],
    )


@pytest.mark.parametrize("kind", ["palette", "bands", "average"])
@pytest.mark.parametrize(("cvd", "severity"), [("deutan", 1.0), ("protan", 0.6),
                                               ("tritan", 1.0)])
def test_every_pixel_of_a_strip_is_the_simulated_colour(kind: str, cvd: str,
                                                       severity: float) -> None:
    true = np.asarray(poster(known(), kind=kind, width=200, height=80))
    seen = np.asarray(poster(known(), kind=kind, width=200, height=80, cvd=cvd,
                             cvd_severity=severity))
    np.testing.assert_array_equal(seen, simulate_cvd(true, kind=cvd, severity=severity))
    # The known answer, column by column: 3/4 of the first column is rust, as seen.
    if kind == "palette":
        assert seen[10, 10].tolist() == simulate_cvd(np.array(RUST), kind=cvd,
                                                     severity=severity).tolist()


def test_the_ring_is_seen_band_by_band() -> None:
    true = np.asarray(poster(known(), kind="ring", width=300, height=300))
    seen = np.asarray(poster(known(), kind="ring", width=300, height=300, cvd="deutan"))
    palette = {RUST, LEAF, SKY, SAND}
    inside = np.array([[tuple(p) in palette for p in row] for row in true.tolist()])
    assert inside.sum() > 10_000  # the bands' insides, away from their anti-aliased edges
    np.testing.assert_array_equal(seen[inside], simulate_cvd(true[inside], kind="deutan"))
    assert tuple(seen[0, 0]) == BACKGROUND  # grey stays grey


@pytest.mark.parametrize("kind", ["palette", "bands", "average", "ring"])
def test_the_svg_fills_are_the_simulated_colours(kind: str) -> None:
    def fills(svg: str) -> list[str]:
        picture = ET.fromstring(svg).find(f"{SVG}g[@id='picture']")
        return [e.get("fill") for e in picture]

    true = fills(poster_svg(known(), kind=kind, width=200, height=200))
    seen = fills(poster_svg(known(), kind=kind, width=200, height=200, cvd="protan"))
    codes = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in true], np.uint8)
    simulated = simulate_cvd(codes, kind="protan")
    assert seen == [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in simulated.tolist()]


def test_the_png_is_the_same_poster_and_the_film_keeps_its_colours() -> None:
    fp = known()
    data = poster_png(fp, kind="palette", width=120, height=40, cvd="tritan")
    np.testing.assert_array_equal(
        np.asarray(Image.open(io.BytesIO(data))),
        np.asarray(poster(fp, kind="palette", width=120, height=40, cvd="tritan")),
    )
    assert fp.colors[0, 0].tolist() == list(RUST)


def test_the_caption_says_whose_eyes_the_poster_shows() -> None:
    def texts(**options) -> list[str]:
        svg = poster_svg(known(), width=600, height=300, title="Film", **options)
        return [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]

    assert not any("seen" in t for t in texts())
    assert re.search(r"· as seen with deuteranopia$", texts(cvd="deutan")[1])
    assert texts(cvd="protan", cvd_severity=0.5)[1].endswith(
        "· as seen with protanomaly, severity 0.5")


def test_normal_vision_is_the_true_poster() -> None:
    assert poster_svg(known(), cvd=None, cvd_severity=0.3) == poster_svg(known())


@pytest.mark.parametrize(("cvd", "severity"), [("green", 1.0), ("deutan", 2.0)])
def test_a_bad_deficiency_is_refused(cvd: str, severity: float) -> None:
    with pytest.raises(InvalidParameterError):
        poster_png(known(), width=10, height=10, cvd=cvd, cvd_severity=severity)
