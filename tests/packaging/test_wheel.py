"""The package as a user gets it: `python -m build` makes a wheel and an sdist that
`twine check` accepts, and the wheel alone, installed in a clean virtualenv with its core
dependencies from PyPI, runs the command line on a clip and writes its four files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.support import ROOT

CLIP = ROOT / "demo" / "flower_5s_540p_h264.mp4"

pytestmark = pytest.mark.packaging


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The wheel and sdist, built from a copy of the tracked files (no stray build
    folders in the work tree)."""
    src = tmp_path_factory.mktemp("src")
    files = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                 cwd=ROOT).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, src)
    return out


def test_twine_accepts_the_wheel_and_the_sdist(dist):
    built = sorted(p.name for p in dist.iterdir())
    assert [n.endswith(".whl") for n in built].count(True) == 1
    assert [n.endswith(".tar.gz") for n in built].count(True) == 1
    _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))


def test_the_wheel_carries_its_type_stubs(dist):
    import zipfile

    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"fingerprint/py.typed", "fingerprint/__init__.pyi",
            "fingerprint/decode/__init__.pyi", "fingerprint/shots/_tuning.py"} <= names
    assert not any(n.startswith(("tests/", "webapp/", "pages/")) for n in names)


def test_the_wheel_alone_runs_the_command_line(dist, tmp_path):
    env = tmp_path / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    (wheel,) = dist.glob("*.whl")
    _run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    out = tmp_path / "o"
    # From a folder with no fingerprint/ in it: the installed package, not the source tree.
    _run(env / "bin" / "fingerprint", "analyze", CLIP, "--out", out, "--poster", "ring",
         "--samples", "40", "--no-cache", cwd=tmp_path)
    stem = CLIP.stem
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{stem}{s}" for s in (".csv", ".json", ".png", ".svg"))
    code = "import fingerprint, sys; fingerprint.analyze; print('plotly' in sys.modules)"
    assert _run(python, "-c", code, cwd=tmp_path).stdout.strip() == "False"
    # An optional feature without its extra: one line that names it, no traceback.
    shots = subprocess.run([env / "bin" / "fingerprint", "analyze", CLIP, "--out", out,
                            "--shots", "--no-cache"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert shots.returncode == 1
    assert "Traceback" not in shots.stderr
    assert "pip install 'movie-color-fingerprint[shots]'" in shots.stderr
