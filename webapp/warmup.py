"""What a new server prepares for its first visitors before they come (issue 18 §4): the
landing page's modules, and the default demo film's figure and picture made from its
shipped result (`webapp.seeding`), in a thread app.py starts with the server; and with a
batch folder (``--collection DIR``) the Collection page's films listed from its index
and its first view's figure, in a second thread (`warm_collection`). Each is made once
per server and shared through Streamlit's caches, so the first visitors no longer wait
for them in their first run (docs/benchmarks.md, "Landing page" and "The Collection page
at 10,000 films"). Then what the server has loaded is frozen for the garbage collector,
which Streamlit runs after every script run (`warm_up`).
"""

from __future__ import annotations

import ast
import gc
import importlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from fingerprint import Fingerprint, FingerprintError
from fingerprint.cache import content_key

from .films import Film, demo_films
from .seeding import RESULTS, shipped
from .server import APP_DIR, DEFAULT_FILM, DEMO_DIR, collection_dir
from .settings import Settings

#: The page a link without a path opens.
LANDING_PAGE = APP_DIR / "pages" / "explore.py"

_LOG = logging.getLogger(__name__)


def page_modules(page: Path) -> list[str]:
    """The modules a page script imports at its top level, in order."""
    names: list[str] = []
    for node in ast.parse(page.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def warm() -> None:
    """Import the landing page's modules, then make the default demo's figure and picture
    at the default settings, as its first run would (`analysis.figure`,
    `analysis.chart_preview`, cached for every session). Nothing when the film has no
    shipped result; a failure is logged, and the first visitor does the work instead."""
    try:
        for name in page_modules(LANDING_PAGE):
            importlib.import_module(name)
        from . import analysis  # Streamlit's: imported by the page above, in the server

        demo = demo_films(DEMO_DIR)[DEFAULT_FILM]
        key = content_key(demo.path)
        current = Settings()
        result = shipped(DEMO_DIR / RESULTS).get((key, current.clusters))
        if result is None:
            return
        fp = Fingerprint.load(result)
        film = Film(id=demo.id, key=key, path=demo.path, title=demo.title, info=fp.video,
                    origin="demo")
        analysis.chart_preview(film, fp, current, analysis.figure(film, fp, current, None))
    except Exception:  # never the server's end: its visitors only wait longer
        _LOG.exception("warming up the landing page failed")


def warm_collection() -> None:
    """List the batch folder's films (`library.page_films`: from its index, with their
    strips) and make the Collection page's figure of its default view (the first page of
    strips, by title), as its first run would: at 10,000 films 1-2 s of a first visit
    (docs/benchmarks.md "The Collection page at 10,000 films"). Nothing without a batch
    folder; a failure is logged, and the first visitor does the work instead (and reads
    the reason)."""
    try:
        from . import collection_figures, library  # Streamlit's: as the page imports them
        from .collection_view import CollectionOptions

        if collection_dir() is None:
            return
        current = Settings()
        films = library.page_films(current)
        if len(films.collection):
            collection_figures.preview(films, CollectionOptions(), current)  # and the figure
    except FingerprintError as exc:  # the folder's own fault (no index yet, unreadable)
        _LOG.warning("the Collection page's batch folder could not be read: %s", exc)
    except Exception:  # never the server's end: its visitors only wait longer
        _LOG.exception("warming up the Collection page failed")


def warm_up() -> list[threading.Thread]:
    """`warm`, and `warm_collection` when the server has a batch folder, each in a thread
    of its own (the server answers meanwhile), then what is loaded frozen for the garbage
    collector (`gc.freeze`).

    Streamlit collects garbage after every script run (``runner.postScriptGC``), a full
    pass over every object tracked: 15-40 ms of the interpreter's lock a run over the
    100,000 or so objects the server's imports and this warm-up leave, which live as long
    as the server. Frozen, they are skipped; the pass then walks only what sessions made. 8
    visitors arriving together cost the server about a third less CPU (docs/benchmarks.md,
    "Landing page", "Ninth round"). A fork keeps them frozen (`fingerprint._forking`).
    """
    jobs = [(warm, "warm up the landing page")]
    if collection_dir() is not None:
        jobs.append((warm_collection, "warm up the Collection page"))
    threads = [threading.Thread(target=_then_freeze, args=(job,), name=name, daemon=True)
               for job, name in jobs]
    for thread in threads:
        thread.start()
    return threads


def _then_freeze(job: Callable[[], None]) -> None:
    job()
    gc.collect()  # the job's garbage, which frozen would never be collected
    gc.freeze()
