"""Open a store through the on-disk cache: keyed on the file's identity and content, written atomically."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from . import __version__
from .errors import Progress
from .locations import cache_dir
from .store import SCHEMA_VERSION, Store, build, from_loaded

# A file modified this close to the moment its cache was built could have changed within the
# same timestamp tick, so its content hash is checked instead of trusting the timestamp.
_RACY_SECONDS = 2.0
_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def cache_path(store_path: Path) -> Path:
    """Where the cache for a store file lives."""
    resolved = str(store_path.resolve())
    # A cheap name is enough: the cache records the full path and is only used when it matches.
    return cache_dir() / f"{Path(resolved).stem[:40]}-{zlib.crc32(resolved.encode()):08x}.sqlite"


def _hash(path: Path) -> str:
    import hashlib

    digest = hashlib.blake2b(digest_size=20)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _identity(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "ino": stat.st_ino, "dev": stat.st_dev}


def _fresh(meta: dict[str, str], store_path: Path) -> bool:
    """Whether a cache's recorded inputs still match the files on disk."""
    if meta.get("kztj") != __version__ or meta.get("schema") != SCHEMA_VERSION:
        return False
    if meta.get("store") != str(store_path.resolve()) or meta.get("python") != _PYTHON:
        return False
    built_at = float(meta.get("built_at", "0"))
    inputs = json.loads(meta.get("inputs", "[]"))
    if not inputs:
        return False
    for entry in inputs:
        path = store_path.parent / entry["path"]
        try:
            now = _identity(path)
        except OSError:
            return False
        recorded = entry["identity"]
        same_stat = all(now[key] == recorded[key] for key in ("size", "mtime_ns", "ino", "dev"))
        racy = now["mtime_ns"] / 1e9 >= built_at - _RACY_SECONDS
        if same_stat and not racy:
            continue
        if now["size"] != recorded["size"] or _hash(path) != entry["hash"]:
            return False
    return True


def _inputs(store_path: Path, source_files: list[str]) -> list[dict[str, Any]]:
    out = []
    for relative in [store_path.name, *source_files]:
        path = store_path.parent / relative
        out.append({"path": relative, "identity": _identity(path), "hash": _hash(path)})
    return out


def index_path(path: Path) -> Path:
    """The search-index file that goes with a cache file."""
    return path.with_name(path.stem + ".fts.sqlite")


def _check_size(conn: sqlite3.Connection, schema: str, path: Path) -> None:
    page_count = conn.execute(f"PRAGMA {schema}.page_count").fetchone()[0]
    page_size = conn.execute(f"PRAGMA {schema}.page_size").fetchone()[0]
    if page_count * page_size > path.stat().st_size:
        raise sqlite3.DatabaseError("truncated cache")


def _open_cached(path: Path, store_path: Path) -> Store | None:
    try:
        index = index_path(path)
        if not path.is_file() or not index.is_file():
            return None
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            conn.execute("ATTACH DATABASE ? AS idx", (f"file:{index}?mode=ro",))
            _check_size(conn, "main", path)
            _check_size(conn, "idx", index)
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            if not _fresh(meta, store_path):
                conn.close()
                return None
            return Store(conn, store_path)
        except BaseException:
            conn.close()
            raise
    except (sqlite3.DatabaseError, OSError, ValueError, KeyError, TypeError):
        return None  # corrupt, truncated or unreadable: rebuild


def open_store(store_path: Path | str, use_cache: bool = True, progress: Progress | None = None) -> Store:
    """Open a store, from the cache when it is fresh; otherwise load, validate and (re)build it.

    Raises errors.StoreError when the store file is invalid.
    """
    store_path = Path(store_path)
    target = cache_path(store_path)
    if use_cache:
        cached = _open_cached(target, store_path)
        if cached is not None:
            return cached
    from .loader import load  # only a cache miss pays for the YAML, schema and EDTF imports

    loaded = load(store_path, progress)
    if not use_cache:
        return from_loaded(loaded)
    meta = {
        "build": f"{os.getpid()}-{time.time_ns()}",
        "kztj": __version__,
        "store": str(store_path.resolve()),
        "python": _PYTHON,
        "built_at": repr(time.time()),
        "inputs": json.dumps(_inputs(store_path, sorted({s.file for s in loaded.sources}))),
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        index_temporary = target.with_name(f".{index_path(target).name}.{os.getpid()}.tmp")
        try:
            for leftover in (temporary, index_temporary):
                leftover.unlink(missing_ok=True)
            build(loaded, str(temporary), str(index_temporary), meta, progress)
            # Index first, then the main file: a reader checks the build id they share.
            os.replace(index_temporary, index_path(target))
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
            index_temporary.unlink(missing_ok=True)
    except (OSError, sqlite3.Error):
        return from_loaded(loaded, meta)  # an unwritable cache must not stop the user
    reopened = _open_cached(target, store_path)
    return reopened if reopened is not None else from_loaded(loaded, meta)
