"""What every export format shares: which events and figures to write, and facts derived from them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..model import NO_FILTERS, Disagreement, Event, Figure, Filters, format_value
from ..store import Store
from ..text import sanitize

if TYPE_CHECKING:
    from .. import edtf  # imported when a date is first described: the warm path does not need it

DEFAULT_TITLE = "A kztj timeline"


def one_line(text: str) -> str:
    """Text folded to one line, for a line of plain words that other text follows."""
    # Most text is one line already, and testing that is ~6x cheaper than folding: every
    # whitespace character but the space is unprintable (str.isprintable), so printable text
    # with no double, leading or trailing space folds to itself.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def file_label(path: Path) -> str:
    """A file's name as text, sanitised like the store's own text: one line, no control bytes, valid UTF-8.

    A name is the one piece of an export that never went through the loader's sanitising, and
    may hold any byte but ``/``: escape sequences, newlines, bytes that are not UTF-8.
    """
    name = os.fsencode(path.name).decode("utf-8", "replace")
    return one_line(sanitize(name))


def title_of(store: Store) -> str:
    """The export title: the store's own ``title``, else a neutral one naming the file."""
    return store.title or f"{DEFAULT_TITLE} ({file_label(store.path)})"


class DateFacts(NamedTuple):
    """How precise and how sure an EDTF date is, for formats that cannot say ``2023-08-25?``."""

    precision: str  # day, month, year or interval
    uncertain: bool
    approximate: bool
    first: edtf.Point
    last: edtf.Point
    open_end: str  # "open" (A/..), "unknown" (A/) or ""

    @property
    def hedge(self) -> str:
        """Sentences saying the date is uncertain or approximate, or its end open or unknown; or ``""``."""
        if self.uncertain and self.approximate:
            sure = "The date is approximate and uncertain."
        elif self.approximate:
            sure = "The date is approximate."
        elif self.uncertain:
            sure = "The date is uncertain."
        else:
            sure = ""
        end = {"open": "It has no end: it was still going on when reported.", "unknown": "Its end is unknown."}
        return " ".join(part for part in (sure, end.get(self.open_end, "")) if part)

    @property
    def end_day(self) -> date | None:
        """The last day the date can mean, or None for an open or unknown end (no day to name)."""
        return None if self.open_end else self.last.end


@lru_cache(maxsize=4096)
def date_facts(text: str) -> DateFacts:
    """Precision and qualifiers of a validated EDTF date (memoised: stores repeat dates)."""
    from .. import edtf

    when = edtf.parse(text)
    points = (when.first, when.last)
    return DateFacts(
        "interval" if when.is_interval else when.first.precision,
        any(p.uncertain for p in points),
        any(p.approximate for p in points),
        when.first,
        when.last,
        when.open_end,
    )


class Selection:
    """The events an export writes, and the figures that follow the same filters.

    Streams events from the store; remembers only the ids it has written (when a filter
    narrows the export), so figures can follow them.
    """

    def __init__(self, store: Store, filters: Filters = NO_FILTERS) -> None:
        self.store = store
        self.filters = filters
        # With only a date range every figure in range belongs; tags, actors and a query
        # narrow the figures to those of the events written.
        narrowed = bool(filters.tags or filters.actors or filters.query.strip() or filters.marked is not None)
        self.event_ids: set[str] | None = set() if narrowed else None
        self._matching: set[int] | None = None

    def events(self) -> Iterator[Event]:
        """Matching events in chronological order."""
        for event in self.store.iter_events(self.filters):
            if self.event_ids is not None:
                self.event_ids.add(event.id)
            yield event

    def figures(self) -> Iterator[Figure]:
        """Figures whose period overlaps the range and (when narrowed) whose event was exported."""
        date_from, date_to = self.filters.date_from, self.filters.date_to
        for figure in self.store.figures:
            if date_from and figure.end < date_from.isoformat():
                continue
            if date_to and figure.start > date_to.isoformat():
                continue
            if self.event_ids is None or figure.event in self.event_ids:
                yield figure

    def disagreements(self) -> list[Disagreement]:
        """The recorded disagreements about any exported event: a filter never hides one."""
        return [d for d in self.store.disagreements if any(self.includes(e) for e in d.events)]

    def includes(self, event_id: str) -> bool:
        """Whether the event with this id is part of the export (for dropping dangling references)."""
        if not self.filters.active:
            return True
        if self._matching is None:
            # Row numbers, not events: a set of ints stays small even at 100,000 events.
            self._matching = set(self.store.search(self.filters).rowids)
        return self.store.rowid_of(event_id) in self._matching


def conflict_note(store: Store, figure: Figure) -> str:
    """``conflicts with $1.3 bn (Outlet)`` for a conflicting figure, else ``""``."""
    if not figure.conflicts:
        return ""
    others = "; ".join(
        f"{format_value(o.value, o.unit)} ({one_line(store.sources[o.source].outlet)})"
        for o in store.figure_conflicts(figure)
    )
    return f"conflicts with {others}"


def figure_line(store: Store, figure: Figure) -> str:
    """One figure in plain words: metric, period, value, source and any conflict."""
    source = store.sources[figure.source]
    value = format_value(figure.value, figure.unit)
    line = f"{figure.metric} ({figure.period_label}): {value} per {one_line(source.outlet)}"
    note = conflict_note(store, figure)
    return f"{line} ⚠ {note}" if note else line


def citation_line(store: Store, source_id: str, quote: str) -> str:
    """A source in plain words: outlet, date, article file, and the verbatim quote."""
    source = store.sources[source_id]
    return f"{one_line(source.outlet)}, {source.published_label} ({one_line(source.file)}): “{one_line(quote)}”"
