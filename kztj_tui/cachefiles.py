"""A cache build's files, and whether the input files it was built from are still what was read.

Shared by the cache (:mod:`.cache`), which opens and builds, and the incremental update
(:mod:`.update`), which rewrites a build: neither imports the other for them.
"""

from __future__ import annotations

import os
import sys

from . import __version__
from .files import FileBytes, FileIdentity, read_regular_bytes, read_regular_file
from .lean_sqlite import sqlite3
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
    return os.path.join(cache_root(), f"{kept}-{crc32(os.fsencode(resolved)):08x}")


def crc32(data: bytes) -> int:
    """``zlib.crc32(data)``, for a path's few bytes without loading zlib (~0.2 ms of a warm start)."""
    if len(data) > 256:  # past ~250 bytes, this loop costs more than loading zlib
        import zlib

        return zlib.crc32(data)
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def current_build(folder: str | os.PathLike[str]) -> str | None:
    """The id of the build a cache folder points at, or None when there is none."""
    try:
        build = _small_text(os.path.join(folder, "current")).strip()  # a FIFO or /dev/zero there is no build
    except (OSError, ValueError):
        return None
    return build if build.replace("-", "").isalnum() else None


def build_file_names(build: str) -> tuple[str, str, str]:
    """The names of a build's events file, search index and seal."""
    return f"{build}.sqlite", f"{build}.fts.sqlite", f"{build}.seal"


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


class Sealed(NamedTuple):
    """What a seal records of one cache file: its checksum and its identity when it was written."""

    digest: str
    identity: FileIdentity


# A seal and a verified record are kztj's own lines of numbers, not JSON: one reader for a warm search
# and for cache.py, and no json (which brings re and enum, ~4 ms of a 25 ms search) to read them.
_SEALED = ("main", "fts")


def seal_text(sealed: dict[str, Sealed]) -> str:
    """A build's seal: ``KEY DIGEST SIZE MTIME_NS CTIME_NS INO DEV``, one line for each of its two files."""
    return "".join(f"{key} {entry.digest} {' '.join(map(str, entry.identity))}\n" for key, entry in sealed.items())


# A seal or verified record is a few hundred bytes a file; anything far larger is not one.
_SMALL_LIMIT = 1 << 20


def _small_text(path: str | os.PathLike[str]) -> str:
    """A seal's, record's or ``current`` pointer's ASCII text: a regular file only (a FIFO put in its place must
    not hang a search)."""
    return read_regular_bytes(path, _SMALL_LIMIT)[0].decode("ascii")


def read_seal(seal: str | os.PathLike[str]) -> dict[str, Sealed]:
    """A build's seal (seal_text), by file; raises OSError, or ValueError for anything but exactly that."""
    text = _small_text(seal)
    if not text.endswith("\n"):
        raise ValueError("a seal ends with a newline")
    found = {}
    for line in text[:-1].split("\n"):
        key, digest, *numbers = line.split(" ")  # fewer than two words: ValueError too
        if key not in _SEALED or key in found or len(numbers) != len(FileIdentity._fields):
            raise ValueError(f"not a seal line: {line[:40]!r}")
        found[key] = Sealed(digest, FileIdentity(*map(_integer, numbers)))
    if len(found) != len(_SEALED):
        raise ValueError("a seal names both files")
    return found


def _integer(text: str) -> int:
    """An integer written by str(int): digits, maybe after a minus (a file dated before 1970); else ValueError."""
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not an integer: {text[:20]!r}")
    return int(text)


def sealed_identity(file: str | os.PathLike[str], recorded: Sealed) -> bool:
    """Whether a cache file has the identity its seal recorded (else its checksum decides)."""
    return identity_of(file) == recorded.identity


def old_seal_file(seal: str | os.PathLike[str]) -> str:
    """``SEAL.json``: how a pre-release kztj sealed a build; a cache with one is outdated, and rebuilt."""
    return f"{os.fspath(seal)}.json"


def verified_file(seal: str | os.PathLike[str]) -> str:
    """The record of a build's inputs hashed and found unchanged: beside its seal."""
    return os.fspath(seal).removesuffix(".seal") + ".verified"


def verified_text(verified: dict[str, Verified]) -> str:
    """The verified record: ``AT SIZE MTIME_NS CTIME_NS INO DEV PATH``, the path as the hex of its bytes."""
    return "".join(
        f"{entry.at!r} {' '.join(map(str, entry.identity))} {os.fsencode(key).hex()}\n"
        for key, entry in verified.items()
    )


def read_verified(seal: str | os.PathLike[str]) -> dict[str, Verified]:
    """The inputs of a build last hashed and found unchanged, by path (verified_text): a line that is not
    what kztj writes is left out (that input is hashed again), and an unreadable record is nothing."""
    try:
        lines = _small_text(verified_file(seal)).split("\n")
    except (OSError, ValueError):
        return {}
    verified = {}
    for line in lines[:-1]:  # the last is what follows the last newline: a line cut short, or nothing
        words = line.split(" ")
        if len(words) != len(FileIdentity._fields) + 2 or words[0].strip("0123456789.e-+"):
            continue  # not seven words, or a time not as repr() writes one
        at, *numbers, path = words
        try:
            moment = float(at)
            identity = FileIdentity(*map(_integer, numbers))
            key = os.fsdecode(bytes.fromhex(path))
        except ValueError:
            continue
        if moment - moment == 0 and path == path.lower() and key not in verified:  # finite; hex as .hex() writes it
            verified[key] = Verified(moment, identity)
    return verified


_INPUT_FIELDS = ("path", *FileIdentity._fields, "digest")


def inputs_in_sql(conn: sqlite3.Connection) -> list[dict[str, object]] | None:
    """The inputs a build records in its meta, read by SQLite's JSON functions (no json import for a warm
    search), as dicts for input_unchanged(); None unless each is exactly what json reads there too.

    cache.py reads the same JSON with json. This never vouches for more: text that is not strict JSON,
    a key given twice, a number past 63 bits (SQLite gives it back rounded), a NUL, a path or digest
    that is not text, an identity that is not an integer (``true`` is 1 to SQLite) all make it None.
    """
    row = conn.execute("SELECT value FROM meta WHERE key = 'inputs'").fetchone()
    text = row[0] if row else None
    # SQLite's JSON ends a text at a NUL, raw or escaped, where json reads on (or refuses it).
    if not isinstance(text, str) or "\x00" in text or "\\u0000" in text:
        return None
    # One question at a time, and CASE, not AND: SQLite may ask json_type() of text that is not JSON.
    is_array = "SELECT CASE WHEN json_valid(?1) THEN json_type(?1) = 'array' ELSE 0 END"
    if not conn.execute(is_array, (text,)).fetchone()[0]:
        return None
    if conn.execute("SELECT count(*) FROM json_each(?1) WHERE type != 'object'", (text,)).fetchone()[0]:
        return None
    columns = ", ".join(f"json_extract(o.value, '$.{name}')" for name in _INPUT_FIELDS)
    repeated = "(SELECT count(*) - count(DISTINCT i.key) FROM json_each(o.value) i)"  # aliased, or value is i's
    # JSON's own types, not what SQLite converts them to (true is the integer 1 to json_extract).
    numbers = ", ".join(f"'{name}'" for name in FileIdentity._fields)
    mistyped = (
        "(SELECT count(*) FROM json_each(o.value) i WHERE i.key IN ('path', 'digest') AND i.type != 'text'"
        f" OR i.key IN ({numbers}) AND i.type != 'integer')"
    )
    found = []
    sql = f"SELECT {repeated} + {mistyped}, {columns} FROM json_each(?1) o ORDER BY o.key"
    for repeats, *values in conn.execute(sql, (text,)):
        entry = dict(zip(_INPUT_FIELDS, values, strict=True))
        # Each field there: json_each has no row for a missing key (json_extract gives None), and an
        # integer past 63 bits is a real to json_extract, though json_each types it as an integer.
        if (
            repeats
            or type(entry["path"]) is not str
            or type(entry["digest"]) is not str
            or not all(type(entry[name]) is int for name in FileIdentity._fields)
        ):
            return None
        found.append(entry)
    return found


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
