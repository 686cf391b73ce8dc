"""Compare's PNG with the two films' sequence alignment (fingerprint/poster/_comparison.py,
_alignment.py): a film against itself with its middle third cut, where every pixel's
place is known."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageColor, ImageDraw

from fingerprint import Fingerprint, InvalidParameterError
from fingerprint.compare._compare import compare
from fingerprint.compare._sequence import align_sequences
from fingerprint.poster._alignment import GAP_COLOR, JOIN_COLOR
from fingerprint.poster._comparison import comparison_png
from tests.support.fingerprints import make_fingerprint

WIDTH = 800
MARGIN = max(16, WIDTH // 60)  # the PNG's side margin: its strips span the rest
INNER = WIDTH - 2 * MARGIN
RED = np.array(ImageColor.getrgb(GAP_COLOR))
# Each film's samples: one a second, A 60 s, B the same film without 0:20 to 0:40.
LENGTH, CUT = 60.0, (20, 40)


def _film_colors() -> np.ndarray:
    """60 moments of two colours each, every moment unlike the others, none red or grey
    (the marks' colours)."""
    rng = np.random.default_rng(3)
    colors = rng.integers(0, 256, (60, 2, 3))
    colors[..., 1] = rng.integers(0, 60, (60, 2))  # little green: never the marks' colours
    return colors


@pytest.fixture(scope="module")
def films() -> tuple[Fingerprint, Fingerprint]:
    colors = _film_colors()
    keep = np.r_[0 : CUT[0], CUT[1] : int(LENGTH)]
    a = make_fingerprint(colors, duration=LENGTH, name="film.mp4")
    b = make_fingerprint(colors[keep], duration=LENGTH - (CUT[1] - CUT[0]), name="cut.mp4")
    return a, b


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _x(seconds: float) -> float:
    """Where a time falls in the alignment's strips: one axis for both, as long as A."""
    return MARGIN + INNER * seconds / LENGTH


def _bar_row(pixels: np.ndarray) -> int:
    """The row with the most gap red: the gap's bar (the hatching is sparser)."""
    red = (pixels == RED).all(axis=2)
    return int(red.sum(axis=1).argmax())


def test_the_cut_is_a_red_band_over_its_seconds_on_film_a(films):
    a, b = films
    al = align_sequences(a, b)
    assert [(r.film, r.start, r.end) for r in al.gaps] == [("a", 20.0, 40.0)]
    pixels = _pixels(comparison_png(compare(a, b), width=WIDTH, strip_height=60,
                                    alignment=al))
    row = _bar_row(pixels)
    red = (pixels[row] == RED).all(axis=1)
    columns = np.flatnonzero(red)
    # The band runs from 0:20 to 0:40 of A's strip (x 272 to 528), to the pixel.
    assert abs(columns.min() - _x(20)) <= 1 and abs(columns.max() - _x(40)) <= 1
    for x in (_x(20) + 4, _x(30), _x(40) - 4):
        assert red[round(x)], x
    for x in (_x(20) - 4, _x(40) + 4, _x(10), _x(50)):
        assert not red[round(x)], x
    # Film A's bar is above its strip, so above film B's whole strip: B's gap (the same
    # cut seen from B's side, compare(b, a)) is drawn lower, under B.
    swapped = _pixels(comparison_png(compare(b, a), width=WIDTH, strip_height=60,
                                     alignment=align_sequences(b, a)))
    assert _bar_row(swapped) > row + 60 // 3


def _longest_run(column: np.ndarray) -> tuple[int, int]:
    """(start, stop) of the longest run of True in ``column``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], column.astype(np.int8), [0]])))
    starts, stops = edges[::2], edges[1::2]
    longest = int(np.argmax(stops - starts))
    return int(starts[longest]), int(stops[longest])


def test_paired_moments_are_joined_and_unpaired_ones_not(films):
    a, b = films
    pixels = _pixels(comparison_png(compare(a, b), width=WIDTH, strip_height=60,
                                    alignment=align_sequences(a, b)))
    grey = (pixels == JOIN_COLOR).all(axis=2)
    # Before the cut each moment of A pairs with the same moment of B, right under it:
    # a vertical line at its middle (5.5 s), from strip to strip (20 px at these sizes).
    top, bottom = _longest_run(grey[:, round(_x(5.5))])
    assert bottom - top >= 20
    band = grey[top:bottom]
    # None halfway to the next moment (6.0 s) ...
    assert not band[:, round(_x(6.0))].any()
    # ... and after the cut A's moments lean back 20 s to B's: no line falls straight
    # down from A's 0:50.5, and lines cross the column halfway to B's (A's 0:40.5).
    assert band[:, round(_x(50.5))].sum() < (bottom - top) // 2
    assert band[:, round(_x(40.5))].any()


def test_without_an_alignment_the_png_is_the_one_above_the_block(films):
    a, b = films
    c = compare(a, b)
    plain = _pixels(comparison_png(c, width=WIDTH, strip_height=60))
    assert np.array_equal(plain, _pixels(comparison_png(c, width=WIDTH, strip_height=60,
                                                        alignment=None)))
    assert not (plain == RED).all(axis=2).any()
    joined = _pixels(comparison_png(c, width=WIDTH, strip_height=60,
                                    alignment=align_sequences(a, b)))
    assert joined.shape[0] > plain.shape[0] + 2 * 60 // 3
    above = plain.shape[0] - MARGIN  # everything but the bottom margin is unchanged
    assert np.array_equal(joined[:above], plain[:above])


def test_the_block_says_the_score_its_meaning_the_gap_and_the_match(
    films, monkeypatch: pytest.MonkeyPatch,
):
    a, b = films
    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **kwargs):
        drawn.append(text)
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    al = align_sequences(a, b)
    comparison_png(compare(a, b), width=WIDTH, strip_height=60, alignment=al)
    text = " ".join(drawn)  # a line too long for the width is wrapped between words
    assert f"(sequence alignment): score {al.score:.2f}" in text
    assert "1 means the same moments in the same order, 0 nothing in common: here 80 % " \
        "of the moments paired" in text
    assert "Only in A: 0:00:20.0 to 0:00:40.0 (20.0 s)" in text
    assert "only in A · 20.0 s" in text
    assert "Best match: A 0:00:00.0 to 0:01:00.0 with B 0:00:00.0 to 0:00:40.0" in text


def test_too_small_or_another_pair_s_alignment_is_refused(films):
    a, b = films
    c, al = compare(a, b), align_sequences(a, b)
    for size in ({"width": 199}, {"strip_height": 19}):
        with pytest.raises(InvalidParameterError, match="too small"):
            comparison_png(c, alignment=al, **size)
    with pytest.raises(InvalidParameterError, match="not of this comparison's films"):
        comparison_png(c, width=WIDTH, alignment=align_sequences(b, a))
