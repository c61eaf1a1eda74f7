"""The store format: YAML in the store's own shape and key order, holding only what the chosen events use.

``kztj validate`` and ``kztj check`` read it as a store. It holds the chosen events; their figures and
every figure in conflict with one of them (so no conflict is hidden); the recorded disagreements about
them, naming only what the export holds; and only the entities and sources all these use. Article paths
are written as the store writes them, relative to the store's folder, which the header names: a pure
function cannot know where its output will be written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .. import __version__
from ..edtf import DATE_PATTERN
from ..memo import Memo
from ..model import NO_FILTERS, Citation, Disagreement, Event, Figure, Filters
from ..store import Store
from . import parallel
from .common import Selection

# Long text is folded at spaces to keep lines near this width; the folding reads back as the same text.
WIDTH = 100

# A plain scalar never starts with an indicator, a sign, a dot or a digit: YAML 1.1 and 1.2 would read
# some of those as numbers, dates, merge keys or syntax. Such text is double-quoted instead.
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`+.<=~ 0123456789")
# Words YAML 1.1 (PyYAML, and y/n in the spec) or 1.2 reads as booleans or null.
_NOT_PLAIN_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_LONGEST_WORD = max(map(len, _NOT_PLAIN_WORDS))
# A plain scalar in block context also ends at ": " or " #", and must not end in ":" (is_plain
# searches for these as substrings, which is faster on long text than one regular expression).
# PyYAML also ends a plain scalar at ? inside a flow collection (scanner.scan_plain), so [A?, x] fails.
_PLAIN_FLOW_BREAKERS = re.compile(r": | #|:$|[,?\[\]{}]")
# Dates as EDTF text: plain when they match the grammar (digits, X, - / . and qualifiers), as the store writes them.
_DATE = re.compile(DATE_PATTERN)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _escaped(char: str) -> str:
    """A character as YAML double-quoted text: itself when printable, else an escape that reads back as it."""
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _inner(text: str) -> str:
    """Text escaped for double quotes, without the quotes."""
    if text.isprintable():
        return text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(map(_escaped, text))


def _quoted(text: str) -> str:
    """Text between double quotes, escaped so any YAML reader reads back exactly ``text``."""
    return f'"{_inner(text)}"'


def is_plain(text: str, flow: bool = False) -> bool:
    """Whether text may be written unquoted and read back as the same string by YAML 1.1 and 1.2 readers."""
    return (
        bool(text)
        and text[0] not in _NOT_PLAIN_START
        and text[-1] != " "
        # Tabs, line breaks (also NEL, LS, PS), control and invisible characters are escaped in quotes.
        and text.isprintable()
        and (len(text) > _LONGEST_WORD or text.lower() not in _NOT_PLAIN_WORDS)
        and (
            _PLAIN_FLOW_BREAKERS.search(text) is None
            if flow
            else ": " not in text and " #" not in text and text[-1] != ":"
        )
    )


def scalar(text: str, flow: bool = False) -> str:
    """Text as one YAML scalar on one line: plain where that is safe, else double-quoted."""
    return text if is_plain(text, flow) else _quoted(text)


def folded(text: str, column: int, indent: int) -> str:
    """Text as a scalar starting at ``column``, folded at single spaces onto lines indented by ``indent``.

    Plain and double-quoted scalars read a line break between two non-blank lines as one space, so
    breaking only at a space with no blank on either side keeps the text exact.
    """
    plain = is_plain(text)
    if column + len(text) + 2 <= WIDTH or " " not in text:
        return text if plain else _quoted(text)
    lines: list[str] = []
    start = 0
    room = WIDTH - column - 1
    while len(text) - start > room:
        at = _break_before(text, start, start + room + 1)
        if at < 0:
            at = _break_after(text, start + room)  # a word longer than the line: break after it
            if at < 0:
                break
        lines.append(text[start:at])
        start, room = at + 1, WIDTH - indent - 1
    lines.append(text[start:])
    if plain:
        return ("\n" + " " * indent).join(lines)
    return '"' + ("\n" + " " * indent).join(map(_inner, lines)) + '"'


def _breaks_at(text: str, at: int) -> bool:
    """Whether a line may break at the space at ``at``: a single space, between two other characters."""
    return text[at - 1] != " " and text[at + 1 : at + 2] not in ("", " ")


def _break_before(text: str, start: int, end: int) -> int:
    """The last space in ``text[start + 1:end]`` where a line may break, or -1."""
    at = text.rfind(" ", start + 1, end)
    while at > start and not _breaks_at(text, at):
        at = text.rfind(" ", start + 1, at)
    return at if at > start else -1


def _break_after(text: str, start: int) -> int:
    """The first space from ``start`` on where a line may break, or -1."""
    at = text.find(" ", start)
    while at >= 0 and not _breaks_at(text, at):
        at = text.find(" ", at + 1)
    return at


def _date(text: str) -> str:
    """An EDTF date plain, as the store writes it (2013, 1993-01-07, 1993-06/..): kztj reads back the same text."""
    return text if _DATE.match(text) else _quoted(text)


def _number(value: float) -> str:
    """A figure's value as a YAML number that reads back as the same int or float (1.0e-05, not 1e-05)."""
    if isinstance(value, int):
        return str(value)
    written = repr(value)
    # YAML 1.1 reads a float only with a dot and a signed exponent; Python writes 1e-05 and 1e+16.
    if "e" in written and "." not in written:
        written = written.replace("e", ".0e")
    return written


def _flow(items: Sequence[str], column: int, written: Sequence[str] | None = None) -> str:
    """A list as ``[a, b, c]``, broken between items onto lines aligned after the bracket.

    ``written``: the items already written as flow scalars, if the caller has them.
    """
    if not items:
        return "[]"
    if written is None:
        written = [scalar(item, flow=True) for item in items]
    lines: list[str] = []
    line = ""
    for item in written:
        if line and column + 1 + len(line) + 2 + len(item) + 1 > WIDTH:
            lines.append(line + ",")
            line = item
        else:
            line = f"{line}, {item}" if line else item
    lines.append(line)
    return "[" + ("\n" + " " * (column + 1)).join(lines) + "]"


class _Item:
    """One item of a list, written key by key as ``- key: value`` lines at its indentation."""

    def __init__(self, indent: int) -> None:
        self.indent = indent
        self.lines: list[str] = []

    def _lead(self) -> str:
        return " " * self.indent if self.lines else " " * (self.indent - 2) + "- "

    def text(self, key: str, value: str) -> None:
        lead = f"{self._lead()}{key}: "
        self.lines.append(lead + folded(value, len(lead), self.indent + 2))

    def raw(self, key: str, written: str) -> None:
        self.lines.append(f"{self._lead()}{key}: {written}")

    def flow(self, key: str, items: Sequence[str]) -> None:
        lead = f"{self._lead()}{key}: "
        self.lines.append(lead + _flow(items, len(lead)))

    def citations(self, key: str, citations: Iterable[Citation]) -> None:
        self.lines.append(f"{self._lead()}{key}:")
        for citation in citations:
            item = _Item(self.indent + 4)
            item.raw("source", scalar(citation.source))
            item.text("quote", citation.quote)
            self.lines.extend(item.lines)

    def __str__(self) -> str:
        return "\n".join(self.lines) + "\n"


def _comment(text: str) -> str:
    """Text safe inside a ``#`` comment: a line break or control character cannot end it or corrupt the file."""
    return "".join("\\\\" if char == "\\" else char if char.isprintable() else _escaped(char) for char in text)


def _header(store: Store, filters: Filters) -> str:
    path = str(store.path)
    folder = os.path.abspath(store.path.parent)
    chosen = filters.describe() or "none (every event)"
    lines = [
        f"A kztj store exported by kztj {__version__} (kztj export --format store) from: {path}",
        f"Filters: {chosen}",
        "It holds the chosen events; their figures and every figure in conflict with one; the recorded",
        "disagreements about them, naming only what is here; and the entities and sources these use.",
        "Every quote is verbatim from its article. Article paths (file:) are relative to the folder",
        f"of the store it came from: {folder}",
        "Write this file there, or copy the articles beside it, for kztj to read it.",
    ]
    return "".join(f"# {_comment(line)}\n" for line in lines) + "\n"


def _event(event: Event, keep: Any) -> str:
    return _EventWriter(keep).event(event)


class _EventWriter:
    """Writes events as ``_Item``s would, remembering what events share: citations, tag and actor lists, dates."""

    def __init__(self, keep: Any) -> None:
        self.keep = keep
        self._cited: Memo[tuple[Citation, ...], str] = Memo(20_000)
        self._lists: Memo[tuple[str, tuple[str, ...]], str] = Memo(20_000)
        self._items: Memo[str, str] = Memo(20_000)  # an id or tag as a flow scalar
        self._scalars: Memo[str, str] = Memo(4096)
        self._dates: Memo[str, str] = Memo(4096)

    def _flow(self, key: str, items: tuple[str, ...]) -> str:
        found = self._lists.get((key, items))
        if found is None:
            lead = f"    {key}: "
            found = self._lists.remember((key, items), lead + _flow(items, len(lead), self._written(items)))
        return found

    def _written(self, items: Sequence[str]) -> list[str]:
        """Items as flow scalars."""
        known = self._items
        written = []
        for item in items:
            text = known.get(item)
            if text is None:
                text = known.remember(item, scalar(item, flow=True))
            written.append(text)
        return written

    def _scalar(self, text: str) -> str:
        found = self._scalars.get(text)
        if found is None:
            found = self._scalars.remember(text, scalar(text))
        return found

    def event(self, event: Event) -> str:
        """The event as an item of the events list (indented by 4, its first line ``  - id: ...``)."""
        date = self._dates.get(event.date)
        if date is None:
            date = self._dates.remember(event.date, _date(event.date))
        cited = self._cited.get(event.sources)
        if cited is None:
            item = _Item(4)
            item.lines.append("")  # the event's first line is before it
            item.citations("sources", event.sources)
            cited = self._cited.remember(event.sources, "\n".join(item.lines[1:]))
        lines = [
            f"  - id: {scalar(event.id)}",
            f"    date: {date}",
            "    title: " + folded(event.title, 11, 6),
            "    summary: " + folded(event.summary, 13, 6),
            self._flow("tags", event.tags),
        ]
        if event.actors:
            lines.append(self._flow("actors", event.actors))
        if event.place is not None:
            lines.append(f"    place: {self._scalar(event.place)}")
        lines.append(f"    status: {self._scalar(event.status)}")
        lines.append(cited)
        keep = self.keep
        related = [r for r in event.related if keep(r)]
        if related:
            lead = "    related: "
            lines.append(lead + _flow(related, len(lead), self._written(related)))
        return "\n".join(lines) + "\n"


def _figure(figure: Figure, keep: Any) -> str:
    item = _Item(4)
    item.raw("id", scalar(figure.id))
    item.raw("metric", scalar(figure.metric))
    item.raw("period", _date(figure.period))
    item.raw("value", _number(figure.value))
    item.raw("unit", scalar(figure.unit))
    item.raw("source", scalar(figure.source))
    item.text("quote", figure.quote)
    if figure.note is not None:
        item.text("note", figure.note)
    if figure.event is not None and keep(figure.event):
        item.raw("event", scalar(figure.event))
    return str(item)


def _disagreement(d: Disagreement) -> str:
    item = _Item(4)
    item.raw("id", scalar(d.id))
    item.text("about", d.about)
    item.flow("events", d.events)
    if d.figures:
        item.flow("figures", d.figures)
    if d.versions:
        item.citations("versions", d.versions)
    item.text("note", d.note)
    item.raw("reviewed", "true" if d.reviewed else "false")
    return str(item)


def _figures(store: Store, selection: Selection) -> list[Figure]:
    """The selected figures, those of exported events, and, transitively, every figure in conflict with one.

    Transitively: a figure brought in by a conflict brings the figures it conflicts with too, so each
    figure's conflicts read back the same and no conflict is hidden.
    """
    # An exported event's figures go with it even when their period is outside a date range: the
    # event shows them, and a store that dropped them would say less about it than the original.
    chosen = {f.id for f in selection.figures()}
    chosen.update(f.id for f in store.figures if f.event is not None and selection.includes(f.event))
    waiting = [f for f in store.figures if f.id in chosen]
    while waiting:
        for other in store.figure_conflicts(waiting.pop()):
            if other.id not in chosen:
                chosen.add(other.id)
                waiting.append(other)
    return [f for f in store.figures if f.id in chosen]


def _section(name: str, items: Iterable[str], spaced: bool) -> Iterator[str]:
    """A top-level list; items are streamed, ``[]`` when there are none."""
    first = True
    for item in items:
        yield (f"{name}:\n" if first else "\n" if spaced else "") + item
        first = False
    if first:
        yield f"{name}: []\n"


def to_store(store: Store, filters: Filters = NO_FILTERS, *, fork: bool = False) -> Iterator[str]:
    """The chosen events as a store file, streamed, never all of them at once.

    A filtered export reads the events twice (what they use, then the events); an export of every
    event asks the store what they use.

    ``fork``: whether the events of a large store may be written by two processes (see forking.py).
    """
    selection = Selection(store, filters)
    entities: set[str] = set()
    sources: set[str] = set()
    if filters.active:
        for event in selection.events():  # the first pass: what the events use (and, narrowed, their ids)
            entities.update(event.actors)
            if event.place is not None:
                entities.add(event.place)
            sources.update(c.source for c in event.sources)
    else:  # every event: the store says what they use
        entities, sources = store.references()
    figures = _figures(store, selection)
    written = {f.id for f in figures}
    disagreements = [
        d._replace(
            events=tuple(e for e in d.events if selection.includes(e)),
            figures=tuple(f for f in d.figures if f in written),
        )
        for d in selection.disagreements()
    ]
    sources.update(f.source for f in figures)
    sources.update(c.source for d in disagreements for c in d.versions)

    yield _header(store, filters)
    if store.title is not None:
        yield "title: " + folded(store.title, 7, 2) + "\n\n"
    if store.description is not None:
        yield "description: " + folded(store.description, 13, 2) + "\n\n"
    yield from _section("sources", (_source(store, s) for s in store.sources if s in sources), spaced=True)
    yield "\n"
    yield from _section("entities", (_entity(store, e) for e in store.entities if e in entities), spaced=False)
    yield "\n"
    writers = parallel.PerStore(lambda _: _EventWriter(selection.includes))

    def render(own: Store, events: Sequence[Event], first: bool) -> str:
        # As _section writes them: the list's key before the first item, a blank line between items.
        return ("events:\n" if first else "\n") + "\n".join(map(writers(own).event, events))

    no_events = True
    for chunk in parallel.rendered(selection, render, fork):
        no_events = False
        yield chunk
    if no_events:
        yield "events: []\n"
    yield "\n"
    yield from _section("figures", (_figure(f, selection.includes) for f in figures), spaced=False)
    yield "\n"
    yield from _section("disagreements", map(_disagreement, disagreements), spaced=True)


def _source(store: Store, source_id: str) -> str:
    source = store.sources[source_id]
    item = _Item(4)
    item.raw("id", scalar(source.id))
    item.raw("file", scalar(source.file))
    item.text("outlet", source.outlet)
    item.raw("published", _date(source.published))
    item.text("description", source.description)
    return str(item)


def _entity(store: Store, entity_id: str) -> str:
    entity = store.entities[entity_id]
    item = _Item(4)
    item.raw("id", scalar(entity.id))
    item.text("name", entity.name)
    item.raw("kind", scalar(entity.kind))
    if entity.aliases:
        item.flow("aliases", entity.aliases)
    return str(item)
