"""Turn validated models into the runtime store: events with date bounds and labels, figures with conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from . import edtf
from .layout import Layout
from .model import Citation, Disagreement, Entity, Event, Figure, Source


class InputFile(NamedTuple):
    """A file a store was built from, as it was read: the cache is valid while these still match."""

    path: str  # relative to the store's directory (or absolute, for an article allowed outside it)
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    dev: int
    digest: str


@dataclass(slots=True)
class LoadedStore:
    """A validated store, events in chronological order, and the exact inputs it was built from."""

    path: Path
    sources: list[Source]
    entities: list[Entity]
    events: list[Event]
    figures: list[Figure]
    title: str | None = None
    description: str | None = None
    disagreements: list[Disagreement] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    allow_outside_articles: bool = False
    # Each event's index in the file (events are sorted by date): the tie-break an update must keep.
    file_order: list[int] = field(default_factory=list)
    # Where each event lies in the file, when it can be known exactly (see layout.py).
    layout: Layout | None = None
    # The main file's include patterns and the files they matched, relative to its folder (see includes.py).
    include_patterns: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)


class Dates:
    """EDTF parses, memoised: a large store repeats the same dates many times."""

    def __init__(self) -> None:
        self._parsed: dict[str, edtf.When] = {}
        self._facts: dict[str, tuple[str, str, str, str]] = {}

    def __call__(self, text: str) -> edtf.When:
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = edtf.parse(text)
        return found

    def facts(self, text: str) -> tuple[str, str, str, str]:
        """An event's (start, end, label, long label) for a date."""
        found = self._facts.get(text)
        if found is None:
            w = self(text)
            found = self._facts[text] = (w.start.isoformat(), w.end.isoformat(), w.label(), w.label(long=True))
        return found


# tuple.__new__ makes a NamedTuple from its fields in order without the keyword handling of its
# own __new__: 100,000 events are made at a cold load.
_tuple = tuple.__new__


def event_from_model(e: Any, dates: Dates, citations: dict[tuple[str, str], Citation]) -> Event:
    """A validated EventModel as a runtime Event with its date bounds and labels.

    ``citations`` shares equal citations between events: a large store cites the same passages
    again and again, and one object for each keeps memory down and a pickle of the events small.
    """
    start, end, label, long_label = dates.facts(e.date)
    cited = []
    for m in e.sources:
        key = (m.source, m.quote)
        citation = citations.get(key)
        if citation is None:
            citation = citations[key] = _tuple(Citation, key)
        cited.append(citation)
    # The fields in Event's order: id, date, start, end, label, long_label, title, summary, tags,
    # actors, place, status, sources, related.
    fields = (e.id, e.date, start, end, label, long_label, e.title, e.summary, tuple(e.tags), tuple(e.actors))
    return _tuple(Event, (*fields, e.place, e.status, tuple(cited), tuple(e.related)))


def assemble(path: Path, model: Any, events: list[Event], dates: Dates) -> LoadedStore:
    """The loaded store: sources and entities from the model, events sorted, figure conflicts found."""
    out_sources = [
        Source(s.id, s.file, s.outlet, s.published, dates(s.published).label(long=True), s.description)
        for s in model.sources
    ]
    out_entities = [Entity(e.id, e.name, e.kind, tuple(e.aliases)) for e in model.entities]
    # Stable: file order breaks ties.
    file_order = sorted(range(len(events)), key=lambda i: (events[i].start, events[i].end))
    events[:] = [events[i] for i in file_order]
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for f in model.figures:
        w = dates(f.period)
        groups.setdefault((f.metric, w.start.isoformat(), w.end.isoformat()), []).append(f)
    out_figures = []
    for f in model.figures:
        w = dates(f.period)
        group = groups[(f.metric, w.start.isoformat(), w.end.isoformat())]
        out_figures.append(
            Figure(
                id=f.id,
                metric=f.metric,
                period=f.period,
                period_label=w.label(),
                start=w.start.isoformat(),
                end=w.end.isoformat(),
                value=f.value,
                unit=f.unit,
                source=f.source,
                quote=f.quote,
                note=f.note,
                event=f.event,
                conflicts=tuple(other.id for other in group if other.value != f.value),
            )
        )
    out_figures.sort(key=lambda f: (f.metric, f.start, f.end))
    disagreements = [Disagreement.from_json(d.model_dump()) for d in model.disagreements]
    return LoadedStore(
        path,
        out_sources,
        out_entities,
        events,
        out_figures,
        model.title,
        model.description,
        disagreements,
        file_order=file_order,
    )
