"""Export a filtered store as Markdown or JSON: pure functions from (store, filters) to text chunks."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import __version__
from .model import NO_FILTERS, Event, Figure, Filters, format_value
from .store import Store

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")

TITLE = "Kazakhstan–Tajikistan relations: a sourced timeline"


def md_escape(text: str) -> str:
    """Escape Markdown syntax so user text always reads literally."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _footnote_label(owner: str, index: int) -> str:
    return f"[^{owner}-{index}]"


def event_markdown(store: Store, event: Event, heading: str = "###") -> str:
    """One event as Markdown, with its sources as footnotes carrying the quotes."""
    lines = [f"{heading} {event.long_label} — {md_escape(event.title)}", ""]
    facts = [f"**Status:** {event.status}"]
    if event.place:
        facts.append(f"**Place:** {md_escape(store.entity_name(event.place))}")
    if event.actors:
        facts.append("**Actors:** " + ", ".join(md_escape(store.entity_name(a)) for a in event.actors))
    facts.append("**Tags:** " + ", ".join(event.tags))
    lines += [" · ".join(facts), ""]
    notes = " ".join(_footnote_label(event.id, i) for i in range(1, len(event.sources) + 1))
    lines += [f"{md_escape(event.summary)} {notes}", ""]
    figures = store.figures_for(event.id)
    if figures:
        for figure in figures:
            flag = (
                " ⚠ *conflicts with "
                + ", ".join(format_value(other.value, other.unit) for other in store.figure_conflicts(figure))
                + "*"
                if figure.conflicts
                else ""
            )
            lines.append(
                f"- `{figure.metric}` ({figure.period_label}): {format_value(figure.value, figure.unit)}{flag}"
                f" — {md_escape(store.sources[figure.source].outlet)} (quoted under Figures)"
            )
        lines.append("")
    for index, citation in enumerate(event.sources, start=1):
        lines.append(f"{_footnote_label(event.id, index)}: {_cite(store, citation.source, citation.quote)}")
    lines.append("")
    return "\n".join(lines) + "\n"


def _cite(store: Store, source_id: str, quote: str) -> str:
    source = store.sources[source_id]
    return (
        f"{md_escape(source.outlet)}, {source.published_label}, untitled article ({md_escape(source.description)})"
        f" (`{source.file}`): “{md_escape(quote)}”"
    )


class _Exported:
    """The events an export wrote, so its figures can follow the same filters."""

    def __init__(self, store: Store, filters: Filters) -> None:
        self.store = store
        self.filters = filters
        # With only a date range every figure in range belongs; tags, actors and a query
        # narrow the figures to those of the events written.
        narrowed = bool(filters.tags or filters.actors or filters.query.strip())
        self.event_ids: set[str] | None = set() if narrowed else None

    def events(self) -> Iterator[Event]:
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


def figures_markdown(store: Store, figures: Iterable[Figure]) -> Iterator[str]:
    """One table per metric; a conflicting value is marked and names the value it conflicts with."""
    by_metric: dict[str, list[Figure]] = {}
    for figure in figures:
        by_metric.setdefault(figure.metric, []).append(figure)
    if not by_metric:
        return
    yield "## Figures\n\n"
    for metric, rows in by_metric.items():
        yield f"### `{metric}` ({rows[0].unit})\n\n"
        yield "| Period | Value | Source | Note |\n|---|---:|---|---|\n"
        notes = []
        for figure in rows:
            source = store.sources[figure.source]
            value = format_value(figure.value, figure.unit)
            note = md_escape(figure.note or "")
            if figure.conflicts:
                value = f"⚠ {value}"
                others = "; ".join(
                    f"{format_value(o.value, o.unit)} per {md_escape(store.sources[o.source].outlet)}"
                    for o in store.figure_conflicts(figure)
                )
                note = (note + " " if note else "") + f"**Conflict:** {others}"
            cited = f"{md_escape(source.outlet)}, {source.published_label} [^fig-{figure.id}]"
            yield f"| {figure.period_label} | {value} | {cited} | {note} |\n"
            notes.append(f"[^fig-{figure.id}]: {_cite(store, figure.source, figure.quote)}\n")
        yield "\n" + "".join(notes) + "\n"


def markdown(store: Store, filters: Filters = NO_FILTERS) -> Iterator[str]:
    """The store as a chronological Markdown report, grouped by year; yields chunks to stream."""
    yield f"# {TITLE}\n\n"
    described = f" Filters: {md_escape(filters.describe())}." if filters.active else ""
    yield (
        f"Exported by kztj {__version__} from `{store.path.name}`.{described} Every event cites a verbatim "
        "quote from an article kept with the store; conflicting figures are marked ⚠.\n\n"
    )
    exported = _Exported(store, filters)
    year = None
    count = 0
    for event in exported.events():
        if event.year != year:
            year = event.year
            yield f"## {year}\n\n"
        count += 1
        yield event_markdown(store, event)
    if count == 0:
        yield "*No events match these filters.*\n\n"
    yield from figures_markdown(store, exported.figures())


def to_json(store: Store, filters: Filters = NO_FILTERS) -> Iterator[str]:
    """The store as one JSON object with sources, entities, events and figures; streamed."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    yield '{"sources": ' + dump([_source(store, s) for s in store.sources])
    yield ',\n "entities": ' + dump(
        [{"id": e.id, "name": e.name, "kind": e.kind, "aliases": list(e.aliases)} for e in store.entities.values()]
    )
    yield ',\n "events": ['
    exported = _Exported(store, filters)
    first = True
    for event in exported.events():
        yield ("\n  " if first else ",\n  ") + dump(event.to_json())
        first = False
    yield '\n ],\n "figures": ['
    first = True
    for figure in exported.figures():
        yield ("\n  " if first else ",\n  ") + dump(figure.to_json())
        first = False
    yield "\n ]}\n"


def _source(store: Store, source_id: str) -> dict[str, str]:
    s = store.sources[source_id]
    return {"id": s.id, "file": s.file, "outlet": s.outlet, "published": s.published, "description": s.description}


def render(store: Store, filters: Filters = NO_FILTERS, fmt: str = "markdown") -> str:
    """The whole export as one string (for the TUI, clipboard and tests)."""
    return "".join(markdown(store, filters) if fmt == "markdown" else to_json(store, filters))


def write_atomically(target: Path, chunks: Iterable[str]) -> None:
    """Write chunks to target through a temporary file and a rename, so readers never see half a file."""
    import tempfile  # only writing a file needs it

    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
