"""What a visitor reads when something fails. Pure, no Streamlit.

A message names a file as the visitor knows it (the name they uploaded, the name in the
movies folder), never a path on the server, and it is shown as text: Streamlit draws
``st.error`` as Markdown, and a file name is the visitor's own text.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Mapping
from pathlib import Path

from fingerprint import FingerprintError

# Anything that looks like an absolute path (two parts or more): the last part is kept.
_PATH = re.compile(r"(?<![\w.~])(?:/[^\s/'\"`]+)+/([^\s/'\"`]+)")
# What an OSError means for a visitor, by errno; the rest say "could not be read or written".
_OS_REASONS = {
    errno.ENOSPC: "the server's disk is full",
    errno.EDQUOT: "the server's disk quota is used up",
    errno.EROFS: "the server's storage is read-only",
    errno.EACCES: "the server may not write there",
    errno.EPERM: "the server may not write there",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOENT: "the file is gone",
}


def hide_paths(text: str, names: Mapping[str, str] | None = None) -> str:
    """``text`` with each known server path replaced by the name the visitor knows
    (``names``: path -> name), and any other absolute path cut to its last part."""
    for path, name in sorted((names or {}).items(), key=lambda item: -len(item[0])):
        text = text.replace(path, name)
    return _PATH.sub(r"\1", text)


def os_reason(exc: OSError) -> str:
    """Why an OSError happened, in words that hold no path."""
    return _OS_REASONS.get(exc.errno or 0, "the server could not read or write the file")


def analysis_failure(
    exc: FingerprintError | OSError | MemoryError, title: str, path: str | os.PathLike[str]
) -> str:
    """What a visitor reads when fingerprinting ``title`` (the file ``path``) raised
    ``exc``: the engine's message without server paths, or why the server could not."""
    if isinstance(exc, FingerprintError):
        return hide_paths(str(exc), {str(path): Path(path).name})
    if isinstance(exc, OSError):
        return f"Could not fingerprint {title}: {os_reason(exc)}."
    return (f"This server has not enough memory to fingerprint {title} with these "
            "settings: try fewer samples.")
