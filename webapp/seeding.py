"""The demo films' fingerprints at the app's default settings and at every number of colours
its slider offers, shipped with the app in ``demo/results/``, so that a new server shows
the landing page's fingerprint at once instead of analysing the same three films again
(issue 18 §4), and a visitor's first move of the k slider on a demo film answers from
them too (0.5-1.0 s instead of 4.8-4.9 s of decoding the film; docs/benchmarks.md,
"Landing page", "Eighth round"). Pure, no Streamlit.

`made_results` is what that folder holds, computed by the engine itself:
``demo/make_results.py`` writes it, and a test fails as soon as the files differ from
what the engine makes today (beyond the few frames whose k-means another CPU's rounding
ends in another, equally good minimum). `seed` hands a server a shipped result when its
cache lacks one, saved into the cache as `fingerprint.analyze` saves its own, and only
for exactly what it was made from: the film's content (its key), the options as the app
looks them up (`stored_params`), the film as this server probes it, and this engine's
cache version.
Anything else is analysed as before, so a shipped result is never shown for other
settings, and a cache cleared or evicted is seeded again on the next visit.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from fingerprint import (
    Cache,
    CacheWriteError,
    Fingerprint,
    FingerprintError,
    Params,
    VideoInfo,
    analyze,
)
from fingerprint.cache import content_key
from fingerprint.cache._cache import ENGINE_VERSION

from .films import DemoFilm
from .settings import CLUSTERS_RANGE, Settings, params_for

#: The folder, under the demo films' own, that holds their shipped results.
RESULTS = "results"
#: The file that says which film each result is for, and the engine that made them.
MANIFEST = "results.json"

# One seeding at a time in this process: visitors arriving together at a new server all
# miss the same result, and the first one's copy serves the others.
_seeding = threading.Lock()


def made_results(films: Iterable[DemoFilm], *, cache: Cache | None = None) -> dict[str, str]:
    """What ``demo/results/`` holds: file name -> text. Each film analysed with the app's
    default settings at every k of its slider (`CLUSTERS_RANGE`), from scratch once and
    then from that run's frames in ``cache`` (a scratch one by default), as a server's
    cache answers a new k; and the manifest naming each result's film by content key and
    its k, with the cache version (``ENGINE_VERSION``) of the engine."""
    files, listed = {}, []
    lo, hi = CLUSTERS_RANGE
    with tempfile.TemporaryDirectory() as scratch:
        cache = cache or Cache(scratch)
        for film in films:
            results = {}
            for k in range(lo, hi + 1):
                fp = analyze(film.path, params=params_for(replace(Settings(), clusters=k)),
                             cache=cache)
                results[str(k)] = name = f"{film.id}-k{k}.json"
                files[name] = fp.to_json() + "\n"
            listed.append({"id": film.id, "key": content_key(film.path), "results": results})
    files[MANIFEST] = json.dumps({"engine": ENGINE_VERSION, "films": listed}, indent=1) + "\n"
    return files


def shipped(folder: Path) -> dict[tuple[str, int], Path]:
    """The shipped results in ``folder`` by content key and k; none when the folder or its
    manifest is missing or unreadable, or was made by another cache version."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("engine") != ENGINE_VERSION:
            return {}
        return {
            (film["key"], int(k)): folder / name
            for film in manifest["films"] for k, name in film["results"].items()
            if Path(name).name == name  # a file of this folder only
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def seed(
    cache: Cache, key: str, path: Path, info: VideoInfo, params: Params, folder: Path
) -> Fingerprint | None:
    """The result shipped in ``folder`` for the film ``key`` at ``path`` analysed with
    ``params`` (as fitted to it, `stored_params`), saved into ``cache``; None when none
    was shipped for exactly this film, these options and this ``info``.

    A cache that cannot be written still gets the result shown (it is seeded again next
    time), as `analyze` shows one it could not store."""
    result = shipped(folder).get((key, params.clusters))
    if result is None:
        return None
    with _seeding:
        found = cache.load_result(key, params)  # a visitor arriving with this one seeded it
        if found is not None:
            return found
        try:
            fp = Fingerprint.load(result)
        except FingerprintError:
            return None
        if fp.params != params or fp.video != info:
            return None
        try:
            cache.save_info(key, info, source=path.resolve())
            cache.save_result(key, fp)
        except CacheWriteError:
            pass
        return fp
