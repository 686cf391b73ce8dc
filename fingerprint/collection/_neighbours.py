"""The neighbour indexes the search runs on, derived from a batch's index (`_index.py`),
built once and kept on disk beside it in ``DIR/index/search-<digest>/``.

- **Colours** (`ColorTable`): every moment's palette colour is one of at most 256³ Lab
  codes, and colours in films repeat, so the table keeps each distinct code once (a
  "cell") with the list of palette entries (moment x k + slot) that hold it, sorted by
  cell: an inverted index. A KD-tree (scikit-learn) over the cells answers "which cells
  are near this colour"; the entries of those cells are the moments to score. The tree is
  over the cells' DIN99 coordinates (DIN 6176, a Euclidean space made to follow perceived
  differences), not CIELAB's: a pair of colours ΔE2000 d apart was never more than
  2.69 d apart in DIN99 over 16 million random sRGB pairs, so a ball of `DIN99_RADIUS` x d
  holds every cell within d (in CIELAB it would have to be 8.6 d wide, 30 times the
  volume: ΔE2000 counts a saturated colour's chroma for about a sixth). Cells in the ball
  are then measured exactly in ΔE2000. The bound is measured, not proven: a pair past
  it would be missed, never misranked.
- **Films** (`FilmTable`): each whole-film palette as a vector (its shares spread over
  fixed anchor colours by a Gaussian kernel in DIN99), with scikit-learn's
  `NearestNeighbors` on them: candidates for "films like this one", re-ranked by the exact
  earth mover's distance, so no film-by-film matrix is ever built.

The cache is keyed by the index's parts (`parts_digest`): a batch that grows makes a new
one, and the old is removed. It is read with pickle (the tree) and numpy: the batch folder
is trusted like the films' JSON in it, by whoever points a command or the app at it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._extras import missing_extra
from ._index import INDEX_DIR, MomentIndex, codes_to_lab

try:
    from sklearn.neighbors import KDTree, NearestNeighbors
except ImportError as exc:
    raise missing_extra("batch") from exc

__all__ = ["DIN99_RADIUS", "ColorTable", "FilmTable", "din99", "load_tables"]

#: A ball this many times a ΔE2000 distance wide in DIN99 holds every colour that close:
#: the largest ratio of DIN99 distance to ΔE2000 measured was 2.69 (16 million random
#: sRGB pairs with ΔE2000 over 1: bench/search.py's ``ratio``, docs/benchmarks.md).
DIN99_RADIUS = 2.75
# Lightness codes (of 256) sorted at a time when the inverted index is built (see
# build_color_table).
_SORT_BAND = 16
# KD-tree leaves: scikit-learn's default; 3-D queries are not sensitive to it.
_LEAF_SIZE = 40
# Anchor colours of the film vectors: a grid in DIN99 (L99 in 6 steps 19 apart, a99 and
# b99 in 7 steps 12 apart); the kernel's width is the a99/b99 spacing, so a palette colour
# between anchors is seen by several and a small shift moves the vector a little. At
# 10,000 films, 1,000 candidates from these vectors held every exact top 10 tried
# (bench/search.py measure).
_ANCHOR_L = np.linspace(5, 100, 6)
_ANCHOR_AB = np.linspace(-36, 36, 7)
_KERNEL_WIDTH = 12.0


def din99(lab: np.ndarray) -> np.ndarray:
    """CIELAB (..., 3) to DIN99 (DIN 6176, kE = kCH = 1), where Euclidean distances
    approach perceived colour differences."""
    lab = np.asarray(lab, np.float64)
    cos16, sin16 = np.cos(np.radians(16.0)), np.sin(np.radians(16.0))
    e = lab[..., 1] * cos16 + lab[..., 2] * sin16
    f = 0.7 * (lab[..., 2] * cos16 - lab[..., 1] * sin16)
    g = np.hypot(e, f)
    chroma = np.log1p(0.045 * g) / 0.045
    # e and f scaled to the compressed chroma: the hue angle is kept.
    scale = np.divide(chroma, g, out=np.zeros_like(g), where=g > 0)
    out = np.empty(lab.shape)
    out[..., 0] = 105.51 * np.log1p(0.0158 * lab[..., 0])
    out[..., 1], out[..., 2] = e * scale, f * scale
    return out


@dataclass(frozen=True, eq=False)
class ColorTable:
    """The inverted index of palette colours: cell ``c`` (Lab codes ``cells[c]``, CIELAB
    ``lab[c]`` in float32) is held by the palette entries ``entries[starts[c]:starts[c + 1]]``, each
    ``moment * k + slot``; ``tree`` is a KDTree over the cells in DIN99."""

    cells: np.ndarray
    lab: np.ndarray
    starts: np.ndarray
    entries: np.ndarray
    tree: KDTree

    def near(self, lab: np.ndarray, within: float, *, factor: float = DIN99_RADIUS) -> np.ndarray:
        """The cells that may be within ``within`` ΔE2000 of ``lab`` (a superset: measure
        them); ``factor`` 1 for those about that close, an estimate."""
        ball = self.tree.query_radius(din99(lab)[None], r=factor * within)[0]
        return np.sort(ball)


def build_color_table(index: MomentIndex) -> ColorTable:
    """The inverted index of ``index``'s palette colours (zero shares left out)."""
    codes = index.colors.reshape(-1, 3)
    packed = (
        (codes[:, 0].astype(np.int32) << 16) | (codes[:, 1].astype(np.int32) << 8) | codes[:, 2]
    )
    packed[index.shares.reshape(-1) == 0] = -1  # a colour no pixel chose holds nothing
    # Sorted a band of lightness at a time (L* is the packed code's high byte, so the
    # bands' orders laid end to end are the whole order): at 10,000 films one argsort of
    # every entry alone took 765 MB on top of the index, the whole build in bands 614 MB
    # (bench/search.py build, docs/benchmarks.md "Search").
    entries, cell_codes, counts = [], [], []
    lightness = codes[:, 0]
    for lo in range(0, 256, _SORT_BAND):
        band = np.flatnonzero((lightness >= lo) & (lightness < lo + _SORT_BAND))
        band = band[packed[band] >= 0]
        if not len(band):
            continue
        ranked = packed[band]
        order = np.argsort(ranked, kind="stable")
        entries.append(band[order].astype(np.int32))
        ranked = ranked[order]
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(ranked)) + 1, [len(ranked)]])
        cell_codes.append(ranked[bounds[:-1]])
        counts.append(np.diff(bounds))
        del band, ranked, order
    del packed
    flat = np.concatenate(entries) if entries else np.empty(0, np.int32)
    cell_code = np.concatenate(cell_codes) if cell_codes else np.empty(0, np.int32)
    starts = np.concatenate([[0], np.cumsum(np.concatenate(counts) if counts else [])])
    cells = np.stack([(cell_code >> 16) & 255, (cell_code >> 8) & 255, cell_code & 255],
                     axis=-1).astype(np.uint8)
    lab = codes_to_lab(cells)
    tree = KDTree(din99(lab) if len(lab) else np.zeros((1, 3)), leaf_size=_LEAF_SIZE)
    lab = lab.astype(np.float32)  # measured in float32: `delta_e2000` is twice as fast so
    return ColorTable(cells=cells, lab=lab, starts=starts.astype(np.int64), entries=flat,
                      tree=tree)


@dataclass(frozen=True, eq=False)
class FilmTable:
    """Every film's palette vector (`film_vectors`) and a nearest-neighbour model on them,
    with the palettes padded to one size (`Collection.palettes`) for measuring them."""

    vectors: np.ndarray
    model: NearestNeighbors
    colors: np.ndarray
    shares: np.ndarray


def film_vectors(colors: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Palettes (N, c, 3) uint8 sRGB with shares (N, c) as vectors (N, anchors) float32:
    each anchor's share-weighted Gaussian kernel response. Near palettes (in the earth
    mover's sense) give near vectors, which is all the candidates need."""
    from ..palette._color import rgb_to_lab

    points = din99(rgb_to_lab(np.asarray(colors, np.uint8)).astype(np.float64))
    anchors = np.stack(np.meshgrid(_ANCHOR_L, _ANCHOR_AB, _ANCHOR_AB, indexing="ij"),
                       axis=-1).reshape(-1, 3)
    weights = np.asarray(shares, np.float64)
    weights = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
    out = np.empty((len(points), len(anchors)), np.float32)
    # A thousand films at a time: all 10,000 at once would take 750 MB of temporaries.
    for lo in range(0, len(points), 1000):
        part = points[lo : lo + 1000]
        gap = ((part[:, :, None, :] - anchors[None, None]) ** 2).sum(axis=-1)
        kernel = np.exp(-gap / (2 * _KERNEL_WIDTH**2))
        out[lo : lo + 1000] = np.einsum("nc,nca->na", weights[lo : lo + 1000], kernel)
    return out


def build_film_table(index: MomentIndex) -> FilmTable:
    colors, shares = index.collection.palettes()
    vectors = film_vectors(colors, shares) if len(colors) else np.zeros((0, 1), np.float32)
    model = NearestNeighbors().fit(vectors if len(vectors) else np.zeros((1, 1)))
    return FilmTable(vectors=vectors, model=model, colors=colors, shares=shares)


# --- the cache on disk ------------------------------------------------------------------
_ARRAYS = ("cells", "lab", "starts", "entries")


def load_tables(index: MomentIndex) -> tuple[ColorTable, FilmTable]:
    """``index``'s neighbour indexes: from its cache folder when there is one for these
    parts, else built and saved there (a cache that cannot be written is only rebuilt
    next time)."""
    if index.folder is None:  # an index in memory: nowhere to keep a cache
        return build_color_table(index), build_film_table(index)
    root = index.folder / INDEX_DIR
    cache = root / f"search-{index.digest}"
    colors = _read(cache)
    if colors is None:
        colors = build_color_table(index)
        _save(root, cache, colors)
    return colors, build_film_table(index)


def _read(cache: Path) -> ColorTable | None:
    try:
        arrays = {name: np.load(cache / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        with open(cache / "tree.pickle", "rb") as fh:
            tree = pickle.load(fh)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError):
        return None
    return ColorTable(tree=tree, **arrays)


def _save(root: Path, cache: Path, table: ColorTable) -> None:
    try:
        staging = Path(tempfile.mkdtemp(dir=root, prefix=".search-"))
    except OSError:
        return
    try:
        for name in _ARRAYS:
            np.save(staging / f"{name}.npy", getattr(table, name))
        with open(staging / "tree.pickle", "wb") as fh:
            pickle.dump(table.tree, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.rename(staging, cache)  # another process may have won: its copy is the same
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return
    for old in root.glob("search-*"):
        if old != cache:
            with contextlib.suppress(OSError):
                shutil.rmtree(old)
