"""Sequence alignment of two films: known edits found where they were made, the costs
Compare's, the JSON output."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from fingerprint.compare import palette_distance
from fingerprint.compare._moment_costs import exact_distance
from fingerprint.compare._sequence import GAP, GAP_OPEN, MAX_MOMENTS, align_sequences, moments
from fingerprint.compare._sequence_dp import global_alignment
from fingerprint.errors import InvalidParameterError
from tests.support.fingerprints import make_fingerprint
from tests.support.synthetic_films import EDIT_LENGTH as LENGTH, film, footage

SAMPLE = 0.5  # seconds between samples of the synthetic films


# --- known answers ----------------------------------------------------------------------
def test_a_film_against_itself_is_all_pairs(edit_original):
    result = align_sequences(edit_original, edit_original)
    assert result.score == 1.0 and result.matched == 1.0 and result.distance == 0.0
    assert result.gaps == ()
    np.testing.assert_array_equal(result.pairs, np.repeat(np.arange(len(edit_original))[:, None],
                                                          2, axis=1))
    assert result.local == {"a": (0.0, LENGTH), "b": (0.0, LENGTH)}


def test_the_same_footage_sampled_again_has_no_gaps(edit_footage, edit_original):
    again = film([(edit_footage, 0, LENGTH)], spacing=LENGTH / 241, seed=2)
    result = align_sequences(edit_original, again)
    assert result.gaps == ()
    assert result.matched > 0.98 and result.distance < 3


def test_a_cut_is_found_where_it_was_cut(edit_footage, edit_original):
    cut = (41.3, 63.7)  # off the sample grid
    edited = film([(edit_footage, 0, cut[0]), (edit_footage, cut[1], LENGTH)], seed=2)
    result = align_sequences(edit_original, edited)
    assert len(result.gaps) == 1
    (run,) = result.gaps
    assert run.film == "a"
    assert abs(run.start - cut[0]) <= 0.02 * LENGTH and abs(run.end - cut[1]) <= 0.02 * LENGTH
    # To the sample, in fact: the slot edges nearest the cut.
    assert abs(run.start - cut[0]) <= SAMPLE and abs(run.end - cut[1]) <= SAMPLE
    # Every moment of the edited film has its counterpart, bar a sampling slip or two.
    assert len(result.pairs) >= len(result.edges_b) - 1 - 2


def test_an_insertion_is_a_gap_in_the_edited_film(edit_footage, edit_original):
    other = footage(99, 60.0)
    edited = film([(edit_footage, 0, 50.2), (other, 20, 30), (edit_footage, 50.2, LENGTH)], seed=3)
    result = align_sequences(edit_original, edited)
    assert len(result.gaps) == 1
    (run,) = result.gaps
    assert run.film == "b"
    assert abs(run.start - 50.2) <= SAMPLE and abs(run.end - 60.2) <= SAMPLE
    # The moments after the insertion pair up 10 s later in the edited film.
    times = np.column_stack([result.times_a[result.pairs[:, 0]],
                             result.times_b[result.pairs[:, 1]]])
    after = times[:, 0] > 52
    assert np.abs(times[after, 1] - times[after, 0] - 10).max() <= SAMPLE


def test_a_replaced_scene_is_a_gap_in_each_film(edit_footage, edit_original):
    other = footage(98, 60.0)
    edited = film([(edit_footage, 0, 70.4), (other, 5, 15), (edit_footage, 80.4, LENGTH)], seed=4)
    result = align_sequences(edit_original, edited)
    assert sorted(run.film for run in result.gaps) == ["a", "b"]
    for run in result.gaps:
        assert abs(run.start - 70.4) <= 2 * SAMPLE and abs(run.end - 80.4) <= 2 * SAMPLE


def test_local_alignment_finds_where_a_clip_was_cut_from(edit_footage, edit_original):
    start = 71.1
    clip = film([(edit_footage, start, start + 20)], seed=5, name="clip.mp4")
    result = align_sequences(edit_original, clip)
    lo, hi = result.local["a"]
    assert abs(lo - start) <= 2 * SAMPLE and abs(hi - (start + 20)) <= 2 * SAMPLE
    lo, hi = result.local["b"]
    assert lo <= 2 * SAMPLE and hi >= 20 - 2 * SAMPLE
    # Each pair of the stretch has its distance, and they average to the stretch's.
    assert len(result.local_pair_distance) == len(result.local_pairs)
    assert result.local_pair_distance.mean() == pytest.approx(result.local_distance)
    # Globally the rest of the film is unmatched, bar a moment or two: the clip starts
    # just after a shot change here, and its first moment finds a look-alike earlier.
    assert {run.film for run in result.gaps} == {"a"}
    unmatched = sum(run.end - run.start for run in result.gaps)
    assert abs(unmatched - (LENGTH - 20)) <= 2 * SAMPLE


def test_a_clip_sampled_finer_is_cut_into_the_films_moments(edit_footage, edit_original):
    """A clip analysed with as many samples as the film (1000 would be usual) has a finer
    spacing; both films are cut into moments of the coarser spacing."""
    start = 30.2
    clip = film([(edit_footage, start, start + 20)], spacing=20 / 240, seed=6)
    result = align_sequences(edit_original, clip)
    assert result.step == pytest.approx(SAMPLE)
    assert len(result.edges_b) == 41
    lo, hi = result.local["a"]
    assert abs(lo - start) <= 2 * SAMPLE and abs(hi - (start + 20)) <= 2 * SAMPLE


def test_unrelated_films_have_little_in_common(edit_original):
    other = film([(footage(31, LENGTH), 0, LENGTH)], seed=8)
    result = align_sequences(edit_original, other)
    assert result.score < 0.3 and result.matched < 0.5


# --- the costs are Compare's ------------------------------------------------------------
def test_alignment_is_optimal_for_the_exact_distances(edit_footage):
    """The lazily refined alignment equals the alignment of the full matrix of exact
    distances, and its pair distances are Compare's palette distances."""
    a = film([(edit_footage, 10, 40)], seed=11)
    b = film([(edit_footage, 10, 22.3), (edit_footage, 29.1, 40)], seed=12)
    result = align_sequences(a, b)
    (ia, _), (ib, _) = moments(a, step=result.step), moments(b, step=result.step)
    a = make_fingerprint(a.colors[ia], a.shares[ia])  # the films' moments, as samples
    b = make_fingerprint(b.colors[ib], b.shares[ib])
    n, m = len(a), len(b)
    rows, cols = np.divmod(np.arange(n * m), m)
    full = exact_distance(a.colors, a.shares, b.colors, b.shares, rows=rows, cols=cols)
    cap = 2 * (GAP_OPEN + GAP)
    total, _ = global_alignment(np.minimum(full.reshape(n, m), cap), gap=GAP,
                                   gap_open=GAP_OPEN)
    expected = 1 - total / (GAP * (n + m) + 2 * GAP_OPEN)
    assert result.score == pytest.approx(expected, abs=1e-9)
    i, j = result.pairs.T
    compare = palette_distance(a.colors[i], a.shares[i], b.colors[j], b.shares[j])
    np.testing.assert_allclose(result.pair_distance, compare, atol=1e-9)


# --- moments, output, refusals ----------------------------------------------------------
def test_moments_are_the_samples_when_the_step_is_their_spacing(edit_original):
    index, edges = moments(edit_original, step=SAMPLE)
    np.testing.assert_array_equal(index, np.arange(len(edit_original)))
    np.testing.assert_allclose(edges, np.arange(len(edit_original) + 1) * SAMPLE)
    index, edges = moments(edit_original, step=2.0)
    assert len(index) == 60 and edges[-1] == LENGTH
    # The sample nearest each 2-s slot's middle: 1.0 s lies between samples 1 and 2
    # (0.75 and 1.25 s), the earlier one is taken.
    assert index[0] == 1 and index[1] == 5


def test_json_output(edit_footage, edit_original):
    edited = film([(edit_footage, 0, 41.3), (edit_footage, 63.7, LENGTH)], seed=2)
    data = json.loads(align_sequences(edit_original, edited).to_json())
    assert {"score", "gaps", "local", "matched", "distance", "pairs"} <= set(data)
    assert data["gaps"] == [{"film": "a", "start": pytest.approx(41.5, abs=0.01),
                             "end": pytest.approx(64.0, abs=0.01)}]
    assert set(data["local"]) >= {"a", "b"} and len(data["local"]["a"]) == 2
    assert 0 < data["score"] < 1
    time_a, time_b, distance = data["pairs"][-1]
    assert time_a == pytest.approx(119.75) and time_b == pytest.approx(97.35, abs=0.3)
    assert distance >= 0


def test_json_when_nothing_matches():
    a = make_fingerprint(np.full((6, 1, 3), [250, 0, 0]), duration=3.0)
    b = make_fingerprint(np.full((4, 1, 3), [0, 0, 250]), duration=2.0)
    data = json.loads(align_sequences(a, b).to_json())
    assert data["score"] == 0.0 and data["matched"] == 0.0
    assert data["distance"] is None and data["local"] is None
    assert data["gaps"] == [{"film": "a", "start": 0.0, "end": 3.0},
                            {"film": "b", "start": 0.0, "end": 2.0}]


@pytest.mark.parametrize("options", [{"gap": 0}, {"gap": -1.0}, {"gap": math.nan},
                                     {"gap_open": -1.0}, {"gap": "5"}, {"step": 0.0},
                                     {"step": math.inf}, {"step": True}])
def test_bad_options_are_refused(edit_original, options):
    with pytest.raises(InvalidParameterError):
        align_sequences(edit_original, edit_original, **options)


def test_too_many_moments_are_refused(edit_original):
    with pytest.raises(InvalidParameterError, match="at least"):
        moments(edit_original, step=LENGTH / (MAX_MOMENTS + 10))
