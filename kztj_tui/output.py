"""Writing an export where the user asked: atomically, with sane permissions, never over the store."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .forking import ending_signals
from .streams import discard, regular_file
from .text import visible

if TYPE_CHECKING:
    from types import FrameType

    from .store import Store


# Temporary files being written, by any thread: a process ended by a signal while a worker thread
# writes one (the browser's export) removes them on its way out (remove_temporaries).
_TEMPORARIES: set[Path] = set()
_TEMPORARIES_LOCK = threading.Lock()


def remove_temporaries() -> None:
    """Remove every temporary file a write in progress holds (its writer's rename then fails, harmlessly)."""
    with _TEMPORARIES_LOCK:
        for temporary in _TEMPORARIES:
            with contextlib.suppress(OSError):
                temporary.unlink()
        _TEMPORARIES.clear()


class OutputError(OSError):
    """The output could not be written; the message names the user's path, never a temporary file."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(reason)
        self.filename = shown
        self.strerror = reason

    def __str__(self) -> str:
        return f"{visible(self.filename) if self.filename else repr(self.filename)}: {self.strerror}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths name one file, whether or not it exists yet: one spelling, a link or a hard link."""
    try:
        return os.path.realpath(first) == os.path.realpath(second) or os.path.samefile(first, second)
    except OSError:
        return False


# A file never to write: by its path, or by its identity (a store read from stdin has no path).
Protected = Path | os.stat_result


def _is_one_of(identity: os.stat_result, protect: Iterable[Protected]) -> bool:
    """Whether a file (its ``stat``) is one of the protected files that exist."""
    for entry in protect:
        try:
            if os.path.samestat(identity, entry if isinstance(entry, os.stat_result) else os.stat(entry)):
                return True
        except OSError:
            continue
    return False


def _is_protected(real: Path, protect: Iterable[Protected]) -> bool:
    """Whether a resolved path names a protected file: the same path (it may not exist yet), or the same file."""
    protect = list(protect)
    if any(same_file(real, entry) for entry in protect if not isinstance(entry, os.stat_result)):
        return True
    try:
        return _is_one_of(os.stat(real), [entry for entry in protect if isinstance(entry, os.stat_result)])
    except OSError:
        return False  # nothing there yet


ONTO_STORE = "refusing to overwrite the store or one of its articles"


def refuse_outputs_onto(protect: Iterable[Protected], stdout: bool = True) -> None:
    """Raise OutputError if stderr, or stdout when the command writes there, is open on a protected file.

    Every command checks it before it writes (`kztj check >> events.yaml`, `kztj tags 2>> events.yaml`);
    ``protect`` is usually ``store_files(store)``. A stderr open on one is sent to /dev/null first, so
    that not even the refusal lands there (`kztj tags >> events.yaml 2>&1`).
    """
    protect = list(protect)
    stderr = regular_file(2)
    if stderr is not None and _is_one_of(stderr, protect):
        discard(sys.stderr)
        raise OutputError("-", ONTO_STORE)
    opened = regular_file(1) if stdout else None
    if opened is not None and _is_one_of(opened, protect):
        raise OutputError("-", ONTO_STORE)


def _is_protected_descriptor(descriptor: int, protect: Iterable[Protected]) -> bool:
    """Whether a descriptor is open on a protected file (`kztj export >> events.yaml`)."""
    try:
        return _is_one_of(os.fstat(descriptor), protect)
    except OSError:
        return False  # not open: writing will say so


def write_output(
    target: str | Path,
    chunks: Iterable[str],
    protect: Iterable[Protected] = (),
    stdout: TextIO | None = None,
    outside: Store | None = None,
) -> None:
    """Write chunks to target: ``-`` is stdout; a FIFO or device is written in place; a file is replaced atomically.

    ``/dev/stdout``, ``/dev/fd/N`` and ``/proc/self/fd/N`` are this process's own descriptors, written
    as they are (appending where the shell appends). A symlink is followed and its target replaced. A
    new file gets 0666 less the umask, an existing one keeps its mode. Paths in ``protect`` (the store
    and its articles) are never written, nor, with ``outside``, a file that store's include patterns name.
    Raises OutputError naming ``target``; a reader that went away is a BrokenPipeError, as on stdout.
    """
    shown = str(target)
    with _signals_raise():
        try:
            if outside is not None and _into_store(outside, shown):
                raise OutputError(shown, INTO_STORE)
            _write(shown, chunks, protect, stdout)
        except BaseException:
            # A generator export may hold a child process (export/parallel.py): end it now, before
            # the signal is delivered again, not whenever the generator is collected.
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            raise


def _write(shown: str, chunks: Iterable[str], protect: Iterable[Protected], stdout: TextIO | None) -> None:
    if not shown:
        raise OutputError(shown, "is not a file name ('-' is stdout)")
    descriptor = 1 if shown == "-" else _own_descriptor(shown)
    if descriptor is not None:
        if _is_protected_descriptor(descriptor, protect):
            raise OutputError(shown, ONTO_STORE)
        _write_descriptor(descriptor, shown, chunks, stdout)
        return
    if os.path.basename(shown) in ("", ".", ".."):
        # `-o new.md/` must not quietly write new.md: a name ending in a slash is a directory's.
        raise OutputError(shown, "is a directory" if os.path.isdir(shown) else "names a directory, not a file")
    real = Path(os.path.realpath(shown))
    if _is_protected(real, protect):
        raise OutputError(shown, ONTO_STORE)
    try:
        # The path as given, not its realpath: /proc/PID/fd/N names a pipe its realpath does not.
        existing: os.stat_result | None = os.stat(shown)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise OutputError(shown, "is a directory")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_in_place(shown, chunks)
        return
    if existing is not None:
        _may_write(shown)
    # The path as given, unless it is a link (whose target is replaced): a relative path keeps working
    # where the absolute one would be too long for the system (a working folder kilobytes deep). Its
    # folders are resolved again by the rename: a folder link swapped since the check above could move
    # the write (a race only someone who can change the user's folders can run).
    _replace(real if os.path.islink(shown) else Path(shown), shown, chunks, existing)


def _may_write(shown: str) -> None:
    """Raise OutputError unless the user may write the existing file ``shown``: renaming over a file takes only
    its folder's permission, and a file the user made read-only is refused, as the shell's ``>`` refuses it."""
    try:
        # Opened for writing, not truncated, and closed: the kernel's own answer, with its reason
        # (read-only, or a read-only file system), for the effective user, as the shell would get.
        os.close(os.open(shown, os.O_WRONLY))
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None


# Where a process's descriptors appear as files: Linux (/dev/fd is a link to /proc/self/fd) and the BSDs.
_DESCRIPTOR_FOLDERS = ("/proc/self/fd", "/dev/fd")


def _own_descriptor(path: str) -> int | None:
    """The descriptor of this process that path names through links (/dev/stdout, /dev/fd/N), or None.

    Opening /proc/self/fd/1 opens its file again, at offset 0 and without O_APPEND, and cannot
    reopen a socket: writing to the descriptor itself is what `-o /dev/stdout >> log` means.
    """
    folders = {os.path.realpath(folder) for folder in _DESCRIPTOR_FOLDERS if os.path.isdir(folder)}
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        folder, name = os.path.split(current)
        if name.isascii() and name.isdigit() and os.path.realpath(folder) in folders:
            return int(name)
        try:
            link = os.readlink(current)
        except OSError:
            return None
        current = os.path.join(os.path.realpath(folder), link)
    return None


def _utf8(stream: TextIO) -> None:
    """Make ``stream`` write UTF-8: every export format is UTF-8, whatever the locale says a terminal takes.

    Under ``PYTHONIOENCODING=ascii`` or a C locale, launch's ``backslashreplace`` wrote ``’`` as the six
    characters ``\\u2019``: a CSV or a store export whose quotes no longer match their articles.
    """
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    reconfigure = getattr(stream, "reconfigure", None)
    if encoding not in ("utf-8", "utf8") and reconfigure is not None:
        stream.flush()
        reconfigure(encoding="utf-8")


def _write_descriptor(descriptor: int, shown: str, chunks: Iterable[str], stdout: TextIO | None) -> None:
    """Write to one of this process's open descriptors, through sys.stdout for stdout (its buffer comes first)."""
    if descriptor == 1:
        _utf8(sys.stdout)
        out = stdout or sys.stdout
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    try:
        # A descriptor the caller handed over (2>, 3>, a shell's >(...)) is inheritable; the ones
        # kztj opens itself (the cache, an article) are not, and are no place for an export.
        if not os.get_inheritable(descriptor):
            raise OutputError(shown, "not a descriptor kztj was given")
        with os.fdopen(os.dup(descriptor), "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except BrokenPipeError:
        raise  # the reader went away, as with `| head`: not an error of ours
    except OSError as error:
        if isinstance(error, OutputError):
            raise
        raise OutputError(shown, _reason(error)) from None


def _write_in_place(shown: str, chunks: Iterable[str]) -> None:
    """A FIFO, terminal or device: replacing it would break it, so write straight into it."""
    try:
        with open(shown, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except BrokenPipeError:
        raise  # the reader went away, as with `| head`: not an error of ours
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _temporary_name(name: str, limit: int) -> str:
    """``.NAME.XXXXXXXX.tmp``, with NAME shortened so the whole fits in ``limit`` bytes."""
    suffix = f".{os.urandom(4).hex()}.tmp"
    stem = name
    while stem and len(os.fsencode(f".{stem}{suffix}")) > limit:
        stem = stem[:-1]
    return f".{stem}{suffix}"


class _Signalled(BaseException):
    """A signal that ends the process arrived while a temporary file existed."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Within this block, SIGINT, SIGTERM and SIGHUP raise, so cleanup runs; after it, the signal is delivered again.

    Only signals that would end the process with no cleanup (their default action, or Python's
    KeyboardInterrupt) are caught; one the user ignores stays ignored, one a program handles stays its.
    A second signal during the cleanup is absorbed: the first is delivered again once it is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers (the browser exports from a worker)
        return
    raised: list[int] = []

    def handler(number: int, frame: FrameType | None) -> None:
        if not raised:
            raised.append(number)
            raise _Signalled(number)

    previous = {}
    for number in ending_signals():
        current = signal.getsignal(number)
        if current in (signal.SIG_DFL, signal.default_int_handler):
            previous[number] = current
            signal.signal(number, handler)
    try:
        yield
    except _Signalled as signalled:
        for number, current in previous.items():
            signal.signal(number, current)
        previous = {}
        signal.raise_signal(signalled.number)  # ends the process as the signal would have, or raises KeyboardInterrupt
        raise
    finally:
        for number, current in previous.items():
            signal.signal(number, current)


def _replace(target: Path, shown: str, chunks: Iterable[str], existing: os.stat_result | None) -> None:
    """Write a temporary file beside ``target`` (``shown``, or the file its link names), then rename it over it."""
    limit = _name_max(target.parent)
    if len(os.fsencode(target.name)) > limit:
        raise OutputError(shown, os.strerror(errno.ENAMETOOLONG))
    temporary: Path | None = None
    try:
        # O_EXCL with mode 0666 lets the kernel apply the umask, as for any file a program creates
        # (mkstemp would give 0600 and reading the umask is not thread-safe). The name is known
        # before the file exists, so a signal (write_output makes it an exception) finds what to remove.
        for _ in range(100):
            temporary = target.with_name(_temporary_name(target.name, limit))
            try:
                with _TEMPORARIES_LOCK:
                    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                    _TEMPORARIES.add(temporary)
                break
            except FileExistsError:
                temporary = None
        else:
            raise FileExistsError(f"no free temporary name beside {target.name}")
        if existing is not None:
            os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
            if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only root may give a file away; the mode is what matters
                    os.fchown(descriptor, existing.st_uid, existing.st_gid)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        _forget(temporary)
        temporary = None
    except OSError as error:
        if temporary is not None:
            _remove_temporary(temporary)
        raise OutputError(shown, _reason(error)) from None
    except BaseException:
        if temporary is not None:
            _remove_temporary(temporary)
        raise


def _remove_temporary(temporary: Path) -> None:
    """Remove a temporary file; one that cannot be removed (a read-only file system) is not the error to report."""
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)
    _forget(temporary)


def _forget(temporary: Path) -> None:
    with _TEMPORARIES_LOCK:
        _TEMPORARIES.discard(temporary)


def write_export(store: Store, target: str | Path, chunks: Iterable[str], stdout: TextIO | None = None) -> None:
    """Write an export of ``store`` (``kztj export -o``, the browser's): never over its files or into its patterns."""
    write_output(target, chunks, protect=store_files(store), stdout=stdout, outside=store)


def store_files(store: Store) -> list[Protected]:
    """The files an export must never overwrite: the store file, the files it includes and every article it cites.

    A store read from stdin (``--events - < events.yaml``) has no path of its own: the file stdin is
    open on, when it is one, is protected in its place, by its identity.
    """
    from .includes import included_paths
    from .locations import STDIN_NAME

    files: list[Protected] = [
        store.path,
        *included_paths(store.path, store.meta),
        *(store.path.parent / source.file for source in store.sources.values()),
    ]
    if str(store.path) == STDIN_NAME:
        with contextlib.suppress(OSError):
            opened = os.fstat(0)
            if stat.S_ISREG(opened.st_mode):  # not a terminal or a pipe, which stdout may share
                files.append(opened)
    return files


INTO_STORE = "refusing to write into the store: one of its include patterns names this file"


def _into_store(store: Store, target: str) -> bool:
    """Whether writing ``target`` would add a file to the store: one of its include patterns names it (or the
    file it links to, which is what a write replaces). Only an export is refused: ``kztj ingest`` writes there."""
    from .includes import would_include

    if target in ("", "-"):
        return False
    return any(would_include(store.path, store.meta, Path(path)) for path in (target, os.path.realpath(target)))
