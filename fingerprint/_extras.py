"""Optional features and the extras that install them (``pip install
'movie-color-fingerprint[shots]'``): what a module raises when one is missing."""

from __future__ import annotations

from .errors import MissingExtraError

#: The extras of pyproject.toml and what each one adds.
EXTRAS = {
    "plot": "Plotly figures",
    "shots": "shot detection",
    "batch": "fingerprint batch and the collection's map",
    "app": "the Streamlit app",
}

DISTRIBUTION = "movie-color-fingerprint"


def missing_extra(extra: str) -> MissingExtraError:
    """The error for a feature whose extra is not installed: one line saying what to run."""
    return MissingExtraError(
        f"{EXTRAS[extra][0].upper()}{EXTRAS[extra][1:]} needs the {extra} extra: "
        f"pip install '{DISTRIBUTION}[{extra}]'"
    )
