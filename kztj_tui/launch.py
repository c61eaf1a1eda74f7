"""The ``kztj`` command: a piped search on a warm cache is answered by :mod:`.quick`, everything else by :mod:`.cli`."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    if argv[:1] == ["search"]:
        from .quick import search

        status = search(argv[1:])
        if status is not None:
            sys.exit(status)
    from .cli import entry

    entry()
