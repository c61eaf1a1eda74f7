"""Where kztj finds the store and keeps its cache."""

from __future__ import annotations

import os
import sys

from .lean_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


# The name a store read from stdin (``--events -``) goes by in messages: it has no path.
STDIN_NAME = "<stdin>"


def default_store_file() -> str:
    """The store to use: ``$KZTJ_EVENTS`` or the bundled one; as text, so a warm search needs no pathlib."""
    env = os.environ.get("KZTJ_EVENTS")
    if env:
        return env
    here = os.path.dirname(__file__)
    bundled = os.path.join(here, "data", "events.yaml")
    # A source checkout (or editable install) has the store at the repository root instead.
    return bundled if os.path.exists(bundled) else os.path.join(os.path.dirname(here), "events.yaml")


def default_store_path() -> Path:
    """``default_store_file()`` as a Path."""
    from pathlib import Path

    return Path(default_store_file())


def cache_root() -> str:
    """The platform cache directory for kztj (``$KZTJ_CACHE_DIR`` overrides it), as text."""
    override = os.environ.get("KZTJ_CACHE_DIR")
    if override:
        return override
    home = os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "kztj")
    if sys.platform == "win32":
        return os.path.join(os.environ.get("LOCALAPPDATA", os.path.join(home, "AppData", "Local")), "kztj", "Cache")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "kztj")


def cache_dir() -> Path:
    """``cache_root()`` as a Path."""
    from pathlib import Path

    return Path(cache_root())


def config_dir() -> Path:
    """The platform config directory for kztj (``$KZTJ_CONFIG_DIR`` overrides it)."""
    from pathlib import Path

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
    from pathlib import Path

    override = os.environ.get("KZTJ_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "kztj"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "kztj"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "kztj"
