"""Plain SQLite reads of a kztj cache, the floor run.py compares kztj with; imports nothing from kztj.

``python benchmarks/sqlite_floor.py top MAIN FTS WORD N``: the N best FTS5 matches of WORD (date, id, title).
``python benchmarks/sqlite_floor.py every MAIN FTS WORD``: every match of WORD in date order (its printed line).
``python benchmarks/sqlite_floor.py rows MAIN FTS``: every cached event row, all its columns and its summary.
``python benchmarks/sqlite_floor.py highlighted MAIN FTS WORD``: every match of WORD in date order with its
title and summary highlighted by FTS5, as ``kztj search`` on a terminal reads them (two lines a match).
All open the cache's files read-only and print one tab-separated line per row.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable


def read_only(path: str) -> sqlite3.Connection:
    """A read-only connection that also accepts read-only ATTACH by URI."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def write_rows(rows: Iterable[tuple[object, ...]]) -> None:
    out = sys.stdout
    for row in rows:
        out.write("\t".join(map(str, row)) + "\n")


def top(main: str, fts: str, word: str, limit: int) -> None:
    """What ``kztj search WORD --limit N`` needs: the best-ranked matches and the three printed columns."""
    conn = read_only(main)
    conn.execute("ATTACH DATABASE ? AS idx", (f"file:{fts}?mode=ro",))
    write_rows(
        conn.execute(
            "SELECT l.date, l.id, l.title FROM idx.fts JOIN idx.lines l ON l.rowid = fts.rowid"
            " WHERE fts MATCH ? ORDER BY rank LIMIT ?",
            (word, limit),
        )
    )


def every(main: str, fts: str, word: str) -> None:
    """What ``kztj search WORD`` prints into a pipe: every match's line, in date order, from the same FTS5 query."""
    conn = read_only(main)
    conn.execute("ATTACH DATABASE ? AS idx", (f"file:{fts}?mode=ro",))
    cursor = conn.execute(
        "SELECT l.line FROM idx.fts JOIN idx.lines l ON l.rowid = fts.rowid WHERE fts MATCH ? ORDER BY fts.rowid",
        (f'"{word}"',),
    )
    out = sys.stdout
    while batch := cursor.fetchmany(8192):
        out.write("".join([row[0] + "\n" for row in batch]))


def rows(main: str, fts: str) -> None:
    """Every event row in store order, as an export reads them (with their titles and summaries), undecoded."""
    conn = read_only(main)
    conn.execute("ATTACH DATABASE ? AS idx", (f"file:{fts}?mode=ro",))
    cursor = conn.execute(
        "SELECT e.*, l.date, l.id, l.title, s.summary FROM events e JOIN idx.lines l ON l.rowid = e.rowid"
        " JOIN idx.summaries s ON s.rowid = e.rowid ORDER BY e.rowid"
    )
    while batch := cursor.fetchmany(4096):
        write_rows(batch)


def highlighted(main: str, fts: str, word: str) -> None:
    """What the table of ``kztj search WORD`` on a terminal must read: each match's date, id, and title and
    summary highlighted by FTS5's ``highlight()``, in date order; written raw (the summary cut to 50
    characters), with none of the table's fitting, escaping or colour."""
    conn = read_only(main)
    conn.execute("ATTACH DATABASE ? AS idx", (f"file:{fts}?mode=ro",))
    cursor = conn.execute(
        "SELECT e.label, l.id, highlight(fts, 0, '\x02', '\x03'), highlight(fts, 1, '\x02', '\x03') FROM idx.fts"
        " JOIN events e ON e.rowid = fts.rowid JOIN idx.lines l ON l.rowid = fts.rowid WHERE fts MATCH ?"
        " ORDER BY fts.rowid",
        (f'"{word}"',),
    )
    out = sys.stdout
    while batch := cursor.fetchmany(4096):
        out.write("".join([f"{label}  {title}  {summary[:50]}\n{id_}\n" for label, id_, title, summary in batch]))


def main() -> None:
    kind, *args = sys.argv[1:]
    if kind == "top":
        top(args[0], args[1], args[2], int(args[3]))
    elif kind == "every":
        every(args[0], args[1], args[2])
    elif kind == "rows":
        rows(args[0], args[1])
    elif kind == "highlighted":
        highlighted(args[0], args[1], args[2])
    else:
        raise SystemExit(f"unknown floor {kind!r}: top, every, rows or highlighted")


if __name__ == "__main__":
    main()
