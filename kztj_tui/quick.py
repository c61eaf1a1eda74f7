"""``kztj [--events PATH] search WORDS [--events PATH]`` to a pipe or a terminal, before the command line loads.

A warm search is mostly start-up: argparse, pathlib, the loader and the rest of :mod:`.cli` cost
more than the search itself. This answers the common form with what it needs (the trusted cache,
:class:`.store.Store` and its query compiler) and writes exactly what :func:`.cli.cmd_search`
writes. Anything else, or anything in doubt, returns None and :mod:`.cli` runs as if this did not
exist: options other than ``--events``, forced colour, ``note:``, a cache
that needs a hash or a build, a query that does not parse.
"""

from __future__ import annotations

import os
import sys

from .lean_sqlite import sqlite3
from .lean_typing import TYPE_CHECKING
from .streams import EXIT_ERROR, EXIT_NO_MATCH, EXIT_OK, Watched, output_failed, output_files, say
from .warm import open_trusted

if TYPE_CHECKING:
    from .query import Query
    from .store import Store

# The options this answers; any other word starting with ``--`` (or ``-h``) is left to argparse.
# tests/test_quick.py checks these are options of ``kztj search`` that take one value.
OPTIONS_WITH_VALUE = ("--events",)


def _arguments(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(--events value or None, the query's words) of ``search``'s arguments, or None if they are not plain."""
    events, terms = None, []
    position = 0
    while position < len(argv):
        token = argv[position]
        name, equals, value = token.partition("=")
        if name in OPTIONS_WITH_VALUE:
            if not equals:
                if position + 1 >= len(argv) or argv[position + 1].startswith("-"):
                    return None  # argparse takes no value that looks like an option: it says so
                position += 1
                value = argv[position]
            events = value
        elif token.startswith("--") or name in ("-h", "-"):  # "-h=x" too: argparse refuses it
            return None
        else:
            terms.append(token)
        position += 1
    return events, terms


def _colour_forced() -> bool:
    """Whether the environment asks for colour on a pipe (cli._color's FORCE_COLOR and CLICOLOR_FORCE)."""
    return bool(os.environ.get("FORCE_COLOR")) or os.environ.get("CLICOLOR_FORCE", "0") not in ("", "0")


def search(argv: list[str]) -> int | None:
    """Run ``kztj search`` with these arguments and return its exit status, or None to leave it to :mod:`.cli`."""
    parsed = _arguments(argv)
    if parsed is None or _colour_forced():
        return None
    events, terms = parsed
    text = " ".join(terms)
    if not text.strip() or "note:" in text.lower() or events in ("-", "") or any(_undecodable(t) for t in argv):
        return None
    from .locations import default_store_file
    from .query import QueryError, parse

    try:
        query = parse(text)
    except QueryError:
        return None  # cli says why
    if not query:
        return None  # nothing to search for: cli says so
    store = open_trusted(events or default_store_file(), outputs=output_files())
    if store is None:
        return None
    out = Watched(sys.stdout)
    try:
        if out.isatty():
            return _table(store, query, out)
        for lines in store.search_lines(None, query=query):
            out.write(lines)
        out.flush()
    except sqlite3.DatabaseError as error:
        if not out.written:
            return None  # cli drops the damaged cache and answers from a fresh build
        from .cache import drop

        drop(store.path)
        say(f"the cache was damaged while reading it ({error}); it was removed, run again")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # the reader went away (`| head`), or stdout cannot be written: as cli says it
        return output_failed(error, out)
    finally:
        store.close()
    return EXIT_OK if out.written else EXIT_NO_MATCH


def _table(store: Store, query: Query, out: Watched) -> int:
    """The table ``kztj search`` draws on a terminal (:func:`.searchview.search_table`, as cli draws it)."""
    from .searchview import search_table, terminal

    table = terminal("auto", out)
    assert table is not None  # stdout is a terminal
    return EXIT_OK if search_table(store, None, query, out, table) else EXIT_NO_MATCH


def _undecodable(token: str) -> bool:
    """Whether Python could not decode an argument (its bytes kept as lone surrogates): cli decodes it or says why."""
    return not token.isprintable() and any("\udc80" <= char <= "\udcff" for char in token)
