"""Input files as kztj reads them: regular files only, bounded in size, with the identity and hash they had."""

from __future__ import annotations

import os
import stat
import time

from .lean_typing import NamedTuple


def resolved(path: str | os.PathLike[str]) -> str | None:
    """``path`` with every link in it followed; None for a symlink loop, which realpath leaves at the link it went
    round (or a path that cannot be resolved)."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    return None if os.path.islink(real) else real


def stays_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path``, every link in it followed, is in ``folder`` (followed too): the rule for what a store reads.

    False for a symlink loop.
    """
    return _inside(path, os.path.realpath(folder))


def _inside(path: str | os.PathLike[str], root: str) -> bool:
    """Whether ``path``, every link in it followed, is in ``root``, a folder's real path."""
    real = resolved(path)
    return real is not None and (real == root or real.startswith(root.rstrip(os.sep) + os.sep))


def articles_inside(inputs: list[dict[str, object]], folder: str | os.PathLike[str]) -> bool:
    """Whether every input a build records but the store itself (the first) is still in the store's folder.

    An article swapped for a link to the same file outside keeps its bytes and identity: the cache
    alone would still vouch for it, where a load refuses it (articles.locate).
    """
    root = os.path.realpath(folder)
    return all(_inside(os.path.join(folder, str(entry["path"])), root) for entry in inputs[1:])


class FileIdentity(NamedTuple):
    """What the file system says about a file: a change to the file changes at least one of these."""

    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    dev: int

    @classmethod
    def of(cls, result: os.stat_result) -> FileIdentity:
        """The identity in a stat result."""
        return cls(result.st_size, result.st_mtime_ns, result.st_ctime_ns, result.st_ino, result.st_dev)


class FileBytes(NamedTuple):
    """The bytes of a file as they were read, the file's identity before the read, their hash, and when."""

    data: bytes
    identity: FileIdentity
    digest: str
    read_at: float
    """The clock (``time.time()``) just before the file was opened."""


def digest(data: bytes) -> str:
    """The content hash kztj records for an input file."""
    import hashlib  # ~2 ms: only a cold load or a changed file needs it

    return hashlib.blake2b(data, digest_size=20).hexdigest()


def read_regular_file(path: str | os.PathLike[str], limit: int) -> FileBytes:
    """Read a regular file of at most ``limit`` bytes, with its identity and hash; raise OSError or ValueError."""
    read_at = time.time()
    data, before = read_regular_bytes(path, limit)
    return FileBytes(data, FileIdentity.of(before), digest(data), read_at)


def read_regular_bytes(path: str | os.PathLike[str], limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most ``limit`` bytes and its stat before the read; OSError or ValueError.

    The stat is taken from the open descriptor before reading, so a file that changes while it is
    read never looks like the version that was read. Nothing is hashed: a warm search reads its
    cache's seal with this, and hashlib alone costs it ~2 ms.
    """
    descriptor, before = open_regular(path)
    try:
        if before.st_size > limit:
            raise ValueError(f"is {before.st_size:,} bytes; the limit is {limit:,}")
        chunks = []
        remaining = limit + 1
        # The whole file in one read (one copy of its bytes), then on in pieces if it has grown.
        size = before.st_size + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, size))
            size = 1 << 24
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise ValueError(f"grew past the limit of {limit:,} bytes while being read")
    finally:
        os.close(descriptor)
    return data, before


def open_regular(path: str | os.PathLike[str]) -> tuple[int, os.stat_result]:
    """A read-only descriptor of a regular file and its stat; ValueError for anything else (a FIFO, a device, a folder).

    A device is never opened (opening one can act), and the open does not block, so a FIFO put in
    the file's place after the first look cannot hang the caller: the descriptor is checked again.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(_not_regular(mode))
    descriptor = os.open(path, flags)
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):
            raise ValueError(_not_regular(opened.st_mode))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, opened


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"
