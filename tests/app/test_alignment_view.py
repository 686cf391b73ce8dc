"""Which view of an alignment the Compare page shows first (webapp/alignment_view.py):
the one that tells the films' story."""

from __future__ import annotations

import pytest

from fingerprint.compare._sequence import align_sequences
from fingerprint.plotting._sequence import ALIGNMENT_VIEWS as FIGURE_VIEWS
from tests.support.synthetic_films import film, footage
from webapp.alignment_view import chosen_view, default_view
from webapp.settings import ALIGNMENT_VIEW_LABELS, ALIGNMENT_VIEWS


@pytest.fixture(scope="module")
def cut(edit_original, edit_cut):
    return align_sequences(edit_original, edit_cut)


@pytest.fixture(scope="module")
def clip(edit_original, edit_clip):
    return align_sequences(edit_clip, edit_original)


def test_the_page_offers_the_views_the_figure_draws():
    assert ALIGNMENT_VIEWS == FIGURE_VIEWS and set(ALIGNMENT_VIEW_LABELS) == set(FIGURE_VIEWS)


def test_a_cut_film_is_shown_whole_and_a_clip_by_its_stretch(cut, clip, edit_original):
    assert default_view(cut) == "global"
    assert default_view(clip) == "local"
    other = film([(footage(99, 30.0), 0, 30.0)], seed=6, name="other.mp4")
    # Nothing in common: no stretch to show, so the whole films (all gaps).
    assert default_view(align_sequences(edit_original, other)) == "global"
    # The visitor's choice wins; a choice the page does not know does not.
    assert chosen_view("local", cut) == "local" and chosen_view(None, clip) == "local"
    assert chosen_view("sideways", cut) == "global"
