"""A cache build's files, and whether the input files it was built from are still what was read.

Shared by the cache (:mod:`.cache`), which opens and builds, and the incremental update
(:mod:`.update`), which rewrites a build: neither imports the other for them.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import zlib
from collections.abc import Iterable

from . import __version__
from .files import FileBytes, FileIdentity, read_regular_file
from .lean_typing import TYPE_CHECKING, NamedTuple
from .locations import cache_root
from .storeschema import SCHEMA_VERSION

if TYPE_CHECKING:
    from pathlib import Path

# A file modified this close to the moment it was read could have changed again within the same
# timestamp tick, so its content hash is checked instead of trusting its identity.
_RACY_SECONDS = 2.0
# Hashing an input file to check it against the cache reads at most this much at once.
_MAX_INPUT_BYTES = 64 << 30


PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"


def folder_of(store_path: str | os.PathLike[str]) -> str:
    """The folder holding the cache of one store file."""
    resolved = os.path.realpath(store_path)
    # A cheap name is enough: the cache records the full path and is only used when it matches.
    # The path's bytes are hashed (a name need not be UTF-8), and the name keeps only letters,
    # digits and ``._-`` of the file name without its suffix: the folder is named in messages and URIs.
    name = os.path.basename(resolved)
    dot = name.rfind(".")
    stem = name[:dot] if 0 < dot < len(name) - 1 else name
    kept = "".join(c if c.isalnum() or c in "._-" else "_" for c in stem[:40])
    return os.path.join(cache_root(), f"{kept}-{zlib.crc32(os.fsencode(resolved)):08x}")


def current_build(folder: str | os.PathLike[str]) -> str | None:
    """The id of the build a cache folder points at, or None when there is none."""
    try:
        with open(os.path.join(folder, "current"), encoding="ascii") as pointer:
            build = pointer.read().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return build if build.replace("-", "").isalnum() else None


def build_file_names(build: str) -> tuple[str, str, str]:
    """The names of a build's events file, search index and seal."""
    return f"{build}.sqlite", f"{build}.fts.sqlite", f"{build}.seal.json"


def path_text(path: str | os.PathLike[str]) -> str:
    """A full path as text SQLite can store: itself when UTF-8, else ``bytes:`` and the hex of its bytes.

    No absolute path reads as the latter, so two paths never share a text.
    """
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"bytes:{raw.hex()}"


def built_for(meta: dict[str, str], resolved_store: str | os.PathLike[str], allow_outside: bool) -> bool:
    """Whether a build's meta is this kztj's, this Python's and this schema's, made from this store file so."""
    if meta.get("kztj") != __version__ or meta.get("schema") != SCHEMA_VERSION or meta.get("python") != PYTHON_VERSION:
        return False
    return meta.get("store") == path_text(resolved_store) and meta.get("allow_outside") == str(int(allow_outside))


def read_seal(seal: str | os.PathLike[str]) -> dict[str, dict[str, object]]:
    """A build's seal: each file's identity and checksum when written; raises OSError or ValueError."""
    import json  # a warm command reads the seal with sealed_in_sql() instead

    with open(seal, encoding="utf-8") as file:
        found = json.load(file)
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


def sealed_identity(file: str | os.PathLike[str], recorded: dict[str, object]) -> bool:
    """Whether a cache file has the identity its seal recorded (else its checksum decides)."""
    return list(identity_of(file)) == recorded["identity"]


def verified_file(seal: str | os.PathLike[str]) -> str:
    """The record of a build's inputs hashed and found unchanged: beside its seal."""
    return os.fspath(seal).removesuffix(".seal.json") + ".verified.json"


def read_verified(seal: str | os.PathLike[str]) -> dict[str, Verified]:
    """The inputs of a build last hashed and found unchanged, by path (nothing, if unreadable)."""
    import json  # a warm command reads the record with verified_in_sql() instead

    try:
        with open(verified_file(seal), encoding="utf-8") as file:
            found = json.load(file)
    except (OSError, ValueError):
        return {}
    verified = {}
    for key, value in found.items() if isinstance(found, dict) else ():
        entry = _verified_entry(value)
        if entry is not None:
            verified[str(key)] = entry
    return verified


def _verified_entry(value: object) -> Verified | None:
    """One input of the verified record: ``[at, size, mtime_ns, ctime_ns, ino, dev]``; else None (hash again)."""
    if not (isinstance(value, list) and len(value) == 6 and all(type(v) in (int, float) for v in value)):
        return None  # not what kztj writes (an older kztj's, or damage)
    try:
        return Verified(float(value[0]), FileIdentity(*(int(v) for v in value[1:])))
    except (OverflowError, ValueError):  # an infinity or NaN: not an identity kztj wrote
        return None


# A warm command reads the seal, the verified record and the inputs meta with SQLite's JSON functions,
# on the connection it has open anyway: importing json (which brings re and enum) costs ~4 ms of a
# ~25 ms search. These readers only ever vouch for less than the json ones: a number past 64 bits
# comes back inexact and matches no identity, and anything SQLite cannot parse is an error, so the
# command falls back to cache.open_store, which reads the same files with json.


def _json_ints(numbers: Iterable[int]) -> str:
    """Integers as a JSON array, for SQLite to compare with one it extracted."""
    return "[" + ",".join(str(int(number)) for number in numbers) + "]"


def sealed_in_sql(conn: sqlite3.Connection, seal_text: str, files: dict[str, str]) -> bool:
    """Whether each cache file (seal key -> path) has the identity the seal records (read_seal's JSON)."""
    # Both sides as minified JSON text: json() minifies ours, json_extract() returns an array so.
    checks = " AND ".join(f"json_extract(?1, ?{2 * n + 2}) = json(?{2 * n + 3})" for n in range(len(files)))
    params: list[object] = [seal_text]
    for key, path in files.items():
        params += [f"$.{key}.identity", _json_ints(identity_of(path))]
    return conn.execute(f"SELECT {checks}", params).fetchone()[0] == 1


_INPUT_FIELDS = ("path", *FileIdentity._fields, "digest")


def inputs_in_sql(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """The inputs a build records in its meta (the JSON that cache.py reads), as dicts for input_unchanged()."""
    columns = ", ".join(f"json_extract(value, '$.{name}')" for name in _INPUT_FIELDS)
    sql = f"SELECT {columns} FROM json_each((SELECT value FROM meta WHERE key = 'inputs')) ORDER BY key"
    return [dict(zip(_INPUT_FIELDS, row, strict=True)) for row in conn.execute(sql)]


def verified_in_sql(conn: sqlite3.Connection, seal: str) -> dict[str, Verified]:
    """read_verified()'s record, read by SQLite (nothing if it is missing or unreadable)."""
    try:
        with open(verified_file(seal), encoding="utf-8") as file:
            text = file.read()
        if "\\u0000" in text:  # SQLite cuts a key at a NUL; no path holds one, so kztj never writes it
            return {}
        # Each array as minified JSON text (SQLite writes it so): its items are split at the commas.
        sql = "SELECT key, value FROM json_each(?1) WHERE json_type(?1) = 'object' AND type = 'array'"
        rows = conn.execute(sql, (text,)).fetchall()
    except (OSError, ValueError, sqlite3.Error):
        return {}
    verified = {}
    for key, array in rows:
        entry = _verified_entry([_json_number(item) for item in array[1:-1].split(",")])
        if entry is not None:
            verified[str(key)] = entry
    return verified


def _json_number(text: str) -> int | float | None:
    """A number in minified JSON text as json reads it; None for anything else (a string, true, an array)."""
    if not text or text.strip("0123456789+-.eE"):
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


class CacheFiles(NamedTuple):
    """One build of a store's cache: events and figures, the search index, and their seal."""

    main: Path
    fts: Path
    seal: Path

    @classmethod
    def of(cls, folder: Path, build: str) -> CacheFiles:
        """The files of a build, by its id."""
        main, fts, seal = build_file_names(build)
        return cls(folder / main, folder / fts, folder / seal)


def identity_of(path: str | os.PathLike[str]) -> FileIdentity:
    """A file's identity (device, inode, size, times) as it is now."""
    return FileIdentity.of(os.stat(path))


class Verified(NamedTuple):
    """An input found byte for byte unchanged: the identity it had when it was hashed, and when that was."""

    at: float
    identity: FileIdentity


def settled(identity: FileIdentity) -> float:
    """When a file with this identity is past its racy window: a change after that changes the identity.

    The later of mtime and ctime: a write that restores the mtime still sets the ctime.
    """
    return max(identity.mtime_ns, identity.ctime_ns) / 1e9 + _RACY_SECONDS


def input_unchanged(
    entry: dict[str, object],
    folder: str | os.PathLike[str],
    read_at: float,
    verified: dict[str, Verified] | None = None,
    reads: dict[str, FileBytes] | None = None,
    may_hash: bool = True,
) -> bool:
    """Whether one recorded input file is still byte for byte what was parsed at ``read_at``.

    A file modified within two seconds of being read is hashed, because a second edit in the same
    timestamp tick would keep its identity. A file whose identity changed (a touch, a save of the
    same bytes) is hashed too. Once a hash taken two seconds after the file's last change has
    matched, its identity then is recorded in ``verified`` (path -> Verified), and that identity
    alone settles it from then on: any later change gives the file a later ctime. A file read to
    be hashed is kept in ``reads`` (path -> bytes), so whoever updates the cache next does not read
    and hash it again. Without ``may_hash``, a file its identity alone cannot vouch for is not unchanged.
    """
    key = str(entry["path"])
    path = os.path.join(folder, key)
    try:
        now = identity_of(path)
    except OSError:
        return False
    recorded = FileIdentity(*(entry[name] for name in FileIdentity._fields))  # type: ignore[arg-type]
    if now == recorded and settled(recorded) < read_at:
        return True
    seen = verified.get(key) if verified is not None else None
    if seen is not None and now == seen.identity and settled(seen.identity) <= seen.at:
        return True
    if now.size != recorded.size or not may_hash:
        return False
    try:
        read = read_regular_file(path, _MAX_INPUT_BYTES)
    except (OSError, ValueError):
        return False
    if reads is not None:
        reads[key] = read
    same = read.digest == entry["digest"]
    # The identity is the open file's before the read, and the clock was read before that: a change
    # after the read gives the file a ctime past this one, once its racy window has passed.
    if same and verified is not None and settled(read.identity) <= read.read_at:
        verified[key] = Verified(read.read_at, read.identity)
    return same
