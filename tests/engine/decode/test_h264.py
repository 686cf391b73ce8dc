"""The H.264 slice-header reader that lets exact mode skip the reference B-frames its
target does not use (`fingerprint.decode._h264`): headers and buffers of known films,
and the frames exact mode gives with and without it, pixel for pixel."""

from __future__ import annotations

import av
import numpy as np
import pytest

from fingerprint.decode import _h264, _h264_headers, frame_at, sample
from fingerprint.decode._h264 import References
from tests.support.videos import make_pyramid, texture


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    d = tmp_path_factory.mktemp("h264")
    return {
        "ref1": make_pyramid(d / "ref1.mp4", refs=1),
        "ref3": make_pyramid(d / "ref3.mp4", refs=3),
        "ref1_ts": make_pyramid(d / "ref1.ts", refs=1, fmt="mpegts"),  # Annex B, no avcC
        "ref1_mkv": make_pyramid(d / "ref1.mkv", refs=1),
        "ref1_weighted": make_pyramid(d / "weighted.mp4", refs=1, x264="weightp=2:weightb=1"),
        "interlaced": make_pyramid(d / "interlaced.mp4", refs=1, x264="tff=1",
                                   frames=texture(height=96)),
    }


def _units(path) -> tuple[References, list[bytes]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        units = [bytes(p) for p in container.demux(stream) if p.size]
        return References(stream.codec_context.extradata), units


@pytest.mark.parametrize(
    ("bits", "ue", "se"),
    [("1", 0, 0), ("010", 1, 1), ("011", 2, -1), ("00100", 3, 2), ("00111", 6, -3),
     ("0001000", 7, 4)],
)
def test_exp_golomb_codes(bits, ue, se):
    padded = bits + "1" + "0" * (-(len(bits) + 1) % 8)
    data = int(padded, 2).to_bytes(len(padded) // 8, "big")
    assert _h264_headers._Bits(data).ue() == ue
    assert _h264_headers._Bits(data).se() == se


def test_the_slice_headers_of_a_pyramid(films):
    """Decode order of a 12-frame GOP: I, then per run its P, its reference B, then the
    two other B-frames; frame numbers count references; each P names the P before it,
    and each reference B marks the older pictures unused (x264's B-pyramid)."""
    references, units = _units(films["ref1"])
    heads = [references.slices(u)[0] for u in units[:13]]
    assert ["PBI"[h.kind] + ("r" if h.reference else "") for h in heads] == [
        "Ir", "Pr", "Br", "B", "B", "Pr", "Br", "B", "B", "Pr", "Br", "B", "Ir"]
    assert [h.frame_num for h in heads] == [0, 1, 2, 3, 3, 3, 4, 5, 5, 5, 6, 7, 0]
    assert heads[0].idr and heads[12].idr and not any(h.idr for h in heads[1:12])
    # The P at frame_num 3 names frame_num 1 (3 - 2), not the reference B at 2.
    assert heads[5].changes == (((0, 1),), ()) and heads[5].refs[0] == 1
    assert heads[6].unused == (4, 2)


def test_memory_management_and_the_sliding_window(films):
    """x264's reference B-frame at frame_num 4 marks frame_nums 0 and 2 unused (8.2.5.4);
    a P-frame with the buffer full drops the oldest (8.2.5.3)."""
    references, units = _units(films["ref1"])
    entries = {i: _h264._Entry(i, fn, 2 * fn, i) for i, fn in ((0, 0), (1, 1), (2, 2), (5, 3))}
    buffer = list(entries.values())
    b_ref, p = references.slices(units[6])[0], references.slices(units[9])[0]
    marked = _h264._marked(buffer, b_ref, _h264._Entry(6, 4, 8, 6))
    assert [e.unit for e in marked] == [1, 5, 6]
    assert [e.unit for e in _h264._marked(buffer, p, _h264._Entry(9, 5, 10, 9))] == [1, 2, 5, 9]


@pytest.mark.parametrize(
    ("film", "target", "needless"),
    [
        ("ref1", 9, {2, 6}),  # a P-frame: only the P-frames before it
        # A B-frame: FFmpeg's stand-in for a skipped reference B-frame (unit 6) would
        # come first in the lists of the reference B-frame it needs (unit 10), so unit 6
        # is decoded all the same; its memory management then drops unit 2's stand-in.
        ("ref1", 11, {2}),
        ("ref1", 8, set()),
        ("ref1", 5, {2}),  # the second run's P-frame
        ("ref1_ts", 9, {2, 6}),
        ("ref1_mkv", 9, {2, 6}),
        ("ref1_weighted", 9, {2, 6}),
        ("ref3", 9, set()),  # each P-frame may use the reference B-frame before it
        ("interlaced", 9, set()),  # fields: not followed
    ],
)
def test_the_reference_b_frames_a_target_does_not_need(films, film, target, needless):
    references, units = _units(films[film])
    assert references.needless(units[: target + 1], target) == needless


@pytest.mark.parametrize(
    ("film", "first", "expected"),
    [("ref1", 0, True), ("ref1_ts", 0, True), ("ref1_weighted", 0, True),
     ("ref3", 0, False),  # its P-frames use the reference B-frames
     ("interlaced", 0, False),  # not followed
     ("ref1", 1, False)],  # not from an IDR picture
)
def test_intervals_where_no_reference_picture_uses_a_b_frame(films, film, first, expected):
    references, units = _units(films[film])
    heads = []
    for unit in units:
        try:
            heads.append(references.slices(unit))
        except _h264_headers.Unfollowed:
            heads.append([])  # as `shots._decoders` does
    assert references.interval(heads[first:12]) is expected
    assert references.interval(heads[12:24]) is expected or first


def test_a_damaged_or_unknown_header_names_nothing(films):
    references, units = _units(films["ref1"])
    assert references.needless(units[:10], 9) == {2, 6}
    assert references.needless([*units[:5], units[5][:5], *units[6:10]], 9) == set()
    assert References(None).needless(units[:10], 9) == set()  # no parameter sets
    assert references.needless([units[0], *units[2:10]], 8) == set()  # a reference lost


_FILMS = ["ref1", "ref3", "ref1_ts", "ref1_mkv", "ref1_weighted", "interlaced"]


def _counting(monkeypatch) -> list[int]:
    """How many units each call of `References.needless` names."""
    skipped: list[int] = []
    real = References.needless

    def counting(self, units, target):
        skipped.append(len(found := real(self, units, target)))
        return found

    monkeypatch.setattr(References, "needless", counting)
    return skipped


@pytest.mark.parametrize("film", _FILMS)
def test_every_frame_is_the_same_skipping_them(films, film, monkeypatch):
    """Every frame of the film as a target (`frame_at`, at the film's own size), skipping
    what the headers allow, equals the frame decoded with every reference; and where the
    headers allow (x264's faster presets), some are skipped. Matroska states no decode
    times, so its frames are found by decoding forward, every reference with them."""
    times = [i / 10 for i in range(60)]
    skipped = _counting(monkeypatch)
    frames = [frame_at(films[film], t, size=160) for t in times]
    monkeypatch.setattr(References, "needless", lambda self, units, target: frozenset())
    for t, frame in zip(times, frames, strict=True):
        np.testing.assert_array_equal(frame, frame_at(films[film], t, size=160), err_msg=t)
    if film == "ref1_mkv":
        assert not skipped
        return
    assert len(skipped) == 60
    if film.startswith("ref1"):
        assert sum(skipped) > 0
    elif film == "interlaced":  # fields: not followed
        assert sum(skipped) == 0


@pytest.mark.parametrize("film", _FILMS)
@pytest.mark.parametrize("count", [5, 11, 23])
def test_exact_mode_gives_the_same_samples_skipping_them(films, film, count, monkeypatch):
    s = sample(films[film], count=count, mode="exact", size=160, workers=1)
    monkeypatch.setattr(References, "needless", lambda self, units, target: frozenset())
    every = sample(films[film], count=count, mode="exact", size=160, workers=1)
    np.testing.assert_array_equal(s.times, every.times)
    np.testing.assert_array_equal(s.frames, every.frames)
