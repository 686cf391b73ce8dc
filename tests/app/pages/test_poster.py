"""The Explore page's poster block through AppTest: the poster follows the view where the
view has one, a chooser where it has none, and the demo film's credit is on by default;
the colour script offers frames, decoded once whichever session asks again."""

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


def test_the_colour_script_offers_frames_decoded_once_for_every_session(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app(film="bbb", samples="10", view="shots", shots="1", timeout=120)
    assert "Of the view above: Colour script." in [c.value for c in at.caption]
    panels = next(r for r in at.radio if r.label == "Panels")
    assert panels.options == ["Palettes", "Frames and palettes"]
    assert panels.value == "palettes"
    assert not list(app_cache_dir.glob("*/thumbs-*.zst"))  # nothing decoded for palettes
    panels.set_value("frames").run()
    assert not at.exception and not at.error
    assert len(list(app_cache_dir.glob("*/thumbs-*.zst"))) == 1  # kept for the next one
    buttons = list(at.get("download_button"))
    assert buttons and not any(b.proto.disabled for b in buttons)
    # Another session asks for the same poster: the frames come from the cache, the film
    # is never opened for them.
    from fingerprint.shots import _thumbnails

    def no_decoding(*args, **kwargs):
        raise AssertionError("the film was opened again")

    monkeypatch.setattr(_thumbnails, "FrameReader", no_decoding)
    again = open_app(film="bbb", samples="10", view="shots", shots="1", timeout=120)
    next(r for r in again.radio if r.label == "Panels").set_value("frames").run()
    assert not again.exception and not again.error


def test_other_posters_have_no_panels_to_choose(app_cache_dir: Path) -> None:
    at = open_app(film="bbb", samples="10", view="strip")
    assert not [r for r in at.radio if r.label == "Panels"]
