"""The film chooser's movies folder and library past `title_filter.LIST_ALL` films (200
in the app; 1 here): a box for part of a name over at most MATCHES of them (2 here),
never every film of a large folder as options (docs/benchmarks.md "The Collection page
at 10,000 films")."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support import ROOT, clip as real_clip
from webapp import title_filter
from webapp.escaping import escape_markdown

APP = ROOT / "app.py"
NAMES = ["A bridge.mkv", "Thank you.mkv", "Zebra crossing.mkv"]

pytestmark = pytest.mark.usefixtures("as_streamlit_run")


def test_a_large_movies_folder_and_library_list_the_names_typed(
    app_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    movies = tmp_path / "Movies"
    movies.mkdir()
    for name in NAMES:
        shutil.copy(real_clip("asl_thanks_2s_480p_h264.mkv"), movies / name)
    monkeypatch.setattr(sys, "argv", ["app.py", "--movies", str(movies)])
    monkeypatch.setattr(title_filter, "LIST_ALL", 1)
    monkeypatch.setattr(title_filter, "MATCHES", 2)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["samples"] = "40"
    at.run()
    assert not at.exception
    assert at.selectbox(key="movie:explore").options == NAMES[:2]
    captions = [c.value for c in at.caption]
    assert escape_markdown(
        "The first 2 of 3 films: type part of a title to find another.") in captions
    at.text_input(key="movie:explore:find").input("zebra").run()
    assert at.selectbox(key="movie:explore").options == ["Zebra crossing.mkv"]
    at.text_input(key="movie:explore:find").input("thank").run()
    at.selectbox(key="movie:explore").select("Thank you.mkv").run()
    assert not at.exception and not at.error
    assert at.markdown[0].value == "## Thank you"
    # The library: Big Buck Bunny and Thank you analysed; past LIST_ALL, a box too.
    again = AppTest.from_file(str(APP), default_timeout=60)
    again.query_params["samples"] = "40"
    again.run()
    assert sorted(again.dataframe[0].value["Film"]) == ["Big Buck Bunny", "Thank you.mkv"]
    again.text_input(key="library:explore:find").input("bunny").run()
    assert list(again.dataframe[0].value["Film"]) == ["Big Buck Bunny"]
