"""The search query language, shared by ``kztj search`` and the TUI, compiled to SQLite FTS5.

Syntax: words (all must match), ``"a phrase"``, ``-word`` or ``NOT word``, ``a OR b``,
``prefix*``, and the fields ``tag:``, ``actor:``, ``year:``, ``from:`` and ``to:``.
Anything else is searched literally: user text never reaches FTS5 unquoted.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from .text import fold

FIELDS = ("tag", "actor", "year", "from", "to")
_TOKEN = re.compile(r'(?P<neg>-?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    """A query that cannot be run, with a message for the user."""


class Term(NamedTuple):
    """One searchable unit: folded word tokens, matched as a phrase, maybe as a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        # Tokens are letters and digits only, so wrapping them in quotes is always valid FTS5.
        return '"' + " ".join(self.tokens) + '"' + (" *" if self.prefix else "")


class Query:
    """A parsed query: groups of alternatives that must all match, exclusions, and field filters."""

    # A plain class, not a dataclass: importing dataclasses costs ~12 ms on every warm command.
    __slots__ = ("actors", "date_from", "date_to", "excluded", "groups", "tags")

    def __init__(self) -> None:
        self.groups: list[list[Term]] = []
        self.excluded: list[Term] = []
        self.tags: list[str] = []
        self.actors: list[str] = []
        self.date_from: date | None = None
        self.date_to: date | None = None

    def positive_fts(self) -> str | None:
        """FTS5 expression for the words that must match, or None."""
        if not self.groups:
            return None
        parts = []
        for group in self.groups:
            expr = " OR ".join(term.fts() for term in group)
            parts.append(f"({expr})" if len(group) > 1 else expr)
        return " AND ".join(parts)

    def negative_fts(self) -> str | None:
        """FTS5 expression matching any excluded word, or None."""
        if not self.excluded:
            return None
        return " OR ".join(term.fts() for term in self.excluded)

    def terms(self) -> list[Term]:
        """Every positive term, for highlighting."""
        return [term for group in self.groups for term in group]


def _term(text: str, allow_prefix: bool) -> Term | None:
    prefix = allow_prefix and text.endswith("*")
    tokens = tuple(_WORD.findall(fold(text)))
    if not tokens:
        return None
    return Term(tokens, prefix)


def _bound(value: str, which: str) -> date:
    from . import edtf

    try:
        when = edtf.parse(value)
    except edtf.EdtfError:
        raise QueryError(f"{which}:{value} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return when.start if which == "from" else when.end


def parse(text: str) -> Query:
    """Parse user query text; raise QueryError only for a field with a bad value."""
    query = Query()
    pending_or = False
    negate_next = False
    for match in _TOKEN.finditer(text):
        negative = bool(match.group("neg")) or negate_next
        negate_next = False
        name = (match.group("field") or "").lower()
        phrase, word = match.group("phrase"), match.group("word")
        raw = phrase if phrase is not None else word
        if name and name not in FIELDS:
            # Not a field we know (e.g. "http://..."): search the whole thing literally.
            raw = f"{match.group('field')}:{raw}"
            name = ""
        if name:
            value = raw.strip()
            if not value:
                raise QueryError(
                    f"{name}: needs a value, e.g. {name}:{'2023' if name in ('year', 'from', 'to') else 'trade'}"
                )
            if name == "tag":
                query.tags.append(value.lower())
            elif name == "actor":
                query.actors.append(value)
            elif name == "year":
                if not re.fullmatch(r"\d{4}", value):
                    raise QueryError(f"year:{value} is not a year; use four digits, e.g. year:2023")
                start, end = _bound(value, "from"), _bound(value, "to")
                query.date_from = max(query.date_from or start, start)
                query.date_to = min(query.date_to or end, end)
            elif name == "from":
                query.date_from = _bound(value, "from")
            else:
                query.date_to = _bound(value, "to")
            continue
        if phrase is None and word in ("OR", "AND", "NOT"):
            if word == "OR" and query.groups:
                pending_or = True
            elif word == "NOT":
                negate_next = True
            continue
        term = _term(raw, allow_prefix=phrase is None)
        if term is None:
            continue
        if negative:
            query.excluded.append(term)
        elif pending_or and query.groups:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
    return query
