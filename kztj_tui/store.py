"""Reading a built store: events, figures, sources, entities and search, from its SQLite files.

Every command and the TUI read through :class:`Store`. A store is built from a validated YAML
file (:mod:`.storebuild`) into SQLite files in the cache directory, or into memory with
``--no-cache``, with the tables :mod:`.storeschema` lists; event rowids are chronological
positions, so timeline order is rowid order.
"""

from __future__ import annotations

import os
from _thread import allocate_lock  # threading's Lock, without importing threading (~0.6 ms a start)
from functools import cached_property
from itertools import pairwise

from . import query as query_lang
from .folding import fold
from .lean_sqlite import sqlite3
from .lean_typing import TYPE_CHECKING, NamedTuple
from .memo import Memo
from .query import Atom, Field
from .storeschema import LIST_SEP, ROWID_STEP, SCHEMA_VERSION, database_uri, entity_token, split_list

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path
    from typing import Any

    from .model import Citation, Disagreement, Entity, Event, Figure, Filters, Source

HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE = "\x02", "\x03"
# What ``Store.highlighted_cards`` gives for an event: date label, id, title, summary, and the spans of
# the matches in the title and in the summary.
HighlightedCard = tuple[str, str, str, str, list[tuple[int, int]], list[tuple[int, int]]]
# Title matches count most, then the summary, tags and quotes, then the names of an event's actors
# and place. A name matches as its entity's token, which few events hold, so BM25 finds it far
# rarer than the word it stands for: weighed like a tag, two such tokens (astana, astana-airport)
# outranked a title that says Astana (test_a_name_in_the_title_ranks_above_events_...).
_BM25 = "bm25(fts, 8.0, 3.0, 1.0, 2.0, 0.1)"
# Past this many entities a term's names are not listed in its FTS5 expression (FTS5 evaluates
# an OR of N phrases in time that grows with N for every row): SQL finds their events instead.
_MOST_NAME_TOKENS = 64
# A piped search in date order reads the lines of this many rowids at a time (16,384 events).
LINES_SPAN = 16_384 * ROWID_STEP
_SPAN_LINES_SQL = (
    "SELECT group_concat(line, char(10)) FROM (SELECT line FROM lines WHERE rowid >= ? AND rowid < ? ORDER BY rowid)"
)
# What an Event is rebuilt from: the events row and its summary from the index file.
_EVENT_SQL = (
    'SELECT e.rowid, t.id, t.date, e.start, e."end", e.label, e.long_label, t.title, s.summary, e.tags, e.actors,'
    " e.place, e.status, e.cites, e.related FROM events e JOIN lines t ON t.rowid = e.rowid"
    " JOIN summaries s ON s.rowid = e.rowid"
)


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


class Store:
    """Read access to a built store: events, figures, sources, entities and search."""

    def __init__(self, conn: sqlite3.Connection, path: Path | str, memory_uri: str | None = None) -> None:
        self._conn = conn
        self._lock = allocate_lock()
        self._memory_uri = memory_uri
        self._path = path  # a Path when asked for: a warm search never asks, nor imports pathlib
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("complete") != "1" or meta.get("schema") != SCHEMA_VERSION:
            raise sqlite3.DatabaseError("incomplete or outdated store database")
        index_meta = dict(conn.execute("SELECT key, value FROM fts_meta"))
        if index_meta.get("complete") != "1" or index_meta.get("build") != meta.get("build", ""):
            raise sqlite3.DatabaseError("the search index does not belong to this store database")
        self.meta = meta
        self._figures: list[Figure] | None = None
        self._figures_by_id: dict[str, Figure] = {}
        self._figures_by_event: dict[str, list[Figure]] = {}
        self._quotes: dict[int, Citation] = {}
        # Caches of _events: a list column's text -> its items; a cites column's text -> its citations.
        self._lists: dict[str, tuple[str, ...]] = {}
        self._cited: dict[str, tuple[Citation, ...]] = {}
        self._term_texts: Memo[str, str | None] = Memo(1000)
        self.count: int = int(meta["count"])
        # What ``note:`` in a query matches when a search is given no notes: the command line sets it
        # from the user's notes; None matches nothing.
        self.note_matcher: query_lang.NoteMatcher | None = None

    # Sources, entities and disagreements are read when first asked for: a search for words needs none
    # of them, nor the model classes they are made of (1.6 ms of a 25 ms warm search to import).

    @cached_property
    def sources(self) -> dict[str, Source]:
        """Every source article, by id, in store order."""
        from .model import Source

        return {data["id"]: Source(**data) for data in self._stored_json("SELECT json FROM sources ORDER BY ord")}

    @cached_property
    def entities(self) -> dict[str, Entity]:
        """Every entity, by id, in store order."""
        from .model import Entity

        entities = {}
        for data in self._stored_json("SELECT json FROM entities ORDER BY ord"):
            data["aliases"] = tuple(data["aliases"])
            entities[data["id"]] = Entity(**data)
        return entities

    @cached_property
    def disagreements(self) -> list[Disagreement]:
        """Where the sources disagree, as the checks found when the cache was built."""
        import json

        from .model import Disagreement

        try:
            return [Disagreement.from_json(d) for d in json.loads(self.meta.get("disagreements", "[]"))]
        except (ValueError, KeyError, TypeError) as error:
            raise sqlite3.DatabaseError(f"the store's disagreements are unreadable ({error})") from None

    def _stored_json(self, sql: str) -> list[dict[str, Any]]:
        """The JSON objects a query returns; a cache that holds anything else is damaged (sqlite3.DatabaseError)."""
        import json  # not at the top: a search for words reads no JSON, and json brings re (~4 ms a start)

        try:
            found = [json.loads(blob) for (blob,) in self._rows(sql)]
            if not all(isinstance(data, dict) and "id" in data for data in found):
                raise ValueError("not an object with an id")
        except (ValueError, TypeError) as error:
            raise sqlite3.DatabaseError(f"the store's {sql.split()[3]} are unreadable ({error})") from None
        return found

    # -- basic access -------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The store file this was built from."""
        if isinstance(self._path, str):
            from pathlib import Path

            self._path = Path(self._path)
        return self._path

    @property
    def figures(self) -> list[Figure]:
        """Every figure, by metric and period (loaded on first use: a search does not need them)."""
        return self._load_figures()

    def _load_figures(self) -> list[Figure]:
        if self._figures is None:
            import json

            from .model import Figure

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

    def select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of a read-only query on the store's tables (see storeschema), for the incremental update."""
        if not sql.lstrip().upper().startswith("SELECT"):
            raise ValueError("Store.select runs SELECT statements only")
        return self._rows(sql, params)

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
        found = self._events(self._rows(f"{_EVENT_SQL} WHERE t.id = ?", (event_id,)))
        return found[0] if found else None

    def event_at(self, rowid: int) -> Event:
        """The event with this rowid (rowids are in chronological order)."""
        return self._events(self._rows(f"{_EVENT_SQL} WHERE e.rowid = ?", (rowid,)))[0]

    def all_rowids(self) -> Sequence[int]:
        """Every event's rowid, in chronological order: the unfiltered timeline."""
        if self.meta.get("rowids") == "stepped":  # as first built: no need to read 100,000 numbers
            return range(ROWID_STEP, ROWID_STEP * (self.count + 1), ROWID_STEP)
        return [r[0] for r in self._rows("SELECT rowid FROM events ORDER BY rowid")]

    def _events(self, rows: Sequence[Any]) -> list[Event]:
        """Events from rows of ``_EVENT_SQL``, their quotes fetched in one query.

        A large store repeats its list columns (tag lists, actor lists, the passages events cite):
        each distinct column text is split once and its tuple shared, so an export of every event
        pays per distinct list, not per event.
        """
        from .model import Event

        lists = self._lists
        cited = self._cited
        if len(lists) > 50_000:  # caches, not copies of every list of a large store
            lists.clear()
        if len(cited) > 50_000:
            cited.clear()
        new_cites = {row[13] for row in rows} - cited.keys()
        if new_cites:
            self._cite(new_cites)
        new = tuple.__new__
        events: list[Event] = []
        append = events.append
        for row in rows:
            tags, actors, related = row[9], row[10], row[14]
            tag_list = lists.get(tags)
            if tag_list is None:
                tag_list = lists[tags] = split_list(tags)
            actor_list = lists.get(actors)
            if actor_list is None:
                actor_list = lists[actors] = split_list(actors)
            append(
                new(
                    Event,
                    (
                        row[1],
                        row[2],
                        row[3],
                        row[4],
                        row[5],
                        row[6],
                        row[7],
                        row[8],
                        tag_list,
                        actor_list,
                        row[11],
                        row[12],
                        cited[row[13]],
                        tuple(related.split(LIST_SEP)) if related else (),
                    ),
                )
            )
        return events

    def _cite(self, columns: set[str]) -> None:
        """Remember the citations each of these ``cites`` columns names, fetching the quotes not yet known."""
        from .model import Citation

        wanted = {int(q) for column in columns if column for q in column.split(LIST_SEP)} - self._quotes.keys()
        if wanted:
            if len(self._quotes) > 50_000:  # a cache, not a copy of every quote of a large store
                self._quotes = {}
            wanted_list = list(wanted)
            for start in range(0, len(wanted_list), 900):
                chunk = wanted_list[start : start + 900]
                marks = ",".join("?" * len(chunk))
                for qid, source, quote in self._rows(
                    f"SELECT qid, source, quote FROM quotes WHERE qid IN ({marks})", chunk
                ):
                    self._quotes[qid] = Citation(source, quote)
        quotes = self._quotes
        for column in columns:
            self._cited[column] = tuple(quotes[int(q)] for q in column.split(LIST_SEP)) if column else ()

    def disagreements_about(self, event_id: str) -> list[Disagreement]:
        """The recorded disagreements that concern an event."""
        return [d for d in self.disagreements if event_id in d.events]

    def events_by_id(self, event_ids: Sequence[str]) -> list[Event]:
        """The events with these ids, in the order given, skipping unknown ids."""
        found = (self.event(event_id) for event_id in event_ids)
        return [event for event in found if event is not None]

    def count_of(self, event_ids: Iterable[str]) -> int:
        """How many of these event ids the store has (one query, however many ids)."""
        import json

        sql = "SELECT count(*) FROM lines WHERE id IN (SELECT value FROM json_each(?))"
        return int(self._rows(sql, (json.dumps(list(event_ids)),))[0][0])

    def rowid_of(self, event_id: str) -> int | None:
        """The chronological position of an event id."""
        found = self._rows("SELECT rowid FROM lines WHERE id = ?", (event_id,))
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

    def has_tag(self, tag: str) -> bool:
        """Whether any event has this tag (one index lookup: ``tags()`` counts every event's tags)."""
        return bool(self._rows("SELECT 1 FROM event_tags WHERE tag = ? LIMIT 1", (tag,)))

    def years(self) -> list[int]:
        """The years that have events, ascending."""
        return [r[0] for r in self._rows("SELECT DISTINCT year FROM events ORDER BY year")]

    def figures_for(self, event_id: str) -> list[Figure]:
        """Figures attached to an event."""
        if self._figures is None:  # asked once per event by an export: no call when loaded
            self._load_figures()
        return self._figures_by_event.get(event_id, [])

    # -- filtering and search --------------------------------------------------------------

    def resolve_actor(self, text: str) -> list[str]:
        """Entity ids whose id, name or any alias matches text (case- and diacritic-insensitive)."""
        wanted = fold(text).strip()
        words = set(query_lang.words(wanted))
        out = []
        for entity in self.entities.values():
            spellings = [entity.id, entity.name, *entity.aliases]
            for spelling in spellings:
                folded = fold(spelling)
                if folded == wanted or (words and words <= set(query_lang.words(folded))):
                    out.append(entity.id)
                    break
        return out

    def _where(
        self, filters: Filters | None, parsed: query_lang.Query | None, notes: query_lang.NoteMatcher | None = None
    ) -> tuple[list[str], list[Any]]:
        """SQL conditions for the filters (None: no filter) and for the query's groups that are not plain words."""
        clauses, params = self._filter_conditions(filters) if filters is not None else ([], [])
        if parsed is not None:
            notes = notes if notes is not None else self.note_matcher
            more, more_params = query_lang.where(parsed, self.resolve_actor, self.term_fts, notes)
            clauses += more
            params += more_params
        return clauses, params

    def _filter_conditions(self, filters: Filters) -> tuple[list[str], list[Any]]:
        """SQL conditions for a date range, tags, actors, places and marks."""
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
            clauses.append("e.place = ?")
            params.append(place)
        if filters.marked is not None:
            sql, ids = query_lang.ids_sql(filters.marked)
            clauses.append(sql)
            params += ids
        return clauses, params

    def _search_parts(
        self,
        filters: Filters | None,
        sort: str,
        lines: bool = False,
        notes: query_lang.NoteMatcher | None = None,
        query: query_lang.Query | None = None,
    ) -> tuple[str, list[str], list[Any], str | None, str]:
        """A search's source tables, conditions, their parameters, its FTS5 expression and its order: what
        ``_from_where`` joins into the FROM, WHERE and ORDER BY, and what counting a search needs."""
        if query is None and filters is not None:
            query = query_lang.parse(filters.query) if filters.query.strip() else None
        parsed = query or None  # a query that parses to nothing (``!!!``) filters nothing
        clauses, params = self._where(filters, parsed, notes)
        positive = parsed.positive_fts(self.term_fts) if parsed else None
        if positive:
            # Only a query with filters needs the events table; one that just prints lines does not.
            source = "fts JOIN events e ON e.rowid = fts.rowid" if clauses or not lines else "fts"
            if lines:
                source += " JOIN lines l ON l.rowid = fts.rowid"
            clauses.insert(0, "fts MATCH ?")
            params.insert(0, positive)
            # fts.rowid, not e.rowid: the same order, but SQLite streams it from the index instead of
            # sorting every match in a temporary B-tree (250 ms for a common word at 100k events).
            order = f"{_BM25}, fts.rowid" if sort == "relevance" else "fts.rowid"
        else:
            source, order = "events e", "e.rowid"
            if lines:
                source += " JOIN lines l ON l.rowid = e.rowid"
        return source, clauses, params, positive, order

    def search(
        self,
        filters: Filters | None,
        sort: str = "date",
        limit: int | None = None,
        notes: query_lang.NoteMatcher | None = None,
        query: query_lang.Query | None = None,
    ) -> Hits:
        """Events matching filters and a query (``query``, parsed, else ``filters.query``); sort is ``date`` or
        ``relevance``.

        ``notes`` finds the events whose user note holds a word (``note:``); without it ``note:`` matches nothing.
        """
        source, clauses, params, positive, order = self._search_parts(filters, sort, notes=notes, query=query)
        sql = f"SELECT e.rowid, e.year {_from_where(source, clauses, order)}"
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
        self,
        filters: Filters | None,
        sort: str = "date",
        limit: int | None = None,
        notes: query_lang.NoteMatcher | None = None,
        query: query_lang.Query | None = None,
    ) -> Iterator[str]:
        """The printed line (``text.search_line``) of every match, in pieces that each end a line: ``kztj search``.

        ``filters`` None: the events ``query`` matches, with no other filter.

        In date order a search of words alone comes in pieces of the lines of a span of rowids, joined
        by SQLite: a word in all 100,000 events takes 44 ms so, 59 ms fetched and joined a row at a
        time. Not with a filter or a word against: SQLite would build the list a condition such as
        ``rowid IN (SELECT event FROM event_tags …)`` reads once a span (7 lists at 100,000 events;
        ``--tag trade zircon`` took 46 ms more than ``zircon``).
        """
        source, clauses, params, positive, order = self._search_parts(filters, sort, True, notes, query)
        if sort == "date" and limit is None and len(clauses) == bool(positive):  # words alone (one MATCH), or nothing
            key = "fts.rowid" if positive else "e.rowid"  # first <= rowid < end: each span's values appended
            matching = _from_where(source, [*clauses, f"{key} >= ?", f"{key} < ?"], order)
            # group_concat keeps the order its rows come in: the subquery's, rowid order (tests check it).
            sql = f"SELECT group_concat(line, char(10)) FROM (SELECT l.line AS line {matching})"
            # Words alone that every event matches (one count of the index): the lines are read straight,
            # with no seek per match (a word in all 100,000 events: 21 ms, where the join takes 44 ms).
            if positive is not None and len(clauses) == 1 and self._matches_every_event(positive):
                sql, params = _SPAN_LINES_SQL, []
            last = self._rows("SELECT max(rowid) FROM events")[0][0] or 0
            for first in range(0, last + 1, LINES_SPAN):
                (text,) = self._conn.execute(sql, [*params, first, first + LINES_SPAN]).fetchone()
                if text is not None:
                    yield text + "\n"
            return
        sql = f"SELECT l.line {_from_where(source, clauses, order)}" + (" LIMIT ?" if limit is not None else "")
        cursor = self._conn.execute(sql, [*params, limit] if limit is not None else params)
        while batch := cursor.fetchmany(8192):
            yield "".join([row[0] + "\n" for row in batch])

    def _matches_every_event(self, fts: str) -> bool:
        """Whether every event matches an FTS5 expression (a count of the index; no row is read)."""
        return bool(self.count) and self._rows("SELECT count(*) FROM fts WHERE fts MATCH ?", (fts,))[0][0] == self.count

    def search_rowids(
        self, filters: Filters | None, sort: str = "date", query: query_lang.Query | None = None
    ) -> Iterator[list[int]]:
        """The rowids of every match, in batches streamed by one query (the terminal table reads them so)."""
        source, clauses, params, _positive, order = self._search_parts(filters, sort, query=query)
        cursor = self._conn.execute(f"SELECT e.rowid {_from_where(source, clauses, order)}", params)
        while batch := cursor.fetchmany(256):
            yield [row[0] for row in batch]

    def cards(self, rowids: Sequence[int]) -> list[tuple[int, str, str, str, str]]:
        """(rowid, date label, id, title, summary) of these events, in the order given: a search result's row."""
        marks = ",".join("?" * len(rowids))
        found = {
            row[0]: tuple(row)
            for row in self._rows(
                "SELECT e.rowid, e.label, l.id, l.title, s.summary FROM events e JOIN lines l ON l.rowid = e.rowid"
                f" JOIN summaries s ON s.rowid = e.rowid WHERE e.rowid IN ({marks})",
                rowids,
            )
        }
        return [found[rowid] for rowid in rowids if rowid in found]  # type: ignore[misc]

    def widest_label(self) -> int:
        """The length of the longest date label: the width of a date column (recorded when the cache was built)."""
        return int(self.meta["widest_label"])

    def events_at(self, rowids: Sequence[int]) -> list[Event]:
        """The events at these positions, in the order given, fetched in batches."""
        found: dict[int, Event] = {}
        for start in range(0, len(rowids), 900):
            chunk = rowids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self._rows(f"{_EVENT_SQL} WHERE e.rowid IN ({marks})", chunk)
            found.update(zip((row[0] for row in rows), self._events(rows), strict=True))
        return [found[rowid] for rowid in rowids]

    def event_fingerprints(self) -> dict[str, str]:
        """Each event's id and a hash of its content: two versions of an event differ exactly when these do."""
        return {
            event_id: digest.hex()
            for event_id, digest in self._rows("SELECT t.id, e.fingerprint FROM events e JOIN lines t USING (rowid)")
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

    def rowid_pages(self, size: int) -> Iterator[list[tuple[int, int]]]:
        """(rowid, year) of every event in chronological order, ``size`` at a time (keyset pages)."""
        last = 0
        while page := self._rows("SELECT rowid, year FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, size)):
            yield page
            last = page[-1][0]

    def year_runs(self) -> list[tuple[int, int]]:
        """(year, number of events) for every year, in order: the shape of the unfiltered timeline."""
        return [
            (year, count) for year, count in self._rows("SELECT year, count(*) FROM events GROUP BY year ORDER BY year")
        ]

    def iter_events(
        self, filters: Filters | None = None, notes: query_lang.NoteMatcher | None = None
    ) -> Iterator[Event]:
        """Matching events in chronological order (every event without ``filters``), streamed from the database."""
        if filters is None:
            from .model import NO_FILTERS

            filters = NO_FILTERS
        if filters.query.strip():
            rowids = self.search(filters, notes=notes).rowids  # in date order, which is rowid order
            for start in range(0, len(rowids), 500):
                yield from self.events_at(rowids[start : start + 500])
            return
        clauses, params = self._where(filters, None)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        last = 0
        while True:  # keyset pagination keeps memory flat without holding the lock for the whole export
            page = self._rows(
                f"{_EVENT_SQL}{where}{' AND' if where else ' WHERE'} e.rowid > ? ORDER BY e.rowid LIMIT 1000",
                [*params, last],
            )
            if not page:
                return
            yield from self._events(page)
            last = page[-1][0]

    def references(self) -> tuple[set[str], set[str]]:
        """The entities (actors and places) and the sources that the events of the store name.

        What an export of every event must carry, read from distinct columns and the actors' index: no event is made.
        """
        entities = {entity for (entity,) in self._rows("SELECT DISTINCT entity FROM event_actors")}
        entities.update(place for (place,) in self._rows("SELECT DISTINCT place FROM events") if place is not None)
        wanted = {int(q) for (cites,) in self._rows("SELECT DISTINCT cites FROM events") for q in split_list(cites)}
        sources = {source for qid, source in self._rows("SELECT qid, source FROM quotes") if qid in wanted}
        return entities, sources

    def rows(self, rowids: Sequence[int]) -> list[Row]:
        """Timeline rows for these rowids, in rowid order (the timeline asks only for what is on screen)."""
        sql = (
            "SELECT e.rowid, t.id, e.label, e.year, e.status, e.tags, t.title"
            " FROM events e JOIN lines t ON t.rowid = e.rowid"
        )
        out: list[Row] = []
        ordered = sorted(rowids)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            marks = ",".join("?" * len(chunk))
            out += [
                Row(rowid, event_id, label, year, status, tags.split(LIST_SEP, 1)[0], title)
                for rowid, event_id, label, year, status, tags, title in self._rows(
                    f"{sql} WHERE e.rowid IN ({marks}) ORDER BY e.rowid", chunk
                )
            ]
        return out

    def highlights(
        self, query: query_lang.Query, rowids: Sequence[int]
    ) -> dict[int, tuple[list[tuple[int, int]], list[tuple[int, int]]]]:
        """For each rowid that matches, the (start, end) spans of matches in its title and summary."""
        terms = query.terms()
        if not terms or not rowids:
            return {}
        # Highlight every term searched for, so an OR group's other branch still lights up.
        # A word naming many entities is looked for in the text alone: names are never highlighted.
        expr = " OR ".join(self.term_fts(term) or term.fts() for term in terms)
        select = "SELECT rowid, highlight(fts, 0, ?, ?), highlight(fts, 1, ?, ?) FROM fts WHERE fts MATCH ?"
        params: list[Any] = [HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, expr]
        low, high = min(rowids), max(rowids)
        if high - low < ROWID_STEP * (4 * len(rowids) + 64):
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

    def highlighted_cards(self, query: query_lang.Query, rowids: Sequence[int]) -> list[HighlightedCard]:
        """(date label, id, title, summary, title spans, summary spans) of these events, in the order given:
        a search result's row with what ``highlights`` finds, read in one query (``cards`` and ``highlights``
        together read each event's text twice, and look the scattered rows of a common word up one by one)."""
        if not rowids:
            return []
        found: dict[int, HighlightedCard] = {}
        terms = query.terms()
        if terms:
            expr = " OR ".join(self.term_fts(term) or term.fts() for term in terms)
            params: list[Any] = [*_MARKS, expr]
            low, high = min(rowids), max(rowids)
            # One scan of the range (see ``highlights``) when the events in it that the terms match are
            # not many more than those wanted: counting them reads the index alone (~0.1 µs an event).
            dense = high - low < ROWID_STEP * (4 * len(rowids) + 64)
            prefix = "*" in expr
            if not dense and not prefix:
                count = "SELECT count(*) FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?"
                dense = self._rows(count, [expr, low, high])[0][0] <= 2 * len(rowids) + 64
            marks = ",".join("?" * len(rowids))
            if dense:
                wanted = set(rowids)
                rows = [
                    r
                    for r in self._rows(f"{_HIGHLIGHTED} AND f.rowid BETWEEN ? AND ?", [*params, low, high])
                    if r[0] in wanted
                ]
            elif prefix:
                # "+f.rowid": SQLite tests the rowids itself, so FTS5 gathers the prefix's postings once
                # and reads them through (with "f.rowid IN", once a rowid: 12 s for 300 of d*), and
                # highlights only the rows wanted.
                rows = self._rows(f"{_HIGHLIGHTED} AND +f.rowid IN ({marks})", [*params, *rowids])
            else:
                rows = self._rows(f"{_HIGHLIGHTED} AND f.rowid IN ({marks})", [*params, *rowids])
            found = {row[0]: _highlighted_card(row) for row in rows}
        return self._with_cards(rowids, found)

    def _with_cards(self, rowids: Sequence[int], found: dict[int, HighlightedCard]) -> list[HighlightedCard]:
        """The cards of ``rowids`` in order: those ``found``, and the rest with no highlight."""
        if len(found) < len(rowids):  # events the search found by a name or a filter: no words to mark
            missing = [rowid for rowid in rowids if rowid not in found]
            found.update(
                (rowid, (label, event_id, title, summary, [], []))
                for rowid, label, event_id, title, summary in self.cards(missing)
            )
        return [found[rowid] for rowid in rowids if rowid in found]

    def highlighted_card_batches(
        self, query: query_lang.Query, batches: Iterable[Sequence[int]]
    ) -> Iterator[tuple[Sequence[int], list[HighlightedCard]]]:
        """Each batch with its ``highlighted_cards``, one batch read and answered at a time.

        While the batches come in rowid order (a search by date), the cards come from one query of every
        event the terms match, read alongside them: FTS5 gathers a prefix's postings (``d*``) once a query,
        so one query a batch took 23 s for ``d*`` at 100,000 events. When that query reads many events
        the batches do not hold (``rare common``: every ``common`` is highlighted), or the batches are not
        in order, each batch is looked up on its own instead.
        """
        terms = query.terms()
        rows: Iterator[Any] | None = None
        if terms:
            expr = " OR ".join(self.term_fts(term) or term.fts() for term in terms)
            rows = iter(self._conn.execute(f"{_HIGHLIGHTED} ORDER BY f.rowid", [*_MARKS, expr]))
        ahead: Any = None  # the row read past the last batch
        last, used, skipped = 0, 0, 0
        for rowids in batches:
            ordered = bool(rowids) and last < rowids[0] and all(a < b for a, b in pairwise(rowids))
            if rows is not None and ordered:
                wanted, high = set(rowids), rowids[-1]
                found: dict[int, HighlightedCard] = {}
                while skipped <= 4 * (used + len(found)) + 1024:  # else too many read for nothing
                    row = ahead if ahead is not None else next(rows, None)
                    ahead = None
                    if row is None or row[0] > high:
                        ahead = row
                        used += len(found)
                        last = high
                        yield rowids, self._with_cards(rowids, found)
                        break
                    if row[0] in wanted:
                        found[row[0]] = _highlighted_card(row)
                    else:
                        skipped += 1
                else:
                    rows = None
                if rows is not None:
                    continue
            rows = None
            yield rowids, self.highlighted_cards(query, rowids)

    def date_spans(self, rowids: Sequence[int] | None = None) -> list[tuple[int, str, str, str]]:
        """(rowid, start, end, EDTF date) of these events (all if None), in rowid order: the time axis's data."""
        sql = 'SELECT e.rowid, e.start, e."end", t.date FROM events e JOIN lines t ON t.rowid = e.rowid'
        if rowids is None:
            return [tuple(r) for r in self._rows(f"{sql} ORDER BY e.rowid")]  # type: ignore[misc]
        out: list[tuple[int, str, str, str]] = []
        ordered = sorted(rowids)
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            marks = ",".join("?" * len(chunk))
            out += [tuple(r) for r in self._rows(f"{sql} WHERE e.rowid IN ({marks}) ORDER BY e.rowid", chunk)]  # type: ignore[misc]
        return out

    def typed_word_stem(self, word: str) -> str | None:
        """For a word cut short while typing: None if it matches as a prefix, else the indexed stem it may
        be cut from.

        The index holds Porter stems, so a word typed halfway can match nothing as a prefix although the
        whole word is there: "coopera" is neither a prefix of the stem "cooper" nor of any other term.
        The answer is the longest indexed term that the word starts with (or, for stems ending in "e",
        such as "trade" for "tradin", starts with less that "e"), at least three letters long.
        """
        tokens = query_lang.words(fold(word))
        if len(tokens) != 1 or len(tokens[0]) < 4:
            return None
        typed = tokens[0]
        if self._matches_an_event(query_lang.Term((typed,), prefix=True)):
            return None
        candidates = {typed[:k] for k in range(3, len(typed))} | {typed[:k] + "e" for k in range(3, len(typed))}
        marks = ",".join("?" * len(candidates))
        # A name's words are terms of entity_names (that of an entity no event names too: a store
        # with one has a `kztj check` warning, orphan-entity).
        found = [
            term
            for table in ("fts", "entity_names")
            for (term,) in self._rows(
                f"SELECT term FROM {self._terms_table(table)} WHERE term IN ({marks})", list(candidates)
            )
        ]
        return max(found, key=len) if found else None

    def _matches_an_event(self, term: query_lang.Term) -> bool:
        """Whether any event matches the term."""
        expr = self.term_fts(term)
        if expr is not None:  # the index alone answers, at its first match
            return bool(self._rows("SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (expr,)))
        matched, params = query_lang.term_sql(term, self.term_fts)
        return bool(self._rows(f"SELECT 1 FROM events e WHERE {matched} LIMIT 1", params))

    def _terms_table(self, table: str) -> str:
        """A per-connection fts5vocab table listing the terms of one of the index's FTS5 tables."""
        with self._lock:
            schema = self._conn.execute("SELECT schema FROM pragma_table_list WHERE name = ?", (table,)).fetchone()[0]
            self._conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_terms USING fts5vocab({schema}, {table}, 'row')"
            )
        return f"temp.{table}_terms"

    def term_fts(self, term: query_lang.Term) -> str | None:
        """A searched term as FTS5 matches it, in an event's own text or as a name of its actors or place;
        None when it names more entities than an FTS5 expression should list (``query.term_sql``)."""
        plain = term.fts()
        if plain in self._term_texts:
            return self._term_texts[plain]
        sql = "SELECT rowid FROM entity_names WHERE entity_names MATCH ? LIMIT ?"
        tokens = [f'"{entity_token(ordinal)}"' for (ordinal,) in self._rows(sql, (plain, _MOST_NAME_TOKENS + 1))]
        if len(tokens) > _MOST_NAME_TOKENS:
            found: str | None = None
        else:
            found = f"({plain} OR names : ({' OR '.join(tokens)}))" if tokens else plain
        return self._term_texts.remember(plain, found)

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
        return self.reopened(self.database_files())

    def database_files(self) -> dict[str, str]:
        """The files the store's connection reads, by schema name (empty for an in-memory store)."""
        if self._memory_uri is not None:
            return {}
        # As bytes: SQLite returns the names as they are on disk, which need not be UTF-8.
        listed = self._rows("SELECT name, CAST(file AS BLOB) FROM pragma_database_list")
        return {name: os.fsdecode(file) for name, file in listed if name != "temp" and file}

    def reopened(self, files: dict[str, str]) -> Store:
        """The same store on a new read-only connection to ``files`` (from ``database_files``).

        A process forked from this one opens its own connection this way: a connection must never
        cross a fork.
        """
        if self._memory_uri is not None:
            conn = sqlite3.connect(self._memory_uri, uri=True, check_same_thread=False)
        else:
            files = dict(files)
            conn = sqlite3.connect(database_uri(files.pop("main")), uri=True, check_same_thread=False)
            for name, file in files.items():
                conn.execute(f'ATTACH DATABASE ? AS "{name}"', (database_uri(file),))
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
        clone._lock = allocate_lock()
        clone._quotes = {}
        clone._lists = {}
        clone._cited = {}
        return clone

    def names(self, kind: str, prefix: str = "", limit: int = -1) -> list[str]:
        """The event ids, tags, actor ids or metrics (``kind``) starting with ``prefix``, sorted; at most ``limit``."""
        table, column = _NAMES[kind]
        sql = f"SELECT DISTINCT {column} AS name FROM {table} WHERE substr(name, 1, ?) = ? ORDER BY name LIMIT ?"
        return [row[0] for row in self._rows(sql, (len(prefix), prefix, limit))]


# What ``Store.names`` lists: shell completion and the hints after an unknown name.
_NAMES = {
    "event": ("lines", "id"),
    "tag": ("event_tags", "tag"),
    "actor": ("event_actors", "entity"),
    "metric": ("figures", "json_extract(json, '$.metric')"),
}


def _from_where(source: str, conditions: Sequence[str], order: str) -> str:
    """The FROM, WHERE and ORDER BY of a search."""
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    return f"FROM {source}{where} ORDER BY {order}"


# A search result's row, with its matches marked (``Store.highlighted_cards``).
_HIGHLIGHTED = (
    "SELECT f.rowid, e.label, l.id, highlight(fts, 0, ?, ?), highlight(fts, 1, ?, ?) FROM fts f"
    " JOIN events e ON e.rowid = f.rowid JOIN lines l ON l.rowid = f.rowid WHERE fts MATCH ?"
)
_MARKS = (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE, HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE)


def _highlighted_card(row: Sequence[Any]) -> HighlightedCard:
    """A row of ``_HIGHLIGHTED`` as a card: its text without the marks, and the spans they marked."""
    title, title_spans = _unmarked(row[3])
    summary, summary_spans = _unmarked(row[4])
    return (row[1], row[2], title, summary, title_spans, summary_spans)


def _unmarked(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Text with its matches between HIGHLIGHT_OPEN and HIGHLIGHT_CLOSE: the text, and the spans they marked."""
    if HIGHLIGHT_OPEN not in marked:
        return marked, []
    return marked.replace(HIGHLIGHT_OPEN, "").replace(HIGHLIGHT_CLOSE, ""), _spans(marked)


def _spans(marked: str) -> list[tuple[int, int]]:
    """The (start, end) of each marked run, counted in the text without its marks."""
    # str.find, not a loop over every character: that cost 17 µs a summary (3.5 s for 100,000 matches).
    spans = []
    removed = at = 0
    while (opened := marked.find(HIGHLIGHT_OPEN, at)) >= 0:
        closed = marked.find(HIGHLIGHT_CLOSE, opened)
        if closed < 0:
            break
        spans.append((opened - removed, closed - removed - 1))
        removed += 2
        at = closed + 1
    return spans
