"""iCalendar (RFC 5545): one all-day VEVENT per event, spanning exactly the days its date can mean."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .. import __version__, edtf
from ..model import NO_FILTERS, Event, Filters
from ..store import Store
from . import parallel
from .common import Selection, citation_line, date_facts, figure_line, one_line, title_of

_LIMIT = 75  # octets per line, CRLF excluded (RFC 5545 section 3.1)
_STATUS = {"occurred": "CONFIRMED", "planned": "TENTATIVE", "target": "TENTATIVE"}


def ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets, never inside a UTF-8 sequence or an escape, ending in CRLF."""
    data = line.encode("utf-8")
    if len(data) <= _LIMIT:
        return line + "\r\n"
    parts = []
    start = 0
    limit = _LIMIT
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte: back up
            end -= 1
        # Nor between a backslash and the character it escapes: some readers unescape line by line.
        backslashes = 0
        while end - backslashes > start and data[end - backslashes - 1] == 0x5C:
            backslashes += 1
        if backslashes % 2 and end < len(data):
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
        limit = _LIMIT - 1  # continuation lines start with one space
    return "\r\n ".join(parts) + "\r\n"


def _day(value: date) -> str:
    # Not strftime: its %Y does not pad years before 1000, and RFC 5545 dates have four digits.
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _stamp(store: Store, event: Event) -> str:
    """DTSTAMP: the newest of the event's sources, so the file is the same on every export."""
    newest = max(date_facts(store.sources[c.source].published).first.start for c in event.sources)
    return f"{_day(newest)}T000000Z"


def description(store: Store, event: Event) -> str:
    """Summary, the date as kztj states it, figures (conflicts marked) and every source with its quote."""
    facts = date_facts(event.date)
    parts = [" ".join(event.summary.split()), ""]
    parts.append(f"Date: {event.long_label} (EDTF {event.date}, precision: {facts.precision}). {facts.hedge}".strip())
    parts.append(f"Status: {event.status}.")
    figures = store.figures_for(event.id)
    if figures:
        parts += ["", "Figures:"] + [f"- {figure_line(store, f)}" for f in figures]
    parts += ["", "Sources:"] + [f"- {citation_line(store, c.source, c.quote)}" for c in event.sources]
    return "\n".join(parts)


def vevent(store: Store, event: Event) -> str:
    """One VEVENT, folded, CRLF line ends."""
    facts = date_facts(event.date)
    start = facts.first.start
    # iCalendar has no open end: an open or unknown one spans its start's days, the description says the rest.
    last = facts.end_day or facts.first.end
    end = edtf.day_after(last)  # DTEND is exclusive
    # After 31 December 9999 there is no DTEND to write: a DURATION in days says the same.
    until = f"DTEND;VALUE=DATE:{_day(end)}" if end else f"DURATION:P{(last - start).days + 1}D"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.id}@kztj",
        f"DTSTAMP:{_stamp(store, event)}",
        f"DTSTART;VALUE=DATE:{_day(start)}",
        until,
        f"SUMMARY:{ics_text(' '.join(event.title.split()))}",
        f"DESCRIPTION:{ics_text(description(store, event))}",
        f"CATEGORIES:{','.join(ics_text(tag) for tag in event.tags)}",
        f"STATUS:{_STATUS[event.status]}",
        "TRANSP:TRANSPARENT",
    ]
    if event.place:
        lines.append(f"LOCATION:{ics_text(one_line(store.entity_name(event.place)))}")
    lines.append("END:VEVENT")
    return "".join(fold(line) for line in lines)


def to_ics(store: Store, filters: Filters = NO_FILTERS, *, fork: bool = False) -> Iterator[str]:
    """The matching events as a VCALENDAR; streamed one VEVENT at a time."""
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//kztj//kztj {__version__}//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ics_text(one_line(title_of(store)))}",
    ]
    if store.description:
        head.append(f"X-WR-CALDESC:{ics_text(one_line(store.description))}")
    yield "".join(fold(line) for line in head)
    yield from parallel.rendered(
        Selection(store, filters), lambda own, events, _: "".join(vevent(own, e) for e in events), fork
    )
    yield fold("END:VCALENDAR")
