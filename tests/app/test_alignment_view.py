"""Which view of an alignment the Compare page shows first (webapp/alignment_view.py):
the one that tells the films' story."""

from __future__ import annotations

import pytest

from fingerprint.compare._sequence import align_sequences
from fingerprint.plotting._sequence import ALIGNMENT_VIEWS as FIGURE_VIEWS
from tests.support.synthetic_films import film, footage
from webapp.alignment_view import chosen_view, default_view
from webapp.settings import ALIGNMENT_VIEW_LABELS, ALIGNMENT_VIEWS

LENGTH = 120.0


@pytest.fixture(scope="module")
def source():
    return footage(7, LENGTH)


@pytest.fixture(scope="module")
def original(source):
    return film([(source, 0, LENGTH)], seed=1, name="original.mp4")


@pytest.fixture(scope="module")
def cut(source, original):
    edited = film([(source, 0, 41.3), (source, 63.7, LENGTH)], seed=2, name="cut.mp4")
    return align_sequences(original, edited)


@pytest.fixture(scope="module")
def clip(source, original):
    return align_sequences(film([(source, 71.1, 91.1)], seed=5, name="clip.mp4"), original)


def test_the_page_offers_the_views_the_figure_draws():
    assert ALIGNMENT_VIEWS == FIGURE_VIEWS and set(ALIGNMENT_VIEW_LABELS) == set(FIGURE_VIEWS)


def test_a_cut_film_is_shown_whole_and_a_clip_by_its_stretch(cut, clip, original):
    assert default_view(cut) == "global"
    assert default_view(clip) == "local"
    other = film([(footage(99, 30.0), 0, 30.0)], seed=6, name="other.mp4")
    # Nothing in common: no stretch to show, so the whole films (all gaps).
    assert default_view(align_sequences(original, other)) == "global"
    # The visitor's choice wins; a choice the page does not know does not.
    assert chosen_view("local", cut) == "local" and chosen_view(None, clip) == "local"
    assert chosen_view("sideways", cut) == "global"
