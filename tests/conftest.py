"""Shared fixtures: an isolated cache directory, the bundled store, and small stores on disk."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui.cache import open_store
from kztj_tui.store import Store

# One idle thread, alive for the whole run: the suite must not depend on how many threads happen to
# be alive (a pytest plugin, a Textual test or a leftover worker may start one). Code that forks
# is told whether to (the command line decides once, see forking.py); it never counts threads.
_IDLE = threading.Event()
threading.Thread(target=_IDLE.wait, name="kztj-tests-idle", daemon=True).start()

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "events.yaml"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache, config and data directories and no KZTJ_EVENTS from the environment."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("KZTJ_CACHE_DIR", str(cache))
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("KZTJ_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("KZTJ_EVENTS", raising=False)
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR"):  # colour as each test asks for it
        monkeypatch.delenv(name, raising=False)
    return cache


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pid of every child this process forks from now on (each runs as it would)."""
    started: list[int] = []
    real = os.fork

    def recording() -> int:
        pid = real()
        if pid:
            started.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording)
    return started


def write_generated_store(path: Path, count: int) -> Path:
    """A store of ``count`` events written by benchmarks/make_store.py, laid out as it writes them."""
    spec = importlib.util.spec_from_file_location("make_store", REPO / "benchmarks" / "make_store.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_store"] = module
    spec.loader.exec_module(module)
    module.write(count, path)
    return path


def edit(path: Path, old: str, new: str) -> None:
    """Change a file as an editor that saves by rename does."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(temporary, path)


@pytest.fixture
def store() -> Store:
    """The bundled store, opened without a cache."""
    return open_store(BUNDLED, use_cache=False)


MINIMAL = """\
sources:
  - id: s1
    file: seeds/001_e76ff33dc96d9a90.txt
    outlet: Test outlet
    published: 2021-05-20
    description: Test article
entities:
  - {id: tokayev, name: Kassym-Jomart Tokayev, kind: person, aliases: [Tokaev, Токаев]}
  - {id: dushanbe, name: Dushanbe, kind: city, aliases: [Душанбе]}
events:
  - id: visit
    date: 2021-05-19/2021-05-20
    title: Tokayev visits Dushanbe
    summary: A two-day visit.
    tags: [diplomacy]
    actors: [tokayev]
    place: dushanbe
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
figures: []
"""


@pytest.fixture
def write_store(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text as events.yaml in a temp dir that also holds the seeds; return its path."""
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")

    def write(text: str, name: str = "events.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
