"""The ``kztj`` command: a search for words on a warm cache is answered by :mod:`.quick`, the rest by :mod:`.cli`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Console-script entry point."""
    try:
        _start()
    except KeyboardInterrupt:  # Ctrl-C in the first ~40 ms, while cli is imported: its own handling is not in place
        sys.exit(130)


def _start() -> None:
    """Answer a warm search at once, or hand the command line to cli."""
    if sys.stdout is None or sys.stderr is None:  # started with a closed descriptor (>&-)
        try:  # noqa: SIM105 - not contextlib.suppress: contextlib is ~0.6 ms of a warm start
            os.write(2, b"kztj: standard output or error is closed\n")
        except OSError:
            pass
        sys.exit(2)
    # A terminal or pipe that cannot take every character (PYTHONIOENCODING=ascii, a C locale) gets
    # escapes instead of a traceback; UTF-8 output is unchanged (visible() already escapes surrogates).
    reconfigure = getattr(sys.stdout, "reconfigure", None)  # a TextIOWrapper's; a replaced stdout may lack it
    if reconfigure is not None:
        try:  # noqa: SIM105
            reconfigure(errors="backslashreplace")
        except ValueError:
            pass
    arguments = _search_arguments(sys.argv[1:])
    if arguments is not None:
        from .quick import search

        status = search(arguments)
        if status is not None:
            sys.exit(status)
    from .cli import entry

    entry()


def _search_arguments(argv: list[str]) -> list[str] | None:
    """``search``'s arguments when the command line is ``kztj search …`` or ``kztj --events PATH search …``.

    The store named before the command is the same option: it goes first, so one named after the
    command still wins, as it does in argparse. Anything else is not a search, or not a plain one: None.
    """
    if argv[:1] == ["search"]:
        return argv[1:]
    if len(argv) >= 3 and argv[0] == "--events" and argv[2] == "search":
        return ["--events", argv[1], *argv[3:]]
    if len(argv) >= 2 and argv[0].startswith("--events=") and argv[1] == "search":
        return [argv[0], *argv[2:]]
    return None
