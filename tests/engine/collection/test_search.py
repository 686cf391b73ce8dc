"""Search by colour, films and moments like a chosen one (issue 19 §2), on a real batch of
clips with solid colours at known times, and against brute force on synthetic indexes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from fingerprint.cli._main import main
from fingerprint.collection import _scoring
from fingerprint.collection._batch import connect, run_batch
from fingerprint.collection._collection import distance_matrix, load_batch, nearest
from fingerprint.collection._index import SHARE_SCALE, codes_to_lab, lab_codes, part_paths
from fingerprint.collection._search import (
    WITHIN,
    open_search,
    parse_colors,
    search_colors,
    similar_films,
    similar_moments,
)
from fingerprint.compare._transport import transport
from fingerprint.errors import InvalidParameterError
from fingerprint.palette._color import delta_e2000
from fingerprint.params import Params
from tests.support import videos
from tests.support.batches import write_batch

CRIMSON = (0xC0, 0x39, 0x2B)  # #c0392b, the example
NEAR_CRIMSON = (0xA9, 0x32, 0x26)  # 5.1 ΔE2000 from it
GREY = (128, 128, 128)
PARAMS = Params(samples=20, clusters=3)


def _clips(folder):
    """Four 10-second films, each a known colour at a known time (frames at 10 fps)."""
    fps = 10
    whole = videos.segments([(videos.TEAL, 4.0), (CRIMSON, 2.0), (videos.TEAL, 4.0)], fps)
    near = videos.segments([(videos.BLUE, 7.0), (NEAR_CRIMSON, 2.0), (videos.BLUE, 1.0)], fps)
    patch = ([videos.solid(GREY)] * 30 + [videos.split(GREY, CRIMSON, 0.9)] * 20
             + [videos.solid(GREY)] * 50)
    both = ([videos.solid(videos.WHITE)] * 20 + [videos.split(videos.TEAL, CRIMSON, 0.5)] * 20
            + [videos.solid(videos.WHITE)] * 60)
    for name, frames in (("crimson.mp4", whole), ("near.mp4", near), ("patch.mp4", patch),
                         ("both.mp4", both)):
        videos.make_video(folder / name, frames, fps=fps, gop=1)
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A real `fingerprint batch` of the clips, on one Dask worker."""
    films = _clips(tmp_path_factory.mktemp("clips"))
    out = tmp_path_factory.mktemp("batch")
    with connect(workers=1) as client:
        summary = run_batch(sorted(films.iterdir()), out=out, client=client, params=PARAMS)
    assert summary.count("failed") == 0
    return films, out


def _score(hit) -> float:
    return math.sqrt(hit.share) / (1 + (hit.distance / 10) ** 2)


def test_a_colour_finds_its_film_and_time_first(batch):
    films, out = batch
    search = open_search(out)
    hits = search_colors(search, ["#c0392b"], top=10)
    assert hits[0].source == str(films / "crimson.mp4")
    assert 4.0 <= hits[0].time <= 6.0
    assert hits[0].distance < 2 and hits[0].share > 0.95
    for hit in hits:
        assert hit.score == pytest.approx(_score(hit), abs=1e-4)  # the stated formula
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_small_exact_patch_and_a_large_near_area_are_both_found(batch):
    _films, out = batch
    hits = search_colors(open_search(out), ["#c0392b"], top=4, per_film=1)
    # The whole frame at 5 ΔE (0.79) before half the frame exactly (0.71), before a tenth
    # of it exactly (0.32): the formula's order.
    assert [h.title for h in hits] == ["crimson", "near", "both", "patch"]
    near, patch = hits[1], hits[3]
    assert 7.0 <= near.time <= 9.0 and 4 < near.distance < 7 and near.share > 0.95
    assert 3.0 <= patch.time <= 5.0 and patch.distance < 2 and 0.05 < patch.share < 0.15


def test_a_palette_finds_the_moments_holding_every_colour(batch):
    _films, out = batch
    hits = search_colors(open_search(out), ["#c0392b", "#14969f"], top=5)
    assert {h.title for h in hits} == {"both"}  # crimson.mp4 has them one after the other
    assert all(2.0 <= h.time <= 4.0 for h in hits)
    assert all(0.4 < m.share < 0.6 for m in hits[0].matches)


def test_the_command_line_prints_json_hits(batch, capsys):
    films, out = batch
    assert main(["search", str(out), "--color", "#c0392b", "--top", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3
    assert hits[0]["film"] == str(films / "crimson.mp4") and hits[0]["title"] == "crimson"
    assert 4.0 <= hits[0]["time"] <= 6.0
    assert set(hits[0]) >= {"film", "title", "time", "distance", "share"}
    index = json.loads((out / "collection.json").read_text())
    assert {h["film"] for h in hits} <= {f["source"] for f in index["films"]}


def test_the_command_line_prints_a_table_and_refuses_a_bad_colour(batch, capsys):
    _, out = batch
    assert main(["search", str(out), "--color", "c0392b", "--top", "2"]) == 0
    text = capsys.readouterr().out
    assert "crimson" in text and "0:00:0" in text
    with pytest.raises(SystemExit):
        main(["search", str(out), "--color", "#c0392"])
    assert "not a colour" in capsys.readouterr().err


def test_films_like_a_film_are_the_nearest_by_palette_distance(batch):
    _, out = batch
    search = open_search(out)
    collection = load_batch(out)
    matrix = distance_matrix(collection)
    for film in range(len(collection)):
        got = similar_films(search, film, top=3)
        want = nearest(matrix, film, count=3)
        assert [m.source for m in got] == [collection.films[i].source for i, _ in want]
        assert [m.distance for m in got] == pytest.approx([d for _, d in want], abs=1e-6)


def test_a_batch_resumed_or_grown_updates_the_index(batch, tmp_path):
    films, out = batch
    first = part_paths(out)
    assert len(open_search(out).index.collection) == 4
    extra = tmp_path / "more"
    extra.mkdir()
    videos.make_video(extra / "orange.mp4", videos.segments([(videos.ORANGE, 3.0)], 10), fps=10)
    with connect(workers=1) as client:
        run_batch([*sorted(films.iterdir()), extra / "orange.mp4"], out=out, client=client,
                  params=PARAMS)
    assert part_paths(out)[: len(first)] == first  # the films already indexed: untouched
    search = open_search(out)
    assert len(search.index.collection) == 5
    assert search_colors(search, ["#e67820"], top=1)[0].title == "orange"
    # An index lost (or a batch made before there was one): the next run rebuilds it
    # from the films' JSON, which the skipped films' workers read anyway.
    for part in part_paths(out):
        part.unlink()
    with connect(workers=1) as client:
        summary = run_batch([extra / "orange.mp4"], out=out, client=client, params=PARAMS)
    assert summary.count("skipped") == 1
    assert [f.title for f in open_search(out).index.collection.films] == ["orange"]


# --- against brute force, on synthetic indexes ----------------------------------------------
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    write_batch(out, 30, samples=60)
    return open_search(out)


def _brute(search, colors, within=WITHIN):
    """Every moment's score by the stated ranking, straight from the index's arrays."""
    index = search.index
    lab = codes_to_lab(index.colors)
    shares = index.shares / SHARE_SCALE
    total = np.ones(len(index.times))
    queries = codes_to_lab(lab_codes(parse_colors(colors)))
    for q in queries:
        d = delta_e2000(q, lab)
        s = np.where((d <= within) & (shares > 0), np.sqrt(shares) / (1 + (d / 10) ** 2), 0)
        total *= s.max(axis=1)
    return total ** (1 / len(queries))


@pytest.mark.parametrize("colors", [["#e67820"], ["#2850c8"], ["#101010"], ["#ffffff"],
                                    ["#e67820", "#c83c28"], ["#2850c8", "#e67820", "#3c82dc"]])
@pytest.mark.parametrize("per_film", [None, 2])
def test_the_search_ranks_as_brute_force_does(synthetic, colors, per_film):
    scores = _brute(synthetic, colors)
    hits = search_colors(synthetic, colors, top=15, per_film=per_film)
    film = synthetic.index.film_of(np.arange(len(scores)))
    order = np.lexsort((np.arange(len(scores)), -scores))
    want, count = [], {}
    for row in order:
        if scores[row] <= 0 or len(want) == 15:
            break
        if per_film is None or count.get(film[row], 0) < per_film:
            count[film[row]] = count.get(film[row], 0) + 1
            want.append(row)
    assert [h.moment for h in hits] == want
    assert [h.score for h in hits] == pytest.approx(scores[want], abs=1e-4)


def test_rings_stop_early_for_a_common_colour(synthetic, monkeypatch):
    """The rings are only a shortcut: with none (everything read at once) the same hits."""
    hits = search_colors(synthetic, ["#e67820"], top=10)
    monkeypatch.setattr(_scoring, "RINGS", ())
    assert search_colors(synthetic, ["#e67820"], top=10) == hits


def test_moments_like_a_moment_are_the_nearest_by_palette_distance(synthetic):
    index = synthetic.index
    film, time = 3, float(index.times[index.offsets[3] + 20])
    got = similar_moments(synthetic, film, time, top=5)
    row = int(index.offsets[3] + 20)
    lab, other = codes_to_lab(index.colors[row]), codes_to_lab(index.colors)
    cost = delta_e2000(lab[None, :, None, :], other[:, None, :, :])
    supply = np.broadcast_to(index.shares[row], index.shares.shape).astype(float)
    exact, _ = transport(cost, supply, index.shares.astype(float))
    exact[index.offsets[3] : index.offsets[4]] = np.inf  # other films only
    assert got[0].moment == int(np.argmin(exact))
    assert [m.distance for m in got] == sorted(m.distance for m in got)
    assert all(m.film != 3 for m in got)
    same = similar_moments(synthetic, film, time, top=3, same_film=True)
    assert all(m.moment != row for m in same)


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: search_colors(s, []), "between 1 and"),
    (lambda s: search_colors(s, ["red"]), "not a colour"),
    (lambda s: search_colors(s, ["#c0392b"], top=0), "top must be"),
    (lambda s: search_colors(s, ["#c0392b"], within=-1), "within must be"),
    (lambda s: similar_films(s, 99), "film must be"),
    (lambda s: similar_moments(s, -1, 0.0), "film must be"),
])
def test_bad_requests_say_what_is_wrong(synthetic, call, message):
    with pytest.raises(InvalidParameterError, match=message):
        call(synthetic)


def test_json_of_a_hit_has_the_documented_fields(synthetic):
    hit = search_colors(synthetic, ["#e67820"], top=1)[0]
    data = json.loads(json.dumps(hit.to_dict()))
    assert data["film"] == hit.source and data["title"] == hit.title
    assert data["time"] == hit.time and 0 <= data["share"] <= 1 and data["distance"] >= 0


def test_the_batch_command_leaves_the_search_ready(batch, tmp_path, capsys):
    """`fingerprint batch` builds the neighbour indexes and decodes the strips at its end:
    neither the first search nor the Collection page's first visit waits for them."""
    films, _ = batch
    out = tmp_path / "out"
    code = main(["batch", str(films), "--out", str(out), "--workers", "1", "--samples", "20",
                 "-k", "3", "--poster-size", "300x100"])
    assert code == 0 and capsys.readouterr().out.strip().endswith("0 failed")
    assert len(list((out / "index").glob("search-*/tree.pickle"))) == 1
    assert len(list((out / "index").glob("strips-*.npy"))) == 1
    assert search_colors(open_search(out), ["#c0392b"], top=1)[0].title == "crimson"
