"""Helpers the tests share: where the repository and its real clips are (`ROOT`, `clip`),
synthetic videos (`videos`), fingerprints without a video (`fingerprints`), the app
through AppTest (`apptests`) and in a real server (`appserver`), and batches
(`batches`)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"  # the tests' own clips: data/README.md
DEMO = ROOT / "demo"  # the app's demo films, real clips too


def clip(name: str) -> Path:
    """A real clip by file name, from `DATA` or `DEMO`: one that is in neither is an error
    (the repository ships every clip its tests read), never a reason to skip."""
    for folder in (DATA, DEMO):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no clip {name} in {DATA} or {DEMO}")


