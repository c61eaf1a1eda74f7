"""Where commands write: the one interface a table or a listing needs, a stream that tells whether it was used,
and the one-line messages on stderr."""

from __future__ import annotations

import os
import stat  # imported by os: free
import sys

from .lean_typing import TYPE_CHECKING

# Exit status, as grep and ripgrep give it: found, nothing found, an error.
EXIT_OK, EXIT_NO_MATCH, EXIT_ERROR = 0, 1, 2

if TYPE_CHECKING:  # annotations only: typing is not imported on the warm path
    from collections.abc import Iterable
    from typing import Protocol, TextIO

    class Output(Protocol):
        """What a command writes to: ``sys.stdout``, a file or a :class:`Watched` one."""

        def write(self, text: str, /) -> int: ...

        def isatty(self) -> bool: ...


class Watched:
    """An output stream that remembers whether anything was written to it (a damaged cache found after
    output began cannot be answered again from a rebuild), and whether writing to it failed."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.written = False
        self.failed = False

    def write(self, text: str, /) -> int:
        self.written = self.written or bool(text)
        try:
            return self.stream.write(text)
        except OSError:
            self.failed = True
            raise

    def writelines(self, lines: Iterable[str], /) -> None:
        for line in lines:
            self.write(line)

    def isatty(self) -> bool:
        return self.stream.isatty()

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            self.failed = True
            raise

    def fileno(self) -> int:
        return self.stream.fileno()

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def discard(stream: TextIO | Watched) -> None:
    """Send what is left to write to ``stream`` to /dev/null: its reader went away, or it is full, and the
    exit status must not change when Python flushes it at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, stream.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):  # no descriptor left to replace: nothing more will be written to it
        pass


def say(message: str) -> None:
    """One line on stderr: every message goes through here, so what it quotes cannot drive the terminal."""
    from .text import visible  # here: text imports unicodedata, which a warm search never needs

    error_line(f"kztj: {visible(message)}")


def error_line(text: str) -> None:
    """``text`` as a line on stderr; nothing if stderr cannot take it (a full disk): the exit status still tells."""
    try:
        print(text, file=sys.stderr)
    except OSError:
        discard(sys.stderr)


def os_error_message(error: OSError, output_failed: bool) -> str:
    """What failed and why: the file named by the error, or standard output when writing it failed."""
    where = error.filename if error.filename is not None else "standard output" if output_failed else None
    reason = error.strerror or str(error)
    return reason if where is None else f"{where}: {reason}"


def regular_file(descriptor: int) -> os.stat_result | None:
    """What a descriptor is open on if it is a regular file: the one kind that may be the store (see output.py)."""
    try:
        opened = os.fstat(descriptor)
    except OSError:
        return None  # not open: writing will say so
    return opened if stat.S_ISREG(opened.st_mode) else None


def output_files() -> list[os.stat_result]:
    """The regular files stdout and stderr are open on: kztj checks none of them is the store before it writes."""
    return [opened for opened in (regular_file(1), regular_file(2)) if opened is not None]


def output_failed(error: OSError, out: Watched | None, status: int = EXIT_OK) -> int:
    """The exit status after a command raised ``error``: ``status`` (its own answer) if its reader went away.

    A reader that goes (``| head``) is not an error of ours; any other failure, of stdout or a file, is one
    line on stderr naming it (standard output when writing that failed), and status 2.
    """
    failed = out is not None and out.failed
    if isinstance(error, BrokenPipeError) or failed:
        discard(sys.stdout)  # what is left in its buffer must not fail again when Python flushes it at exit
    if isinstance(error, BrokenPipeError):
        return status
    say(os_error_message(error, failed))
    return EXIT_ERROR
