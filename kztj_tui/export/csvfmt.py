"""CSV (RFC 4180, UTF-8, CRLF): one row per event, and a table of figures with raw numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from ..memo import Memo
from ..model import NO_FILTERS, Citation, Event, Filters
from ..store import Store
from . import parallel
from .common import Selection, date_facts, figure_line

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
    value = " ".join(value.split())
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


def _block(rows: Iterable[Sequence[object]]) -> str:
    """Rows as one piece of CSV text: one writer call for a block of rows."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def to_csv(store: Store, filters: Filters = NO_FILTERS, *, fork: bool = False) -> Iterator[str]:
    """One header row, then one row per matching event, in chronological order; streamed."""

    known: parallel.PerStore[Memo[tuple[Citation, ...], tuple[str, str]]] = parallel.PerStore(lambda _: Memo(20_000))

    def rows(own: Store, events: Sequence[Event]) -> Iterator[Sequence[object]]:
        # Events cite the same passages again and again: their two cells are made once.
        cells = known(own)
        for event in events:
            cited = cells.get(event.sources)
            if cited is None:
                outlets = _items(
                    f"{own.sources[c.source].outlet} ({own.sources[c.source].published})" for c in event.sources
                )
                cited = cells.remember(event.sources, (outlets, _items(c.quote for c in event.sources)))
            facts = date_facts(event.date)
            yield (
                event.id,
                event.date,
                event.start,
                "" if facts.open_end else event.end,  # an open or unknown end has no last day
                facts.precision,
                _flag(facts.uncertain),
                _flag(facts.approximate),
                _text(event.title),
                _text(event.summary),
                "; ".join(event.tags),
                "; ".join(_text(own.entity_name(a)) for a in event.actors),
                _text(own.entity_name(event.place)),
                event.status,
                *cited,
                _items(figure_line(own, f) for f in own.figures_for(event.id)),
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
