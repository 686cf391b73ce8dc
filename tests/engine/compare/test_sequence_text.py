"""An alignment in sentences (fingerprint/compare/_sequence_text.py): the score's
meaning, the gaps and the best-matching stretch, as the page and the PNG say them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fingerprint.compare._sequence import align_sequences
from fingerprint.compare._sequence_text import (
    MAX_GAP_LINES,
    gap_lines,
    local_line,
    score_meaning,
)


@pytest.fixture(scope="module")
def cut(edit_original, edit_cut):
    return align_sequences(edit_original, edit_cut)


@pytest.fixture(scope="module")
def clip(edit_original, edit_clip):
    return align_sequences(edit_clip, edit_original)


def test_the_lines_say_what_was_cut_and_where_the_clip_is(cut, clip):
    assert score_meaning(cut).startswith("1 means the same moments in the same order, 0 ")
    meaning = score_meaning(cut)
    assert f"{100 * cut.matched:.0f} % of the moments paired" in meaning
    assert meaning.endswith(", 1 gap.")
    (line,) = gap_lines(cut)
    assert line.startswith("Only in A: 0:00:41.5 to 0:01:04.0 (22.5 s)")
    assert local_line(clip).startswith("Best match: A 0:00:00.")
    assert "with B 0:01:1" in local_line(clip)  # the clip is 71.1 to 91.1 s


def test_many_gaps_are_counted_beyond_the_listed(cut):
    many = replace(cut, gaps=cut.gaps * (MAX_GAP_LINES + 3))
    lines = gap_lines(many)
    assert len(lines) == MAX_GAP_LINES + 1 and lines[-1].startswith("… and 3 more gaps")
    assert gap_lines(replace(cut, gaps=()))[0].startswith("No gaps")
    assert local_line(replace(cut, local=None)).startswith("No stretch")
