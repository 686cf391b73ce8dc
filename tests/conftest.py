"""Shared fixtures. Each is self-contained and named for what it gives."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def app_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder for the app under test, never the user's cache; no movies
    folder unless the test sets one."""
    folder = tmp_path / "app-cache"
    folder.mkdir()
    monkeypatch.setenv("FINGERPRINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("FINGERPRINT_MOVIES_DIR", raising=False)
    return folder
