"""Where kztj finds the store and keeps its cache."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_store_path() -> Path:
    """The store to use: ``$KZTJ_EVENTS`` or the one bundled with the package."""
    env = os.environ.get("KZTJ_EVENTS")
    if env:
        return Path(env)
    bundled = Path(__file__).parent / "data" / "events.yaml"
    # A source checkout (or editable install) has the store at the repository root instead.
    return bundled if bundled.exists() else Path(__file__).parent.parent / "events.yaml"


def cache_dir() -> Path:
    """The platform cache directory for kztj (``$KZTJ_CACHE_DIR`` overrides it)."""
    override = os.environ.get("KZTJ_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "kztj"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "kztj" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kztj"


def config_dir() -> Path:
    """The platform config directory for kztj (``$KZTJ_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("KZTJ_CONFIG_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "kztj"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "kztj"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kztj"


def data_dir() -> Path:
    """The platform data directory for kztj: marks and notes (``$KZTJ_DATA_DIR`` overrides it)."""
    override = os.environ.get("KZTJ_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "kztj"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "kztj"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "kztj"
