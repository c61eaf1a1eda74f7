"""JSON and JSON Lines: the store's own shape plus derived, read-only fields; a filtered export is a valid store."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..memo import Memo
from ..model import NO_FILTERS, Citation, Disagreement, Event, Figure, Filters
from ..store import Store
from . import parallel
from .common import Selection, date_facts

# Bumped when a field changes meaning or goes away; new optional fields keep the version.
FORMAT = "kztj-export/1"


# json.dumps(value, ensure_ascii=False), without making an encoder for every value.
_dump = json.JSONEncoder(ensure_ascii=False).encode
# A str as that encoder writes it.
_string = json.encoder.encode_basestring


class EventText:
    """Events as JSON text, each exactly ``_dump(event_json(event, keep))``, for an export of many.

    The values events share (the citations, the date fields) are encoded once; the rest is
    joined around the encoded strings.
    """

    def __init__(self) -> None:
        self._cited: Memo[tuple[Citation, ...], str] = Memo(20_000)
        self._dates: Memo[tuple[str, str, str], str] = Memo(4096)
        # Tag and actor lists repeat from event to event: each is encoded once.
        self._lists: Memo[tuple[str, ...], str] = Memo(20_000)

    def text(self, event: Event, keep: Any = None, end: str = "") -> str:
        """The event as JSON text, ``end`` (more members, each starting ``, ``) before its closing brace."""
        cited = self._cited.get(event.sources)
        if cited is None:
            cited = self._cited.remember(
                event.sources, _dump([{"source": c.source, "quote": c.quote} for c in event.sources])
            )
        key = (event.date, event.start, event.end)
        dated = self._dates.get(key)
        if dated is None:
            facts = date_facts(event.date)
            dated = self._dates.remember(
                key,
                _dump(
                    {
                        "start": event.start,
                        "end": None if facts.open_end else event.end,
                        "precision": facts.precision,
                        "uncertain": facts.uncertain,
                        "approximate": facts.approximate,
                    }
                )[1:-1],
            )
        related = event.related
        if keep is not None and related:
            related = tuple([r for r in related if keep(r)])
        lists = self._lists
        tags = lists.get(event.tags)
        if tags is None:
            tags = lists.remember(event.tags, _strings(event.tags))
        actors = lists.get(event.actors)
        if actors is None:
            actors = lists.remember(event.actors, _strings(event.actors))
        return (
            f'{{"id": {_string(event.id)}, "date": {_string(event.date)}, "title": {_string(event.title)}, '
            f'"summary": {_string(event.summary)}, "tags": {tags}, "actors": {actors}, '
            f'"place": {"null" if event.place is None else _string(event.place)}, '
            f'"status": {_string(event.status)}, "sources": {cited}, '
            f'"related": {_strings(related) if related else "[]"}, '
            f"{dated}{end}}}"
        )


def _strings(items: tuple[str, ...]) -> str:
    """A list of strs as the encoder writes it."""
    return "[" + ", ".join(map(_string, items)) + "]"


def _note(event: Event, notes: Mapping[str, str] | None) -> str:
    """``--notes``: the event's ``note`` member (the user's text, or null), else nothing."""
    if notes is None:
        return ""
    note = notes.get(event.id)
    return ', "note": ' + ("null" if note is None else _string(note))


def event_json(event: Event, keep: Any = None) -> dict[str, Any]:
    """An event as exported: the store's fields, then ``start``, ``end``, precision and qualifiers.

    ``keep(id)`` says whether a related event is in the export; the others are dropped.
    """
    facts = date_facts(event.date)
    return {
        "id": event.id,
        "date": event.date,
        "title": event.title,
        "summary": event.summary,
        "tags": list(event.tags),
        "actors": list(event.actors),
        "place": event.place,
        "status": event.status,
        "sources": [{"source": c.source, "quote": c.quote} for c in event.sources],
        "related": [r for r in event.related if keep is None or keep(r)],
        "start": event.start,
        "end": None if facts.open_end else event.end,  # an open or unknown end has no last day
        "precision": facts.precision,
        "uncertain": facts.uncertain,
        "approximate": facts.approximate,
    }


def figure_json(figure: Figure, keep_event: Any = None) -> dict[str, Any]:
    """A figure as exported: the store's fields, then ISO ``start``/``end`` and the ids it conflicts with."""
    return {
        "id": figure.id,
        "metric": figure.metric,
        "period": figure.period,
        "value": figure.value,
        "unit": figure.unit,
        "source": figure.source,
        "quote": figure.quote,
        "note": figure.note,
        "event": figure.event if figure.event is None or keep_event is None or keep_event(figure.event) else None,
        "start": figure.start,
        "end": None if date_facts(figure.period).open_end else figure.end,
        "conflicts": list(figure.conflicts),
    }


def _source(store: Store, source_id: str) -> dict[str, str]:
    s = store.sources[source_id]
    return {"id": s.id, "file": s.file, "outlet": s.outlet, "published": s.published, "description": s.description}


def _figures_with_conflicts(store: Store, selection: Selection) -> Iterator[Figure]:
    """The selected figures plus any figure they conflict with, so no conflict is hidden by a filter."""
    chosen = list(selection.figures())
    seen = {f.id for f in chosen}
    extra = {other.id: other for f in chosen for other in store.figure_conflicts(f) if other.id not in seen}
    ordered = {f.id for f in chosen} | set(extra)
    yield from (f for f in store.figures if f.id in ordered)


def _with_note(data: dict[str, Any], notes: Mapping[str, str] | None) -> dict[str, Any]:
    """``--notes``: the event with its ``note`` (the user's text, or null)."""
    if notes is not None:
        data["note"] = notes.get(data["id"])
    return data


def to_json(
    store: Store, filters: Filters = NO_FILTERS, notes: Mapping[str, str] | None = None, *, fork: bool = False
) -> Iterator[str]:
    """The store as one JSON object (``format``, title, sources, entities, events, figures); streamed.

    ``notes`` (event id -> the user's note) adds a ``note`` field to every event: the export is then
    not a store until it is dropped, like every read-only field.
    """
    selection = Selection(store, filters)
    yield "{" + f'"format": {_dump(FORMAT)},\n "title": {_dump(store.title)},'
    yield f'\n "description": {_dump(store.description)},'
    yield '\n "sources": ' + _dump([_source(store, s) for s in store.sources])
    yield ',\n "entities": ' + _dump(
        [{"id": e.id, "name": e.name, "kind": e.kind, "aliases": list(e.aliases)} for e in store.entities.values()]
    )
    yield ',\n "events": ['

    writer = EventText()
    keep = selection.includes

    def events_json(own: Store, events: Sequence[Event], first: bool) -> str:
        text = ",\n  ".join([writer.text(event, keep, _note(event, notes)) for event in events])
        return ("\n  " if first else ",\n  ") + text

    yield from parallel.rendered(selection, events_json, fork)
    yield '\n ],\n "figures": ['
    first = True
    written: set[str] = set()
    for figure in _figures_with_conflicts(store, selection):
        yield ("\n  " if first else ",\n  ") + _dump(figure_json(figure, selection.includes))
        written.add(figure.id)
        first = False
    yield '\n ],\n "disagreements": ' + _dump([_disagreement(d, selection, written) for d in selection.disagreements()])
    yield "}\n"


def _disagreement(item: Disagreement, selection: Selection, figures: set[str]) -> dict[str, Any]:
    """A recorded disagreement, naming only events and figures the export holds (so it stays a valid store)."""
    data = item.to_json()
    data["events"] = [e for e in item.events if selection.includes(e)]
    data["figures"] = [f for f in item.figures if f in figures]
    return data


def to_jsonl(
    store: Store, filters: Filters = NO_FILTERS, notes: Mapping[str, str] | None = None, *, fork: bool = False
) -> Iterator[str]:
    """One event per line, shaped as in the JSON export, with its figures (and their conflicts) inline."""
    selection = Selection(store, filters)

    writer = EventText()
    keep = selection.includes

    def lines(own: Store, events: Sequence[Event], first: bool) -> str:
        out = []
        for event in events:
            more = _note(event, notes)
            figures = own.figures_for(event.id)
            if figures:
                more += ', "figures": ' + _dump([figure_json(f) for f in figures])
            out.append(writer.text(event, keep, more) + "\n")
        return "".join(out)

    yield from parallel.rendered(selection, lines, fork)
