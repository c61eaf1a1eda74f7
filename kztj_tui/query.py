"""The search query language, shared by ``kztj search`` and the TUI: parsed here, compiled to SQL and FTS5.

Syntax: words (all must match), ``"a phrase"``, ``-word`` or ``NOT word``, ``a OR b``,
``prefix*``, and the fields ``tag:``, ``actor:``, ``year:``, ``from:``, ``to:`` and ``note:``. Fields are
atoms like words: ``-tag:trade``, ``NOT year:2023`` and ``wheat OR tag:culture`` mean what they
say, and every atom narrows the result whatever its place in the query. Anything else is searched
literally: user text never reaches FTS5 or SQL unquoted. ``note:`` matches the user's private notes,
which are not in the store: the caller passes a function that finds them (see :data:`NoteMatcher`).
"""

from __future__ import annotations

from .folding import fold
from .lean_typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from datetime import date
    from typing import Any

FIELDS = ("tag", "actor", "year", "from", "to", "note")

# Past these, a query is not something a person typed; SQLite and FTS5 also cap expression depth.
MAX_QUERY_CHARS = 10_000
MAX_ATOMS = 200


class QueryError(ValueError):
    """A query that cannot be run, with a message for the user."""


class Token(NamedTuple):
    """One word of query text as typed: ``-``, a field name and a colon, then a ``"phrase"`` or a word."""

    start: int
    end: int
    negated: bool
    field: str | None
    phrase: str | None
    """The text between the quotes (the closing one may be missing), or None for a word."""
    word: str | None


def tokens(text: str) -> Iterator[Token]:
    """The tokens of query text, left to right; whitespace separates them and is in none.

    A ``-`` is a negation when something follows it, else a word; letters and a colon are a field
    name when a value follows them, else part of a word. Hand-written, not a regular expression:
    :mod:`re` costs ~4 ms to import on every warm search.
    """
    at, length = 0, len(text)
    while at < length:
        if text[at].isspace():
            at += 1
            continue
        start = at
        negated = text[at] == "-" and at + 1 < length and not text[at + 1].isspace()
        at += negated
        name_end = at
        while name_end < length and ("a" <= text[name_end] <= "z" or "A" <= text[name_end] <= "Z"):
            name_end += 1
        field = None
        if at < name_end < length - 1 and text[name_end] == ":" and not text[name_end + 1].isspace():
            field, at = text[at:name_end], name_end + 1
        if text[at] == '"':
            close = text.find('"', at + 1)
            inside = length if close < 0 else close
            end = min(inside + 1, length)
            yield Token(start, end, negated, field, text[at + 1 : inside], None)
        else:
            end = at
            while end < length and text[end] != '"' and not text[end].isspace():
                end += 1
            yield Token(start, end, negated, field, None, text[at:end])
        at = end


def words(text: str) -> list[str]:
    """The runs of letters and digits in text (what the index calls words); anything else separates them."""
    found: list[str] = []
    start = -1
    for at, char in enumerate(text):
        if char.isalnum():
            if start < 0:
                start = at
        elif start >= 0:
            found.append(text[start:at])
            start = -1
    if start >= 0:
        found.append(text[start:])
    return found


class Term(NamedTuple):
    """Searchable text: folded word tokens, matched as a phrase, maybe as a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """The FTS5 expression: tokens are letters and digits only, so quoting them is always valid."""
        return '"' + " ".join(self.tokens) + '"' + (" *" if self.prefix else "")


if TYPE_CHECKING:  # annotations only: collections.abc is not imported on a warm search
    TermText = Callable[[Term], "str | None"]
    """How a term is written into an FTS5 expression (the store adds the entities whose names match it),
    or None when it names too many entities to list there: it is then matched through SQL."""

# A term that names too many entities for an FTS5 expression: its own text through the index, and
# the events whose actors or place have a name it matches (entity_names' rowid is the entity's ord).
_WIDE_TERM_SQL = (
    "e.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
    " OR e.rowid IN (SELECT a.event FROM event_actors a JOIN entities n ON n.id = a.entity"
    " WHERE n.ord IN (SELECT rowid FROM entity_names WHERE entity_names MATCH ?))"
    # NOT NULL first: an event without a place must read as no match, never as unknown (which
    # NOT would keep unknown, and the event would be dropped from a negated search).
    " OR (e.place IS NOT NULL AND e.place IN (SELECT n.id FROM entities n"
    " WHERE n.ord IN (SELECT rowid FROM entity_names WHERE entity_names MATCH ?)))"
)


class Field(NamedTuple):
    """A field filter: ``tag``, ``actor``, or a date bound (``year`` is both bounds)."""

    name: str
    value: str
    start: date | None = None  # the day range a date field keeps
    end: date | None = None


class Atom(NamedTuple):
    """One unit of a query, possibly negated."""

    what: Term | Field
    negated: bool = False


class Query:
    """A parsed query: groups of alternatives (atoms joined by OR) that must all match."""

    # A plain class, not a dataclass: importing dataclasses costs ~12 ms on every warm command.
    __slots__ = ("groups", "text")

    def __init__(self, groups: list[list[Atom]] | None = None, text: str = "") -> None:
        self.groups: list[list[Atom]] = groups or []
        self.text = text
        """The text parsed (for a word being typed, the text as run: ``trad* OR trade``)."""

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __repr__(self) -> str:
        return f"Query({self.text!r})"

    def positive_fts(self, text: TermText = Term.fts) -> str | None:
        """FTS5 expression for the groups of plain words that must match, or None."""
        parts = []
        for group in self.groups:
            if not _drives_index(group, text):
                continue
            expr = " OR ".join(str(text(atom.what)) for atom in group)  # type: ignore[arg-type]
            parts.append(f"({expr})" if len(group) > 1 else expr)
        return " AND ".join(parts) or None

    def terms(self) -> list[Term]:
        """Every word that is searched for, not against: what a view highlights."""
        return [a.what for group in self.groups for a in group if isinstance(a.what, Term) and not a.negated]

    def fields(self) -> list[Field]:
        """Every field filter, for describing a query."""
        return [a.what for group in self.groups for a in group if isinstance(a.what, Field)]


def _drives_index(group: list[Atom], text: TermText) -> bool:
    """Whether a group is plain words only, each one an FTS5 expression: such groups become the
    FTS5 expression, the rest SQL."""
    return all(isinstance(atom.what, Term) and not atom.negated and text(atom.what) is not None for atom in group)


def _term(text: str, allow_prefix: bool) -> Term | None:
    folded = tuple(words(fold(text)))
    if not folded:
        return None
    return Term(folded, allow_prefix and text.endswith("*"))


def date_bound(value: str, which: str) -> date:
    """The first (``from``) or last (``to``) day an EDTF date can mean; QueryError if it is not one."""
    from . import edtf

    try:
        return edtf.bound(value, which)
    except edtf.EdtfError:
        raise QueryError(f"{which}:{value} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD") from None


def _field(name: str, value: str) -> Field:
    if not value:
        example = "2023" if name in ("year", "from", "to") else "trade"
        raise QueryError(f"{name}: needs a value, e.g. {name}:{example}")
    if name == "tag":
        return Field(name, value.lower())
    if name in ("actor", "note"):
        return Field(name, value)
    if name == "year":
        if not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise QueryError(f"year:{value} is not a year; use four digits, e.g. year:2023")
        return Field(name, value, date_bound(value, "from"), date_bound(value, "to"))
    if name == "from":
        return Field(name, value, start=date_bound(value, "from"))
    return Field(name, value, end=date_bound(value, "to"))


def parse(text: str) -> Query:
    """Parse user query text; raise QueryError for a bad field value or an oversized query."""
    if len(text) > MAX_QUERY_CHARS:
        # The point first: a narrow count box shows the start of the line.
        raise QueryError(f"query too long: {len(text):,} characters, over the limit of {MAX_QUERY_CHARS:,}")
    query = Query(text=text)
    pending_or = False
    negate_next = False
    count = 0
    for token in tokens(text):
        negative = token.negated or negate_next
        negate_next = False
        name = (token.field or "").lower()
        phrase, word = token.phrase, token.word
        raw = str(phrase if phrase is not None else word)
        if name and name not in FIELDS:
            # Not a field we know (e.g. "http://..."): search the whole thing literally.
            raw = f"{token.field}:{raw}"
            name = ""
        if not name and phrase is None and word in ("OR", "AND", "NOT"):
            if word == "OR" and query.groups:
                pending_or = True
            elif word == "NOT":
                negate_next = True
            continue
        what = _field(name, raw.strip()) if name else _term(raw, allow_prefix=phrase is None)
        if what is None:
            continue
        count += 1
        if count > MAX_ATOMS:
            raise QueryError(f"the query has more than {MAX_ATOMS} words and fields; narrow it down")
        atom = Atom(what, negative)
        if pending_or and query.groups:
            query.groups[-1].append(atom)
        else:
            query.groups.append([atom])
        pending_or = False
    return query


if TYPE_CHECKING:
    ActorResolver = Callable[[str], list[str]]
    NoteMatcher = Callable[[str], list[str]]
    """The ids of the events whose note holds a word (``note:WORD``); without one, ``note:`` matches nothing."""


def term_sql(term: Term, text: TermText = Term.fts) -> tuple[str, list[Any]]:
    """The SQL condition on ``events e`` that holds where a term matches."""
    expr = text(term)
    if expr is not None:
        return "e.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [expr]
    plain = term.fts()
    return _WIDE_TERM_SQL, [plain, plain, plain]


def ids_sql(ids: Iterable[str]) -> tuple[str, list[Any]]:
    """The SQL condition on ``events e`` that holds for the events with these ids (one parameter, any number)."""
    import json  # only marks and notes need it; a plain search never does

    return "e.rowid IN (SELECT rowid FROM lines WHERE id IN (SELECT value FROM json_each(?)))", [json.dumps(list(ids))]


def _atom_sql(
    atom: Atom, resolve_actor: ActorResolver, text: TermText, notes: NoteMatcher | None = None
) -> tuple[str, list[Any]]:
    what = atom.what
    if isinstance(what, Term):
        sql, params = term_sql(what, text)
    elif what.name == "tag":
        sql, params = "e.rowid IN (SELECT event FROM event_tags WHERE tag = ?)", [what.value]
    elif what.name == "actor":
        ids = resolve_actor(what.value)
        marks = ",".join("?" * len(ids)) or "NULL"
        sql, params = f"e.rowid IN (SELECT event FROM event_actors WHERE entity IN ({marks}))", list(ids)
    elif what.name == "note":
        sql, params = ids_sql(notes(what.value) if notes is not None else [])
    else:  # a date field keeps events that overlap its days
        bounds = []
        params = []
        if what.start is not None:
            bounds.append('e."end" >= ?')
            params.append(what.start.isoformat())
        if what.end is not None:
            bounds.append("e.start <= ?")
            params.append(what.end.isoformat())
        sql = " AND ".join(bounds)
    return (f"NOT ({sql})" if atom.negated else f"({sql})"), params


def where(
    query: Query, resolve_actor: ActorResolver, text: TermText = Term.fts, notes: NoteMatcher | None = None
) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``events e`` for every group that the FTS expression does not already cover."""
    clauses: list[str] = []
    params: list[Any] = []
    for group in query.groups:
        if _drives_index(group, text):
            continue
        parts = [_atom_sql(atom, resolve_actor, text, notes) for atom in group]
        clauses.append(parts[0][0] if len(parts) == 1 else "(" + " OR ".join(sql for sql, _ in parts) + ")")
        for _, atom_params in parts:
            params += atom_params
    return clauses, params


def note_matcher(notes: Mapping[str, str]) -> NoteMatcher:
    """``note:WORD`` over a user's notes: the ids whose note holds WORD, case and diacritics aside.

    Notes are few and not in the store's index, so this reads them all in Python.
    """

    def matching(value: str) -> list[str]:
        wanted = fold(value).strip()
        return [event_id for event_id, text in notes.items() if wanted in fold(text)]

    return matching
