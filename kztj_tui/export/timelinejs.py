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
from collections.abc import Iterator
from typing import Any

from .. import __version__, edtf
from ..model import NO_FILTERS, Event, Filters
from ..store import Store
from .common import Selection, date_facts, figure_line, title_of

# TimelineJS picks a media type by matching patterns against the url (MediaType.js); these
# characters and words are what its patterns need, so encoding them keeps a quote a quote. Most
# patterns are JavaScript strings, where "youtu\.be" loses its backslash and "." matches any
# character: "youtu be" is a YouTube link there, so the word's first letter is encoded too.
_MEDIA_TRIGGERS = re.compile(r"[.:/?]|(?i:s(?=potify)|i(?=frame)|y(?=outu))")


# Braces as character references too: a page that embeds the JSON may run it through a template
# engine (Jinja, Handlebars, Vue), which would read "{{ ... }}" in a quote as its own syntax.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def esc(text: str) -> str:
    """User text as HTML text: never markup, never template syntax."""
    return html.escape(" ".join(text.split()), quote=True).translate(_BRACES)


def inert_quote(text: str) -> str:
    """HTML for a quote inside a media url, with nothing TimelineJS could take for another media type."""
    return _MEDIA_TRIGGERS.sub(lambda m: f"&#{ord(m[0])};", esc(text))


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


def _text_html(store: Store, event: Event) -> str:
    facts = date_facts(event.date)
    parts = [f"<p>{esc(event.summary)}</p>"]
    notes = [esc(facts.hedge)] if facts.hedge else []
    if event.status != "occurred":
        notes.append(f"Status: {esc(event.status)}.")
    if notes:
        parts.append(f"<p><em>{' '.join(notes)}</em></p>")
    figures = store.figures_for(event.id)
    if figures:
        parts.append("<ul>" + "".join(f"<li>{esc(figure_line(store, f))}</li>" for f in figures) + "</ul>")
    sources = []
    for citation in event.sources:
        source = store.sources[citation.source]
        sources.append(
            f"<li>{esc(source.outlet)}, {esc(source.published_label)}: "
            f"<q>{esc(citation.quote)}</q> <small>({esc(source.file)})</small></li>"
        )
    parts.append(f"<p>Sources:</p><ul>{''.join(sources)}</ul>")
    return "".join(parts)


def slide(store: Store, event: Event) -> dict[str, Any]:
    """One event as a TimelineJS slide."""
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
            "text": {"headline": esc(event.title), "text": _text_html(store, event)},
            "media": {
                "url": f"<blockquote>{inert_quote(first.quote)}</blockquote>",
                "credit": esc(f"{source.outlet}, {source.published_label}"),
                "caption": esc(source.description),
            },
            "group": event.tags[0],
            "unique_id": event.id,
            "autolink": False,
        }
    )
    return out


def to_timelinejs(store: Store, filters: Filters = NO_FILTERS) -> Iterator[str]:
    """The TimelineJS3 JSON document: a title slide and one slide per matching event; streamed."""
    intro = store.description or (
        f"Exported by kztj {__version__}. Every event cites a verbatim quote; conflicting figures are marked ⚠."
    )
    title = {"text": {"headline": esc(title_of(store)), "text": f"<p>{esc(intro)}</p>"}}
    yield '{"title": ' + json.dumps(title, ensure_ascii=False) + ',\n "events": ['
    first = True
    for event in Selection(store, filters).events():
        yield ("\n  " if first else ",\n  ") + json.dumps(slide(store, event), ensure_ascii=False)
        first = False
    yield "\n ]}\n"
