"""Open a store through the on-disk cache, which is never wrong about what it describes.

* Inputs: the cache records, for the store and every article, the identity the file had just
  before it was read (size, mtime, ctime, inode, device) and the hash of the very bytes that were
  parsed. A file whose identity differs, or that was modified within two seconds of being read
  (a timestamp tick could hide a second edit), is hashed again and compared. A file found
  unchanged that way (a touch, a save of the same bytes) has its new identity recorded beside the
  build, so the next command trusts it again instead of hashing it on every run.
* The cache itself: two SQLite files (events, search index) and a seal written after both, with
  their identities and hashes. Files that no longer match their seal (overwritten, truncated,
  tampered with) are hashed; if the hash differs they are dropped and rebuilt. Any
  ``sqlite3.DatabaseError`` while opening means the same.
* Every file is written under a temporary name and renamed into place; temporary files left by a
  killed build are removed by the next build.
* One process builds or updates a store's cache at a time (a lock on a file in its folder): others
  that find it missing or outdated wait, then open what was built. The kernel releases the lock of
  a process that dies, so a builder killed with SIGKILL never leaves the others waiting.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, collection
from .cachefiles import (
    PYTHON_VERSION,
    CacheFiles,
    Sealed,
    Verified,
    build_file_names,
    built_for,
    current_build,
    folder_of,
    identity_of,
    input_unchanged,
    old_seal_file,
    path_text,
    read_seal,
    read_verified,
    seal_text,
    sealed_identity,
    verified_file,
    verified_text,
)
from .errors import Progress
from .files import FileBytes, articles_inside, open_regular
from .store import Store
from .storeschema import database_uri

if TYPE_CHECKING:
    from .assemble import LoadedStore
    from .storebuild import IndexBuild

Notice = Callable[[str], None]


def cache_folder(store_path: Path) -> Path:
    """The folder holding the cache of one store file."""
    return Path(folder_of(store_path))


def current_files(store_path: Path) -> CacheFiles | None:
    """The files of the build the cache folder points at, or None when there is none."""
    folder = cache_folder(store_path)
    build = current_build(folder)
    return None if build is None else CacheFiles.of(folder, build)


def _inputs_fresh(
    meta: dict[str, str],
    store_path: Path,
    allow_outside: bool,
    verified: dict[str, Verified] | None = None,
    reads: dict[str, FileBytes] | None = None,
) -> bool:
    """Whether every input the cache was built from is still byte for byte what was parsed."""
    if not built_for(meta, store_path.resolve(), allow_outside):
        return False
    read_at = float(meta.get("read_at", "0"))
    inputs = json.loads(meta.get("inputs", "[]"))
    if not inputs or not all(input_unchanged(entry, store_path.parent, read_at, verified, reads) for entry in inputs):
        return False
    if not allow_outside and not articles_inside(inputs, store_path.parent):
        return False
    # The include patterns are read again, so a file added beside the included ones is noticed.
    if "include" not in meta:  # includes.META: a store in one file imports nothing more
        return True
    from .includes import still_matches

    return still_matches(store_path, meta)


class _Damaged(Exception):
    """The cache files are not what was written: rebuild them, and say so."""


def _check_seal(files: CacheFiles) -> bool:
    """Raise _Damaged unless both files are byte for byte what their seal recorded; False for a build an
    older kztj sealed in JSON (outdated, not damaged)."""
    try:
        seal = read_seal(files.seal)
        for file, key in ((files.main, "main"), (files.fts, "fts")):
            recorded = seal[key]
            if sealed_identity(file, recorded):
                continue
            try:
                digest = _seal_digest(file)
            except ValueError as error:  # a FIFO, a device or a folder in its place
                raise _Damaged(f"{file.name} {error}") from None
            if digest != recorded.digest:
                raise _Damaged(f"{file.name} changed after it was written")
    except FileNotFoundError as error:
        if not files.seal.exists() and os.path.exists(old_seal_file(files.seal)):
            return False
        raise _Damaged(f"{Path(error.filename or '').name} is missing") from None
    except (OSError, ValueError) as error:
        raise _Damaged(f"its seal is unreadable ({error})") from None
    return True


def _seal_digest(path: Path) -> str:
    """A checksum of a cache file, read in blocks: it catches damage (the inputs get a real hash).

    ValueError for a file that is not regular: a FIFO or /dev/zero put there would never end the read.
    """
    checksum = 0
    with os.fdopen(open_regular(path)[0], "rb") as file:
        while block := file.read(1 << 20):
            checksum = zlib.crc32(block, checksum)
    return f"crc32:{checksum:08x}"


def _write_verified(files: CacheFiles, found: dict[str, Verified]) -> None:
    """Add what was verified to the build's record, atomically; a cache that cannot be written just hashes again.

    Every entry is true whoever wrote it and whenever (the bytes of that identity hashed to what the
    build parsed), so entries another process wrote meanwhile are kept beside this one's, and a
    record written beside a build another process has just replaced is never read (the next build
    removes it). No lock is taken: a warm command never waits for a builder.
    """
    target = Path(verified_file(files.seal))
    verified = {**read_verified(files.seal), **found}
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{time.time_ns()}.tmp")
    try:
        temporary.write_text(verified_text(verified), encoding="ascii")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _open_cached(
    files: CacheFiles,
    store_path: Path,
    allow_outside: bool,
    just_built: bool = False,
    reads: dict[str, FileBytes] | None = None,
) -> Store | None:
    """The cached store if it is fresh; None if it is outdated; raises _Damaged if it is broken.

    A build just written describes exactly the bytes it parsed, so its inputs are not checked again.
    Files read to find out are left in ``reads``.
    """
    if not _check_seal(files):
        return None
    try:
        conn = sqlite3.connect(database_uri(files.main), uri=True, check_same_thread=False)
    except sqlite3.Error as error:
        raise _Damaged(str(error)) from None
    try:
        conn.execute("ATTACH DATABASE ? AS idx", (database_uri(files.fts),))
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if not just_built:
            verified = read_verified(files.seal)
            known = dict(verified)
            if not _inputs_fresh(meta, store_path, allow_outside, verified, reads):
                conn.close()
                return None
            if verified != known:
                _write_verified(files, {key: entry for key, entry in verified.items() if known.get(key) != entry})
        return Store(conn, store_path)
    except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, RecursionError) as error:
        conn.close()  # RecursionError: json refusing to nest a damaged meta's arrays 100,000 deep
        raise _Damaged(str(error)) from None
    except BaseException:
        conn.close()
        raise


def _tidy(folder: Path, keep: str | None) -> None:
    """Delete every build but ``keep``, and temporary files, except what a live kztj is writing now.

    Only files named as kztj names them (``_owned``): whatever else is in the folder is not kztj's to
    delete. A process still reading an older build keeps its open files: on POSIX, unlinking them is safe.
    """
    for file in folder.iterdir():
        owned = _owned(file.name)
        if owned is None:
            continue
        build, owner = owned
        if build is not None and build == keep:
            continue
        if owner != os.getpid() and _alive(owner):
            continue
        with contextlib.suppress(OSError):
            if file.is_dir() and not file.is_symlink():  # damage under a build's name: kztj never makes one
                _remove_folder(file)
            else:
                file.unlink()


def _remove_folder(folder: Path) -> None:
    """Remove a folder found where kztj keeps a file (damage: kztj makes none there), and all in it."""
    import shutil  # here: its import costs ~2 ms (zlib, bz2, lzma), and this is rare

    shutil.rmtree(folder, ignore_errors=True)


def _owned(name: str) -> tuple[str | None, int] | None:
    """(build, pid of its writer) of a file kztj writes in a cache folder, or None for any other name.

    A build's files (``build_file_names``, its verified record, and SQLite's journal should one be left:
    builds write none) belong to their build; a pointer or verified record being written
    (``.current.PID.tmp``, ``.BUILD.verified.PID.NS.tmp``) to no build. ``current`` and the lock are
    left to their owners. Numbers are as kztj writes them: ASCII digits, a pid without a leading zero.
    """
    if name.startswith(".current.") and name.endswith(".tmp"):
        pid = name[len(".current.") : -len(".tmp")]
        return (None, int(pid)) if _is_pid(pid) else None
    build = name.removeprefix(".").split(".", 1)[0]
    writer, dash, stamp = build.partition("-")
    if not (_is_pid(writer) and dash and stamp.isascii() and stamp.isdigit()):
        return None
    main, fts, seal = build_file_names(build)
    verified = os.path.basename(verified_file(seal))
    if name in (main, fts, seal, old_seal_file(seal), verified, f"{main}-journal", f"{fts}-journal"):
        return build, int(writer)
    temporary = f".{verified}."
    if name.startswith(temporary) and name.endswith(".tmp"):
        pid, _, stamp = name[len(temporary) : -len(".tmp")].partition(".")
        if _is_pid(pid) and stamp.isascii() and stamp.isdigit():
            return None, int(pid)
    return None


def _is_pid(text: str) -> bool:
    """Whether ``text`` is a process id as kztj writes one (``str(os.getpid())``)."""
    return text.isascii() and text.isdigit() and not text.startswith("0") and len(text) <= 10


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # someone else's process, or no pid at all: leave its files alone
    return True


def _write_seal(files: CacheFiles) -> None:
    sealed = {
        key: Sealed(_seal_digest(file), identity_of(file)) for key, file in (("main", files.main), ("fts", files.fts))
    }
    files.seal.write_text(seal_text(sealed), encoding="ascii")


def _point_at(folder: Path, build: str) -> None:
    """Make ``build`` the current one, atomically: readers see the old build or the new, never a mix."""
    temporary = folder / f".current.{os.getpid()}.tmp"
    temporary.write_text(build + "\n", encoding="ascii")
    pointer = folder / "current"
    if pointer.is_dir() and not pointer.is_symlink():  # damage no build could replace: every run would rebuild
        _remove_folder(pointer)
    os.replace(temporary, pointer)


def open_store(
    store_path: Path | str,
    use_cache: bool = True,
    progress: Progress | None = None,
    allow_outside_articles: bool = False,
    notice: Notice | None = None,
    *,
    fork: bool = False,
) -> Store:
    """Open a store, from the cache when it is fresh and whole; otherwise load, validate and (re)build it.

    ``notice`` is told, in one line, when a damaged cache is dropped. ``fork`` is the caller's
    decision that a load or build may split its work with a forked child (see forking.py: the
    command line's, never the browser's). Raises errors.StoreError when the store file is invalid.
    """
    store_path = Path(store_path)
    folder = cache_folder(store_path)
    if not use_cache:
        with collection.paused():
            return _load_and_build(store_path, folder, False, progress, allow_outside_articles, fork)
    _removed_link(folder)  # a link there would make another folder (the store's, say) one kztj tidies
    reads: dict[str, FileBytes] = {}  # inputs read while checking the cache, for an update to reuse
    seen = current_files(store_path)
    found = _open_current(seen, store_path, allow_outside_articles, reads)
    if isinstance(found, Store):
        return found
    # Missing, outdated or damaged: one process at a time builds (the others wait here, then open
    # its build), so concurrent runs leave one build and never drop a build another just made.
    with _build_lock(folder, progress):
        files = current_files(store_path)
        if files != seen:  # another process built, updated or dropped the cache while this one waited
            found = _open_current(files, store_path, allow_outside_articles, reads)
            if isinstance(found, Store):
                return found
        if isinstance(found, _Damaged):
            if notice:
                notice(f"the cache in {folder} was damaged ({found}); rebuilding it")
            _drop(folder)
            files = None
        if files is not None:
            updated = _updated(files, folder, store_path, allow_outside_articles, reads)
            if updated is not None:
                return updated
        with collection.paused():  # the load and the build allocate millions of objects and no cycles
            return _load_and_build(store_path, folder, True, progress, allow_outside_articles, fork)


def _open_current(
    files: CacheFiles | None, store_path: Path, allow_outside: bool, reads: dict[str, FileBytes]
) -> Store | _Damaged | None:
    """The cached store if ``files`` is a fresh build; None if there is none or it is outdated; the damage if broken."""
    if files is None:
        return None
    try:
        return _open_cached(files, store_path, allow_outside, reads=reads)
    except _Damaged as damage:
        return damage


# The lock file in a cache folder, there only while a process builds or updates the cache.
_LOCK = "lock"


@contextlib.contextmanager
def _build_lock(folder: Path, progress: Progress | None) -> Iterator[None]:
    """Hold the cache folder's lock for the block: no other kztj builds, updates or drops this cache meanwhile.

    Where there can be no lock (no folder, no ``flock``), the block runs without one: the build
    then fails the same way and the store is answered from memory, or builds alone as it used to.
    """
    descriptor = _lock(folder / _LOCK, progress)
    try:
        yield
    finally:
        if descriptor is not None:
            _unlock(folder / _LOCK, descriptor)


def _lock(path: Path, progress: Progress | None) -> int | None:
    """Take the lock on ``path``, waiting while another process holds it; its descriptor, or None if it cannot."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform
        return None
    for _ in range(100):  # a try only fails when a holder removed the file (or the folder) meanwhile
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Not through a link: a lock file made a symlink must not create a file outside the cache.
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
            descriptor = os.open(path, flags, 0o666)
        except FileNotFoundError:
            continue  # the folder was removed between the two
        except OSError:
            if _removed_link(path):
                continue  # a symlink is never a lock kztj holds: the next try creates a real one
            return None
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if progress:
                    progress("waiting", 0.0)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            # The holder removes the file before it lets go: a lock on a removed file guards nothing
            # (the next process creates a new one), so lock whatever file is there now.
            if os.path.samestat(os.fstat(descriptor), os.stat(path)):
                return descriptor
        except FileNotFoundError:
            pass
        except OSError:  # a file system without locks
            os.close(descriptor)
            return None
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)
    return None


def _removed_link(path: Path) -> bool:
    """Remove ``path`` if it is a symlink (kztj makes its cache folders and lock files, never links); whether it was."""
    # Not atomic: if two processes find the link at once, one may remove the lock file the other has
    # just made and locked, and both build. That is what every build did while the link stayed (no lock
    # at all), and harmless: a build is switched in atomically, so a reader never sees a mix.
    try:
        if not path.is_symlink():
            return False
        path.unlink()
    except FileNotFoundError:
        pass  # another process removed it first
    except OSError:
        return False
    return True


def _unlock(path: Path, descriptor: int) -> None:
    """Remove the lock file (and the folder, if nothing was built in it), then let go of the lock.

    In that order: see ``_lock``.
    """
    import fcntl

    with contextlib.suppress(OSError):
        path.unlink()
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # left empty by a store that did not load: no trace of it
    # Unlocked before it is closed: a forked child (the index writer) may still hold the descriptor.
    with contextlib.suppress(OSError):
        fcntl.flock(descriptor, fcntl.LOCK_UN)
    os.close(descriptor)


def _load_and_build(
    store_path: Path, folder: Path, use_cache: bool, progress: Progress | None, allow_outside_articles: bool, fork: bool
) -> Store:
    """Load the store in full, and build its cache (or an in-memory store, when there is no cache)."""
    from .loader import load  # only a cache miss pays for the YAML, schema and EDTF imports
    from .storebuild import IndexBuild, build, from_loaded

    read_at = time.time()
    build_id = _new_build_id()
    files = CacheFiles.of(folder, build_id)
    index: IndexBuild | None = None

    def start_index(loaded: LoadedStore) -> None:
        # The index is written while the loader checks references and this process writes the events.
        nonlocal index
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return  # no cache: the build below fails the same way and falls back to memory
        index = IndexBuild(loaded, str(files.fts), build_id, fork=fork)

    built = False
    try:
        loaded = load(
            store_path, progress, allow_outside_articles, on_assembled=start_index if use_cache else None, fork=fork
        )
        meta = {
            "build": build_id,
            "kztj": __version__,
            "store": path_text(store_path.resolve()),
            "python": PYTHON_VERSION,
            "read_at": repr(read_at),
            "allow_outside": str(int(allow_outside_articles)),
            "inputs": json.dumps([entry._asdict() for entry in loaded.inputs]),
        }
        if not use_cache:
            return from_loaded(loaded, meta)
        try:
            if index is None:  # no folder when the loader asked for the index: try once more
                folder.mkdir(parents=True, exist_ok=True)
                index = IndexBuild(loaded, str(files.fts), build_id, fork=fork)
            build(loaded, str(files.main), index, meta, progress)
            _write_seal(files)
            _point_at(folder, build_id)
            built = True
        except (OSError, sqlite3.Error, ValueError):
            pass  # an unwritable cache must not stop the user: the store is answered from memory
        with contextlib.suppress(OSError):
            _tidy(folder, keep=build_id)
    finally:
        if index is not None and not built:
            index.cancel()  # whatever stopped the load or the build, no index child outlives it
    if not built:
        return from_loaded(loaded, meta)
    try:
        reopened = _open_cached(files, store_path, allow_outside_articles, just_built=True)
    except _Damaged:
        reopened = None
    return reopened if reopened is not None else from_loaded(loaded, meta)


def _new_build_id() -> str:
    """A build's id: the pid of the process writing it (``_tidy`` reads it back), then a unique time."""
    return f"{os.getpid()}-{time.time_ns()}"


def _updated(
    files: CacheFiles, folder: Path, store_path: Path, allow_outside: bool, reads: dict[str, FileBytes]
) -> Store | None:
    """The store after an edit, from the outdated cache updated in place of a full load; None if it cannot be."""
    from .update import apply

    build_id = _new_build_id()
    new = CacheFiles.of(folder, build_id)
    try:
        if not apply(store_path, files, new, allow_outside, reads.get(store_path.name)):
            return None
        _write_seal(new)
        _point_at(folder, build_id)
        _tidy(folder, keep=build_id)
        return _open_cached(new, store_path, allow_outside, just_built=True)
    except (OSError, sqlite3.Error, _Damaged):
        return None


def drop(store_path: Path | str) -> None:
    """Remove a store's cache, so the next open rebuilds it."""
    folder = cache_folder(Path(store_path))
    if _removed_link(folder) or not folder.is_dir():
        return
    with _build_lock(folder, None):
        _drop(folder)


def _drop(folder: Path) -> None:
    try:
        (folder / "current").unlink(missing_ok=True)
        _tidy(folder, keep=None)
    except OSError:
        pass


__all__ = ["CacheFiles", "Notice", "cache_folder", "current_files", "drop", "open_store"]
