"""Writing an export where the user asked: atomically, with sane permissions, never over the store."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .store import Store


class OutputError(OSError):
    """The output could not be written; the message names the user's path, never a temporary file."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(reason)
        self.filename = shown
        self.strerror = reason

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _is_protected(real: Path, protect: Iterable[Path]) -> bool:
    for path in protect:
        try:
            if real == Path(os.path.realpath(path)) or (real.exists() and os.path.samefile(real, path)):
                return True
        except OSError:
            continue
    return False


def write_output(
    target: str | Path, chunks: Iterable[str], protect: Iterable[Path] = (), stdout: TextIO | None = None
) -> None:
    """Write chunks to target: ``-`` is stdout; a FIFO or device is written in place; a file is replaced atomically.

    A symlink is followed and its target replaced. A new file gets 0666 less the umask, an existing
    one keeps its mode. Paths in ``protect`` (the store and its articles) are never written.
    Raises OutputError naming ``target``.
    """
    shown = str(target)
    if shown == "-":
        out = stdout or sys.stdout
        for chunk in chunks:
            out.write(chunk)
        out.flush()
        return
    real = Path(os.path.realpath(target))
    if _is_protected(real, protect):
        raise OutputError(shown, "refusing to overwrite the store or one of its articles")
    try:
        existing: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise OutputError(shown, "is a directory")
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_in_place(real, shown, chunks)
    else:
        _replace(real, shown, chunks, existing)


def _write_in_place(real: Path, shown: str, chunks: Iterable[str]) -> None:
    """A FIFO, terminal or device: replacing it would break it, so write straight into it."""
    try:
        with open(real, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None


def _create_temporary(real: Path) -> tuple[int, Path]:
    # O_EXCL with mode 0666 lets the kernel apply the umask, as for any file a program creates
    # (mkstemp would give 0600 and reading the umask is not thread-safe).
    for _ in range(100):
        temporary = real.with_name(f".{real.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {real.name}")


def _replace(real: Path, shown: str, chunks: Iterable[str], existing: os.stat_result | None) -> None:
    """Write a temporary file beside the target, then rename it over the target."""
    try:
        descriptor, temporary = _create_temporary(real)
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None
    try:
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
        os.replace(temporary, real)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise OutputError(shown, _reason(error)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(target: Path, chunks: Iterable[str], protect: Iterable[Path] = ()) -> None:
    """The browser's export: :func:`write_output` to a path (kept under this name for callers)."""
    write_output(target, chunks, protect)


def store_files(store: Store) -> list[Path]:
    """The files an export must never overwrite: the store file and every article it cites."""
    return [store.path, *(store.path.parent / source.file for source in store.sources.values())]
