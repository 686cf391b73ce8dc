"""The optional layers in a real browser (issue 10): the sound print and the shots, on
synthetic films of a movies folder whose answers are known, driven with Debian's
headless Chromium through Playwright. Skipped where either is missing.

- a film whose sound is 2 s of silence, 2 s of a -20 dBFS tone, 2 s at -6 dBFS
  (`test_sound.make_tones`): with the Sound print toggled on, its loudness trace is drawn
  under the strip on the strip's own columns, its hover names a moment and that moment's
  known level, the Ring view wears the sound as its outline, and the poster takes it;
- a film without sound: one plain note, no traceback, and the colours as ever;
- a film of four solid-colour shots of known lengths: the Shots view has one column per
  shot, as wide as it lasts, the hover gives its span, a click its middle frame (whose
  colours are the shot's), the statistics count four; Compare puts both films' side by side.

Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fingerprint import Params, analyze
from fingerprint._theme import BACKGROUND
from fingerprint.cache._cache import Cache
from fingerprint.sound._loudness import FLOOR
from tests.support.appserver import CHROMIUM, ROOT, streamlit
from tests.support.films import make_tones
from tests.support.videos import (
    BLUE,
    GREEN,
    ORANGE,
    TEAL,
    WHITE,
    make_rgb,
    make_video,
    segments,
    split,
)

if not CHROMIUM.exists():
    pytest.skip("needs Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
CHARTS = ".js-plotly-plot"
BARS = ".js-plotly-plot .barlayer .trace"
# The tones film at 12 samples: moment i (0-based) at 0.25 + 0.5 i s; its level by its
# 2-second third (silence reads as the floor).
TONE_SAMPLES = 12
TONE_LEVELS = (FLOOR, -20.0, -6.0)
# The shots film at 10 fps: each shot a picture held for a known time (every shot at least
# PySceneDetect's shortest, 15 frames). Cuts at 2, 6 and 8 s; 11 s in all.
SHOT_FPS = 10
SHOTS = ((ORANGE, 2.0), (TEAL, 4.0), ("white-blue", 2.0), (GREEN, 3.0))
LEVEL = re.compile(r"loudness (-?\d+\.\d) LUFS")


def _shots_film(path: Path) -> Path:
    """`SHOTS`: solid orange, teal, white on the left three quarters with blue on the
    right quarter, and green."""
    frames = []
    for picture, seconds in SHOTS:
        if isinstance(picture, str):
            frames += [split(WHITE, BLUE, 0.75)] * round(seconds * SHOT_FPS)
        else:
            frames += segments([(picture, seconds)], SHOT_FPS)
    return make_video(path, frames, fps=SHOT_FPS)


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path, Path]:
    """The synthetic films in a movies folder, each analysed once into the server's cache,
    as a visitor's first pick from the folder would: a link's content key then opens it.
    (Their content keys by name, the movies folder, the cache folder.)"""
    folder = tmp_path_factory.mktemp("layers-server")
    movies = folder / "movies"
    movies.mkdir()
    paths = {
        "tones": make_tones(movies / "tones.mp4"),
        "shots": _shots_film(movies / "four shots.mp4"),
        "silent": make_rgb(movies / "silent.mp4"),
    }
    cache = Cache(folder / "cache")
    for path in paths.values():
        analyze(path, params=Params(samples=10), cache=cache)
    return {name: cache.key(path) for name, path in paths.items()}, movies, folder


@pytest.fixture(scope="module")
def server(films: tuple[dict[str, str], Path, Path]) -> Iterator[str]:
    _, movies, folder = films
    with streamlit(cache=folder / "cache", log=folder / "streamlit.log", movies=movies) as (
        url, _,
    ):
        yield url


@pytest.fixture
def keys(films: tuple[dict[str, str], Path, Path]) -> dict[str, str]:
    return films[0]


def _open(browser: object, url: str, *, height: int = 1000) -> object:
    page = browser.new_context(viewport={"width": 1440, "height": height}).new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    return page


def _charts(page: object, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('{CHARTS}').length === {count}")


def _no_traceback(page: object) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in page.locator("body").inner_text()


def _plot_box(chart: object) -> dict:
    """A chart's plotting area, where its axes' ranges are drawn, in page pixels."""
    return chart.locator(".nsewdrag").first.bounding_box()


def _hover(page: object, chart: object, x: float, y: float, pattern: str) -> str:
    """Point at (x, y): the chart's hover text, once it matches ``pattern``."""
    page.mouse.move(x, y)
    hover = chart.locator(".hoverlayer")
    sync_api.expect(hover).to_contain_text(re.compile(pattern), timeout=30_000)
    return hover.text_content() or ""


IDLE = "document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'"


def _after_rerun(page: object, action) -> None:
    """Wait for the page's run to end, do ``action``, then wait for the run it starts to
    end: a download button clicked during a run names a file the run replaces, and
    nothing downloads."""
    page.wait_for_function(IDLE)
    page.evaluate(
        """() => {
            window.runsEnded = 0;
            new MutationObserver(records => {
                window.runsEnded += records.filter(r => r.oldValue === 'running').length;
            }).observe(document.querySelector('[data-testid=stApp]'), {
                attributes: true, attributeOldValue: true,
                attributeFilter: ['data-test-script-state'],
            });
        }"""
    )
    action()
    page.wait_for_function(f"window.runsEnded > 0 && {IDLE}")


def _tone_level(moment: int) -> float:
    """The known level of the tones film's 0-based ``moment`` at `TONE_SAMPLES`."""
    return TONE_LEVELS[int((0.25 + 0.5 * moment) // 2)]


def _level(text: str) -> float:
    found = LEVEL.search(text)
    assert found, text
    return float(found.group(1))


def test_sound_on_draws_the_loudness_under_the_strip_and_around_the_ring(
    server: str, browser: object, keys: dict[str, str]
) -> None:
    page = _open(browser, f"{server}/?film={keys['tones']}&samples={TONE_SAMPLES}")
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 5")
    _charts(page, 1)
    # The visitor turns the sound print on: the film is analysed again, with its sound.
    page.get_by_test_id("stSidebar").get_by_text("Sound print", exact=True).click()
    page.wait_for_function("window.location.search.includes('sound=1')")
    _charts(page, 2)
    strip, trace = page.locator(CHARTS).nth(0), page.locator(CHARTS).nth(1)
    trace.locator(".scatterlayer .trace path.js-line").last.wait_for()  # over the floor's

    # Under the strip, on the same time axis: the same plotting width, the same span of
    # columns, so each moment's level is under its column (and a step at a cut in the
    # sound is under the cut in the picture).
    above, below = _plot_box(strip), _plot_box(trace)
    assert below["y"] >= above["y"] + above["height"]
    assert below["x"] == pytest.approx(above["x"], abs=1)
    assert below["width"] == pytest.approx(above["width"], abs=1)
    ranges = page.evaluate(
        f"[...document.querySelectorAll('{CHARTS}')].map(g => g.layout.xaxis.range)"
    )
    assert ranges[1] == pytest.approx(ranges[0], abs=1e-6), ranges
    assert ranges[0] == pytest.approx([-0.5, TONE_SAMPLES - 0.5], abs=1e-6)

    # Pointing at a column's loudness names its moment (as the strip's hover does at the
    # same x) and the moment's known level.
    column = below["width"] / TONE_SAMPLES
    for moment in (1, 5, 9, 10):
        x = below["x"] + column * (moment + 0.5)
        seconds = 0.25 + 0.5 * moment
        colours = _hover(page, strip, x, above["y"] + above["height"] / 2, "#")
        text = _hover(page, trace, x, below["y"] + below["height"] / 2,
                      rf"^0:00:0{int(seconds)}.*loudness")
        assert text.startswith(colours.split("#")[0]), (text, colours)
        # Every column's title names its moment, ticked ones too (their tick's text is
        # the timecode alone, which Plotly's title showed by default).
        assert colours.startswith(f"0:00:0{int(seconds)} · moment {moment + 1} of "), colours
        assert _level(text) == pytest.approx(_tone_level(moment), abs=1.0), text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "layers-sound.png")

    # The sound on the poster: a band under the strip, empty while the film is silent
    # and filled where it is loud.
    _after_rerun(page, page.get_by_text("Sound on the poster", exact=True).click)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download poster (PNG)").click()
    (ARTIFACTS / "layers-sound-poster.png").write_bytes(Path(download.value.path()).read_bytes())
    poster = np.asarray(Image.open(Path(download.value.path())).convert("RGB")).astype(int)

    def lit(column: int) -> int:  # the poster's pixels down a column that are not background
        return int((np.abs(poster[:, column] - BACKGROUND).max(axis=-1) > 30).sum())

    width = poster.shape[1]  # the silent first third (past the caption), the loud last
    assert lit(int(width * 0.9)) - lit(int(width * 0.25)) > 0.05 * poster.shape[0]

    # The Ring view wears the sound as its outline: farther out where it is louder, and
    # pointing at it names the moment and its level.
    page.get_by_role("radio", name="Ring").click()
    page.wait_for_function("window.location.search.includes('view=ring')")
    _charts(page, 1)  # the strip's trace gone with the run that drew the ring
    ring = page.locator(CHARTS)
    outline = ring.locator(".scatterlayer .trace path.js-line").first
    outline.wait_for()
    _no_traceback(page)
    points = outline.evaluate(
        """line => {
            const m = line.getScreenCTM();
            const xy = line.getAttribute('d').match(/-?[\\d.]+(e-?\\d+)?/g).map(Number);
            const out = [];
            for (let i = 0; i + 1 < xy.length; i += 2) {
                const p = new DOMPoint(xy[i], xy[i + 1]).matrixTransform(m);
                out.push([p.x, p.y]);
            }
            return out;
        }"""
    )
    wedges = ring.locator(".barlayer").first.bounding_box()
    centre = np.array([wedges["x"] + wedges["width"] / 2, wedges["y"] + wedges["height"] / 2])
    # One corner per moment, and the first again to close the line.
    assert len(points) == TONE_SAMPLES + 1, points
    radius: dict[float, list[float]] = {}
    for moment, (x, y) in enumerate(points[:-1]):
        text = _hover(page, ring, x, y, rf"moment {moment + 1} of .*loudness")
        assert _level(text) == pytest.approx(_tone_level(moment), abs=1.0), text
        radius.setdefault(_tone_level(moment), []).append(np.hypot(x - centre[0], y - centre[1]))
    radius = {level: np.mean(r) for level, r in radius.items()}
    assert radius[FLOOR] < radius[-20.0] < radius[-6.0], radius
    page.screenshot(path=ARTIFACTS / "layers-sound-ring.png")
    page.context.close()


def test_a_film_without_sound_says_so_once_and_shows_its_colours(
    server: str, browser: object, keys: dict[str, str]
) -> None:
    page = _open(browser, f"{server}/?film={keys['silent']}&samples=20&sound=1")
    page.wait_for_function(f"document.querySelectorAll('{BARS}').length === 5")
    main = page.get_by_test_id("stMain")
    notes = main.get_by_test_id("stAlert")
    notes.first.wait_for()
    page.wait_for_function(IDLE)  # the whole page drawn: one note, not one per layer
    assert notes.count() == 1
    assert "no sound track" in notes.inner_text()
    _no_traceback(page)
    assert page.locator(CHARTS).count() == 1  # no loudness trace
    assert page.get_by_text("Sound on the poster").count() == 0
    # The colours, as without the sound print: red, green, then blue.
    strip = page.locator(CHARTS).first
    box = _plot_box(strip)
    text = _hover(page, strip, box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2,
                  "#")
    assert "#0000ff" in text or "#0000fe" in text, text
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    page.locator('[data-testid="stImage"] img').first.wait_for(state="visible")
    _no_traceback(page)
    page.context.close()


def _image_colors(img: object) -> np.ndarray:
    """The shown frame's pixels, as the visitor sees them."""
    return np.asarray(Image.open(io.BytesIO(img.screenshot())).convert("RGB")).astype(int)


def test_the_shots_view_shows_each_shot_as_wide_as_it_lasts_and_its_middle_frame(
    server: str, browser: object, keys: dict[str, str]
) -> None:
    page = _open(browser, f"{server}/?film={keys['shots']}&samples=20&shots=1&view=shots",
                 height=1400)
    chart = page.locator(CHARTS).first
    columns = chart.locator(".barlayer .trace").first.locator(".point")
    columns.first.wait_for()
    # One column per shot, each as wide as the shot lasts.
    assert columns.count() == len(SHOTS)
    widths = np.array([columns.nth(i).bounding_box()["width"] for i in range(len(SHOTS))])
    lengths = np.array([seconds for _, seconds in SHOTS])
    np.testing.assert_allclose(widths / widths.sum(), lengths / lengths.sum(), atol=0.01)
    # The statistics: four shots, a median of 2.5 s.
    metrics = page.get_by_test_id("stMetric")
    metrics.filter(has_text="Shots").get_by_test_id("stMetricValue").wait_for()
    assert metrics.filter(has_text="Shots").get_by_test_id("stMetricValue").inner_text() == "4"
    median = metrics.filter(has_text="Median shot length").get_by_test_id("stMetricValue")
    assert median.inner_text() == "2.5 s"
    _charts(page, 3)  # the shots, the histogram of their lengths, their lengths over time
    histogram, rhythm = page.evaluate(
        f"[...document.querySelectorAll('{CHARTS}')].slice(1)"
        ".map(g => Array.from(g._fullData[0].y))"
    )
    assert sum(histogram) == len(SHOTS)
    np.testing.assert_allclose(rhythm, [seconds for _, seconds in SHOTS], atol=0.01)

    # Pointing at the second column gives its span and its colour.
    box = _plot_box(chart)
    per_second = box["width"] / sum(lengths)
    y = box["y"] + box["height"] / 2
    text = _hover(page, chart, box["x"] + per_second * 4.0, y, "shot 2 of 4")
    # The span heads the list, not the bar's middle in seconds ("4" by default).
    assert text.strip().startswith("shot 2 of 4 · 0:00:02 – 0:00:06 (4.0 s)"), text
    teal = [int(h[i : i + 2], 16) for h in re.findall(r"#([0-9a-f]{6})", text)[:1]
            for i in (0, 2, 4)]
    assert np.abs(np.array(teal) - TEAL).max() < 30, text
    # A click on the third shows its middle frame, 7 s: white with blue on the right.
    x = box["x"] + per_second * 7.0
    _hover(page, chart, x, y, "shot 3 of 4")
    page.mouse.click(x, y)
    page.wait_for_function("new URLSearchParams(window.location.search).get('t') === '7'")
    caption = page.get_by_text("middle frame at", exact=False)
    caption.wait_for()
    assert "shot 3 of 4 · 0:00:06 – 0:00:08 (2.0 s) · middle frame at 0:00:07" in (
        caption.inner_text()
    )
    frame = page.locator('[data-testid="stImage"] img').first
    frame.wait_for(state="visible")
    page.wait_for_function("document.querySelector('[data-testid=stImage] img').complete")
    pixels = _image_colors(frame)
    width = pixels.shape[1]
    left = pixels[:, : int(width * 0.7)].reshape(-1, 3).mean(axis=0)
    right = pixels[:, int(width * 0.8) :].reshape(-1, 3).mean(axis=0)
    assert np.abs(left - WHITE).max() < 25 and np.abs(right - BLUE).max() < 40, (left, right)
    _no_traceback(page)
    page.screenshot(path=ARTIFACTS / "layers-shots.png")

    # The share link reopens the chosen shot in a new session.
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stCode]')]"
        ".some(e => e.textContent.includes('t=7'))"
    )
    link = next(c for c in page.locator('[data-testid="stCode"]').all_text_contents()
                if c.strip().startswith("http")).strip()
    other = _open(browser, link)
    other.get_by_text("middle frame at", exact=False).wait_for()
    assert "shot 3 of 4" in other.get_by_text("middle frame at", exact=False).inner_text()
    other.locator('[data-testid="stImage"] img').first.wait_for(state="visible")
    other.context.close()
    page.context.close()


def test_compare_with_shots_shows_both_films_shot_statistics(
    server: str, browser: object, keys: dict[str, str]
) -> None:
    page = _open(browser, f"{server}/compare?a={keys['shots']}&b={keys['tones']}"
                          "&samples=20&shots=1", height=2600)
    counts = page.get_by_test_id("stMetric").filter(has_text="Shots")
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stMetric]')]"
        ".filter(m => m.innerText.startsWith('Shots')).length === 2"
    )
    # Each film's statistics in its own column, under its name.
    for caption, count in (("A · four shots", "4"), ("B · tones", "1")):  # one grey shot
        column = page.get_by_test_id("stColumn").filter(
            has=page.get_by_text(caption, exact=True)).filter(has=counts)
        assert column.count() == 1
        assert column.locator(counts).get_by_test_id("stMetricValue").inner_text() == count
    assert page.get_by_test_id("stMetric").filter(has_text="Median shot length").count() == 2
    _no_traceback(page)
    page.screenshot(path=ARTIFACTS / "layers-compare-shots.png", full_page=True)
    page.context.close()
