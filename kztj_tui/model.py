"""The loaded, validated store as plain objects: what every command and the TUI read.

These are NamedTuples rather than dataclasses: importing ``dataclasses`` (and with it
``inspect``) costs ~10 ms, a tenth of a warm ``kztj search``. And their annotations are not
postponed (no ``from __future__ import annotations``): ``typing.NamedTuple`` compiles every string
annotation into a ForwardRef, 0.5 ms of every start for these classes. ``Filters``' two dates are the
exception: as strings, a warm search does not import ``datetime`` for them.
"""

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from datetime import date

STATUSES = ("occurred", "planned", "target")
# The end of an interval open at its end or of unknown end: ``datetime.date.max``, written out.
LAST_DAY = "9999-12-31"


class Source(NamedTuple):
    """A source article kept beside the store."""

    id: str
    file: str
    outlet: str
    published: str
    published_label: str
    description: str


class Entity(NamedTuple):
    """A person, place, country or organisation that events name."""

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


class Citation(NamedTuple):
    """A verbatim quote from a source that supports an event."""

    source: str
    quote: str


class Event(NamedTuple):
    """One dated happening, plan or target in the chronology."""

    id: str
    date: str
    start: str
    end: str
    label: str
    long_label: str
    title: str
    summary: str
    tags: tuple[str, ...]
    actors: tuple[str, ...]
    place: str | None
    status: str
    sources: tuple[Citation, ...]
    related: tuple[str, ...]

    @property
    def year(self) -> int:
        """The year the event starts in, which files it under a year header."""
        return int(self.start[:4])

    @property
    def open_end(self) -> bool:
        """Whether the date is an interval open at its end (``1993-06/..``) or with an unknown end (``2023/``)."""
        return self.date.endswith("/") or self.date.endswith("/..")

    def to_json(self) -> dict[str, Any]:
        """The export shape of the event."""
        return {
            "id": self.id,
            "date": self.date,
            "start": self.start,
            "end": None if self.open_end else self.end,  # as the export writes it: no last day to name
            "title": self.title,
            "summary": self.summary,
            "tags": list(self.tags),
            "actors": list(self.actors),
            "place": self.place,
            "status": self.status,
            "sources": [{"source": c.source, "quote": c.quote} for c in self.sources],
            "related": list(self.related),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], label: str, long_label: str) -> "Event":
        """Rebuild an event from its export shape plus its date labels."""
        return cls(
            id=data["id"],
            date=data["date"],
            start=data["start"],
            end=data["end"] or LAST_DAY,  # null for an open or unknown end
            label=label,
            long_label=long_label,
            title=data["title"],
            summary=data["summary"],
            tags=tuple(data["tags"]),
            actors=tuple(data["actors"]),
            place=data["place"],
            status=data["status"],
            sources=tuple(Citation(c["source"], c["quote"]) for c in data["sources"]),
            related=tuple(data["related"]),
        )


class Figure(NamedTuple):
    """A numeric fact with its source quote; ``conflicts`` lists figures that disagree with it."""

    id: str
    metric: str
    period: str
    period_label: str
    start: str
    end: str
    value: float
    unit: str
    source: str
    quote: str
    note: str | None = None
    event: str | None = None
    conflicts: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The export shape of the figure."""
        return {
            "id": self.id,
            "metric": self.metric,
            "period": self.period,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "quote": self.quote,
            "note": self.note,
            "event": self.event,
            "conflicts": list(self.conflicts),
        }


class Disagreement(NamedTuple):
    """Sources that disagree, as the store records them; ``reviewed`` once a person has looked."""

    id: str
    about: str
    events: tuple[str, ...]
    figures: tuple[str, ...]
    versions: tuple[Citation, ...]
    note: str
    reviewed: bool

    def to_json(self) -> dict[str, Any]:
        """The export shape of the disagreement."""
        return {
            "id": self.id,
            "about": self.about,
            "events": list(self.events),
            "figures": list(self.figures),
            "versions": [{"source": c.source, "quote": c.quote} for c in self.versions],
            "note": self.note,
            "reviewed": self.reviewed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Disagreement":
        """Rebuild a disagreement from its export shape."""
        return cls(
            id=data["id"],
            about=data["about"],
            events=tuple(data["events"]),
            figures=tuple(data["figures"]),
            versions=tuple(Citation(c["source"], c["quote"]) for c in data["versions"]),
            note=data["note"],
            reviewed=data["reviewed"],
        )


class Filters(NamedTuple):
    """What to keep: a date range (precision-aware), tags, actors, places (entity ids) and a search query."""

    # Strings, so only these two become ForwardRefs and a warm search need not import datetime.
    date_from: "date | None" = None
    date_to: "date | None" = None
    tags: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    query: str = ""
    places: tuple[str, ...] = ()
    marked: tuple[str, ...] | None = None
    """Only these event ids (the user's marked events), or None for no such limit."""

    @property
    def active(self) -> bool:
        """Whether any filter narrows the view."""
        return bool(
            self.date_from
            or self.date_to
            or self.tags
            or self.actors
            or self.places
            or self.query.strip()
            or self.marked is not None
        )

    def describe(self) -> str:
        """A short human description, e.g. ``from 2021 · tag trade``."""
        parts = []
        if self.date_from:
            parts.append(f"from {self.date_from.isoformat()}")
        if self.date_to:
            parts.append(f"to {self.date_to.isoformat()}")
        parts += [f"tag {t}" for t in self.tags]
        parts += [f"actor {a}" for a in self.actors]
        parts += [f"place {p}" for p in self.places]
        if self.marked is not None:
            parts.append("marked events")
        if self.query.strip():
            parts.append(f"query {self.query.strip()!r}")
        return " · ".join(parts)


NO_FILTERS = Filters()


def format_value(value: float, unit: str) -> str:
    """Format a figure for people: ``$1.4 bn``, ``26,000 tonnes``, ``18.5%``."""
    if unit == "USD":
        if abs(value) >= 1e9:
            return f"${value / 1e9:,.3g} bn"
        if abs(value) >= 1e6:
            return f"${value / 1e6:,.4g} mn"
        return f"${value:,.0f}"
    if unit == "percent":
        return f"{value:g}%"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
    return number if unit == "count" else f"{number} {unit}"
