"""A film's output files, as the command line and the batch runner write them: the JSON,
the CSV and the poster as PNG and SVG, written as one set (all or none).

The JSON is renamed into place last, so its presence says the whole set is there: a
resumed batch trusts a film whose JSON loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._atomic import write_all_atomic
from .model import Fingerprint
from .poster._kinds import PosterKind
from .poster._render import poster_png, poster_svg
from .shots._stats import shots_to_csv

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


@dataclass(frozen=True)
class Outputs:
    """How a film's files are written: the CSV's layout and the poster."""

    csv_header: bool = False
    poster: Poster = field(default_factory=Poster)


def output_files(stem: Path, fp: Fingerprint, outputs: Outputs) -> dict[Path, bytes]:
    """The set of files for ``fp`` named ``stem`` plus each of `SUFFIXES`, as bytes."""
    poster = outputs.poster
    options = {
        "kind": poster.kind, "width": poster.width, "height": poster.height,
        "title": poster.title, "credit": poster.credit, "dpi": poster.dpi,
        "sound": poster.sound, "cvd": poster.cvd, "cvd_severity": poster.cvd_severity,
    }
    data = {
        ".csv": fp.to_csv(header=outputs.csv_header).encode(),
        ".png": poster_png(fp, **options),
        ".svg": poster_svg(fp, **options).encode(),
        ".json": fp.to_json().encode(),
    }
    files = {stem.with_name(stem.name + suffix): data[suffix] for suffix in SUFFIXES}
    if fp.shots is not None:
        # Renamed into place before the JSON, which must come last.
        shots = {stem.with_name(f"{stem.name}-shots.csv"): shots_to_csv(fp.shots).encode()}
        files = {**shots, **files}
    return files


def write_outputs(stem: Path, fp: Fingerprint, outputs: Outputs) -> list[Path]:
    """Write `output_files` as one set: a full disk or a kill leaves none of them new."""
    return write_all_atomic(output_files(stem, fp, outputs))


def is_complete(stem: Path) -> bool:
    """True when every file of the set named ``stem`` is there."""
    return all(stem.with_name(stem.name + suffix).is_file() for suffix in SUFFIXES)
