"""Which view of two films' sequence alignment (`fingerprint.compare._sequence`) the
Compare page shows first: the one that tells the films' story. Pure, no Streamlit. The
sentences about the alignment are the engine's (`fingerprint.compare._sequence_text`),
shared with the PNG export.
"""

from __future__ import annotations

from fingerprint.compare._sequence import SequenceAlignment

from .settings import ALIGNMENT_VIEWS

# Under this share of moments paired, the global alignment is mostly gaps, and a stretch
# that matches is the story (a clip or a trailer's shot in its film: 29 % for a 20-s clip
# of a 2-minute film, tests/engine/cli/test_compare.py; a 24-s cut leaves 89 %).
_MOSTLY_GAPS = 0.5


def default_view(al: SequenceAlignment) -> str:
    """``"local"`` when a stretch matches while the whole films mostly do not (a clip in
    its film: the local view shows where), else ``"global"`` (pairs and gaps)."""
    return "local" if al.local is not None and al.matched < _MOSTLY_GAPS else "global"


def chosen_view(choice: str | None, al: SequenceAlignment) -> str:
    """The view to show: the visitor's (kept in the link) or, with none, `default_view`."""
    return choice if choice in ALIGNMENT_VIEWS else default_view(al)
