"""The Explore page's poster block through AppTest: the poster follows the view where the
view has one, a chooser where it has none, and the demo film's credit is on by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apptests import open_app

pytestmark = pytest.mark.usefixtures("as_streamlit_run")


def test_the_poster_follows_the_view_and_credits_the_demo_film(app_cache_dir: Path) -> None:
    at = open_app(film="bbb", samples="10", view="ring")
    captions = [c.value for c in at.caption]
    assert "Of the view above: Ring." in captions
    assert not [s for s in at.selectbox if s.label == "Poster of"]
    credit = next(t for t in at.text_input if t.label == "Credit on the poster")
    assert credit.value.startswith("Big Buck Bunny, (c) 2008 Blender Foundation")
    assert credit.value.endswith("CC BY 3.0")
    title = next(t for t in at.text_input if t.label == "Title on the poster")
    assert title.value == "Big Buck Bunny"
    size = next(s for s in at.selectbox if s.label == "Size")
    assert "2480 × 3508 · A4 portrait, 300 dpi" in size.options


def test_a_view_without_a_poster_offers_the_four_posters(app_cache_dir: Path) -> None:
    at = open_app(film="bbb", samples="10", view="ab")
    chooser = next(s for s in at.selectbox if s.label == "Poster of")
    assert chooser.options == ["Palette", "Equal bands", "Average colour", "Ring"]
    chooser.set_value("average").run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.label == "Poster of").value == "average"
