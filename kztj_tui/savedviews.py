"""Saved views: a named search with its filters, kept with the user's marks and notes.

A view is saved in the browser (``V``) and reopened there from the command palette, with
``kztj --view NAME``, ``kztj search --view NAME`` and ``kztj export --view NAME``; ``kztj views``
lists them. A view names tags, actors and places by id: one the store no longer has is left out,
with one line saying so, and the rest of the view still applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from .model import Filters

# A view's name is typed on a command line and shown in the palette: one short printable line.
MAX_NAME = 60
SORTS = ("date", "relevance")


class SavedView(NamedTuple):
    """What a view brings back: the filters (marked: only the marked events, as they are when it opens) and sort."""

    filters: Filters
    marked: bool = False
    sort: str = "date"

    def to_json(self) -> dict[str, Any]:
        """The view as it is kept in the state file."""
        f = self.filters
        data: dict[str, Any] = {
            "query": f.query,
            "tags": list(f.tags),
            "actors": list(f.actors),
            "places": list(f.places),
            "from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None,
            "marked": self.marked,
            "sort": self.sort,
        }
        return data

    @classmethod
    def from_json(cls, data: object) -> SavedView:
        """A view read back from the state file; raises ValueError saying what is wrong with it."""
        if not isinstance(data, Mapping):
            raise ValueError("it is not an object")
        # A key kztj does not know ("date_from") was dropped: the view then showed more than it said.
        unknown = sorted(str(key) for key in data if key not in VIEW_KEYS)
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(VIEW_KEYS)})")
        query = data.get("query", "")
        if not isinstance(query, str):
            raise ValueError('"query" is not text')
        lists = {}
        for key in ("tags", "actors", "places"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
                raise ValueError(f'"{key}" is not a list of ids')
            lists[key] = tuple(value)
        dates = {}
        for key in ("from", "to"):
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(f'"{key}" is not a date')
            try:
                dates[key] = dt.date.fromisoformat(value) if value else None
            except ValueError:
                raise ValueError(f'"{key}" is not a date (YYYY-MM-DD)') from None
        marked, sort = data.get("marked", False), data.get("sort", "date")
        if not isinstance(marked, bool):
            raise ValueError('"marked" is not true or false')
        if sort not in SORTS:
            raise ValueError(f'"sort" is not one of {", ".join(SORTS)}')
        filters = Filters(date_from=dates["from"], date_to=dates["to"], query=query, **{k: v for k, v in lists.items()})
        return cls(filters, marked, sort)

    def describe(self) -> str:
        """The view in words, e.g. ``from 2021-01-01 · tag trade · query 'Rogun'``."""
        words = self.filters.describe()
        marked = "marked events" if self.marked else ""
        return " · ".join(part for part in (marked, words) if part) or "every event"


# The keys a view has in the state file: what to_json writes, and all from_json reads.
VIEW_KEYS = tuple(SavedView(Filters()).to_json())


def name_problem(name: str) -> str | None:
    """Why a name cannot name a view (empty, too long, not one printable line), or None."""
    if not name.strip():
        return "a view needs a name"
    if len(name) > MAX_NAME:
        return f"a view's name is at most {MAX_NAME} characters"
    if not name.isprintable():
        return "a view's name is one line of printable characters"
    return None


def fitted(view: SavedView, name: str, tags: set[str], entities: set[str]) -> tuple[Filters, list[str]]:
    """The view's filters with only the tags and entities the store has; a line for each left out."""
    f = view.filters
    gone = [f"tag {t!r}" for t in f.tags if t not in tags]
    gone += [f"actor {a!r}" for a in f.actors if a not in entities]
    gone += [f"place {p!r}" for p in f.places if p not in entities]
    notices = [f"view {name!r}: {what} is no longer in the store; left out" for what in gone]
    kept = f._replace(
        tags=tuple(t for t in f.tags if t in tags),
        actors=tuple(a for a in f.actors if a in entities),
        places=tuple(p for p in f.places if p in entities),
    )
    return kept, notices
