"""A cache build's files, and whether the input files it was built from are still what was read.

Shared by the cache (:mod:`.cache`), which opens and builds, and the incremental update
(:mod:`.update`), which rewrites a build: neither imports the other for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from .files import FileBytes, FileIdentity, read_regular_file

# A file modified this close to the moment it was read could have changed again within the same
# timestamp tick, so its content hash is checked instead of trusting its identity.
_RACY_SECONDS = 2.0
# Hashing an input file to check it against the cache reads at most this much at once.
_MAX_INPUT_BYTES = 64 << 30


class CacheFiles(NamedTuple):
    """One build of a store's cache: events and figures, the search index, and their seal."""

    main: Path
    fts: Path
    seal: Path

    @classmethod
    def of(cls, folder: Path, build: str) -> CacheFiles:
        """The files of a build, by its id."""
        return cls(folder / f"{build}.sqlite", folder / f"{build}.fts.sqlite", folder / f"{build}.seal.json")


def identity_of(path: Path) -> FileIdentity:
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
    folder: Path,
    read_at: float,
    verified: dict[str, Verified] | None = None,
    reads: dict[str, FileBytes] | None = None,
) -> bool:
    """Whether one recorded input file is still byte for byte what was parsed at ``read_at``.

    A file modified within two seconds of being read is hashed, because a second edit in the same
    timestamp tick would keep its identity. A file whose identity changed (a touch, a save of the
    same bytes) is hashed too. Once a hash taken two seconds after the file's last change has
    matched, its identity then is recorded in ``verified`` (path -> Verified), and that identity
    alone settles it from then on: any later change gives the file a later ctime. A file read to
    be hashed is kept in ``reads`` (path -> bytes), so whoever updates the cache next does not read
    and hash it again.
    """
    key = str(entry["path"])
    path = folder / key
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
    if now.size != recorded.size:
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
