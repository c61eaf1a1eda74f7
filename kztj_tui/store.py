"""The store as a SQLite database: events, figures and an FTS5 index, built once and cached.

Every command and the TUI read through :class:`Store`. A store is built from a validated
YAML file into a SQLite file in the cache directory (or into memory with ``--no-cache``);
event rowids are chronological positions, so timeline order is rowid order.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import query as query_lang
from .model import NO_FILTERS, Disagreement, Entity, Event, Figure, Filters, Source
from .query import Atom, Field
from .text import fold

if TYPE_CHECKING:
    from .loader import LoadedStore

SCHEMA_VERSION = "10"
HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE = "\x02", "\x03"

_DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, json TEXT NOT NULL);
CREATE TABLE entities(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, json TEXT NOT NULL);
CREATE TABLE events(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, date TEXT NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL,
    year INTEGER NOT NULL, label TEXT NOT NULL, long_label TEXT NOT NULL, status TEXT NOT NULL,
    kind TEXT NOT NULL, title TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE event_tags(tag TEXT NOT NULL, event INTEGER NOT NULL);
CREATE TABLE event_actors(entity TEXT NOT NULL, event INTEGER NOT NULL);
CREATE TABLE figures(ord INTEGER PRIMARY KEY, id TEXT NOT NULL, json TEXT NOT NULL);
"""
_FTS_DDL = """
CREATE TABLE fts_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(
    title, summary, quotes, tags, names, tokenize = 'porter unicode61 remove_diacritics 0');
"""
_INDEXES = """
CREATE INDEX event_tags_tag ON event_tags(tag, event);
CREATE INDEX event_actors_entity ON event_actors(entity, event);
CREATE INDEX events_end ON events("end");
CREATE INDEX events_year ON events(year);
"""
# Title matches count most, then the summary, then who/where, tags and quotes.
_BM25 = "bm25(fts, 8.0, 3.0, 1.0, 2.0, 2.0)"
_BATCH = 5000
# Names for in-memory stores, unique in the process, so worker connections can open the same one.
_MEMORY_NAMES = itertools.count(1)


class Row(NamedTuple):
    """What the timeline needs to draw one event, without loading the event."""

    rowid: int
    id: str
    label: str
    year: int
    status: str
    kind: str
    title: str


class Hits(NamedTuple):
    """Search results: matching rowids (capped at ``limit``), their years, and how many matched in all."""

    rowids: list[int]
    total: int
    years: Sequence[int] = ()

    @property
    def capped(self) -> bool:
        """Whether more events matched than were returned."""
        return self.total > len(self.rowids)


def build(loaded: LoadedStore, target: str, index_target: str, meta: dict[str, str], progress: Any = None) -> None:
    """Write a loaded store into two new SQLite files: events and figures, and the search index.

    The two halves are independent, so on a machine that can fork they are written at the same
    time by two processes: at 100,000 events that saves ~3 s of a first load. ``meta["build"]``
    is stored in both, so a reader can tell they belong together.
    """
    can_fork = hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
    child = os.fork() if can_fork and len(loaded.events) >= 2000 else -1
    if child == 0:  # the child writes the index and leaves without running any cleanup
        status = 1
        try:
            _write(index_target, lambda conn: _fill_index(conn, loaded, meta))
            status = 0
        finally:
            os._exit(status)
    _write(target, lambda conn: _fill_main(conn, loaded, meta, progress))
    if child > 0:
        _, status = os.waitpid(child, 0)
        if status != 0:
            raise sqlite3.DatabaseError("building the search index failed")
    else:
        _write(index_target, lambda conn: _fill_index(conn, loaded, meta))


def _write(target: str, fill: Any) -> None:
    conn = sqlite3.connect(target)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        fill(conn)
    finally:
        conn.close()


def _fill_main(conn: sqlite3.Connection, loaded: LoadedStore, meta: dict[str, str], progress: Any = None) -> None:
    conn.executescript(_DDL)
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
        for start in range(0, len(loaded.events), _BATCH):
            chunk = list(enumerate(loaded.events[start : start + _BATCH], start=start + 1))
            conn.executemany(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        rowid,
                        e.id,
                        e.date,
                        e.start,
                        e.end,
                        e.year,
                        e.label,
                        e.long_label,
                        e.status,
                        e.tags[0],
                        e.title,
                        json.dumps(e.to_json(), ensure_ascii=False),
                    )
                    for rowid, e in chunk
                ),
            )
            conn.executemany("INSERT INTO event_tags VALUES (?, ?)", ((t, r) for r, e in chunk for t in e.tags))
            conn.executemany(
                "INSERT INTO event_actors VALUES (?, ?)",
                ((a, r) for r, e in chunk for a in dict.fromkeys(e.actors)),
            )
            if progress:
                progress("indexing", min(1.0, (start + _BATCH) / total))
        conn.executescript(_INDEXES)
        final = {**meta, "schema": SCHEMA_VERSION, "count": str(len(loaded.events))}
        final.update(
            {key: value for key, value in (("title", loaded.title), ("description", loaded.description)) if value}
        )
        final["disagreements"] = json.dumps([d.to_json() for d in loaded.disagreements], ensure_ascii=False)
        conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(final.items()))
        # Written last: a database without it was never finished.
        conn.execute("INSERT INTO meta VALUES ('complete', '1')")


def _fill_index(conn: sqlite3.Connection, loaded: LoadedStore, meta: dict[str, str]) -> None:
    """The full-text index: folded title, summary, quotes, tags, and every name and alias of who and where."""
    conn.executescript(_FTS_DDL)
    names = {entity.id: fold(" ".join((entity.name, *entity.aliases))) for entity in loaded.entities}
    with conn:
        conn.executemany(
            "INSERT INTO fts(rowid, title, summary, quotes, tags, names) VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    rowid,
                    fold(e.title),
                    fold(e.summary),
                    fold("\n".join(c.quote for c in e.sources)),
                    " ".join(e.tags),
                    "\n".join(names.get(x, "") for x in (*e.actors, *([e.place] if e.place else []))),
                )
                for rowid, e in enumerate(loaded.events, start=1)
            ),
        )
        conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
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


class Store:
    """Read access to a built store: events, figures, sources, entities and search."""

    def __init__(self, conn: sqlite3.Connection, path: Path, memory_uri: str | None = None) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._memory_uri = memory_uri
        self.path = path
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("complete") != "1" or meta.get("schema") != SCHEMA_VERSION:
            raise sqlite3.DatabaseError("incomplete or outdated store database")
        index_meta = dict(conn.execute("SELECT key, value FROM fts_meta"))
        if index_meta.get("complete") != "1" or index_meta.get("build") != meta.get("build", ""):
            raise sqlite3.DatabaseError("the search index does not belong to this store database")
        self.meta = meta
        self.sources: dict[str, Source] = {}
        for (blob,) in conn.execute("SELECT json FROM sources ORDER BY ord"):
            data = json.loads(blob)
            self.sources[data["id"]] = Source(**data)
        self.entities: dict[str, Entity] = {}
        for (blob,) in conn.execute("SELECT json FROM entities ORDER BY ord"):
            data = json.loads(blob)
            data["aliases"] = tuple(data["aliases"])
            self.entities[data["id"]] = Entity(**data)
        self._figures: list[Figure] | None = None
        self._figures_by_id: dict[str, Figure] = {}
        self._figures_by_event: dict[str, list[Figure]] = {}
        self.count: int = int(meta["count"])
        self.disagreements = [Disagreement.from_json(d) for d in json.loads(meta.get("disagreements", "[]"))]

    # -- basic access -------------------------------------------------------------------------

    @property
    def figures(self) -> list[Figure]:
        """Every figure, by metric and period (loaded on first use: a search does not need them)."""
        return self._load_figures()

    def _load_figures(self) -> list[Figure]:
        if self._figures is None:
            figures = []
            for (blob,) in self._rows("SELECT json FROM figures ORDER BY ord"):
                data = json.loads(blob)
                data["conflicts"] = tuple(data["conflicts"])
                figures.append(Figure(**data))
            # Indexed once, because an export asks for every event's figures.
            self._figures_by_id = {f.id: f for f in figures}
            self._figures_by_event = {}
            for figure in figures:
                if figure.event is not None:
                    self._figures_by_event.setdefault(figure.event, []).append(figure)
            self._figures = figures
        return self._figures

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def article(self, source_id: str) -> str:
        """A source's article, read afresh and made safe to show; raises articles.ArticleError."""
        from . import articles

        allow_outside = self.meta.get("allow_outside") == "1"
        return articles.read(articles.locate(self.path.parent, self.sources[source_id].file, allow_outside)).text

    def entity_name(self, entity_id: str | None) -> str:
        """An entity's display name, or its id if unknown."""
        if entity_id is None:
            return ""
        entity = self.entities.get(entity_id)
        return entity.name if entity else entity_id

    def event(self, event_id: str) -> Event | None:
        """The event with this id, or None."""
        found = self._rows("SELECT json, label, long_label FROM events WHERE id = ?", (event_id,))
        return Event.from_json(json.loads(found[0][0]), found[0][1], found[0][2]) if found else None

    def event_at(self, rowid: int) -> Event:
        """The event at this chronological position (1-based rowid)."""
        blob, label, long_label = self._rows("SELECT json, label, long_label FROM events WHERE rowid = ?", (rowid,))[0]
        return Event.from_json(json.loads(blob), label, long_label)

    def disagreements_about(self, event_id: str) -> list[Disagreement]:
        """The recorded disagreements that concern an event."""
        return [d for d in self.disagreements if event_id in d.events]

    def events_by_id(self, event_ids: Sequence[str]) -> list[Event]:
        """The events with these ids, in the order given, skipping unknown ids."""
        found = (self.event(event_id) for event_id in event_ids)
        return [event for event in found if event is not None]

    def rowid_of(self, event_id: str) -> int | None:
        """The chronological position of an event id."""
        found = self._rows("SELECT rowid FROM events WHERE id = ?", (event_id,))
        return found[0][0] if found else None

    @property
    def title(self) -> str | None:
        """The store's own title, if it has one."""
        return self.meta.get("title")

    @property
    def description(self) -> str | None:
        """The store's own description, if it has one."""
        return self.meta.get("description")

    def actors(self) -> list[tuple[str, int]]:
        """Every entity named as an actor, with its number of events, most named first."""
        return [
            tuple(r)
            for r in self._rows(  # type: ignore[misc]
                "SELECT entity, count(*) FROM event_actors GROUP BY entity ORDER BY count(*) DESC, entity"
            )
        ]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with its number of events, most used first."""
        return [
            tuple(r)
            for r in self._rows(  # type: ignore[misc]
                "SELECT tag, count(*) FROM event_tags GROUP BY tag ORDER BY count(*) DESC, tag"
            )
        ]

    def years(self) -> list[int]:
        """The years that have events, ascending."""
        return [r[0] for r in self._rows("SELECT DISTINCT year FROM events ORDER BY year")]

    def figures_for(self, event_id: str) -> list[Figure]:
        """Figures attached to an event."""
        self._load_figures()
        return self._figures_by_event.get(event_id, [])

    # -- filtering and search --------------------------------------------------------------

    def resolve_actor(self, text: str) -> list[str]:
        """Entity ids whose id, name or any alias matches text (case- and diacritic-insensitive)."""
        wanted = fold(text).strip()
        words = set(query_lang.WORD.findall(wanted))
        out = []
        for entity in self.entities.values():
            spellings = [entity.id, entity.name, *entity.aliases]
            for spelling in spellings:
                folded = fold(spelling)
                if folded == wanted or (words and words <= set(query_lang.WORD.findall(folded))):
                    out.append(entity.id)
                    break
        return out

    def _where(self, filters: Filters, parsed: query_lang.Query | None) -> tuple[list[str], list[Any]]:
        """SQL conditions for the filters and for the query's groups that are not plain words."""
        # The filters are field atoms that must all hold: the query language compiles them, so a
        # `--tag` and a `tag:` in a query can never mean different things.
        fields = [
            *([Field("from", "", start=filters.date_from)] if filters.date_from else []),
            *([Field("to", "", end=filters.date_to)] if filters.date_to else []),
            *(Field("tag", tag.lower()) for tag in filters.tags),
            *(Field("actor", actor) for actor in filters.actors),
        ]
        clauses, params = query_lang.where(query_lang.Query([[Atom(f)] for f in fields]), self.resolve_actor)
        for place in filters.places:
            clauses.append("json_extract(e.json, '$.place') = ?")
            params.append(place)
        if parsed is not None:
            more, more_params = query_lang.where(parsed, self.resolve_actor)
            clauses += more
            params += more_params
        return clauses, params

    def _matching(self, filters: Filters, sort: str) -> tuple[str, list[Any], str | None, list[str]]:
        """The FROM, WHERE and ORDER BY of a search, its parameters, and what counting it needs."""
        parsed = query_lang.parse(filters.query) if filters.query.strip() else None
        clauses, params = self._where(filters, parsed)
        positive = parsed.positive_fts() if parsed else None
        if positive:
            source = "fts JOIN events e ON e.rowid = fts.rowid"
            clauses.insert(0, "fts MATCH ?")
            params.insert(0, positive)
            # fts.rowid, not e.rowid: the same order, but SQLite streams it from the index instead of
            # sorting every match in a temporary B-tree (250 ms for a common word at 100k events).
            order = f"{_BM25}, fts.rowid" if sort == "relevance" else "fts.rowid"
        else:
            source, order = "events e", "e.rowid"
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return f"FROM {source}{where} ORDER BY {order}", params, positive, clauses

    def search(self, filters: Filters, sort: str = "date", limit: int | None = None) -> Hits:
        """Events matching filters and ``filters.query``; sort is ``date`` or ``relevance``."""
        matching, params, positive, clauses = self._matching(filters, sort)
        sql = f"SELECT e.rowid, e.year {matching}"
        with self._lock:
            if limit is None:
                found = self._conn.execute(sql, params).fetchall()
                return Hits([r[0] for r in found], len(found), [r[1] for r in found])
            found = self._conn.execute(sql + " LIMIT ?", [*params, limit]).fetchall()
            total = len(found)
            if total >= limit:
                total = self._conn.execute(*self._count_sql(positive, clauses, params)).fetchone()[0]
        return Hits([r[0] for r in found], total, [r[1] for r in found])

    def search_lines(
        self, filters: Filters, sort: str = "date", limit: int | None = None
    ) -> Iterator[tuple[str, str, str]]:
        """(EDTF date, id, title) of every match, streamed by one query: what ``kztj search`` prints."""
        matching, params, _positive, _clauses = self._matching(filters, sort)
        sql = f"SELECT e.date, e.id, e.title {matching}" + (" LIMIT ?" if limit is not None else "")
        cursor = self._conn.execute(sql, [*params, limit] if limit is not None else params)
        while batch := cursor.fetchmany(4096):
            yield from batch

    def events_at(self, rowids: Sequence[int]) -> list[Event]:
        """The events at these positions, in the order given, fetched in batches."""
        found: dict[int, Event] = {}
        for start in range(0, len(rowids), 900):
            chunk = rowids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for rowid, blob, label, long_label in self._rows(
                f"SELECT rowid, json, label, long_label FROM events WHERE rowid IN ({marks})", chunk
            ):
                found[rowid] = Event.from_json(json.loads(blob), label, long_label)
        return [found[rowid] for rowid in rowids]

    def event_fingerprints(self) -> dict[str, str]:
        """Each event's id and a hash of its content: two versions of an event differ exactly when these do."""
        import hashlib

        return {
            event_id: hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()
            for event_id, blob in self._rows("SELECT id, json FROM events")
        }

    @staticmethod
    def _count_sql(positive: str | None, clauses: list[str], params: list[Any]) -> tuple[str, list[Any]]:
        """Count matches without joining events row by row (a join costs 50-150 ms per 100k matches)."""
        if not positive:
            where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
            return f"SELECT count(*) FROM events e{where}", params
        others = clauses[1:]  # clauses[0] is the MATCH
        if not others:
            return "SELECT count(*) FROM fts WHERE fts MATCH ?", [positive]
        matched = "e.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
        return f"SELECT count(*) FROM events e WHERE {matched} AND {' AND '.join(others)}", params

    def year_runs(self) -> list[tuple[int, int]]:
        """(year, number of events) for every year, in order: the shape of the unfiltered timeline."""
        return [
            (year, count) for year, count in self._rows("SELECT year, count(*) FROM events GROUP BY year ORDER BY year")
        ]

    def iter_events(self, filters: Filters = NO_FILTERS) -> Iterator[Event]:
        """Matching events in chronological order, streamed from the database."""
        if filters.query.strip():
            rowids = self.search(filters).rowids  # in date order, which is rowid order
            for start in range(0, len(rowids), 500):
                yield from self.events_at(rowids[start : start + 500])
            return
        clauses, params = self._where(filters, None)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        last = 0
        while True:  # keyset pagination keeps memory flat without holding the lock for the whole export
            page = self._rows(
                f"SELECT e.rowid, e.json, e.label, e.long_label FROM events e{where}"
                f"{' AND' if where else ' WHERE'} e.rowid > ? ORDER BY e.rowid LIMIT 1000",
                [*params, last],
            )
            if not page:
                return
            for _rowid, blob, label, long_label in page:
                yield Event.from_json(json.loads(blob), label, long_label)
            last = page[-1][0]

    def rows(self, rowids: Sequence[int]) -> list[Row]:
        """Timeline rows for these rowids, in rowid order (the timeline asks only for what is on screen)."""
        sql = "SELECT rowid, id, label, year, status, kind, title FROM events"
        out: list[Row] = []
        ordered = sorted(rowids)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            marks = ",".join("?" * len(chunk))
            out += [Row(*r) for r in self._rows(f"{sql} WHERE rowid IN ({marks}) ORDER BY rowid", chunk)]
        return out

    def highlights(
        self, query_text: str, rowids: Sequence[int]
    ) -> dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
        """For each rowid that matches, the (start, end) spans of matches in its title and summary."""
        terms = query_lang.parse(query_text).terms() if query_text.strip() else []
        if not terms or not rowids:
            return {}
        # Highlight every term searched for, so an OR group's other branch still lights up.
        expr = " OR ".join(term.fts() for term in terms)
        select = "SELECT rowid, highlight(fts, 0, ?, ?), highlight(fts, 1, ?, ?) FROM fts WHERE fts MATCH ?"
        params: list[Any] = [HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, expr]
        low, high = min(rowids), max(rowids)
        if high - low < 4 * len(rowids) + 64:
            # A run of neighbours (a screen of the timeline): one scan of the range. With "rowid IN",
            # FTS5 looks each rowid up on its own and rebuilds a prefix's matches every time
            # (seconds for "d*" at 100,000 events).
            wanted = set(rowids)
            found = [
                r for r in self._rows(f"{select} AND rowid BETWEEN ? AND ?", [*params, low, high]) if r[0] in wanted
            ]
        else:
            marks = ",".join("?" * len(rowids))
            found = self._rows(f"{select} AND rowid IN ({marks})", [*params, *rowids])
        return {rowid: (_spans(title), _spans(summary)) for rowid, title, summary in found}

    def date_spans(self, rowids: Sequence[int] | None = None) -> list[tuple[int, str, str, str]]:
        """(rowid, start, end, EDTF date) of these events (all if None), in rowid order: the time axis's data."""
        sql = "SELECT rowid, start, \"end\", json_extract(json, '$.date') FROM events"
        if rowids is None:
            return [tuple(r) for r in self._rows(f"{sql} ORDER BY rowid")]  # type: ignore[misc]
        out: list[tuple[int, str, str, str]] = []
        ordered = sorted(rowids)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            marks = ",".join("?" * len(chunk))
            out += [tuple(r) for r in self._rows(f"{sql} WHERE rowid IN ({marks}) ORDER BY rowid", chunk)]  # type: ignore[misc]
        return out

    def typed_word_stem(self, word: str) -> str | None:
        """For a word cut short while typing: None if it matches as a prefix, else the indexed stem it may
        be cut from.

        The index holds Porter stems, so a word typed halfway can match nothing as a prefix although the
        whole word is there: "coopera" is neither a prefix of the stem "cooper" nor of any other term.
        The answer is the longest indexed term that the word starts with (or, for stems ending in "e",
        such as "trade" for "tradin", starts with less that "e"), at least three letters long.
        """
        tokens = query_lang.WORD.findall(fold(word))
        if len(tokens) != 1 or len(tokens[0]) < 4:
            return None
        typed = tokens[0]
        prefix = query_lang.Term((typed,), prefix=True).fts()
        if self._rows("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (prefix,)):
            return None
        candidates = {typed[:k] for k in range(3, len(typed))} | {typed[:k] + "e" for k in range(3, len(typed))}
        marks = ",".join("?" * len(candidates))
        found = [
            term
            for (term,) in self._rows(
                f"SELECT term FROM {self._terms_table()} WHERE term IN ({marks})", list(candidates)
            )
        ]
        return max(found, key=len) if found else None

    def _terms_table(self) -> str:
        """A per-connection fts5vocab table listing the index's terms."""
        with self._lock:
            schema = self._conn.execute("SELECT schema FROM pragma_table_list WHERE name = 'fts'").fetchone()[0]
            self._conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.index_terms USING fts5vocab({schema}, fts, 'row')"
            )
        return "temp.index_terms"

    def figure_conflicts(self, figure: Figure) -> list[Figure]:
        """The figures that disagree with this one."""
        self._load_figures()
        return [self._figures_by_id[other] for other in figure.conflicts]

    def close(self) -> None:
        """Close the database."""
        self._conn.close()

    def reader(self) -> Store:
        """The same store on a new read-only connection of its own, for a worker thread.

        A worker that queries through its own connection never makes the UI thread wait on this
        store's lock. Sources, entities and loaded figures are shared; only the connection differs.
        """
        if self._memory_uri is not None:
            conn = sqlite3.connect(self._memory_uri, uri=True, check_same_thread=False)
        else:
            files = {name: file for _, name, file in self._rows("PRAGMA database_list")}
            conn = sqlite3.connect(f"file:{files.pop('main')}?mode=ro", uri=True, check_same_thread=False)
            for name, file in files.items():
                if name != "temp" and file:
                    conn.execute(f'ATTACH DATABASE ? AS "{name}"', (f"file:{file}?mode=ro",))
        try:
            build = conn.execute("SELECT value FROM meta WHERE key = 'build'").fetchone()
            if (build[0] if build else "") != self.meta.get("build", ""):
                raise sqlite3.DatabaseError("the store database was rebuilt since it was opened")
        except BaseException:
            conn.close()
            raise
        clone = Store.__new__(Store)
        clone.__dict__.update(self.__dict__)
        clone._conn = conn
        clone._lock = threading.Lock()
        return clone


def _spans(marked: str) -> list[tuple[int, int]]:
    spans = []
    offset = 0
    start = 0
    for index, char in enumerate(marked):
        if char == HIGHLIGHT_OPEN:
            start = index - offset
            offset += 1
        elif char == HIGHLIGHT_CLOSE:
            spans.append((start, index - offset))
            offset += 1
    return spans


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
