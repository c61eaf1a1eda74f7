"""Plain view objects for the browser, built in worker threads from a store; no Textual here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..model import Event, Figure, Source
from ..query import Query
from ..store import Store

if TYPE_CHECKING:
    from ..check import Finding

Spans = list[tuple[int, int]]


class Chip(NamedTuple):
    """An actor, place or tag the user can filter the timeline by."""

    kind: str  # "actor", "place" or "tag"
    key: str  # entity id or tag
    label: str


class FigureVersion(NamedTuple):
    """One source's value for a figure: the figure, its outlet and the source."""

    figure: Figure
    source: Source


class FigureLine(NamedTuple):
    """A figure of the event, with every other source's version when they disagree."""

    version: FigureVersion
    others: tuple[FigureVersion, ...]


class RelatedLink(NamedTuple):
    """A related event, as its date label and title."""

    event_id: str
    label: str
    title: str


class SourceLink(NamedTuple):
    """A source cited by the event, with the quote that supports it."""

    source: Source
    quote: str


class EventView(NamedTuple):
    """Everything the detail pane shows about one event."""

    rowid: int
    event: Event
    title_spans: Spans
    summary_spans: Spans
    place: Chip | None
    actors: tuple[Chip, ...]
    tags: tuple[Chip, ...]
    figures: tuple[FigureLine, ...]
    related: tuple[RelatedLink, ...]
    sources: tuple[SourceLink, ...]
    findings: tuple[Finding, ...] = ()
    status: str = ""  # the status in words, weighed against today
    note: str = ""  # the user's private note on the event (user text: never markup)


def version(store: Store, figure: Figure) -> FigureVersion:
    """A figure with the source it comes from."""
    return FigureVersion(figure, store.sources[figure.source])


def event_view(
    store: Store, rowid: int, query: Query | None = None, findings: Mapping[str, Sequence[Finding]] | None = None
) -> EventView:
    """Build the detail view of the event at ``rowid``, with match spans for ``query`` and its check findings."""
    from ..check import status_text, today

    event = store.event_at(rowid)
    spans = store.highlights(query, [rowid]).get(rowid, ([], [])) if query else ([], [])
    related = []
    others = []
    for related_id in event.related:
        other = store.event(related_id)
        if other is not None:
            others.append(other)
            related.append(RelatedLink(other.id, other.label, other.title))
    return EventView(
        rowid=rowid,
        event=event,
        title_spans=spans[0],
        summary_spans=spans[1],
        place=Chip("place", event.place, store.entity_name(event.place)) if event.place else None,
        actors=tuple(Chip("actor", actor, store.entity_name(actor)) for actor in dict.fromkeys(event.actors)),
        tags=tuple(Chip("tag", tag, tag) for tag in event.tags),
        figures=tuple(
            FigureLine(version(store, figure), tuple(version(store, o) for o in store.figure_conflicts(figure)))
            for figure in store.figures_for(event.id)
        ),
        related=tuple(related),
        sources=tuple(SourceLink(store.sources[c.source], c.quote) for c in event.sources),
        findings=tuple((findings or {}).get(event.id, ())),
        status=status_text(event, others, store.sources, today()),
    )
