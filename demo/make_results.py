"""Writes demo/results/: each demo film's fingerprint at the app's default settings and at
every k of its slider, made by the engine itself, which a new server hands its visitors
instead of analysing the films again (webapp/seeding.py; issue 18 §4).

    python demo/make_results.py

Run it again whenever the engine, the app's defaults or a demo film changes:
tests/app/test_seeding.py fails until the files are what the engine makes today.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the app's modules, run from anywhere

from webapp.films import demo_films  # noqa: E402
from webapp.seeding import RESULTS, made_results  # noqa: E402


def main() -> None:
    folder = HERE / RESULTS
    folder.mkdir(exist_ok=True)
    files = made_results(demo_films(HERE).values())
    for stale in set(p.name for p in folder.glob("*.json")) - set(files):
        (folder / stale).unlink()  # a film no longer in films.json
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"{folder / name}: {len(text.encode()) / 1000:.0f} kB")


if __name__ == "__main__":
    main()
