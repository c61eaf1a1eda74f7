"""TimelineJS3's JSON format: one slide per event, dates only as precise as the store, text as escaped HTML.

Field rules from TimelineJS3's ``json-format`` documentation: ``year`` is required in a date
object, ``month`` and ``day`` are optional numbers; ``text.headline``/``text.text`` and the
media ``caption``/``credit`` are HTML; a media object needs a ``url``, and a url containing
``blockquote`` is shown as a quotation.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from .. import __version__, edtf
from ..memo import Memo
from ..model import NO_FILTERS, Citation, Event, Filters
from ..store import Store
from . import parallel
from .common import Selection, date_facts, figure_line, one_line, title_of

# TimelineJS picks a media type by matching patterns against the url (MediaType.js); these
# characters and words are what its patterns need, so encoding them keeps a quote a quote. Most
# patterns are JavaScript strings, where "youtu\.be" loses its backslash and "." matches any
# character: "youtu be" is a YouTube link there, so the word's first letter is encoded too.
_MEDIA_TRIGGERS = re.compile(r"[.:/?]|(?i:s(?=potify)|i(?=frame)|y(?=outu))")


# What esc changes besides whitespace; most text has none of it.
_HTML_WORK = re.compile(r"[&<>\"'{}]")


def esc(text: str) -> str:
    """User text as HTML text: never markup, never template syntax."""
    text = one_line(text)
    if not _HTML_WORK.search(text):
        return text
    escaped = html.escape(text, quote=True)
    # Braces as character references too: a page that embeds the JSON may run it through a template
    # engine (Jinja, Handlebars, Vue), which would read "{{ ... }}" in a quote as its own syntax.
    if "{" in escaped or "}" in escaped:
        escaped = escaped.replace("{", "&#123;").replace("}", "&#125;")
    return escaped


# Events cite the same passages, outlets and dates again and again: each is escaped once.
_ESCAPED: Memo[str, str] = Memo(50_000)
_INERT: Memo[str, str] = Memo(20_000)


def esc_shared(text: str) -> str:
    """:func:`esc` for text many events share (a quote, an outlet, a date label), remembered."""
    escaped = _ESCAPED.get(text)
    return _ESCAPED.remember(text, esc(text)) if escaped is None else escaped


def inert_quote(text: str) -> str:
    """HTML for a quote inside a media url, with nothing TimelineJS could take for another media type."""
    inert = _INERT.get(text)
    if inert is None:
        inert = _INERT.remember(text, _MEDIA_TRIGGERS.sub(lambda m: f"&#{ord(m[0])};", esc(text)))
    return inert


def date_object(point: edtf.Point) -> dict[str, int]:
    """A TimelineJS start date with only the parts the store knows: year, then month, then day."""
    when = point.start
    out = {"year": when.year}
    if point.precision in ("month", "day"):
        out["month"] = when.month
    if point.precision == "day":
        out["day"] = when.day
    return out


def end_object(point: edtf.Point) -> dict[str, int]:
    """A TimelineJS end date at the last moment of the last day a point can mean.

    TLDate fills missing parts with their first value (``{"year": 2020}`` is 1 January 2020,
    00:00), so an end at the store's own precision would cut off its last year, month or day.
    ``display_date`` still says the date as the store does.
    """
    when = point.end
    return {
        "year": when.year,
        "month": when.month,
        "day": when.day,
        "hour": 23,
        "minute": 59,
        "second": 59,
        "millisecond": 999,
    }


def _text_html(store: Store, event: Event, sources: Memo[tuple[Citation, ...], str]) -> str:
    facts = date_facts(event.date)
    parts = [f"<p>{esc(event.summary)}</p>"]
    notes = [esc_shared(facts.hedge)] if facts.hedge else []
    if event.status != "occurred":
        notes.append(f"Status: {esc(event.status)}.")
    if notes:
        parts.append(f"<p><em>{' '.join(notes)}</em></p>")
    figures = store.figures_for(event.id)
    if figures:
        parts.append("<ul>" + "".join(f"<li>{esc(figure_line(store, f))}</li>" for f in figures) + "</ul>")
    parts.append(_sources_html(store, event.sources, sources))
    return "".join(parts)


def _sources_html(store: Store, citations: tuple[Citation, ...], known: Memo[tuple[Citation, ...], str]) -> str:
    """The list of an event's sources; events citing the same passages share it (``known``, one export's)."""
    found = known.get(citations)
    if found is None:
        items = []
        for citation in citations:
            source = store.sources[citation.source]
            items.append(
                f"<li>{esc_shared(source.outlet)}, {esc_shared(source.published_label)}: "
                f"<q>{esc_shared(citation.quote)}</q> <small>({esc_shared(source.file)})</small></li>"
            )
        found = known.remember(citations, f"<p>Sources:</p><ul>{''.join(items)}</ul>")
    return found


def slide(store: Store, event: Event, sources: Memo[tuple[Citation, ...], str] | None = None) -> dict[str, Any]:
    """One event as a TimelineJS slide (``sources``: the source lists an export has written so far)."""
    facts = date_facts(event.date)
    out: dict[str, Any] = {"start_date": date_object(facts.first)}
    # TimelineJS has no open end: an open or unknown one is left out; display_date and the text say it.
    if not facts.open_end and (facts.precision == "interval" or facts.first.start.year != facts.last.end.year):
        # TimelineJS drops an end date as "redundant" when every part of the start date equals the
        # end's (TimelineConfig._processDates looks only at the start's parts: 2023 and 2023-06-15
        # would be "equal"). hour 0 is where the start is anyway, and differs from the end's 23.
        out["start_date"]["hour"] = 0
        out["end_date"] = end_object(facts.last)
    first = event.sources[0]
    source = store.sources[first.source]
    out.update(
        {
            "display_date": event.long_label,
            "text": {
                "headline": esc(event.title),
                "text": _text_html(store, event, Memo(1) if sources is None else sources),
            },
            "media": {
                "url": f"<blockquote>{inert_quote(first.quote)}</blockquote>",
                "credit": esc_shared(f"{source.outlet}, {source.published_label}"),
                "caption": esc_shared(source.description),
            },
            "group": event.tags[0],
            "unique_id": event.id,
            "autolink": False,
        }
    )
    return out


# json.dumps(value, ensure_ascii=False) without making an encoder for every slide.
_encode = json.JSONEncoder(ensure_ascii=False).encode
# A str as that encoder writes it.
_string = json.encoder.encode_basestring


class SlideWriter:
    """Writes the slides of one store as JSON text, each exactly ``_encode(slide(store, event))``.

    The parts events share are encoded once: a date's start and end objects and label, an event's
    first source as media, the source lists; the rest is joined around the encoded strings.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sources: Memo[tuple[Citation, ...], str] = Memo(20_000)
        self._dates: Memo[tuple[str, str], str] = Memo(4096)
        self._notes: Memo[tuple[str, str], str] = Memo(4096)
        self._media: Memo[Citation, str] = Memo(20_000)

    def _date(self, event: Event) -> str:
        """``{"start_date": ..., "display_date": ...``: slide()'s first keys, open."""
        key = (event.date, event.long_label)
        found = self._dates.get(key)
        if found is None:
            facts = date_facts(event.date)
            out: dict[str, Any] = {"start_date": date_object(facts.first)}
            if not facts.open_end and (facts.precision == "interval" or facts.first.start.year != facts.last.end.year):
                out["start_date"]["hour"] = 0
                out["end_date"] = end_object(facts.last)
            out["display_date"] = event.long_label
            found = self._dates.remember(key, _encode(out)[:-1])
        return found

    def _text(self, event: Event) -> str:
        """The slide's ``text.text``, as _text_html writes it."""
        store = self.store
        key = (event.date, event.status)
        notes = self._notes.get(key)
        if notes is None:
            hedge = date_facts(event.date).hedge
            said = [esc_shared(hedge)] if hedge else []
            if event.status != "occurred":
                said.append(f"Status: {esc(event.status)}.")
            notes = self._notes.remember(key, f"<p><em>{' '.join(said)}</em></p>" if said else "")
        figures = store.figures_for(event.id)
        listed = (
            "<ul>" + "".join(f"<li>{esc(figure_line(store, f))}</li>" for f in figures) + "</ul>" if figures else ""
        )
        return f"<p>{esc(event.summary)}</p>{notes}{listed}{_sources_html(store, event.sources, self._sources)}"

    def _medium(self, first: Citation) -> str:
        found = self._media.get(first)
        if found is None:
            source = self.store.sources[first.source]
            medium = {
                "url": f"<blockquote>{inert_quote(first.quote)}</blockquote>",
                "credit": esc_shared(f"{source.outlet}, {source.published_label}"),
                "caption": esc_shared(source.description),
            }
            found = self._media.remember(first, _encode(medium))
        return found

    def slide(self, event: Event) -> str:
        """One event's slide as JSON text."""
        return (
            f'{self._date(event)}, "text": {{"headline": {_string(esc(event.title))}, '
            f'"text": {_string(self._text(event))}}}, "media": {self._medium(event.sources[0])}, '
            f'"group": {_string(event.tags[0])}, "unique_id": {_string(event.id)}, "autolink": false}}'
        )


def to_timelinejs(store: Store, filters: Filters = NO_FILTERS, *, fork: bool = False) -> Iterator[str]:
    """The TimelineJS3 JSON document: a title slide and one slide per matching event; streamed."""
    intro = store.description or (
        f"Exported by kztj {__version__}. Every event cites a verbatim quote; conflicting figures are marked ⚠."
    )
    title = {"text": {"headline": esc(title_of(store)), "text": f"<p>{esc(intro)}</p>"}}
    yield '{"title": ' + json.dumps(title, ensure_ascii=False) + ',\n "events": ['
    writers = parallel.PerStore(SlideWriter)

    def slides(own: Store, events: Sequence[Event], first: bool) -> str:
        text = ",\n  ".join(map(writers(own).slide, events))
        return ("\n  " if first else ",\n  ") + text

    yield from parallel.rendered(Selection(store, filters), slides, fork)
    yield "\n ]}\n"
