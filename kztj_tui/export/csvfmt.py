"""CSV (RFC 4180, UTF-8, CRLF): one row per event, and a table of figures with raw numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from ..memo import Memo
from ..model import NO_FILTERS, Citation, Event, Filters
from ..store import Store
from . import parallel
from .common import Selection, date_facts, figure_line, one_line

EVENT_COLUMNS = (
    "id",
    "date",
    "start",
    "end",
    "precision",
    "uncertain",
    "approximate",
    "title",
    "summary",
    "tags",
    "actors",
    "place",
    "status",
    "sources",
    "quotes",
    "figures",
)
FIGURE_COLUMNS = (
    "id",
    "metric",
    "period",
    "start",
    "end",
    "value",
    "unit",
    "source",
    "outlet",
    "published",
    "quote",
    "note",
    "event",
    "conflicts",
)
# Cells a spreadsheet would run as a formula (CSV injection); an apostrophe makes them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Lists inside a cell: newline-separated (one source, quote or figure a line), items folded to one line.
_ITEMS = "\n"


def _text(value: str) -> str:
    value = one_line(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _items(values: Iterable[str]) -> str:
    return _ITEMS.join(_text(v) for v in values)


def _rows(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _cell(value: str) -> str:
    """A cell as csv.writer writes it (QUOTE_MINIMAL, CRLF): quoted, quotes doubled, if it holds , " CR or LF."""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _block(rows: Iterable[Sequence[str]]) -> str:
    """Rows of two or more text cells as one piece of CSV text, the bytes csv.writer writes.

    Written here, not by csv.writer, which tests every character of every cell one by one in C
    (3.5x slower than the four substring searches of ``_cell`` on an export's long cells).
    """
    return "".join([",".join(map(_cell, row)) + "\r\n" for row in rows])


def _flag(value: bool) -> str:
    return "true" if value else "false"


def to_csv(store: Store, filters: Filters = NO_FILTERS, *, fork: bool = False) -> Iterator[str]:
    """One header row, then one row per matching event, in chronological order; streamed."""

    known: parallel.PerStore[Memo[tuple[Citation, ...], tuple[str, str]]] = parallel.PerStore(lambda _: Memo(20_000))
    # Actor lists and places repeat too: each cell is made once.
    names: parallel.PerStore[dict[str, str]] = parallel.PerStore(lambda _: {})
    places: parallel.PerStore[Memo[str | None, str]] = parallel.PerStore(lambda _: Memo(4096))
    dated: Memo[str, tuple[str, str, str, str]] = Memo(4096)

    def rows(own: Store, events: Sequence[Event]) -> Iterator[Sequence[str]]:
        # Events cite the same passages again and again: their two cells are made once.
        cells = known(own)
        actors = names(own)  # actor id -> its name as a cell's text
        where = places(own)
        for event in events:
            cited = cells.get(event.sources)
            if cited is None:
                outlets = _items(
                    f"{own.sources[c.source].outlet} ({own.sources[c.source].published})" for c in event.sources
                )
                cited = cells.remember(event.sources, (outlets, _items(c.quote for c in event.sources)))
            try:
                named = "; ".join([actors[a] for a in event.actors])
            except KeyError:
                actors.update((a, _text(own.entity_name(a))) for a in event.actors)
                named = "; ".join([actors[a] for a in event.actors])
            place = where.get(event.place)
            if place is None:
                place = where.remember(event.place, _text(own.entity_name(event.place)))
            facts = dated.get(event.date)
            if facts is None:
                found = date_facts(event.date)
                facts = dated.remember(
                    event.date,
                    (
                        "" if found.open_end else "end",  # an open or unknown end has no last day
                        found.precision,
                        _flag(found.uncertain),
                        _flag(found.approximate),
                    ),
                )
            figures = own.figures_for(event.id)
            yield (
                event.id,
                event.date,
                event.start,
                event.end if facts[0] else "",
                facts[1],
                facts[2],
                facts[3],
                _text(event.title),
                _text(event.summary),
                "; ".join(event.tags),
                named,
                place,
                event.status,
                *cited,
                _items(figure_line(own, f) for f in figures) if figures else "",
            )

    yield from _rows([EVENT_COLUMNS])
    yield from parallel.rendered(Selection(store, filters), lambda own, events, _: _block(rows(own, events)), fork)


def figures_csv(store: Store, metrics: Sequence[str] = ()) -> Iterator[str]:
    """Figures for machines: raw numbers, ISO period bounds, unit, source, quote and conflicting ids."""

    def rows() -> Iterator[Sequence[object]]:
        yield FIGURE_COLUMNS
        for f in store.figures:
            if metrics and f.metric not in metrics:
                continue
            source = store.sources[f.source]
            yield (
                f.id,
                f.metric,
                f.period,
                f.start,
                "" if date_facts(f.period).open_end else f.end,
                repr(f.value) if isinstance(f.value, float) else f.value,
                f.unit,
                f.source,
                _text(source.outlet),
                source.published,
                _text(f.quote),
                _text(f.note or ""),
                f.event or "",
                "; ".join(f.conflicts),
            )

    return _rows(rows())
