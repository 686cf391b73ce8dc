"""A fresh server's first sessions, all at once: app.py's imports make first use of what
Plotly imports lazily thread-safe (issue 12, item 8).

Each test runs a new interpreter, where nothing is imported yet, as on a fresh server.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support import ROOT

# Threads play sessions' first runs: each executes app.py's imports, then one imports
# pandas as Streamlit does on first need (a table, a dataframe) while the others build
# Plotly figures from numpy arrays, which look pandas up in sys.modules. Repeated over a
# few fresh interpreters because a race shows on some runs only.
RACE = textwrap.dedent(
    """
    import ast, importlib, sys, threading
    import numpy as np

    tree = ast.parse(open(sys.argv[1]).read())
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    preamble = compile(ast.Module(body=imports, type_ignores=[]), "app.py", "exec")
    start = threading.Barrier(5)
    errors = []

    def session(draws):
        try:
            start.wait()
            exec(preamble, {})
            if not draws:
                importlib.import_module("pandas")
                return
            import plotly.graph_objects as go
            for _ in range(200):
                go.Figure(go.Bar(x=np.arange(50), y=np.ones(50))).to_dict()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=session, args=(i > 0,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\\n".join(errors))
    sys.exit(1 if errors else 0)
    """
)


def _race(app: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", RACE, str(app)], cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )


def test_sessions_drawing_while_another_imports_pandas_see_a_whole_module() -> None:
    for _ in range(3):
        run = _race(ROOT / "app.py")
        assert run.returncode == 0, run.stdout + run.stderr[-2000:]


def test_app_imports_pandas_before_anything_that_draws() -> None:
    """The guard itself: the first import of app.py is pandas, before Streamlit's."""
    import ast

    tree = ast.parse((ROOT / "app.py").read_text())
    imported = [a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names]
    assert imported[0] == "pandas"


# What a server started by `streamlit run` does on importing app.py: the warm-up threads,
# joined, then the collector's state.
WARMED = textwrap.dedent(
    """
    import gc
    from webapp.warmup import warm_up

    for thread in warm_up():
        thread.join()
    print(gc.get_freeze_count(), gc.isenabled())
    """
)


def test_the_warm_up_leaves_what_the_server_loaded_frozen() -> None:
    """Streamlit collects garbage after every script run, a full pass over every object
    tracked unless frozen: the server's imports and warm-up are frozen once made
    (webapp.warmup.warm_up), and the collector still runs for the rest."""
    run = subprocess.run([sys.executable, "-c", WARMED], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr[-2000:]
    frozen, enabled = run.stdout.split()
    assert int(frozen) > 50_000 and enabled == "True"
