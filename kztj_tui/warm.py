"""A store opened from its cache when the files' identities alone vouch for it: no hash, no lock, no build.

What a warm command needs and nothing more (no pathlib, no loader, no argparse, no json). Anything
the identities cannot settle (no cache, a touched input, a damaged seal, a store with includes) is
left to :func:`.cache.open_store`, which hashes, rebuilds and reports: this returns None then.
"""

from __future__ import annotations

import os

from .cachefiles import (
    build_file_names,
    built_for,
    current_build,
    folder_of,
    input_unchanged,
    inputs_in_sql,
    read_seal,
    read_verified,
    sealed_identity,
)
from .files import articles_inside
from .lean_sqlite import sqlite3
from .lean_typing import TYPE_CHECKING
from .store import Store
from .storeschema import database_uri

if TYPE_CHECKING:
    from collections.abc import Sequence


def open_trusted(store_path: str, allow_outside: bool = False, outputs: Sequence[os.stat_result] = ()) -> Store | None:
    """The cached store if every file it was built from, and the cache itself, has the identity recorded; else None.

    None too if one of ``outputs`` (``streams.output_files``) is one of those files: cli refuses to write there.
    """
    folder = folder_of(store_path)
    if os.path.islink(folder):  # never kztj's: cache.open_store removes it
        return None
    build = current_build(folder)
    if build is None:
        return None
    main, fts, seal_file = (os.path.join(folder, name) for name in build_file_names(build))
    try:
        seal = read_seal(seal_file)
        if not (sealed_identity(main, seal["main"]) and sealed_identity(fts, seal["fts"])):
            return None
    except (OSError, ValueError):
        return None
    conn = None
    try:
        conn = sqlite3.connect(database_uri(main), uri=True, check_same_thread=False)
        conn.execute("ATTACH DATABASE ? AS idx", (database_uri(fts),))
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if "include" in meta or not built_for(meta, os.path.realpath(store_path), allow_outside):
            conn.close()
            return None
        read_at = float(meta.get("read_at", "0"))
        inputs = inputs_in_sql(conn)
        verified = read_verified(seal_file)
        folder_of_store = os.path.dirname(store_path) or "."
        if not inputs or not all(
            input_unchanged(entry, folder_of_store, read_at, verified, may_hash=False) for entry in inputs
        ):
            conn.close()
            return None
        if not allow_outside and not articles_inside(inputs, folder_of_store):
            conn.close()
            return None
        if any((e["dev"], e["ino"]) == (out.st_dev, out.st_ino) for e in inputs for out in outputs):
            conn.close()
            return None
        return Store(conn, store_path)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        if conn is not None:
            conn.close()
        return None
