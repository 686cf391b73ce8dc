"""Dependencies are declared once, in pyproject.toml: requirements.txt (what Streamlit
Community Cloud installs) pins exactly the core and the app extra, at versions pyproject
allows; and every optional import says which extra to install."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _declared(extra: str | None, seen: set[str] | None = None) -> dict[str, Requirement]:
    """The requirements of the core (extra None) or an extra, its own extras followed."""
    seen = set() if seen is None else seen
    found: dict[str, Requirement] = {}
    listed = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    for line in listed:
        req = Requirement(line)
        if canonicalize_name(req.name) == canonicalize_name(PROJECT["name"]):
            for inner in sorted(req.extras - seen):
                seen.add(inner)
                found.update(_declared(inner, seen))
        else:
            found[canonicalize_name(req.name)] = req
    return found


def _pinned() -> dict[str, Requirement]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line.split("#")[0]) for line in lines if line.split("#")[0].strip()]
    return {canonicalize_name(r.name): r for r in reqs}


def test_requirements_pin_exactly_the_core_and_the_app_extra():
    declared = {**_declared(None), **_declared("app")}
    pinned = _pinned()
    assert sorted(pinned) == sorted(declared)
    for name, pin in pinned.items():
        (spec,) = pin.specifier
        assert spec.operator == "==", f"{name} is not pinned"
        assert declared[name].specifier.contains(spec.version), (name, spec.version)
        assert pin.extras == declared[name].extras, name


def test_every_extra_named_by_the_code_is_declared():
    from fingerprint._extras import EXTRAS

    assert set(EXTRAS) <= set(PROJECT["optional-dependencies"])


@pytest.mark.parametrize(
    ("hidden", "code", "extra"),
    [
        ("plotly", "import fingerprint.plotting", "plot"),
        ("cv2", "from fingerprint.shots._boundaries import Boundaries; Boundaries(25.0)",
         "shots"),
        ("distributed", "import fingerprint.collection._batch", "batch"),
        ("pyarrow", "import fingerprint.collection._index", "batch"),
        ("sklearn", "import fingerprint.collection._search", "batch"),
    ],
)
def test_a_missing_extra_says_which_to_install(hidden, code, extra):
    """Run with the dependency made unimportable: one sentence naming the extra."""
    script = (
        f"import sys; sys.modules[{hidden!r}] = None\n"
        "from fingerprint.errors import MissingExtraError\n"
        f"try:\n    {code}\nexcept MissingExtraError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert f"pip install 'movie-color-fingerprint[{extra}]'" in out


def test_the_engine_does_not_load_plotly():
    code = ("import sys, fingerprint, fingerprint.cli._main; fingerprint.analyze; "
            "fingerprint.poster_png; print('plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_comparison_and_collection_pngs_do_not_load_plotly():
    """Both exports are Pillow drawings: the engine without the ``plot`` extra has them."""
    code = (
        "import sys, numpy as np\n"
        "from tests.support.fingerprints import make_fingerprint\n"
        "from fingerprint.compare import align_sequences, compare\n"
        "from fingerprint.poster import collection_poster_png, comparison_png\n"
        "from fingerprint.poster._collection import strip_rows\n"
        "a = make_fingerprint(np.arange(60 * 3).reshape(20, 3, 3) % 256)\n"
        "b = make_fingerprint(np.arange(60 * 3).reshape(20, 3, 3)[::-1] % 256)\n"
        "comparison_png(compare(a, b), width=400, strip_height=40,\n"
        "               alignment=align_sequences(a, b))\n"
        "collection_poster_png(['a', 'b'], strip_rows([a, b], width=100), row_height=8)\n"
        "print('plotly' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"
