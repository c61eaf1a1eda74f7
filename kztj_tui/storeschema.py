"""The cache database's shape: its tables, the constants their columns depend on, and how a file is opened.

One list of the tables, read by the builder (:mod:`.storebuild`), the reader (:mod:`.store`) and the
incremental update (:mod:`.update`).
"""

from __future__ import annotations

import os

from .lean_typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

# Bump it whenever what a build writes changes, the text it derives included (``text.search_line``,
# ``WIDEST_LABEL_SQL``): a cache is trusted by this version and kztj's, which a change of code leaves alone.
SCHEMA_VERSION = "18"
# Event rowids are chronological but spaced, so an event added between two others by an
# incremental update takes a free rowid between theirs instead of renumbering (and re-indexing)
# every later event. ``seq`` keeps file order, which breaks ties between equal dates, the same way.
ROWID_STEP = 16
SEQ_STEP = 1 << 20
# Lists in a column (tags, actors, related ids, quote ids): joined by the ASCII unit separator,
# which sanitised text never contains.
LIST_SEP = "\x1f"

DDL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, json TEXT NOT NULL);
CREATE TABLE entities(ord INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, json TEXT NOT NULL);
CREATE TABLE quotes(qid INTEGER PRIMARY KEY, source TEXT NOT NULL, quote TEXT NOT NULL);
CREATE TABLE events(
    rowid INTEGER PRIMARY KEY, start TEXT NOT NULL, "end" TEXT NOT NULL, year INTEGER NOT NULL,
    label TEXT NOT NULL, long_label TEXT NOT NULL, status TEXT NOT NULL, place TEXT, tags TEXT NOT NULL,
    actors TEXT NOT NULL, related TEXT NOT NULL, cites TEXT NOT NULL, seq INTEGER NOT NULL,
    fingerprint BLOB NOT NULL);
CREATE TABLE layout(key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE event_tags(tag TEXT NOT NULL, event INTEGER NOT NULL, PRIMARY KEY (tag, event)) WITHOUT ROWID;
CREATE TABLE event_actors(entity TEXT NOT NULL, event INTEGER NOT NULL, PRIMARY KEY (entity, event)) WITHOUT ROWID;
CREATE TABLE figures(ord INTEGER PRIMARY KEY, id TEXT NOT NULL, json TEXT NOT NULL);
"""
# The index file keeps each event's title and summary, as written, and nowhere else: they are the
# external content of the FTS5 table, which stores only the index of the folded text (no copy).
# ``lines`` is narrow on purpose: it is what ``kztj search`` prints (date, id, title), and a
# search that matches every event reads all of it. ``line`` is that printed line, made once when
# the cache is built (``search_line``): a piped search fetches one text a match instead of three
# and formats nothing (100,000 lines: 53 ms, against 112 ms for the three columns joined in Python).
# Highlighting re-reads title and summary through the view; folding keeps one character per
# character, so the words fall at the same places in both.
# ``names`` holds a token for each of an event's actors and its place (``entity_token``); the
# names and aliases themselves are indexed once, in ``entity_names`` (rowid: the entity's ``ord``),
# and a searched word also matches the events of every entity whose names it matches
# (``Store.term_fts``). Indexing every alias again in every event was 40% of building the index.
FTS_DDL = """
CREATE TABLE fts_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE lines(
    rowid INTEGER PRIMARY KEY, date TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, line TEXT NOT NULL);
CREATE TABLE summaries(rowid INTEGER PRIMARY KEY, summary TEXT NOT NULL);
CREATE VIEW fts_content AS
    SELECT l.rowid AS rowid, l.title AS title, s.summary AS summary, '' AS quotes, '' AS tags, '' AS names
    FROM lines l JOIN summaries s ON s.rowid = l.rowid;
CREATE VIRTUAL TABLE fts USING fts5(
    title, summary, quotes, tags, names, content = 'fts_content', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE entity_names USING fts5(names, tokenize = 'porter unicode61 remove_diacritics 0');
"""
# Entity tokens are made of private-use characters: FTS5 keeps them as one token (Unicode category
# Co), the Porter stemmer leaves them alone (it only rewrites ASCII endings), and no query can
# spell one (a query's words are letters and digits), so only the names table ever reaches them.
PRIVATE_USE, PRIVATE_USE_SIZE = 0xE000, 6400
# The length of the longest date label, kept in meta as ``widest_label`` by every build and update: the
# date column of a search table is that wide, known before its first row (a scan of events took 10 ms).
WIDEST_LABEL_SQL = "SELECT coalesce(max(length(label)), 0) FROM events"
INDEXES = """
CREATE INDEX events_end ON events("end");
CREATE INDEX events_year ON events(year);
"""


def database_uri(path: str | os.PathLike[str], mode: str = "ro") -> str:
    """The SQLite URI of a database file, opened with ``mode`` (ro, rw or rwc); every file kztj opens goes through it.

    The path's own bytes are percent-encoded: a ``?``, ``#`` or ``%`` in a folder or store name would
    otherwise end the path or be decoded (losing ``mode=ro``, SQLite would create a file elsewhere),
    and a name that is not UTF-8 could not be passed to SQLite as text at all. The path is made
    absolute, so it never starts an authority (``//``) nor reads as a URI itself (``file:``).
    """
    absolute = os.path.abspath(os.fsencode(path))
    return f"file://{_percent_encoded(absolute)}?mode={mode}"


# What a URI path keeps as it is: RFC 3986's unreserved characters and ``/`` (urllib.parse.quote_from_bytes
# with safe="/", whose import costs a warm search 1.5 ms).
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def _percent_encoded(raw: bytes) -> str:
    """``raw`` with every byte but the unreserved ones and ``/`` written as ``%XX``."""
    return "".join(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in raw)


def split_list(joined: str) -> tuple[str, ...]:
    """A list column back as a tuple (an empty column is an empty list)."""
    return tuple(joined.split(LIST_SEP)) if joined else ()


def join_list(items: Sequence[str]) -> str:
    """A list as one column."""
    return LIST_SEP.join(items)


def entity_token(ordinal: int) -> str:
    """The token that stands for the entity at ``ordinal`` in an event's ``names`` column."""
    high, low = divmod(ordinal, PRIVATE_USE_SIZE)  # two characters: 40 million entities
    return chr(PRIVATE_USE + high) + chr(PRIVATE_USE + low)
