"""The collection maths on synthetic fingerprints with known colours (no video)."""

from __future__ import annotations

import numpy as np
import pytest

from fingerprint.collection._collection import (
    Collection,
    distance_matrix,
    distance_row,
    film_distance,
    from_fingerprints,
    map_2d,
    nearest,
    palette_map,
)
from fingerprint.compare._compare import compare, film_palette, palette_distance
from fingerprint.errors import InvalidParameterError
from fingerprint.model import Fingerprint, VideoInfo
from fingerprint.params import Params

WARM = [(230, 120, 30), (200, 60, 40), (240, 170, 60), (180, 90, 50)]
COOL = [(20, 150, 160), (40, 80, 200), (60, 130, 220), (30, 100, 120)]


def fingerprint(
    base, *, seed: int, samples: int = 40, duration: float = 60.0, k: int = 3
) -> Fingerprint:
    """A film whose every sample is ``base`` plus small noise, in ``k`` colours."""
    rng = np.random.default_rng(seed)
    colors = np.clip(np.array(base)[None, None, :] + rng.normal(0, 12, (samples, k, 3)), 0, 255)
    shares = rng.dirichlet(np.ones(k), samples)
    shares = -np.sort(-shares, axis=1)
    info = VideoInfo(
        name=f"film{seed}.mp4",
        duration=duration,
        fps=24.0,
        frame_count=None,
        width=320,
        height=180,
        codec="h264",
        pix_fmt="yuv420p",
        rotation=0,
        stream_index=0,
    )
    return Fingerprint(
        video=info,
        params=Params(samples=samples, clusters=k),
        times=np.linspace(0, duration, samples, endpoint=False),
        colors=colors.astype(np.uint8),
        shares=shares,
        average=colors.mean(axis=1).astype(np.uint8),
    )


@pytest.fixture(scope="module")
def groups() -> tuple[Collection, np.ndarray]:
    fps = [fingerprint(c, seed=i) for i, c in enumerate(WARM + COOL)]
    collection = from_fingerprints(
        fps, titles=[f"warm{i}" for i in range(4)] + [f"cool{i}" for i in range(4)]
    )
    return collection, distance_matrix(collection)


def test_matrix_is_zero_on_the_diagonal_and_symmetric(groups):
    collection, matrix = groups
    assert matrix.shape == (8, 8)
    assert np.all(np.diag(matrix) == 0)
    assert np.array_equal(matrix, matrix.T)
    assert film_distance(collection.films[0], collection.films[0]) == pytest.approx(0, abs=1e-9)


def test_film_distance_is_the_compare_pages_palette_distance(groups):
    collection, matrix = groups
    fps = [fingerprint(c, seed=i) for i, c in enumerate(WARM + COOL)]
    scores = compare(fps[1], fps[6]).scores
    assert matrix[1, 6] == pytest.approx(scores.palette_distance, abs=1e-9)
    assert film_distance(collection.films[1], collection.films[6]) == pytest.approx(
        matrix[1, 6], abs=1e-9
    )


def test_padding_a_short_palette_changes_no_distance():
    # A flat film has a one-colour palette, padded to the others' size in the matrix.
    flat = fingerprint((120, 120, 120), seed=0, k=1)
    flat = Fingerprint(**{**flat.__dict__, "colors": np.full_like(flat.colors, 120)})
    busy = fingerprint(WARM[0], seed=1)
    collection = from_fingerprints([flat, busy])
    assert len(collection.films[0].palette.shares) == 1
    a, b = film_palette(flat), film_palette(busy)
    assert distance_matrix(collection)[0, 1] == pytest.approx(
        float(palette_distance(a.colors, a.shares, b.colors, b.shares)), abs=1e-9
    )


def test_a_copy_is_the_nearest_film():
    fps = [fingerprint(c, seed=i) for i, c in enumerate(WARM + COOL)]
    fps.append(fingerprint(COOL[1], seed=5))  # the same film as fps[5]
    matrix = distance_matrix(from_fingerprints(fps))
    first, distance = nearest(matrix, 5, count=3)[0]
    assert first == 8 and distance == pytest.approx(0, abs=1e-9)
    assert nearest(matrix, 8, count=8)[0][0] == 5
    assert 5 not in [i for i, _ in nearest(matrix, 5, count=8)][1:]


def test_map_keeps_warm_films_apart_from_cool_films(groups):
    _, matrix = groups
    points = map_2d(matrix)
    assert points.shape == (8, 2)
    warm, cool = points[:4], points[4:]
    # Apart: along the line through the two groups' centres, every warm film lies beyond
    # every cool film.
    axis = warm.mean(axis=0) - cool.mean(axis=0)
    assert (warm @ axis).min() > (cool @ axis).max()
    # Every warm film is nearer the warm centre than the cool one, and vice versa.
    assert all(np.linalg.norm(p - warm.mean(0)) < np.linalg.norm(p - cool.mean(0)) for p in warm)
    assert all(np.linalg.norm(p - cool.mean(0)) < np.linalg.norm(p - warm.mean(0)) for p in cool)


def test_one_row_is_the_matrix_row(groups):
    collection, matrix = groups
    for film in (0, 5):
        assert distance_row(collection, film) == pytest.approx(matrix[film], abs=1e-9)


def test_the_palette_map_keeps_warm_films_apart_from_cool_films(groups):
    collection, _ = groups
    points = palette_map(collection)
    assert points.shape == (8, 2)
    warm, cool = points[:4], points[4:]
    axis = warm.mean(axis=0) - cool.mean(axis=0)
    assert (warm @ axis).min() > (cool @ axis).max()
    assert np.array_equal(points, palette_map(collection))  # the same films, the same map


def test_map_of_one_or_two_films():
    assert map_2d(np.zeros((1, 1))).shape == (1, 2)
    two = map_2d(np.array([[0.0, 7.0], [7.0, 0.0]]))
    assert np.linalg.norm(two[0] - two[1]) == pytest.approx(7.0)


def test_sort_keys(groups):
    collection, _ = groups
    by_warmth = collection.sorted("warmth")
    assert {f.title[:4] for f in by_warmth.films[:4]} == {"cool"}
    assert {f.title[:4] for f in by_warmth.films[4:]} == {"warm"}
    dark = fingerprint((30, 30, 30), seed=20, duration=10.0)
    light = fingerprint((230, 230, 230), seed=21, duration=90.0)
    pair = from_fingerprints([light, dark], titles=["b light", "A dark"])
    assert [f.title for f in pair.sorted("lightness").films] == ["A dark", "b light"]
    assert [f.title for f in pair.sorted("duration", reverse=True).films] == ["b light", "A dark"]
    assert [f.title for f in pair.sorted("title").films] == ["A dark", "b light"]
    assert [f.title for f in pair.sorted("date").films] == [
        "b light",
        "A dark",
    ]  # no dates: as given
    with pytest.raises(InvalidParameterError):
        pair.sorted("colour")  # type: ignore[arg-type]
