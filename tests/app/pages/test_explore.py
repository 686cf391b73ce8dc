"""The Streamlit app through AppTest: every page, settings, share links, films, bad uploads.

Small sample counts keep each analysis under a second; one test opens the app exactly as a
visitor does, at the default settings.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from fingerprint import Cache, Params, analyze
from fingerprint.errors import Cancelled
from tests.support import ROOT, clip as real_clip
from tests.support.videos import noise

APP = ROOT / "app.py"
TIMEOUT = 60
HANG_S = 60  # bounds a wait that only a bug makes long
SHORT = "synth_short_1s_240p_h264.mp4"  # 30 frames: analysed in a moment


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    return at


def _movies_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **links: Path) -> Path:
    """A movies folder holding "Thank you.mkv" and symlinks ``name -> target``, given to the
    app as `--movies` (as on its command line)."""
    movies = tmp_path / "Movies"
    movies.mkdir()
    shutil.copy(real_clip("asl_thanks_2s_480p_h264.mkv"), movies / "Thank you.mkv")
    for name, target in links.items():
        os.symlink(target if target.is_absolute() else movies / target, movies / name)
    monkeypatch.setattr(sys, "argv", ["app.py", "--movies", str(movies)])
    return movies


def _strip(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1, "the page draws one chart"
    return json.loads(charts[0].proto.spec)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _sample_count(trace: dict) -> int:
    return len(trace["x"])


def _view(at: AppTest):
    """The Explore page's view control (its key changes when Streamlit dropped it)."""
    return at.segmented_control(key=at.session_state["key:w_view"])


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_opens_on_the_demo_film_as_a_visitor_sees_it(app_cache_dir: Path) -> None:
    at = _app().run()
    _ok(at)
    assert at.markdown[0].value == "## Big Buck Bunny"
    captions = " ".join(c.value for c in at.caption)
    assert "Blender Foundation" in captions and "CC BY 3.0" in captions
    spec = _strip(at)
    assert [t["type"] for t in spec["data"]] == ["bar"] * 5
    assert _sample_count(spec["data"][0]) == 720  # auto: one per frame of the 30 s clip
    assert at.query_params["film"] == "bbb"
    assert "film=bbb" in at.code[-1].value  # the share link


def test_about_page_loads_and_credits_the_demo_films(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    at.switch_page("pages/about.py").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Blender Foundation" in text and "His Girl Friday" in text
    assert "--movies" in text
    assert "*Frames and palettes*" in text  # the colour script's other panels


def test_compare_page_loads_on_the_demo_films(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.message for e in at.exception]


# --- settings --------------------------------------------------------------------------
def test_changing_k_redraws_with_k_colours_from_the_same_frames(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    _ok(at)
    at.slider(key="w_clusters").set_value(7).run()
    _ok(at)
    spec = _strip(at)
    assert len(spec["data"]) == 7
    assert all(_sample_count(t) == 40 for t in spec["data"])
    assert at.query_params["k"] == "7"
    film_dir = app_cache_dir / Cache(app_cache_dir).key(ROOT / "demo" / "bbb_30s_720p_vp8.webm")
    assert len(list(film_dir.glob("frames-*"))) == 1  # decoded once, clustered twice
    assert len(list(film_dir.glob("result-*.json"))) == 2


def test_views_pages_and_reloads_never_recompute(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(samples="40").run()
    _ok(at)

    def no_analysis(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(sys.modules["webapp.analysis"], "analyze", no_analysis)
    for view in ("bands", "average", "ring", "ab", "3d", "strip"):
        _view(at).set_value(view).run()
        _ok(at)
    at.switch_page("pages/about.py").run()
    at.switch_page("pages/explore.py").run()
    _ok(at)
    assert len(_strip(at)["data"]) == 5
    reloaded = _app(samples="40").run()  # a new session: the browser reloaded
    _ok(reloaded)


def test_share_link_restores_every_setting(app_cache_dir: Path) -> None:
    link = {"film": "flower", "samples": "30", "k": "3", "mode": "exact", "color_space": "rgb",
            "crop": "0", "start": "1", "end": "4.5", "view": "bands", "t": "2.5"}
    at = _app(**link).run()
    _ok(at)
    assert at.markdown[0].value == "## Flower"
    assert at.number_input(key="w_samples").value == 30
    assert at.slider(key="w_clusters").value == 3
    assert at.segmented_control(key="w_mode").value == "exact"
    assert at.segmented_control(key="w_color_space").value == "rgb"
    assert at.toggle(key="w_crop").value is False
    assert at.text_input(key="w_start").value == "0:00:01"
    assert at.text_input(key="w_end").value == "4.5"
    assert _view(at).value == "bands"
    spec = _strip(at)
    assert len(spec["data"]) == 3 and _sample_count(spec["data"][0]) == 30
    assert len(at.image) == 1  # the frame of the moment in the link
    assert "0:00:02" in " ".join(m.value for m in at.markdown)
    # The page writes the same link back.
    assert dict(at.query_params) == link


def test_an_old_link_opens_and_is_rewritten_with_todays_names(app_cache_dir: Path) -> None:
    at = _app(film="flower", samples="30", colors="rgb").run()
    _ok(at)
    assert at.segmented_control(key="w_color_space").value == "rgb"
    assert dict(at.query_params) == {"film": "flower", "samples": "30", "color_space": "rgb"}


def test_link_with_bad_values_warns_and_uses_defaults(app_cache_dir: Path) -> None:
    at = _app(samples="40", k="99", view="heatmap").run()
    assert not at.exception
    assert len(at.warning) == 2
    assert at.slider(key="w_clusters").value == 5
    assert "k" not in at.query_params


def test_link_to_a_film_this_server_lacks_says_so_and_offers_the_demos(
    app_cache_dir: Path,
) -> None:
    at = _app(samples="40", film="0123456789abcdef01234567").run()
    assert not at.exception
    assert len(at.error) == 1 and "does not have" in at.error[0].value
    assert not at.get("plotly_chart")
    at.button(key="demo:explore:friday").click().run()
    _ok(at)
    assert at.markdown[0].value == r"## His Girl Friday \(1940\)"  # shown as text
    assert at.query_params["film"] == "friday"


def test_trim_accepts_timecodes_and_refuses_nonsense(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    at.text_input(key="w_start").input("0:00:10").run()
    at.text_input(key="w_end").input("20").run()
    _ok(at)
    assert (at.query_params["start"], at.query_params["end"]) == ("10", "20")
    at.text_input(key="w_end").input("soon").run()
    assert not at.exception
    assert any("not a time" in e.value for e in at.error)
    assert at.query_params["end"] == "20"  # the last good value stays


def test_a_trim_past_the_end_is_one_error_and_the_app_stays_usable(app_cache_dir: Path) -> None:
    at = _app(samples="40", start="100").run()
    assert not at.exception
    assert len(at.error) == 1 and "past the end" in at.error[0].value
    at.text_input(key="w_start").input("").run()
    _ok(at)
    assert len(_strip(at)["data"]) == 5


# --- films -----------------------------------------------------------------------------
def test_upload_is_analysed_and_private_to_the_session_that_made_it(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    clip = real_clip(SHORT).read_bytes()
    at.file_uploader[0].upload("my film.mp4", clip, "video/mp4").run()
    _ok(at)
    assert at.markdown[0].value == "## my film"
    key = at.query_params["film"]
    assert (app_cache_dir / "uploads" / key / "my film.mp4").read_bytes() == clip
    assert at.file_uploader[0].key != "upload:explore:0"  # a fresh, empty uploader
    at.slider(key="w_clusters").set_value(3).run()  # its own session keeps it
    _ok(at)
    assert at.markdown[0].value == "## my film"
    # Another visitor with the link: told it is private, shown nothing of it.
    other = _app(samples="40", film=key, t="0.5").run()
    assert not other.exception
    assert len(other.error) == 1 and "private" in other.error[0].value
    assert not other.get("plotly_chart") and not other.image
    assert "my film" not in " ".join(m.value for m in other.markdown)


def _truncated() -> bytes:
    clip = real_clip("flower_5s_540p_h264.mp4").read_bytes()
    return clip[: len(clip) // 2]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("noise.mp4", noise(200_000), "not a video"),
        ("empty.mp4", b"", "empty"),
        ("roar.mp3", real_clip("audio_only_trex_roar_2s.mp3").read_bytes(), "no video"),
        ("notes.txt", b"just some text\n" * 100, "not a video"),
    ],
)
def test_a_file_that_is_no_video_gives_one_error_and_loses_nothing(
    app_cache_dir: Path, name: str, content: bytes, says: str
) -> None:
    at = _app(samples="40").run()
    _ok(at)
    before = {e.key for e in Cache(app_cache_dir).entries()}
    at.file_uploader[0].upload(name, content, "application/octet-stream").run()
    assert not at.exception
    assert len(at.error) == 1 and says in at.error[0].value.lower(), at.error[0].value
    # The app stays on the film it showed, and the cache keeps every film.
    assert at.markdown[0].value == "## Big Buck Bunny"
    assert len(_strip(at)["data"]) == 5
    assert {e.key for e in Cache(app_cache_dir).entries()} == before
    assert not any((app_cache_dir / "uploads").rglob(name))
    at.slider(key="w_clusters").set_value(4).run()  # still usable
    _ok(at)


def test_a_truncated_video_shows_what_decodes_and_one_note(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    at.file_uploader[0].upload("cut.mp4", _truncated(), "video/mp4").run()
    _ok(at)  # what the fingerprint covers is a note, not an error
    assert len(at.info) == 1 and "stops decoding" in at.info[0].value
    assert _sample_count(_strip(at)["data"][0]) < 40


def test_movies_folder_opens_its_films_only(
    app_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _movies_folder(tmp_path, monkeypatch, **{"escape.mp4": real_clip("cars_30s_432p_h264.mp4")})
    at = _app(samples="40").run()
    picker = at.selectbox(key="movie:explore")
    assert picker.options == ["Thank you.mkv"]  # the symlink out is not offered
    picker.select("Thank you.mkv").run()
    _ok(at)
    assert at.markdown[0].value == "## Thank you"
    # Once analysed, it is in the library: its link opens it in a new session.
    key = at.query_params["film"]
    again = _app(samples="40", film=key).run()
    _ok(again)
    assert again.markdown[0].value == "## Thank you"


# --- privacy and hostile names (issue 12, items 5 and 7) ---------------------------------
def _library_films(at: AppTest) -> list[str]:
    frames = at.dataframe
    return list(frames[0].value["Film"]) if frames else []


def test_library_lists_demo_and_movies_films_only_and_a_key_opens_nothing_else(
    app_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A film analysed by the command line, from outside any folder the app offers.
    elsewhere = tmp_path / "private" / "home video.mp4"
    elsewhere.parent.mkdir()
    shutil.copy(real_clip(SHORT), elsewhere)
    cache = Cache(app_cache_dir)
    analyze(elsewhere, params=Params(samples=10), cache=cache)
    cli_key = cache.key(elsewhere)
    _movies_folder(tmp_path, monkeypatch)
    at = _app(samples="40").run()
    _ok(at)
    at.file_uploader[0].upload(
        "mine.mp4", real_clip("flower_5s_540p_vp8.webm").read_bytes(), "video/webm"
    ).run()
    _ok(at)
    at.selectbox(key="movie:explore").select("Thank you.mkv").run()
    _ok(at)
    assert at.markdown[0].value == "## Thank you"
    other = _app(samples="40").run()
    _ok(other)
    assert sorted(_library_films(other)) == ["Big Buck Bunny", "Thank you.mkv"]
    # Not even its key in a link reaches the command line's film: the same words as for
    # a film the server never saw, so a link cannot tell which films exist.
    probe = _app(samples="40", film=cli_key, t="0.5").run()
    assert not probe.exception
    assert len(probe.error) == 1 and "does not have" in probe.error[0].value
    assert not probe.get("plotly_chart") and not probe.image


@pytest.mark.parametrize(
    "name",
    ["..", ".", "../../etc/passwd.mp4", "a\\b\\c.mp4", "line\nbreak.mp4", "é" * 200 + ".mp4",
     "[Session expired](https:127.0.0.1:8799?phish=1) ![](https:127.0.0.1:8799?t=1).mp4"],
)
def test_an_upload_with_an_odd_name_works_and_stays_in_its_folder(
    app_cache_dir: Path, name: str
) -> None:
    at = _app(samples="40").run()
    clip = real_clip(SHORT).read_bytes()
    at.file_uploader[0].upload(name, clip, "video/mp4").run()
    _ok(at)
    assert len(_strip(at)["data"]) == 5
    key = at.query_params["film"]
    stored = [p for p in (app_cache_dir / "uploads").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].parent == app_cache_dir / "uploads" / key
    assert stored[0].read_bytes() == clip


def test_a_failed_upload_names_the_file_as_the_visitor_knows_it_never_a_path(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Cache, data: object, name: str) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/secret/uploads/tmp1.part")

    monkeypatch.setattr(Cache, "store_upload", full)
    at = _app(samples="40").run()
    at.file_uploader[0].upload("holiday.mp4", b"x" * 1000, "video/mp4").run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "holiday" in message and "disk is full" in message
    assert "/srv" not in message and "tmp1" not in message


def test_a_no_video_upload_message_holds_no_server_path(app_cache_dir: Path) -> None:
    at = _app(samples="40").run()
    at.file_uploader[0].upload("notes.txt", b"just some text\n" * 100, "text/plain").run()
    assert len(at.error) == 1
    assert str(app_cache_dir) not in at.error[0].value and "/" not in at.error[0].value


def test_a_symlink_loop_in_the_movies_folder_is_skipped(
    app_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    movies = _movies_folder(tmp_path, monkeypatch, **{"loopA.mp4": Path("loopB.mp4"),
                                                      "loopB.mp4": Path("loopA.mp4")})
    at = _app(samples="40").run()
    _ok(at)
    assert at.selectbox(key="movie:explore").options == ["Thank you.mkv"]
    assert str(movies) not in " ".join(at.selectbox(key="movie:explore").label.split())


# --- abandoned work (issue 12, item 4) ----------------------------------------------------
def test_a_visitor_who_leaves_mid_analysis_cancels_it(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AppTest stops a run that times out as Streamlit stops the run of a session that
    disconnects (`request_stop`): the analysis nobody waits for any more is cancelled."""
    from webapp import analysis

    seen: dict[str, threading.Event] = {}

    def endless(path: Path, *, params: Params, cache: Cache, on_progress: object,
                cancel: threading.Event) -> None:
        seen["cancel"] = cancel
        if cancel.wait(HANG_S):
            raise Cancelled("cancelled")
        raise AssertionError("never cancelled")

    monkeypatch.setattr(analysis, "analyze", endless)
    at = _app(film="flower", samples="33")
    with pytest.raises(RuntimeError, match="timed out"):
        at.run(timeout=5)
    assert "cancel" in seen, "the analysis never started"
    assert seen["cancel"].wait(HANG_S), "the abandoned analysis was not cancelled"


# --- what a new user hit (issue 9) -----------------------------------------------------
def test_a_view_the_browser_sends_back_empty_keeps_the_view_and_the_link(
    app_cache_dir: Path,
) -> None:
    """After a trim error, Chromium sends the view control back empty (`state.widget_key`
    says why): the page kept crashing with "unknown view None" and wrote view=None."""
    at = _app(film="flower", samples="20", view="bands").run()
    _ok(at)
    _view(at).set_value(None).run()
    _ok(at)
    assert _view(at).value == "bands"
    assert at.query_params["view"] == "bands"
    at.slider(key="w_clusters").set_value(4).run()  # the change that used to crash
    _ok(at)
    assert "None" not in dict(at.query_params).values()


def test_a_trim_error_then_a_good_end_brings_the_view_back(app_cache_dir: Path) -> None:
    at = _app(film="flower", samples="20").run()
    at.text_input(key="w_start").input("3").run()
    at.text_input(key="w_end").input("2").run()
    assert len(at.error) == 1 and not at.get("plotly_chart")
    at.text_input(key="w_end").input("4").run()
    _ok(at)
    assert _view(at).value == "strip"
    at.button[-1].click().run()  # "Reset to defaults", the other change that used to crash
    _ok(at)
    assert "view" not in at.query_params


def test_an_unexpected_error_is_one_sentence_and_the_page_stays_usable(
    app_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(film="flower", samples="20").run()
    _ok(at)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("/srv/secret/path: a bug")

    monkeypatch.setattr(sys.modules["webapp.analysis"], "view_figure", broken)
    _view(at).set_value("ring").run()
    assert not at.exception
    assert [e.value for e in at.error] == [sys.modules["webapp.routing"].UNEXPECTED]
    assert "/srv" not in " ".join(m.value for m in at.markdown)
    monkeypatch.undo()
    at.slider(key="w_clusters").set_value(3).run()  # the sidebar still works
    _ok(at)
    assert len(_strip(at)["data"]) == 3


def test_a_short_clip_never_shows_more_moments_than_frames(app_cache_dir: Path) -> None:
    """Samples 1000 on Flower, 150 frames: one moment per frame and one note, as the
    automatic samples give."""
    chosen = _app(film="flower", samples="1000").run()
    automatic = _app(film="flower").run()
    for at in (chosen, automatic):
        _ok(at)
        count = _sample_count(_strip(at)["data"][0])
        assert count == 150
        assert "1000 moments" not in _captions(at)
        assert f"{count} moments" in _captions(at)
        assert len(at.info) == 1  # the note that says so, once
    assert _strip(chosen) == _strip(automatic)


def test_samples_left_empty_are_the_command_lines_default(app_cache_dir: Path) -> None:
    from webapp.settings import Settings, params_for

    assert params_for(Settings()).samples == Params().samples


def test_the_caption_shows_the_span_analysed_not_an_end_past_the_film(
    app_cache_dir: Path,
) -> None:
    at = _app(film="flower", samples="20", start="1", end="1:00:00").run()
    assert not at.exception
    assert "0:00:01–0:00:05" in _captions(at)
    assert "1:00:00" not in _captions(at)


def test_help_and_about_name_the_original_and_explain_the_scores(app_cache_dir: Path) -> None:
    original = "https://github.com/Chipdelmal/moviesColorFingerprint"
    at = _app(samples="40").run()
    assert original in at.segmented_control(key="w_color_space").help
    at.switch_page("pages/about.py").run()
    text = " ".join(m.value for m in at.markdown)
    assert f"[moviesColorFingerprint]({original})" in text
    for score in ("Palette similarity", "Mean difference", "Curve correlation",
                  "Most different at", "Alignment score", "Gaps", "Gap cost",
                  "Best-matching stretch"):
        assert f"**{score}**" in text
    assert "costs 10 ΔE2000 per gap and 5" in text  # the engine's costs, as calibrated


def test_progress_agrees_with_its_stage_and_counts_the_time_left_at_its_pace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decoding (0 to 90 %) takes 1 s, then finding colours runs ten times slower: 10 s
    for 14 % of the whole. The time left is the slow stage's, not "about 0 s"."""
    monkeypatch.syspath_prepend(str(ROOT))
    analysis = pytest.importorskip("webapp.analysis")
    clock = [0.0]
    shown: list[str] = []

    class Bar:
        def progress(self, value: float, text: str) -> None:
            shown.append(text)

        def empty(self) -> None:
            pass

        def markdown(self, *args: object, **kwargs: object) -> None:
            pass

    monkeypatch.setattr(analysis.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(analysis.st, "progress", lambda *a, **k: Bar())
    monkeypatch.setattr(analysis.st, "empty", Bar)
    progress = analysis.Progress("Big Buck Bunny")
    for i in range(1, 11):
        clock[0] = i * 0.1
        progress(0.09 * i, f"decoding frames: {72 * i}/720")
    for frames in (100, 200):
        clock[0] += 10
        progress(0.9 + 0.1 * frames / 720, f"finding colours: {frames}/720 frames")
    last = shown[-1]
    assert last.startswith("Fingerprinting Big Buck Bunny: 93% · finding colours: 200/720"), last
    left = re.search(r"about (?:(\d+) min )?(\d+) s left", last)
    assert left, last
    seconds = 60 * int(left[1] or 0) + int(left[2])
    assert 40 <= seconds <= 60, last  # 520 frames at 100 frames per 10 s: 52 s


def test_compare_opens_with_the_film_being_explored_as_film_a(app_cache_dir: Path) -> None:
    at = _app(film="flower", samples="20").run()
    _ok(at)
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headings == ["#### Flower", "#### Big Buck Bunny"]
    assert at.query_params["a"] == "flower"
    at.switch_page("pages/explore.py").run()
    at.button(key="demo:explore:friday").click().run()
    at.switch_page("pages/compare.py").run()
    headings = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headings[0] == r"#### His Girl Friday \(1940\)"


PHISHING = ("[Session expired - click to log in](https:127.0.0.1:8799?phish=1) "
            "![](https:127.0.0.1:8799?track=viewer)")


def test_a_file_name_is_shown_as_text_never_as_markdown(app_cache_dir: Path) -> None:
    at = _app(samples="20").run()
    clip = real_clip(SHORT).read_bytes()
    at.file_uploader[0].upload(f"{PHISHING}.mp4", clip, "video/mp4").run()
    _ok(at)
    title = at.markdown[0].value
    assert title.startswith("## ") and "](" not in title and "![" not in title
    assert re.sub(r"\\(.)", r"\1", title[3:]) == PHISHING  # shown exactly as written
