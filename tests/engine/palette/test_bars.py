"""Known answers for black-bar detection on synthetic films."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.errors import InvalidParameterError
from fingerprint.palette._bars import crop_frames, detect_bars

H, W = 180, 320


def film(n: int = 40, *, seed: int = 0) -> np.ndarray:
    """``n`` frames of bright, busy picture: every line of every frame is clearly lit."""
    rng = np.random.default_rng(seed)
    return rng.integers(40, 256, (n, H, W, 3), dtype=np.uint8)


def with_bars(
    frames: np.ndarray,
    top: int = 0,
    bottom: int = 0,
    left: int = 0,
    right: int = 0,
    *,
    noise: bool = False,
) -> np.ndarray:
    frames = frames.copy()
    rng = np.random.default_rng(1)
    for region in (
        frames[:, :top],
        frames[:, H - bottom :],
        frames[:, :, :left],
        frames[:, :, W - right :],
    ):
        region[...] = rng.integers(0, 13, region.shape) if noise else 0
    return frames


def test_letterbox() -> None:
    assert detect_bars(with_bars(film(), top=22, bottom=22)) == (22, 22, 0, 0)


def test_pillarbox() -> None:
    assert detect_bars(with_bars(film(), left=40, right=38)) == (0, 0, 40, 38)


def test_letterbox_and_pillarbox_together() -> None:
    assert detect_bars(with_bars(film(), top=12, bottom=14, left=30, right=30)) == (12, 14, 30, 30)


def test_no_bars() -> None:
    assert detect_bars(film()) == (0, 0, 0, 0)


def test_noisy_bars() -> None:
    frames = with_bars(film(), top=20, bottom=20, left=16, right=16, noise=True)
    assert detect_bars(frames) == (20, 20, 16, 16)


def test_soft_bar_edge_is_cropped_with_the_bar() -> None:
    frames = with_bars(film(), top=20, bottom=20)
    frames[:, 20] = 30  # the bar's last row blends with the picture
    frames[:, H - 21] = 30
    assert detect_bars(frames) == (21, 21, 0, 0)


def test_one_dark_scene_makes_no_bars() -> None:
    frames = film(40)
    frames[10:16, :60] = 5  # a night sky over the top third of one scene
    frames[10:16, :, :100] = 5  # and a dark wall on the left
    frames[16:18] = 0  # a fade to black
    assert detect_bars(frames) == (0, 0, 0, 0)


def test_bars_survive_dark_scenes_and_fades() -> None:
    frames = with_bars(film(40), top=24, bottom=24)
    frames[5:25, 24:80] = 3  # half the film is a night scene: dark below the top bar
    frames[30:34] = 0
    assert detect_bars(frames) == (24, 24, 0, 0)


def test_all_black_film() -> None:
    frames = np.random.default_rng(2).integers(0, 10, (20, H, W, 3), dtype=np.uint8)
    assert detect_bars(frames) == (0, 0, 0, 0)


def test_never_crops_more_than_45_percent_of_a_side() -> None:
    frames = with_bars(film(), top=120)  # only a third of the picture left, at the bottom
    top, bottom, left, right = detect_bars(frames)
    assert top == int(0.45 * H) and (bottom, left, right) == (0, 0, 0)


def test_crop_frames_is_a_view_of_the_content() -> None:
    frames = with_bars(film(4), top=10, bottom=12, left=20, right=8)
    content = crop_frames(frames, (10, 12, 20, 8))
    assert content.shape == (4, H - 22, W - 28, 3)
    assert np.shares_memory(content, frames)
    assert content.min() >= 40
    assert crop_frames(frames, (0, 0, 0, 0)).shape == frames.shape


@pytest.mark.parametrize("bars", [(-1, 0, 0, 0), (90, 90, 0, 0), (0, 0, 1.5, 0), (0, 0, 0)])
def test_crop_frames_rejects_impossible_bars(bars: tuple) -> None:
    with pytest.raises(InvalidParameterError):
        crop_frames(film(1), bars)


@pytest.mark.parametrize(
    ("frames", "threshold"),
    [
        (np.zeros((2, H, W), np.uint8), 24),
        (np.zeros((2, H, W, 3), np.float32), 24),
        (np.zeros((2, H, W, 3), np.uint8), 0),
    ],
)
def test_detect_bars_rejects_bad_arguments(frames: np.ndarray, threshold: int) -> None:
    with pytest.raises(InvalidParameterError):
        detect_bars(frames, threshold=threshold)
