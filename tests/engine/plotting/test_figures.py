"""The Plotly figures: shapes, colours, hover text, and clicks mapping back to samples."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from fingerprint import Fingerprint, InvalidParameterError
from fingerprint.plotting._film import (
    average_figure,
    color_space_figure,
    column_labels,
    ring_figure,
    strip_figure,
    time_ticks,
    view_figure,
)
from tests.support.fingerprints import make_fingerprint
from webapp.selection import point_sample
from webapp.settings import SAMPLE_VIEWS as VIEWS


def _fingerprint(n: int = 6, k: int = 3) -> Fingerprint:
    rng = np.random.default_rng(1)
    shares = np.sort(rng.dirichlet(np.ones(k), size=n), axis=1)[:, ::-1]
    shares[0] = [1.0] + [0.0] * (k - 1)  # a flat frame: one colour, the rest unused
    return make_fingerprint(
        rng.integers(0, 256, size=(n, k, 3), dtype=np.uint8),
        shares,
        average=rng.integers(0, 256, size=(n, 3), dtype=np.uint8),
        duration=float(n * 10),
        name="film.mp4",
    )


def _hex(rgb: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb.tolist())


def test_column_labels_give_timecode_and_sample_number() -> None:
    labels = column_labels(_fingerprint())
    assert labels[0] == "0:00:05 · moment 1 of 6"
    assert labels[5] == "0:00:55 · moment 6 of 6"


def test_time_ticks_choose_round_steps() -> None:
    columns, labels = time_ticks(np.arange(0.5, 7200, 7.2))
    assert labels[:3] == ["0:15:00", "0:30:00", "0:45:00"]
    assert len(labels) == 7
    assert all(np.diff(columns) > 0)
    assert time_ticks(np.array([]))[0] == []
    assert time_ticks(np.array([3.0])) == ([0], ["0:00:03"])


def test_strip_is_one_bar_trace_per_rank_one_bar_per_sample() -> None:
    fp = _fingerprint()
    fig = strip_figure(fp)
    assert [t.type for t in fig.data] == ["bar"] * fp.k
    for rank, trace in enumerate(fig.data):
        assert len(trace.x) == len(fp)
        # An unused colour (the flat first frame's) is no bar, so the hover does not list
        # it at 0 %: Plotly leaves NaN out of an "x unified" hover.
        used = fp.shares[:, rank] > 0
        assert np.allclose(np.asarray(trace.y, float)[used], fp.shares[used, rank])
        assert np.isnan(np.asarray(trace.y, float)[~used]).all()
        assert list(trace.marker.color) == [_hex(c) for c in fp.colors[:, rank]]
        assert "%{marker.color}" in trace.hovertemplate
        assert "%{customdata[1]:.0%}" in trace.hovertemplate
    assert fig.layout.barmode == "stack"
    assert fig.layout.hovermode == "x unified"
    # The stack grows downwards so the largest share is on top.
    assert tuple(fig.layout.yaxis.range) == (1, 0)


def test_equal_bands_replace_unused_colours_with_the_main_one() -> None:
    fp = _fingerprint()
    fig = strip_figure(fp, bands="equal")
    for rank, trace in enumerate(fig.data):
        assert np.allclose(trace.y, 1 / fp.k)
        assert np.allclose(np.asarray(trace.customdata)[:, 1], fp.shares[:, rank])
    assert fig.data[2].marker.color[0] == _hex(fp.colors[0, 0])  # share 0 in sample 0
    with pytest.raises(InvalidParameterError, match="bands"):
        strip_figure(fp, bands="wide")  # type: ignore[arg-type]


@pytest.mark.parametrize("view", VIEWS)
def test_every_point_of_every_view_maps_back_to_its_sample(view: str) -> None:
    fp = _fingerprint()
    fig = view_figure(fp, view)
    for trace in fig.data:
        custom = np.asarray(trace.customdata)
        for i, row in enumerate(custom):
            sample = point_sample({"customdata": row.tolist(), "point_index": i}, len(fp))
            if row[0] == -1:  # the colour wheel's hue ring: no moment
                assert sample is None
                continue
            assert sample is not None
            if trace.type in ("bar", "barpolar"):
                assert sample == i  # one point per sample, in time order


def test_a_click_on_a_strip_column_gives_that_sample_and_its_time() -> None:
    fp = _fingerprint()
    fig = strip_figure(fp)
    # What Streamlit reports for a click on column 4 of the second rank.
    trace = fig.data[1]
    point = {"curve_number": 1, "point_index": 4, "x": trace.x[4],
             "customdata": list(trace.customdata[4])}
    sample = point_sample(point, len(fp))
    assert sample == 4
    assert fp.times[sample] == 45.0


def test_average_barcode_uses_the_average_colours() -> None:
    fp = _fingerprint()
    fig = average_figure(fp)
    assert len(fig.data) == 1
    assert list(fig.data[0].marker.color) == [_hex(c) for c in fp.average]


def test_ring_runs_clockwise_from_the_top() -> None:
    fp = _fingerprint()
    fig = ring_figure(fp)
    assert [t.type for t in fig.data] == ["barpolar"] * fp.k
    assert fig.layout.polar.angularaxis.direction == "clockwise"
    assert fig.layout.polar.angularaxis.rotation == 90
    assert np.allclose(fig.data[0].theta, (np.arange(6) + 0.5) * 60)


def test_colour_space_points_are_sized_by_share_and_skip_unused_colours() -> None:
    fp = _fingerprint()
    fig = color_space_figure(fp, mode="ab")
    points = fig.data[0]
    assert len(points.x) == int((fp.shares > 0).sum())
    sizes = np.asarray(points.marker.size)
    assert np.all(np.diff(sizes) <= 1e-9)  # largest first, so small ones stay on top
    assert points.type == "scatter"  # SVG, so a click on a colour reports its moment
    fig3d = color_space_figure(fp, mode="3d")
    assert fig3d.data[0].type == "scatter3d"
    assert fig3d.layout.scene.zaxis.range == (0, 100)
    # Pure white sits at L*=100, a*=b*=0.
    white = make_fingerprint(np.full((1, 1, 3), 255, np.uint8))
    z = color_space_figure(white, mode="3d").data[0]
    assert z.z[0] == pytest.approx(100, abs=0.01) and z.x[0] == pytest.approx(0, abs=0.01)


@pytest.mark.parametrize("view", VIEWS)
def test_highlight_marks_the_chosen_moment(view: str) -> None:
    fp = _fingerprint()
    plain, marked = view_figure(fp, view), view_figure(fp, view, highlight=3)
    assert isinstance(marked, go.Figure)
    changed = len(marked.data) > len(plain.data) or len(marked.layout.annotations) > 0
    assert changed


@pytest.mark.parametrize("mode", ["ab", "3d"])
def test_color_space_highlight_rings_exactly_the_chosen_moments_colors(mode: str) -> None:
    fp = _fingerprint()
    plain = color_space_figure(fp, mode=mode)  # type: ignore[arg-type]
    marked = color_space_figure(fp, mode=mode, highlight=3)  # type: ignore[arg-type]
    assert len(marked.data) == len(plain.data) + 1
    ring = marked.data[-1]
    assert ring.hoverinfo == "skip"
    # One mark per colour the moment uses, each pointing back to moment 3.
    assert len(ring.x) == int((fp.shares[3] > 0).sum())
    assert {row[0] for row in np.asarray(ring.customdata)} == {3.0}


def test_unknown_view_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="view"):
        view_figure(_fingerprint(), "heatmap")
