"""Text a visitor controls (file names, film titles) shown as typed, never as markup.
Pure, no Streamlit.

Streamlit renders Markdown in headings, captions, alerts and progress text: an upload
named ``[log in](https://…) ![](https://…).mp4`` would be a live link and an image
that every viewer's browser fetches.
"""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation, and shows the character
# itself: escaping all of them also disarms Streamlit's own syntax (:material/…:, :red[…],
# $…$) and GitHub's autolinks (https://…, www.…, a@b.c).
_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")


def escape_markdown(text: str) -> str:
    """``text`` for a Markdown string, so that it shows exactly as written."""
    return _PUNCTUATION.sub(r"\\\1", text).replace("\n", " ")
