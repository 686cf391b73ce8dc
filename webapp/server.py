"""What this server offers: its film cache, the demo films, the movies folder, the upload
limit, and its analyses (`jobs`). One object per server, shared by every session."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import streamlit as st

from fingerprint import Cache
from fingerprint._memory import limit_arenas
from fingerprint.cache._cache import ENV_VAR as CACHE_ENV_VAR

from .films import DemoFilm, demo_films, movie_files
from .jobs import Jobs

APP_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = APP_DIR / "demo"
DEFAULT_FILM = "bbb"
MOVIES_ENV_VAR = "FINGERPRINT_MOVIES_DIR"
# Analyses run at once, server-wide; the rest wait in a queue. Two keep both cores of a
# small host busy and, at the app's defaults, its memory under 1.5 GB with 8 visitors
# (docs/benchmarks.md, "Hosted demo under load").
ANALYSES_ENV_VAR = "FINGERPRINT_MAX_ANALYSES"  # in analyses of the default size (1000 samples)
DEFAULT_ANALYSES = 2
# Seconds an analysis nobody waits for is kept before it is cancelled: a rerun (any click)
# leaves and rejoins it within milliseconds, and must not restart it.
ABANDON_GRACE_S = 3.0

# Once per server process, before analyses start their decoder threads.
limit_arenas()


@st.cache_resource
def _cache_at(root: str) -> Cache:
    return Cache(root or None)


def cache() -> Cache:
    """The server's film cache (one object per folder, so content keys are hashed once)."""
    return _cache_at(os.environ.get(CACHE_ENV_VAR, ""))


def analysis_slots() -> int:
    """Analyses this server runs at once: $FINGERPRINT_MAX_ANALYSES, else `DEFAULT_ANALYSES`
    (never more than the cores)."""
    try:
        return max(1, int(os.environ[ANALYSES_ENV_VAR]))
    except (KeyError, ValueError):
        return max(1, min(DEFAULT_ANALYSES, os.cpu_count() or 1))


@st.cache_resource
def jobs() -> Jobs:
    """The server's analyses and their queue, shared by every session."""
    return Jobs(slots=analysis_slots(), grace=ABANDON_GRACE_S)


@st.cache_resource
def demos() -> dict[str, DemoFilm]:
    """The bundled demo films, in the order the app offers them."""
    return demo_films(DEMO_DIR)


def movies_dir() -> Path | None:
    """The movies folder: ``streamlit run app.py -- --movies DIR``, else $FINGERPRINT_MOVIES_DIR."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--movies")
    args, _ = parser.parse_known_args(sys.argv[1:])
    folder = args.movies or os.environ.get(MOVIES_ENV_VAR)
    return Path(folder).expanduser().resolve() if folder else None


@st.cache_data(ttl=30, show_spinner=False)
def movie_list(root: str) -> list[str]:
    """`movie_files` under ``root``, listed again at most every 30 s: films copied into
    the folder appear without a restart."""
    return movie_files(root)


def upload_limit() -> str:
    """The upload limit set in .streamlit/config.toml, as people say it: "1 GB"."""
    megabytes = int(st.get_option("server.maxUploadSize"))
    return f"{megabytes / 1024:g} GB" if megabytes >= 1024 else f"{megabytes} MB"
