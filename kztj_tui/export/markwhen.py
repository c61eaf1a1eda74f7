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
from .common import Selection, date_facts, figure_line, file_label, title_of

# CommonMark's inline syntax (markwhen renders descriptions as Markdown) and markwhen's own:
# ``#tag``, ``[place](location)``, ``![image](url)`` and ``40%`` progress.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#&()%~])")


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group()


def mw_escape(text: str) -> str:
    """User text for a markwhen line, backslash-escaped so neither markwhen nor Markdown reads syntax in it."""
    # A function, not a template: expanding a template for every match cost a third of the export.
    return _SPECIAL.sub(_backslashed, " ".join(text.split()))


def mw_tag(tag: str) -> str:
    """A kztj tag as a markwhen tag, which is word characters only and never all digits."""
    word = tag.replace("-", "_")
    return f"_{word}" if word.isdigit() else word


def mw_id(event_id: str) -> str:
    """An event id as a markwhen ``!id`` (word characters only)."""
    return re.sub(r"\W", "_", event_id)


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
    facts = date_facts(event.date)
    tags = " ".join(f"#{mw_tag(t)}" for t in event.tags)
    lines = [
        f"{mw_date(event.date)}: !{mw_id(event.id)} {mw_escape(event.title)} {tags}",
        f"id: {json.dumps(event.id)}",
        f"edtf: {json.dumps(event.date)}",
        f"status: {event.status}",
        f"tags: {json.dumps(list(event.tags))}",
        f"- Summary: {mw_escape(event.summary)}",
        f"- Date: {event.long_label} (EDTF {mw_escape(event.date)}). {facts.hedge}".rstrip(),
    ]
    if event.place:
        lines.append(f"- Place: {mw_escape(store.entity_name(event.place))}")
    if event.actors:
        lines.append(f"- Actors: {mw_escape(', '.join(store.entity_name(a) for a in event.actors))}")
    lines += [f"- Figure: {mw_escape(figure_line(store, f))}" for f in store.figures_for(event.id)]
    cited = sources.get(event.sources) if sources is not None else None
    if cited is None:
        cited = "\n".join(
            f"- Source: {mw_escape(f'{source.outlet}, {source.published_label} ({source.file})')}: "
            f"“{mw_escape(citation.quote)}”"
            for citation in event.sources
            for source in (store.sources[citation.source],)
        )
        if sources is not None:
            sources.remember(event.sources, cited)
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
    known: parallel.PerStore[Memo[tuple[Citation, ...], str]] = parallel.PerStore(lambda _: Memo(20_000))

    def entries(own: Store, events: Sequence[Event], first: bool) -> str:
        return "".join(entry(own, event, known(own)) for event in events)

    yield from parallel.rendered(Selection(store, filters), entries, fork)
