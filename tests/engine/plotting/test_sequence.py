"""The alignment figure: both strips on one axis of seconds, the paired moments joined,
the gaps marked where the alignment found them, the local stretch outlined."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint import InvalidParameterError
from fingerprint.compare._sequence import align_sequences
from fingerprint.plotting._sequence import alignment_figure
from fingerprint.poster._alignment import GAP_COLOR, MAX_JOINS
from tests.support.synthetic_films import EDIT_CUT as CUT, EDIT_LENGTH as LENGTH, film, footage


@pytest.fixture(scope="module")
def cut(edit_original, edit_cut):
    return edit_cut, align_sequences(edit_original, edit_cut)


def trace(fig, name):
    (found,) = [t for t in fig.data if t.name == name]
    return found


def joins(fig) -> np.ndarray:
    """Every join line drawn, as (x in A, x in B) rows."""
    xs = [x for name in ("joins", "loose joins") for x in trace(fig, name).x]
    return np.array([x for x in xs if x is not None], np.float64).reshape(-1, 2)


def test_the_gap_is_marked_where_the_cut_was(edit_original, cut):
    edited, al = cut
    fig = alignment_figure(al, edit_original, edited)
    shapes = [s for s in fig.layout.shapes if s.name and s.name.startswith("gap")]
    assert [(s.name, s.x0, s.x1) for s in shapes] == [
        (f"gap {run.film}", run.start, run.end) for run in al.gaps]
    (shape,) = shapes
    assert shape.name == "gap a" and shape.line.color == GAP_COLOR
    assert abs(shape.x0 - CUT[0]) <= 0.02 * LENGTH and abs(shape.x1 - CUT[1]) <= 0.02 * LENGTH
    # On film A's strip (the upper one), and a red bar with its span on hover.
    assert shape.y0 > 1.5
    gaps = trace(fig, "gaps")
    assert gaps.line.color == GAP_COLOR and "only in A: 0:00:4" in gaps.text[0]


def test_the_joins_lean_by_the_cut_after_it(edit_original, cut):
    edited, al = cut
    lines = joins(alignment_figure(al, edit_original, edited))
    assert 20 < len(lines) <= MAX_JOINS
    before, after = lines[lines[:, 0] < CUT[0] - 1], lines[lines[:, 0] > CUT[1] + 1]
    # Before the cut a moment joins its own time; after it, 22.4 s earlier in the cut film.
    assert np.abs(before[:, 1] - before[:, 0]).max() <= 1.0
    assert np.abs(after[:, 0] - after[:, 1] - (CUT[1] - CUT[0])).max() <= 1.0
    # The joins beside the cut are drawn, so the gap's edges show.
    assert before[:, 0].max() > CUT[0] - 2 and after[:, 0].min() < CUT[1] + 2
    # Each join has a hover point in the middle, naming both times and the distance.
    pairs = trace(alignment_figure(al, edit_original, edited), "pairs")
    assert len(pairs.x) == len(lines) and "ΔE2000" in pairs.text[0] and "↔" in pairs.text[0]


def test_every_pair_is_drawn_when_few(edit_original):
    short = film([(footage(3, 20.0), 0, 20.0)], seed=4, name="short.mp4")
    al = align_sequences(short, short)
    lines = joins(alignment_figure(al, short, short))
    assert len(lines) == len(al.pairs) and np.allclose(lines[:, 0], lines[:, 1])
    assert not [s for s in alignment_figure(al, short, short).layout.shapes]


def test_the_local_view_outlines_where_a_clip_comes_from(edit_clip, edit_original):
    clip = edit_clip
    al = align_sequences(clip, edit_original)
    fig = alignment_figure(al, clip, edit_original, view="local")
    local = [s for s in fig.layout.shapes if s.name == "local"]
    assert [(s.x0, s.x1) for s in local] == [al.local["a"], al.local["b"]]
    assert abs(local[1].x0 - 71.1) <= 1 and abs(local[1].x1 - 91.1) <= 1
    # The rest of the film is dimmed, and only the stretch's pairs are joined.
    outside = [(s.x0, s.x1) for s in fig.layout.shapes if s.name == "outside"]
    assert (0.0, local[1].x0) in outside and (local[1].x1, LENGTH) in outside
    lines = joins(fig)
    assert len(lines) == len(al.local_pairs)
    assert lines[:, 1].min() >= local[1].x0 and lines[:, 1].max() <= local[1].x1
    assert not [s for s in fig.layout.shapes if (s.name or "").startswith("gap")]


def test_both_strips_are_on_their_own_running_time(edit_footage, edit_original, cut):
    edited, al = cut
    fig = alignment_figure(al, edit_original, edited)
    images = fig.layout.images
    assert len(images) == 2
    assert images[0].sizex == pytest.approx(LENGTH)
    assert images[1].sizex == pytest.approx(LENGTH - (CUT[1] - CUT[0]), abs=0.6)
    assert fig.layout.xaxis.range == (0, pytest.approx(LENGTH))


def test_names_are_shown_as_written(edit_original, cut):
    edited, al = cut
    fig = alignment_figure(al, edit_original, edited, names=("<b>Original</b>", "Cut & <i>"))
    texts = [a.text for a in fig.layout.annotations]
    assert "&lt;b&gt;Original&lt;/b&gt;" in texts and "Cut &amp; &lt;i&gt;" in texts


def test_unrelated_films_have_no_joins_and_no_local_stretch(edit_original):
    other = film([(footage(99, 30.0), 0, 30.0)], seed=6, name="other.mp4")
    # Other scenes altogether: nothing pairs, every moment of each is a gap.
    al = align_sequences(edit_original, other)
    assert len(al.pairs) == 0 and al.local is None
    fig = alignment_figure(al, edit_original, other)
    assert len(joins(fig)) == 0
    assert {s.name for s in fig.layout.shapes} == {"gap a", "gap b"}
    local = alignment_figure(al, edit_original, other, view="local")
    assert len(joins(local)) == 0
    assert any("no stretch" in a.text for a in local.layout.annotations)


def test_a_view_it_does_not_know_is_refused(edit_original, cut):
    edited, al = cut
    with pytest.raises(InvalidParameterError, match="view must be one of global, local"):
        alignment_figure(al, edit_original, edited, view="sideways")  # type: ignore[arg-type]
