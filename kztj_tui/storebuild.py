"""Building the cache database: a loaded store written into SQLite, and the rows the incremental update adds."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import forking
from .folding import fold
from .memo import Memo
from .model import Citation, Entity, Event, Figure, Source
from .store import Store
from .storeschema import (
    DDL,
    FTS_DDL,
    INDEXES,
    LIST_SEP,
    ROWID_STEP,
    SCHEMA_VERSION,
    SEQ_STEP,
    WIDEST_LABEL_SQL,
    database_uri,
    entity_token,
)
from .text import search_line

if TYPE_CHECKING:
    from .loader import LoadedStore

_BATCH = 5000
# A store of fewer events has its index written here, never by a forked child.
FORK_EVENTS = 2000
_FTS_HASH_BYTES = 64 << 20
# Names for in-memory stores, unique in the process, so worker connections can open the same one.
_MEMORY_NAMES = itertools.count(1)


class IndexBuild:
    """The search index of a build, written by a forked child while this process goes on.

    Started as soon as the events are sorted, the child writes the index while this process still
    checks references and writes the events file; where it is not to fork (``fork`` false, the
    caller's decision: see forking.py) or a small store, the index is written here by
    :meth:`finish`. If the load or the build then fails, :meth:`cancel` kills the child and
    removes its file.
    """

    def __init__(self, loaded: LoadedStore, target: str, build_id: str, *, fork: bool) -> None:
        self._loaded, self._target, self._meta = loaded, target, {"build": build_id}
        # The child; None when the index is written here (or once finished or cancelled).
        self._child: forking.Child | None = None
        self._here = not (fork and len(loaded.events) >= FORK_EVENTS)
        if not self._here:
            self._child = forking.start(lambda _: self._write())  # it sends nothing back: its status says it all

    def _write(self) -> None:
        _write(self._target, lambda conn: _fill_index(conn, self._loaded, self._meta))

    def finish(self) -> None:
        """Wait for the index (or write it now); raise sqlite3.DatabaseError if the child failed."""
        if self._here:
            self._here = False
            self._write()
            return
        if self._child is None:
            return
        succeeded = self._child.wait()
        self._child = None  # only once reaped: an interrupted wait leaves it for cancel()
        if not succeeded:
            raise sqlite3.DatabaseError("building the search index failed")

    def cancel(self) -> None:
        """Stop the child, if it runs, and remove whatever was written of the index."""
        child, self._child, self._here = self._child, None, False
        if child is not None:
            child.stop()
        for suffix in ("", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(self._target + suffix)


def build(loaded: LoadedStore, target: str, index: IndexBuild, meta: dict[str, str], progress: Any = None) -> None:
    """Write a loaded store's events and figures into a new SQLite file, and wait for its ``index``.

    The two halves are independent, so on a machine that can fork they are written at the same
    time by two processes. ``meta["build"]`` is stored in both, so a reader can tell they belong
    together. The caller cancels the index if this raises.
    """
    _write(target, lambda conn: _fill_main(conn, loaded, meta, progress))
    index.finish()


def _write(target: str, fill: Any) -> None:
    conn = sqlite3.connect(database_uri(target, "rwc"), uri=True)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        fill(conn)
    finally:
        conn.close()


class Quotes:
    """Quote ids for a build: a passage cited by many events is stored once."""

    def __init__(self, first: int = 1) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.new: list[tuple[int, str, str]] = []
        self._next = first

    def known(self, citations: Sequence[Citation], qids: Sequence[str]) -> None:
        """Quotes already stored under these ids."""
        for citation, qid in zip(citations, qids, strict=True):
            self.ids.setdefault((citation.source, citation.quote), int(qid))

    def __call__(self, citation: Citation) -> int:
        key = (citation.source, citation.quote)
        qid = self.ids.get(key)
        if qid is None:
            qid = self.ids[key] = self._next
            self._next += 1
            self.new.append((qid, citation.source, citation.quote))
        return qid

    def flush(self, conn: sqlite3.Connection) -> None:
        """Write the quotes seen since the last flush."""
        conn.executemany("INSERT INTO quotes VALUES (?, ?, ?)", self.new)
        self.new = []


def event_row(rowid: int, seq: int, e: Event, quotes: Quotes) -> tuple[Any, ...]:
    """An event as a row of the events table."""
    cites = LIST_SEP.join([str(quotes(c)) for c in e.sources])
    _id, _date, start, end, label, long_label, _title, _summary, tags, actors, place, status, _, related = e
    year = int(start[:4])  # Event.year
    joined = (LIST_SEP.join(tags), LIST_SEP.join(actors), LIST_SEP.join(related))
    return (rowid, start, end, year, label, long_label, status, place, *joined, cites, seq, fingerprint(e))


def fingerprint(e: Event) -> bytes:
    """A hash of everything an event says: two versions of an event differ exactly when these do."""
    global _blake2b
    if _blake2b is None:
        from hashlib import blake2b  # ~6 ms: only a build needs it, never a warm command

        _blake2b = blake2b
    # One unpacking instead of fourteen attribute reads: every event of a build is hashed.
    event_id, date, start, end, label, long_label, title, summary, tags, actors, place, status, sources, related = e
    # Fields and list items are joined by control characters, which sanitised text never holds, so
    # two different events never join to the same text (``place`` None is a NUL, never an id).
    cites = "\x1e".join([source + "\x1f" + quote for source, quote in sources])
    lists = (LIST_SEP.join(tags), LIST_SEP.join(actors), "\x00" if place is None else place, status, cites)
    fields = (event_id, date, start, end, label, long_label, title, summary, *lists, LIST_SEP.join(related))
    return _blake2b("\x1d".join(fields).encode(), digest_size=12).digest()


_blake2b: Any = None


def insert_events(conn: sqlite3.Connection, rows: list[tuple[int, int, Event]], quotes: Quotes) -> None:
    """Insert (rowid, seq, event) triples into the events tables."""
    conn.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (event_row(rowid, seq, e, quotes) for rowid, seq, e in rows),
    )
    quotes.flush(conn)
    conn.executemany("INSERT OR IGNORE INTO event_tags VALUES (?, ?)", ((t, r) for r, _, e in rows for t in e.tags))
    conn.executemany("INSERT OR IGNORE INTO event_actors VALUES (?, ?)", ((a, r) for r, _, e in rows for a in e.actors))


def entity_names_text(entity: Entity) -> str:
    """An entity's name and every alias, folded: what ``entity_names`` indexes for it."""
    return fold(" ".join((entity.name, *entity.aliases)))


class IndexText:
    """The folded text of events' five indexed columns; each distinct list of quotes is folded once.

    Events cite the same passages again and again (equal citations are one object, see
    ``assemble.event_from_model``): folding and joining each again was a fifth of the Python
    time of writing the index of 100,000 events.
    """

    def __init__(self, entities: Sequence[Entity]) -> None:
        """``entities`` in their stored order (``ord``), which numbers their tokens."""
        self.tokens = {entity.id: entity_token(ordinal) for ordinal, entity in enumerate(entities)}
        self._quotes: Memo[tuple[Citation, ...], str] = Memo(20_000)

    def __call__(self, e: Event) -> tuple[str, str, str, str, str]:
        quotes = self._quotes.get(e.sources)
        if quotes is None:
            quotes = self._quotes.remember(e.sources, fold("\n".join([c.quote for c in e.sources])))
        tokens = self.tokens
        who = [tokens.get(x, "") for x in e.actors]
        if e.place:
            who.append(tokens.get(e.place, ""))
        return fold(e.title), fold(e.summary), quotes, " ".join(e.tags), " ".join(who)


def index_events(conn: sqlite3.Connection, rows: list[tuple[int, Event]], text: IndexText) -> None:
    """Add (rowid, event) pairs to the search index and its texts."""
    conn.executemany(
        "INSERT INTO lines VALUES (?, ?, ?, ?, ?)",
        ((r, e.date, e.id, e.title, search_line(e.date, e.id, e.title)) for r, e in rows),
    )
    conn.executemany("INSERT INTO summaries VALUES (?, ?)", ((r, e.summary) for r, e in rows))
    conn.executemany(
        "INSERT INTO fts(rowid, title, summary, quotes, tags, names) VALUES (?, ?, ?, ?, ?, ?)",
        ((r, *text(e)) for r, e in rows),
    )


def _numbered(loaded: LoadedStore, start: int, stop: int) -> list[tuple[int, int, Event]]:
    """(rowid, seq, event) for a slice of the loaded events."""
    order = loaded.file_order
    return [
        ((i + 1) * ROWID_STEP, (order[i] if order else i) * SEQ_STEP, loaded.events[i])
        for i in range(start, min(stop, len(loaded.events)))
    ]


def _fill_main(conn: sqlite3.Connection, loaded: LoadedStore, meta: dict[str, str], progress: Any = None) -> None:
    conn.executescript(DDL)
    with conn:
        conn.executemany(
            "INSERT INTO sources VALUES (?, ?, ?)",
            ((i, s.id, json.dumps(_source_json(s), ensure_ascii=False)) for i, s in enumerate(loaded.sources)),
        )
        conn.executemany(
            "INSERT INTO entities VALUES (?, ?, ?)",
            ((i, e.id, json.dumps(_entity_json(e), ensure_ascii=False)) for i, e in enumerate(loaded.entities)),
        )
        conn.executemany(
            "INSERT INTO figures VALUES (?, ?, ?)",
            ((i, f.id, json.dumps(_figure_json(f), ensure_ascii=False)) for i, f in enumerate(loaded.figures)),
        )
        total = max(1, len(loaded.events))
        quotes = Quotes()
        for start in range(0, len(loaded.events), _BATCH):
            insert_events(conn, _numbered(loaded, start, start + _BATCH), quotes)
            if progress:
                progress("indexing", min(1.0, (start + _BATCH) / total))
        conn.executescript(INDEXES)
        final = {**meta, "schema": SCHEMA_VERSION, "count": str(len(loaded.events))}
        final["widest_label"] = str(conn.execute(WIDEST_LABEL_SQL).fetchone()[0])
        final.update(
            {key: value for key, value in (("title", loaded.title), ("description", loaded.description)) if value}
        )
        final["disagreements"] = json.dumps([d.to_json() for d in loaded.disagreements], ensure_ascii=False)
        final["rowids"] = "stepped"
        if loaded.include_patterns:
            from .includes import META, meta_value

            final[META] = meta_value(loaded.include_patterns, loaded.included)
        if loaded.layout is not None:
            rowid_of_item = [0] * len(loaded.events)
            for position, item in enumerate(loaded.file_order or range(len(loaded.events))):
                rowid_of_item[item] = (position + 1) * ROWID_STEP
            conn.execute("INSERT INTO layout VALUES ('store', ?)", (loaded.layout.to_blob(rowid_of_item),))
        conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(final.items()))
        # Written last: a database without it was never finished.
        conn.execute("INSERT INTO meta VALUES ('complete', '1')")


def _fill_index(conn: sqlite3.Connection, loaded: LoadedStore, meta: dict[str, str]) -> None:
    """The full-text index: folded title, summary, quotes, tags, and every name and alias of who and where."""
    conn.executescript(FTS_DDL)
    # FTS5 writes a new segment each time its pending terms pass 'hashsize' (1 MB by default), then
    # merges them: 64 MB writes 100,000 events as one segment, 1.1 s faster and 7% smaller.
    conn.execute("INSERT INTO fts(fts, rank) VALUES ('hashsize', ?)", (_FTS_HASH_BYTES,))
    text = IndexText(loaded.entities)
    with conn:
        conn.executemany(
            "INSERT INTO entity_names(rowid, names) VALUES (?, ?)",
            ((ordinal, entity_names_text(e)) for ordinal, e in enumerate(loaded.entities)),
        )
        for start in range(0, len(loaded.events), _BATCH):
            index_events(conn, [(r, e) for r, _, e in _numbered(loaded, start, start + _BATCH)], text)
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        # Built once the rows are in: ids come in date order, not id order, and inserting each into
        # the index as it came cost twice as much (300,000 events: 0.73 s against 0.37 s).
        conn.execute("CREATE UNIQUE INDEX lines_id ON lines(id)")
        conn.execute("INSERT INTO fts_meta VALUES ('build', ?)", (meta.get("build", ""),))
        conn.execute("INSERT INTO fts_meta VALUES ('complete', '1')")


def _source_json(s: Source) -> dict[str, Any]:
    return {
        "id": s.id,
        "file": s.file,
        "outlet": s.outlet,
        "published": s.published,
        "published_label": s.published_label,
        "description": s.description,
    }


def _entity_json(e: Entity) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "kind": e.kind, "aliases": list(e.aliases)}


def _figure_json(f: Figure) -> dict[str, Any]:
    return {**f.to_json(), "period_label": f.period_label}


def from_loaded(loaded: LoadedStore, meta: dict[str, str] | None = None) -> Store:
    """Build an in-memory store, for ``--no-cache`` and tests.

    The database is a named shared-cache one, so :meth:`Store.reader` can open more connections
    to it; it lives as long as the returned store's connection.
    """
    uri = f"file:kztj-{os.getpid()}-{next(_MEMORY_NAMES)}?mode=memory&cache=shared"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    meta = meta or {}
    _fill_main(conn, loaded, meta)
    _fill_index(conn, loaded, meta)
    return Store(conn, loaded.path, memory_uri=uri)
