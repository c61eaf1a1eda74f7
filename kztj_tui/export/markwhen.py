"""A markwhen document: one event per entry, in markwhen's own date syntax at the store's precision.

markwhen has no escape character of its own, so every line of user text is placed where its
parser cannot read structure into it: the title after kztj's own ``!id`` (markwhen takes the
first ``!word`` of a line as the event id), the rest as list items that start with a fixed
word, all backslash-escaped (which defeats ``#tag``, ``[place](location)`` and ``40%``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from .. import __version__, edtf
from ..memo import Memo
from ..model import NO_FILTERS, Citation, Event, Filters
from ..store import Store
from . import parallel
from .common import Selection, date_facts, figure_line, file_label, one_line, title_of

# CommonMark's inline syntax (markwhen renders descriptions as Markdown) and markwhen's own:
# ``#tag``, ``[place](location)``, ``![image](url)`` and ``40%`` progress.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#&()%~])")


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group()


def mw_escape(text: str) -> str:
    """User text for a markwhen line, backslash-escaped so neither markwhen nor Markdown reads syntax in it."""
    text = one_line(text)
    # A function, not a template: expanding a template for every match cost a third of the export.
    return _SPECIAL.sub(_backslashed, text) if _SPECIAL.search(text) else text


def _json_string(text: str) -> str:
    """``json.dumps(text)`` for a str, without the encoder for the usual plain ASCII text."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text)


def mw_tag(tag: str) -> str:
    """A kztj tag as a markwhen tag, which is word characters only and never all digits."""
    word = tag.replace("-", "_")
    return f"_{word}" if word.isdigit() else word


def mw_id(event_id: str) -> str:
    """An event id as a markwhen ``!id`` (word characters only)."""
    return _NOT_WORD.sub("_", event_id)


_NOT_WORD = re.compile(r"\W")


def _point(point: edtf.Point, which: str) -> str:
    when = point.start if which == "start" else point.end
    if point.precision == "day":
        return when.isoformat()
    if point.precision == "month":
        return when.isoformat()[:7]
    return f"{when.year:04d}"


def mw_date(text: str) -> str:
    """The date in markwhen's EDTF-style syntax, as precise as the store and no more."""
    facts = date_facts(text)
    start = _point(facts.first, "start")
    if facts.open_end == "open":
        return f"{start}/now"  # still going on: markwhen draws it up to the day it is read
    if facts.open_end == "unknown":
        return start  # markwhen cannot say "ended, no one says when": the Date line does
    end = _point(facts.last, "end")
    if facts.precision == "interval" or facts.first.start.year != facts.last.end.year:
        return f"{start}/{end}"
    return start


def entry(store: Store, event: Event, sources: Memo[tuple[Citation, ...], str] | None = None) -> str:
    """One markwhen event: date, id, title and tags; properties; then the description as a list.

    ``sources``: the source lines an export has written so far (events cite the same passages).
    """
    return EntryWriter(store, sources).entry(event)


class EntryWriter:
    """Writes the markwhen events of one store, remembering what events share: dates, tags, names, sources."""

    def __init__(self, store: Store, sources: Memo[tuple[Citation, ...], str] | None = None) -> None:
        self.store = store
        self._sources = Memo(20_000) if sources is None else sources
        self._dates: Memo[tuple[str, str], tuple[str, str, str]] = Memo(4096)
        self._tags: Memo[tuple[str, ...], tuple[str, str]] = Memo(4096)
        # An entity's escaped name, or None where joining escaped names would not equal escaping
        # the joined names (a name that is empty or not one line: folding would change the joins).
        self._names: dict[str, str | None] = {}

    def _name(self, entity_id: str) -> str | None:
        try:
            return self._names[entity_id]
        except KeyError:
            name = self.store.entity_name(entity_id)
            escaped = mw_escape(name) if name and one_line(name) == name else None
            self._names[entity_id] = escaped
            return escaped

    def _actors(self, actors: tuple[str, ...]) -> str:
        names = [self._name(a) for a in actors]
        if None in names:
            return mw_escape(", ".join(self.store.entity_name(a) for a in actors))
        return ", ".join(names)  # type: ignore[arg-type]

    def entry(self, event: Event) -> str:
        """One markwhen event: date, id, title and tags; properties; then the description as a list."""
        store = self.store
        dated = self._dates.get((event.date, event.long_label))
        if dated is None:
            facts = date_facts(event.date)
            dated = self._dates.remember(
                (event.date, event.long_label),
                (
                    f"{mw_date(event.date)}: !",
                    f"edtf: {json.dumps(event.date)}\nstatus: ",
                    f"- Date: {event.long_label} (EDTF {mw_escape(event.date)}). {facts.hedge}".rstrip(),
                ),
            )
        tagged = self._tags.get(event.tags)
        if tagged is None:
            tagged = self._tags.remember(
                event.tags, (" ".join(f"#{mw_tag(t)}" for t in event.tags), f"tags: {json.dumps(list(event.tags))}")
            )
        lines = [
            f"{dated[0]}{mw_id(event.id)} {mw_escape(event.title)} {tagged[0]}",
            f"id: {_json_string(event.id)}",
            f"{dated[1]}{event.status}",
            tagged[1],
            f"- Summary: {mw_escape(event.summary)}",
            dated[2],
        ]
        if event.place:
            name = self._name(event.place)
            lines.append(f"- Place: {mw_escape(store.entity_name(event.place)) if name is None else name}")
        if event.actors:
            lines.append(f"- Actors: {self._actors(event.actors)}")
        figures = store.figures_for(event.id)
        if figures:
            lines += [f"- Figure: {mw_escape(figure_line(store, f))}" for f in figures]
        cited = self._sources.get(event.sources)
        if cited is None:
            cited = self._sources.remember(
                event.sources,
                "\n".join(
                    f"- Source: {mw_escape(f'{source.outlet}, {source.published_label} ({source.file})')}: "
                    f"“{mw_escape(citation.quote)}”"
                    for citation in event.sources
                    for source in (store.sources[citation.source],)
                ),
            )
        lines.append(cited)
        return "\n".join(lines) + "\n\n"


def mw_header_value(text: str) -> str:
    """Text as a header value: a YAML double-quoted string with no ``#``.

    The parser turns every ``#word`` of a header line into ``)word`` before reading the line as
    YAML (its tags and hex colours), even inside quotes; YAML's ``\\x23`` escape is still ``#``.
    """
    return json.dumps(" ".join(text.split()), ensure_ascii=False).replace("#", "\\x23")


def to_markwhen(store: Store, filters: Filters = NO_FILTERS, *, fork: bool = False) -> Iterator[str]:
    """The matching events as a markwhen document with a title header; streamed."""
    yield f"---\ntitle: {mw_header_value(title_of(store))}\n"
    if store.description:
        yield f"description: {mw_header_value(store.description)}\n"
    name = file_label(store.path)
    yield (
        f"---\n\n// Exported by kztj {__version__} from {name}. Every event cites a verbatim quote;"
        " conflicting figures are marked ⚠.\n\n"
    )
    writers = parallel.PerStore(EntryWriter)

    def entries(own: Store, events: Sequence[Event], first: bool) -> str:
        return "".join(map(writers(own).entry, events))

    yield from parallel.rendered(Selection(store, filters), entries, fork)
