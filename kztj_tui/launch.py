"""The ``kztj`` command: a search for words on a warm cache is answered by :mod:`.quick`, the rest by :mod:`.cli`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Console-script entry point."""
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
    argv = sys.argv[1:]
    if argv[:1] == ["search"]:
        from .quick import search

        status = search(argv[1:])
        if status is not None:
            sys.exit(status)
    from .cli import entry

    entry()
