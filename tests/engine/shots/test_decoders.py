"""Every frame for the shot detectors (`fingerprint.shots._decoders.decode_all`): in order,
each with its time, the same pictures as a plain decode where nothing may change, and
only B-frames that nothing after them uses changed where a second decoder skips their
loop filter."""

from __future__ import annotations

import av
import numpy as np
import pytest

from fingerprint.decode._h264 import References
from fingerprint.shots import _decoders
from fingerprint.shots._decoders import decode_all
from tests.support import clip
from tests.support.videos import make_pyramid


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    d = tmp_path_factory.mktemp("decoders")
    # crf 30: coarse enough that the loop filter changes pictures.
    return {"ref1": make_pyramid(d / "ref1.mp4", refs=1, crf=30),
            "ref3": make_pyramid(d / "ref3.mp4", refs=3, crf=30)}


def _frames(path, *, every: bool) -> list[tuple[float, int, np.ndarray]]:
    """(time, picture type, RGB) of each frame: through `decode_all`, or ``every`` frame
    from FFmpeg's one decoder with the loop filter skipped on non-reference frames."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "NONE"
        stream.codec_context.options = {"skip_loop_filter": "noref"}
        frames = container.decode(stream) if every else decode_all(container, stream)
        return [(f.time, int(f.pict_type), f.to_ndarray(format="rgb24").astype(int))
                for f in frames]


def _compare(path) -> tuple[list[float], list[float]]:
    """Mean differences from the plain decode: of the I and P frames, and of B-frames."""
    ours, plain = _frames(path, every=False), _frames(path, every=True)
    assert [f[0] for f in ours] == [f[0] for f in plain], "every frame, in order, timed"
    assert all(np.isfinite(f[0]) for f in ours)
    anchors, b_frames = [], []
    for (_, kind, a), (_, _, b) in zip(ours, plain, strict=True):
        (b_frames if kind == av.video.frame.PictureType.B else anchors).append(
            float(np.abs(a - b).mean()))
    return anchors, b_frames


def test_b_frames_nothing_after_them_uses_skip_their_loop_filter(films):
    """x264's faster presets: the B-frames change a little (so the second decoder is
    used), the I and P frames, from which everything after is predicted, not at all."""
    anchors, b_frames = _compare(films["ref1"])
    assert max(anchors) == 0
    assert 0 < max(b_frames) < 2


def test_where_a_p_frame_uses_a_b_frame_every_frame_is_as_before(films):
    anchors, b_frames = _compare(films["ref3"])
    assert max(anchors) == max(b_frames) == 0


@pytest.mark.parametrize(
    "name", ["friday_6s_480p_bw_h264.mp4", "flower_5s_540p_vp8.webm", "cars_30s_432p_h264.mp4"]
)
def test_real_clips_every_frame_in_order(name):
    """friday switches between the decoders (2 of its 12 intervals may), where a drained
    decoder's last frames once came without times; VP8 is decoded as before."""
    anchors, b_frames = _compare(clip(name))
    assert max(anchors) == 0
    assert max(b_frames, default=0) < 2


def test_an_interval_too_long_to_hold_is_decoded_as_it_comes(films, monkeypatch):
    monkeypatch.setattr(_decoders, "_MAX_HELD", 5)
    asked = []
    real = References.interval
    monkeypatch.setattr(References, "interval",
                        lambda self, heads: asked.append(len(heads)) or real(self, heads))
    anchors, b_frames = _compare(films["ref1"])
    assert max(anchors) == max(b_frames) == 0, "only the first decoder"
    assert not asked, "a spilt interval is never looked at"
