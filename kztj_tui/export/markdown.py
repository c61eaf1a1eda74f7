"""The Markdown report: chronological, grouped by year, sources as footnotes that carry the quotes.

User text is escaped so that CommonMark, GitHub and pandoc renderers all show it literally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

from .. import __version__
from ..memo import Memo
from ..model import NO_FILTERS, Disagreement, Event, Figure, Filters, Source, format_value
from ..store import Store
from . import parallel
from .common import Selection, file_label, title_of

# Every ASCII punctuation character that starts inline syntax in CommonMark, GFM or pandoc's
# Markdown (citations @, maths $, super/subscript ^ ~, attributes {}, entities &). CommonMark lets
# any ASCII punctuation be backslash-escaped, so escaping one too many is harmless.
_INLINE = re.compile(r"([\\`*_\[\]<>|#~^$@&{}]|-(?=-)|:(?=//)|(?<=www)\.)")
# Text renderers change without any syntax: pandoc's smart typography makes "--" and "---" dashes
# (every hyphen of a run but the last is escaped above), and GFM's autolink extension makes bare
# "http://..." and "www...." links (an escaped ":" or "." stops it). The fast path searches for
# "--", "://" and "www.".
# Whitespace other than single spaces, which a report folds (searching first is ~5x cheaper).
_LOOSE_SPACE = re.compile(r"\s\s|[^\S ]")
# A single character class, which the regex engine scans fastest: the syntax above and ASCII
# whitespace other than a space. Most text has none of it, and no double space, so needs no work.
_ASCII_WORK = re.compile(r"[\\`*_\[\]<>|#~^$@&{}\t\n\r\f\v\x1c-\x1f]")
# What makes a line a block (list item, heading, quote, definition, example list) when it starts one.
_BLOCK_START = re.compile(r"^(?:([-+=:(%])|(\w{1,9})([.)]))")


def md_inline(text: str) -> str:
    """Escape inline Markdown syntax, for text that never starts a line (kztj's own formatted values)."""
    if (
        text.isascii()
        and "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and not _ASCII_WORK.search(text)
        and "--" not in text
        and "://" not in text
        and "www." not in text
    ):
        return text
    if _LOOSE_SPACE.search(text) or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    return _INLINE.sub(r"\\\1", text) if _INLINE.search(text) else text


def md_escape(text: str) -> str:
    """Escape Markdown syntax so user text always reads literally, wherever it is placed in a line."""
    escaped = md_inline(text)
    match = _BLOCK_START.match(escaped)
    if match is None:
        return escaped
    marker = f"\\{match[1]}" if match[1] else f"{match[2]}\\{match[3]}"
    return marker + escaped[match.end() :]


@lru_cache(maxsize=4096)
def _name(text: str) -> str:
    """md_escape for the few strings every event repeats: names, tags, outlets."""
    return md_escape(text)


def code_span(text: str) -> str:
    """A code span that holds any text, backticks included (CommonMark's variable-length fences)."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


def event_note(event_id: str, index: int) -> str:
    """Footnote label for an event's source; ``/`` never occurs in ids, so labels cannot collide."""
    return f"[^{event_id}/{index}]"


def figure_note(figure_id: str) -> str:
    """Footnote label for a figure's source: ``/fig`` where an event's label has a number."""
    return f"[^{figure_id}/fig]"


def _cite(store: Store, source_id: str, quote: str) -> str:
    return _citation(store.sources[source_id], quote)


@lru_cache(maxsize=8192)
def _citation(source: Source, quote: str) -> str:
    """A cited quote: the same passage is often cited by many events."""
    return f"{_source_head(source)}: “{md_escape(quote)}”"


@lru_cache(maxsize=256)
def _source_head(source: Source) -> str:
    """How a source is cited, before its quote: the same for every citation of it."""
    return (
        f"{md_escape(source.outlet)}, {source.published_label}, untitled article ({md_escape(source.description)})"
        f" ({code_span(source.file)})"
    )


def event_markdown(store: Store, event: Event, heading: str = "###") -> str:
    """One event as Markdown, with its sources as footnotes carrying the quotes."""
    return EventWriter(store).markdown(event, heading)


class EventWriter:
    """Writes events of one store as Markdown, remembering what events repeat (names, tag lists)."""

    def __init__(self, store: Store, notes: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.notes = notes or {}  # the user's notes (``kztj export --notes``): a paragraph after the summary
        # Bounded: a large store has tens of thousands of actor lists, and an export's memory stays flat.
        self._names: dict[str, str] = {}  # entity id -> its name, escaped
        self._tags: Memo[tuple[str, ...], str] = Memo(2048)
        self._disagreements: dict[str, list[Disagreement]] = {}
        for item in store.disagreements:
            for event_id in item.events:
                self._disagreements.setdefault(event_id, []).append(item)

    def _name_of(self, entity_id: str) -> str:
        name = self._names.get(entity_id)
        if name is None:
            name = self._names[entity_id] = _name(self.store.entity_name(entity_id))
        return name

    def _actors_text(self, actors: tuple[str, ...]) -> str:
        # Per name, not per list: a large store has more distinct actor lists than any memo would keep.
        return " · **Actors:** " + ", ".join([self._name_of(a) for a in actors])

    def _tags_text(self, tags: tuple[str, ...]) -> str:
        text = self._tags.get(tags)
        if text is None:
            text = self._tags.remember(tags, " · **Tags:** " + ", ".join(_name(tag) for tag in tags))
        return text

    def markdown(self, event: Event, heading: str = "###") -> str:
        """One event as Markdown, with its sources as footnotes carrying the quotes."""
        store = self.store
        place = f" · **Place:** {self._name_of(event.place)}" if event.place else ""
        actors = self._actors_text(event.actors) if event.actors else ""
        labels = [event_note(event.id, i) for i in range(1, len(event.sources) + 1)]
        lines = [
            f"{heading} {event.long_label} — {md_escape(event.title)}\n\n"
            f"**Status:** {event.status}{place}{actors}{self._tags_text(event.tags)}\n\n"
            f"{md_escape(event.summary)} {' '.join(labels)}\n"
        ]
        note = self.notes.get(event.id)
        if note:
            lines.append(f"**Note:** {md_escape(note)}\n")
        for item in self._disagreements.get(event.id, ()):
            lines.append(f"⚠ **Sources disagree:** {md_escape(item.about)} (see *{DISAGREEMENTS_HEADING}*)\n")
        figures = store.figures_for(event.id)
        if figures:
            rows = []
            for figure in figures:
                flag = (
                    " ⚠ *conflicts with "
                    + ", ".join(md_inline(format_value(o.value, o.unit)) for o in store.figure_conflicts(figure))
                    + "*"
                    if figure.conflicts
                    else ""
                )
                value = md_inline(format_value(figure.value, figure.unit))
                outlet = md_escape(store.sources[figure.source].outlet)
                rows.append(
                    f"- {code_span(figure.metric)} ({figure.period_label}): {value}{flag} — {outlet}"
                    " (quoted under Figures)\n"
                )
            lines.append("".join(rows))
        sources = store.sources
        lines.append(
            "".join(
                f"{label}: {_citation(sources[citation.source], citation.quote)}\n"
                for label, citation in zip(labels, event.sources, strict=True)
            )
        )
        return "\n".join(lines) + "\n"


def figures_markdown(store: Store, figures: Iterable[Figure]) -> Iterator[str]:
    """One table per metric; a conflicting value is marked and names the value it conflicts with."""
    by_metric: dict[str, list[Figure]] = {}
    for figure in figures:
        by_metric.setdefault(figure.metric, []).append(figure)
    if not by_metric:
        return
    yield "## Figures\n\n"
    for metric, rows in by_metric.items():
        yield f"### {code_span(metric)} ({rows[0].unit})\n\n"
        yield "| Period | Value | Source | Note |\n|---|---:|---|---|\n"
        notes = []
        for figure in rows:
            source = store.sources[figure.source]
            value = format_value(figure.value, figure.unit)
            note = md_escape(figure.note or "")
            if figure.conflicts:
                value = f"⚠ {value}"
                others = "; ".join(
                    f"{md_inline(format_value(o.value, o.unit))} per {md_escape(store.sources[o.source].outlet)}"
                    for o in store.figure_conflicts(figure)
                )
                note = (note + " " if note else "") + f"**Conflict:** {others}"
            cited = f"{md_escape(source.outlet)}, {source.published_label} {figure_note(figure.id)}"
            yield f"| {figure.period_label} | {md_inline(value)} | {cited} | {note} |\n"
            notes.append(f"{figure_note(figure.id)}: {_cite(store, figure.source, figure.quote)}\n")
        yield "\n" + "".join(notes) + "\n"


DISAGREEMENTS_HEADING = "Where the sources disagree"


def disagreements_markdown(store: Store, items: Iterable[Disagreement]) -> Iterator[str]:
    """Each recorded disagreement with every version, its source and quote, and the note on reading it."""
    items = list(items)
    if not items:
        return
    yield f"## {DISAGREEMENTS_HEADING}\n\n"
    figures = {f.id: f for f in store.figures}
    for item in items:
        status = "reviewed" if item.reviewed else "not yet reviewed"
        lines = [f"### {md_escape(item.about)}", "", f"{md_escape(item.note)} *({status})*", ""]
        for figure_id in item.figures:
            figure = figures.get(figure_id)
            if figure is not None:
                value = md_inline(format_value(figure.value, figure.unit))
                lines.append(
                    f"- {code_span(figure.metric)} ({figure.period_label}): {value} — "
                    f"{_cite(store, figure.source, figure.quote)}"
                )
        lines += [f"- {_cite(store, version.source, version.quote)}" for version in item.versions]
        titles = [f"{event.long_label}, {md_escape(event.title)}" for event in store.events_by_id(item.events)]
        lines += ["", "Events: " + "; ".join(titles), "", ""]
        yield "\n".join(lines)


def _events_markdown(writer: EventWriter, events: Sequence[Event], year: int | None) -> tuple[str, int | None]:
    """Events under their year headings, following an event of ``year``; and the last event's year."""
    parts = []
    for event in events:
        if event.year != year:
            year = event.year
            parts.append(f"## {year}\n\n")
        parts.append(writer.markdown(event))
    return "".join(parts), year


def markdown(
    store: Store, filters: Filters = NO_FILTERS, notes: Mapping[str, str] | None = None, *, fork: bool = False
) -> Iterator[str]:
    """The store as a chronological Markdown report, grouped by year; yields chunks to stream.

    ``notes`` (event id -> the user's note) adds a **Note:** paragraph to the events that have one.
    ``fork``: whether the whole of a large store may be written by two processes (see forking.py).
    """
    return _one_final_newline(_report(store, filters, notes, fork))


def _one_final_newline(chunks: Iterable[str]) -> Iterator[str]:
    """The chunks, the last of them ending in exactly one newline (every section ends in a blank line)."""
    held = ""
    for chunk in chunks:
        if chunk:
            if held:
                yield held
            held = chunk
    yield held.rstrip("\n") + "\n"


def _report(store: Store, filters: Filters, notes: Mapping[str, str] | None, fork: bool) -> Iterator[str]:
    """The report's chunks, each section followed by a blank line."""
    yield f"# {md_escape(title_of(store))}\n\n"
    if store.description:
        yield f"{md_escape(store.description)}\n\n"
    described = f" Filters: {md_escape(filters.describe())}." if filters.active else ""
    name = code_span(file_label(store.path))
    yield (
        f"Exported by kztj {__version__} from {name}.{described} Every event cites a verbatim "
        "quote from an article kept with the store; conflicting figures and disagreements between sources are "
        "marked ⚠.\n\n"
    )
    selection = Selection(store, filters)
    if parallel.usable(store, 0 if filters.active else store.count, fork):
        # The whole of a large store: blocks of events alternate between two processes.
        count = store.count
        writers = parallel.PerStore(lambda own: EventWriter(own, notes))

        def render(own: Store, rowids: Sequence[int], previous_year: int | None) -> str:
            return _events_markdown(writers(own), own.events_at(rowids), previous_year)[0]

        yield from parallel.blocks(store, render)
    else:
        writer = EventWriter(store, notes)
        year = None
        count = 0
        batch: list[Event] = []  # a chunk per ~100 events: one write each instead of one per event
        for event in selection.events():
            count += 1
            batch.append(event)
            if len(batch) >= 100:
                text, year = _events_markdown(writer, batch, year)
                yield text
                batch = []
        yield _events_markdown(writer, batch, year)[0]
    if count == 0:
        yield "*No events match these filters.*\n\n"
    yield from disagreements_markdown(store, selection.disagreements())
    yield from figures_markdown(store, selection.figures())
