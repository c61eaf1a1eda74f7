"""iCalendar (RFC 5545): one all-day VEVENT per event, spanning exactly the days its date can mean."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .. import __version__, edtf
from ..memo import Memo
from ..model import NO_FILTERS, Citation, Event, Filters
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
    if line.isascii():
        return _fold_ascii(line)
    data = line.encode("utf-8")
    if len(data) <= _LIMIT:
        return line + "\r\n"
    parts = []
    start = 0
    limit = _LIMIT
    size = len(data)
    while size - start > limit:
        end = start + limit
        while (data[end] & 0xC0) == 0x80:  # a continuation byte: back up
            end -= 1
        if data[end - 1] == 0x5C:
            end = _escape_kept_whole(data, start, end)
        parts.append(data[start:end])
        start = end
        limit = _LIMIT - 1  # continuation lines start with one space
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8") + "\r\n"


def _escape_kept_whole(line: str | bytes, start: int, end: int) -> int:
    """Where to cut ``line[start:]`` at ``end`` or before: never between a backslash and the character it
    escapes (some readers unescape line by line). ``line`` is text or, where UTF-8 matters, its bytes."""
    backslash: str | int = "\\" if isinstance(line, str) else 0x5C
    backslashes = 0
    while end - backslashes > start and line[end - backslashes - 1] == backslash:
        backslashes += 1
    return end - 1 if backslashes % 2 else end


def _fold_ascii(line: str) -> str:
    """``fold`` of an ASCII line, where a character is an octet: cut as text, with no encoding and no
    UTF-8 sequence to keep whole (most lines of an export; folding was a quarter of its time)."""
    size = len(line)
    if size <= _LIMIT:
        return line + "\r\n"
    parts = []
    start, end = 0, _LIMIT
    while end < size:
        if line[end - 1] == "\\":
            end = _escape_kept_whole(line, start, end)
        parts.append(line[start:end])
        start, end = end, end + _LIMIT - 1  # continuation lines start with one space
    parts.append(line[start:])
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
    return VEventWriter(store).vevent(event)


class VEventWriter:
    """Writes the VEVENTs of one store, remembering the lines events share (dates, sources, tags, places).

    What events share is written once: the date lines of each date, the DTSTAMP and the escaped
    source lines of each list of citations, the CATEGORIES of each tag list, the LOCATION of each
    place. Every line is escaped and folded exactly as one whole VEVENT would be.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._dates: Memo[str, str] = Memo(4096)
        self._cited: Memo[tuple[Citation, ...], tuple[str, str]] = Memo(20_000)
        self._tags: Memo[tuple[str, ...], str] = Memo(4096)
        self._places: Memo[str, str] = Memo(4096)
        self._when: Memo[tuple[str, str, str], str] = Memo(4096)

    def _date_lines(self, text: str) -> str:
        lines = self._dates.get(text)
        if lines is None:
            facts = date_facts(text)
            start = facts.first.start
            # iCalendar has no open end: an open or unknown one spans its start's days, the description says the rest.
            last = facts.end_day or facts.first.end
            end = edtf.day_after(last)  # DTEND is exclusive
            # After 31 December 9999 there is no DTEND to write: a DURATION in days says the same.
            until = f"DTEND;VALUE=DATE:{_day(end)}" if end else f"DURATION:P{(last - start).days + 1}D"
            lines = self._dates.remember(text, fold(f"DTSTART;VALUE=DATE:{_day(start)}") + fold(until))
        return lines

    def _sources(self, event: Event) -> tuple[str, str]:
        """The DTSTAMP line and the description's escaped source lines (from its ``\\n\\nSources:``)."""
        found = self._cited.get(event.sources)
        if found is None:
            store = self.store
            lines = ["", "Sources:"] + [f"- {citation_line(store, c.source, c.quote)}" for c in event.sources]
            escaped = "\\n".join(ics_text(line) for line in lines)
            found = self._cited.remember(event.sources, (fold(f"DTSTAMP:{_stamp(store, event)}"), escaped))
        return found

    def vevent(self, event: Event) -> str:
        """One VEVENT, folded, CRLF line ends."""
        store = self.store
        stamp, sources = self._sources(event)
        # Escaped line by line: no line ends in a CR, so no CRLF spans two of them, and the
        # result is the escaped description joined by newlines.
        when = self._when.get((event.date, event.long_label, event.status))
        if when is None:
            facts = date_facts(event.date)
            dated = f"Date: {event.long_label} (EDTF {event.date}, precision: {facts.precision}). {facts.hedge}"
            when = self._when.remember(
                (event.date, event.long_label, event.status),
                f"{ics_text(dated.strip())}\\n{ics_text(f'Status: {event.status}.')}",
            )
        text = f"{ics_text(' '.join(event.summary.split()))}\\n\\n{when}"
        figures = store.figures_for(event.id)
        if figures:
            text += "\\n\\nFigures:\\n" + "\\n".join(ics_text(f"- {figure_line(store, f)}") for f in figures)
        text += "\\n" + sources
        tags = self._tags.get(event.tags)
        if tags is None:
            tags = self._tags.remember(event.tags, fold(f"CATEGORIES:{','.join(ics_text(tag) for tag in event.tags)}"))
        place = ""
        if event.place:
            known = self._places.get(event.place)
            if known is None:
                name = ics_text(one_line(store.entity_name(event.place)))
                known = self._places.remember(event.place, fold(f"LOCATION:{name}"))
            place = known
        title = ics_text(" ".join(event.title.split()))
        return (
            f"BEGIN:VEVENT\r\n{fold(f'UID:{event.id}@kztj')}{stamp}{self._date_lines(event.date)}"
            f"{fold(f'SUMMARY:{title}')}{fold(f'DESCRIPTION:{text}')}{tags}"
            f"{_STATUS_LINES[event.status]}TRANSP:TRANSPARENT\r\n{place}END:VEVENT\r\n"
        )


_STATUS_LINES = {status: f"STATUS:{value}\r\n" for status, value in _STATUS.items()}


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
    writers = parallel.PerStore(VEventWriter)
    yield from parallel.rendered(
        Selection(store, filters), lambda own, events, _: "".join(map(writers(own).vevent, events)), fork
    )
    yield fold("END:VCALENDAR")
