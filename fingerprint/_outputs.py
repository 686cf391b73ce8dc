"""A film's output files, as the command line and the batch runner write them: the JSON,
the CSV and the poster as PNG and SVG, written as one set (all or none).

The JSON is renamed into place last, so its presence says the whole set is there: a
resumed batch trusts a film whose JSON loads.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._atomic import write_all_atomic
from ._progress import ProgressCallback
from .model import Fingerprint
from .poster._framed import script_frame_size
from .poster._kinds import DRAWERS, PosterKind
from .poster._render import poster_png, poster_svg
from .poster._script import SCRIPT_PANELS, ScriptPanels
from .shots._stats import shots_to_csv

if TYPE_CHECKING:
    from .cache._cache import Cache

#: The files of one film, in the order they are renamed into place: the JSON last.
SUFFIXES = (".csv", ".png", ".svg", ".json")


@dataclass(frozen=True)
class Poster:
    """The poster written beside each film's data (see `render.poster_png`)."""

    kind: PosterKind = "palette"
    width: int = 3000
    height: int = 1000
    dpi: int | None = None
    title: str | None = None
    credit: str | None = None
    sound: bool = False  # the sound print on the poster, when the film has one
    # The poster as seen with a colour-vision deficiency ("protan", "deutan", "tritan";
    # None: normal vision). Only the poster: the JSON and the CSV keep the true colours.
    cvd: str | None = None
    cvd_severity: float = 1.0
    # What the colour script's panels show (`poster.SCRIPT_PANELS`): frames are decoded
    # from the film by the caller (`poster_frames`).
    script: ScriptPanels = "palettes"

    @property
    def shows_frames(self) -> bool:
        """Whether this poster shows frames of the film, which must be decoded for it."""
        return DRAWERS[self.kind].framed is not None and SCRIPT_PANELS[self.script].frames


@dataclass(frozen=True)
class Outputs:
    """How a film's files are written: the CSV's layout and the poster."""

    csv_header: bool = False
    poster: Poster = field(default_factory=Poster)


def poster_frames(
    path: str | os.PathLike[str],
    fp: Fingerprint,
    poster: Poster,
    *,
    cache: Cache | None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray | None:
    """The frames ``poster`` shows, decoded from ``path`` (the film ``fp`` was made from)
    at the size it needs, or from ``cache``; None for a poster that shows none."""
    if not poster.shows_frames:
        return None
    from ._script_frames import script_frames  # the decoders, only for such a poster

    size = script_frame_size(fp, width=poster.width, height=poster.height)
    return script_frames(path, fp, size=size, cache=cache, on_progress=on_progress,
                         cancel=cancel).frames


def output_files(
    stem: Path, fp: Fingerprint, outputs: Outputs, *, frames: np.ndarray | None = None
) -> dict[Path, bytes]:
    """The set of files for ``fp`` named ``stem`` plus each of `SUFFIXES`, as bytes;
    ``frames``: what the poster shows of the film (`poster_frames`)."""
    poster = outputs.poster
    options = {
        "kind": poster.kind, "width": poster.width, "height": poster.height,
        "title": poster.title, "credit": poster.credit, "dpi": poster.dpi,
        "sound": poster.sound, "cvd": poster.cvd, "cvd_severity": poster.cvd_severity,
        "frames": frames,
    }
    # The PNG in a thread of its own: its drawing and compression release the GIL, so it
    # overlaps the text files (a 2-hour film's set: 0.125 s -> 0.1 s, docs/benchmarks.md).
    with ThreadPoolExecutor(1) as pool:
        png = pool.submit(poster_png, fp, **options)
        data = {
            ".csv": fp.to_csv(header=outputs.csv_header).encode(),
            ".svg": poster_svg(fp, **options).encode(),
            ".json": fp.to_json().encode(),
            ".png": png.result(),
        }
    files = {stem.with_name(stem.name + suffix): data[suffix] for suffix in SUFFIXES}
    if fp.shots is not None:
        # Renamed into place before the JSON, which must come last.
        shots = {stem.with_name(f"{stem.name}-shots.csv"): shots_to_csv(fp.shots).encode()}
        files = {**shots, **files}
    return files


def write_outputs(
    stem: Path, fp: Fingerprint, outputs: Outputs, *, frames: np.ndarray | None = None
) -> list[Path]:
    """Write `output_files` as one set: a full disk or a kill leaves none of them new."""
    return write_all_atomic(output_files(stem, fp, outputs, frames=frames))


def is_complete(stem: Path) -> bool:
    """True when every file of the set named ``stem`` is there."""
    return all(stem.with_name(stem.name + suffix).is_file() for suffix in SUFFIXES)
