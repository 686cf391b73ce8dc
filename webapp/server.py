"""What this server offers: its film cache, the demo films, the movies folder, the upload
limit, its memory budget, its analyses (`jobs`) and its upload receiver
(`upload_middleware`). One object per server, shared by every session."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from streamlit.runtime import Runtime
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.server.server_util import is_xsrf_enabled
from streamlit.web.server.starlette.starlette_app_utils import validate_xsrf_token
from streamlit.web.server.starlette.starlette_server_config import XSRF_COOKIE_NAME

from fingerprint import Cache
from fingerprint._cores import usable_cores
from fingerprint._memory import limit_arenas
from fingerprint.cache._cache import ENV_VAR as CACHE_ENV_VAR

from .budget import Budget, budget_mb
from .films import DemoFilm, demo_films, movie_files
from .jobs import Jobs
from .receiving import Deliveries, Hooks, UploadReceiver, limit_text

APP_DIR = Path(__file__).resolve().parent.parent
DEMO_DIR = APP_DIR / "demo"
DEFAULT_FILM = "bbb"
MOVIES_ENV_VAR = "FINGERPRINT_MOVIES_DIR"
COLLECTION_ENV_VAR = "FINGERPRINT_COLLECTION_DIR"
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
        return max(1, min(DEFAULT_ANALYSES, usable_cores()))


T = TypeVar("T")
_ONCE: dict[str, Any] = {}
_ONCE_LOCK = threading.Lock()


def _once(name: str, make: Callable[[], T]) -> T:
    """One object per server process, whichever thread asks first (a session's run, or
    the event loop receiving an upload); never cleared, unlike st.cache_resource."""
    with _ONCE_LOCK:
        if name not in _ONCE:
            _ONCE[name] = make()
        return _ONCE[name]


def budget() -> Budget:
    """The server's memory budget ($FINGERPRINT_MEMORY_BUDGET), shared by its analyses and
    its uploads in flight, which together may hold at most the cache's size cap."""
    return _once("budget", lambda: Budget(budget_mb(), disk_bytes=cache().max_bytes))


def deliveries() -> Deliveries:
    """What the upload receiver hands to sessions (`webapp.receiving`)."""
    return _once("deliveries", Deliveries)


@st.cache_resource
def jobs() -> Jobs:
    """The server's analyses and their queue, shared by every session."""
    return Jobs(slots=analysis_slots(), grace=ABANDON_GRACE_S, budget=budget())


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


def collection_dir() -> Path | None:
    """The batch folder the Collection page shows (`webapp.library`): ``streamlit run
    app.py -- --collection DIR``, else $FINGERPRINT_COLLECTION_DIR."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--collection")
    args, _ = parser.parse_known_args(sys.argv[1:])
    folder = args.collection or os.environ.get(COLLECTION_ENV_VAR)
    return Path(folder).expanduser().resolve() if folder else None


@st.cache_data(ttl=30, show_spinner=False)
def movie_list(root: str) -> list[str]:
    """`movie_files` under ``root``, listed again at most every 30 s: films copied into
    the folder appear without a restart."""
    return movie_files(root)


def upload_bytes() -> int:
    """The largest upload, from .streamlit/config.toml (megabytes of 2**20 bytes, as
    Streamlit counts them: its widget refuses a larger file before sending it)."""
    return int(st.get_option("server.maxUploadSize")) * 2**20


def upload_limit() -> str:
    """The upload limit set in .streamlit/config.toml, as people say it: "1 GB"."""
    return limit_text(upload_bytes())


# --- the upload receiver, in front of Streamlit's upload route ------------------------
def _may_upload(scope: Any, session: str) -> tuple[int, str] | None:
    """Streamlit's own checks on an upload (its route's, in Streamlit 1.67): the XSRF
    token when XSRF protection is on, and a live session."""
    request = Request(scope)
    if is_xsrf_enabled() and not validate_xsrf_token(
        request.headers.get("X-Xsrftoken"), request.cookies.get(XSRF_COOKIE_NAME)
    ):
        return 403, "XSRF token missing or invalid"
    if not Runtime.instance().is_active_session(session):
        return 400, "Invalid session_id."
    return None


def _announce(session: str, file_id: str, name: str, kind: str) -> None:
    """Tell the session's uploader the file arrived: a record without its bytes, which
    are on disk (`deliveries` says where)."""
    record = UploadedFileRec(file_id=file_id, name=name, type=kind, data=b"")
    Runtime.instance().uploaded_file_mgr.add_file(session, record)


def _wake(session: str) -> None:
    """Run the session again with its widgets as they are, so it shows a refusal."""
    app_session = Runtime.instance().get_app_session(session)
    if app_session is not None:
        app_session.request_rerun(None)


def upload_middleware() -> list[Middleware]:
    """The upload receiver for `st.App` (app.py): uploads go to the cache's disk as they
    arrive, within the server's budget (`webapp.receiving`)."""
    hooks = Hooks(
        check=_may_upload, store=lambda stream, name: cache().store_upload(stream, name),
        max_bytes=upload_bytes, announce=_announce, wake=_wake, budget=budget,
        deliveries=deliveries(),
    )
    return [Middleware(UploadReceiver, hooks=hooks)]
