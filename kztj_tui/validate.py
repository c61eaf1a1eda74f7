"""The one validator: schema, ids, references and quotes, each problem placed at its YAML node.

Events are checked one at a time while the YAML is still being parsed (see ``loader``), so a
large store never holds its raw data, its models and its events at once. Checks that span
items (duplicate ids, references, quotes) run once every item has been read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple, get_args

from pydantic import TypeAdapter, ValidationError

from . import articles
from .assemble import Dates, InputFile, event_from_model
from .errors import Problem
from .model import Citation, Event
from .nearmiss import closest_passage
from .positions import Loc, Locator, dotted
from .schema import (
    ID_MAX,
    ID_PATTERN,
    MAX_LONG,
    MAX_SHORT,
    TAG_MAX,
    TAG_PATTERN,
    EventModel,
    StoreHeadModel,
    edtf_text_of,
)
from .text import normalize_for_quote, quote_in


class Found(NamedTuple):
    """A problem before it is placed: the data path it concerns and the message."""

    loc: Loc
    message: str
    at_key: bool = False  # an unknown key is reported on the key, not its value
    other: Loc | None = None  # a duplicate id: where the first one is (a store in several files names its file)


_EVENT = TypeAdapter(EventModel)


def pydantic_problems(error: ValidationError, prefix: Loc = ()) -> list[Found]:
    """A pydantic error as problems worded for a person editing YAML."""
    found: list[Found] = []
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        kind = item["type"]
        message = item["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            found.append(Found(loc, f"{dotted(loc[:-1]) or 'top level'}: unknown key '{loc[-1]}'", at_key=True))
            continue
        if kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            where = dotted(loc[:-1]) or "top level"
        else:
            where = dotted(loc)
            if kind == "string_too_long":
                size = len(item.get("input") or "")
                message = f"value is {size:,} characters; the limit is {item['ctx']['max_length']:,}"
        found.append(Found(loc, f"{where}: {message}"))
    return found


class EventChecker:
    """Validates each event as the parser finishes it: a runtime Event when valid, else its raw data."""

    def __init__(self) -> None:
        self.found: list[Found] = []
        self.dates = Dates()
        self.citations: dict[tuple[str, str], Citation] = {}
        self._ids: set[str] = set()  # ids and tags already found valid
        self._tags: set[str] = set()
        self._date_facts: dict[str, tuple[str, str, str, str, str]] = {}  # date as written: EDTF text and facts

    def __call__(self, index: int, raw: Any) -> Event | Any:
        event = self._plainly_valid(raw)
        if event is not None:
            return event
        try:
            model = _EVENT.validate_python(raw)
        except ValidationError as error:
            self.found += pydantic_problems(error, ("events", index))
            return raw  # kept for the reference checks, which report beside schema errors
        return event_from_model(model, self.dates, self.citations)

    def _plainly_valid(self, raw: Any) -> Event | None:
        """The Event of an item that EventModel accepts, checked without pydantic; None if in any doubt.

        Nearly every item of a store is a mapping of the keys EventModel knows, every value of exactly
        the type it asks for and within its limits: such an item is checked here (pydantic and making
        its models took 0.55 s at 100,000 events, this 0.2 s). Anything else (a missing key, an
        unknown one, a bare-year date, a bad id, a value off its limits) goes to pydantic, which
        decides and words the problems; this only ever accepts what it would accept, with the same
        values (``tests/test_validate_fast.py``).
        """
        if raw.__class__ is not dict or not (_EVENT_REQUIRED <= raw.keys() <= _EVENT_KEYS):
            return None
        event_id, date, title, summary = raw["id"], raw["date"], raw["title"], raw["summary"]
        tags, status, sources = raw["tags"], raw["status"], raw["sources"]
        actors, place, related = raw.get("actors", _NONE), raw.get("place"), raw.get("related", _NONE)
        # Ids and tags repeat from event to event: each distinct one is matched once.
        ids, good_tags = self._ids, self._tags
        if not (
            _is_id(event_id)
            and title.__class__ is str
            and 0 < len(title) <= MAX_SHORT
            and summary.__class__ is str
            and 0 < len(summary) <= MAX_LONG
            and status.__class__ is str
            and status in _STATUSES
            and (place is None or (place.__class__ is str and (place in ids or _new_id(ids, place))))
            and tags.__class__ is list
            and tags
            and all([tag.__class__ is str and (tag in good_tags or _new_tag(good_tags, tag)) for tag in tags])
            and actors.__class__ is list
            and all([actor.__class__ is str and (actor in ids or _new_id(ids, actor)) for actor in actors])
            and related.__class__ is list
            and all([other.__class__ is str and (other in ids or _new_id(ids, other)) for other in related])
            and sources.__class__ is list
            and sources
        ):
            return None
        citations = self.citations
        cited = []
        for citation in sources:
            if citation.__class__ is not dict or citation.keys() != _CITATION_KEYS:
                return None
            source, quote = citation["source"], citation["quote"]
            if source.__class__ is not str or quote.__class__ is not str:
                return None
            key = (source, quote)
            shared = citations.get(key)  # a citation met before was found valid
            if shared is None:
                if not ((source in ids or _new_id(ids, source)) and 0 < len(quote) <= MAX_LONG):
                    return None
                shared = citations[key] = Citation(source, quote)
            cited.append(shared)
        facts = self._date_facts.get(date) if date.__class__ is str else None
        if facts is None:
            if date.__class__ is not str:
                return None
            try:
                text = edtf_text_of(date)  # what EventModel's date validator returns, from the same cache
            except Exception:  # pydantic reports it (or raises what it raised) in its words
                return None
            facts = self._date_facts[date] = (text, *self.dates.facts(text))
        text, start, end, label, long_label = facts
        # tuple.__new__: the fields in Event's order, without the keyword handling of its own __new__.
        fields = (event_id, text, start, end, label, long_label, title, summary, tuple(tags), tuple(actors), place)
        return _tuple(Event, (*fields, status, tuple(cited), tuple(related)))


_tuple = tuple.__new__


def _new_id(ids: set[str], value: str) -> bool:
    """Whether value is an id, remembered in ids if it is."""
    if _is_id(value):
        ids.add(value)
        return True
    return False


def _new_tag(tags: set[str], value: str) -> bool:
    """Whether value is a tag, remembered in tags if it is."""
    if len(value) <= TAG_MAX and _TAG(value) is not None:
        tags.add(value)
        return True
    return False


_EVENT_KEYS = frozenset(EventModel.model_fields)
_EVENT_REQUIRED = frozenset(name for name, field in EventModel.model_fields.items() if field.is_required())
_CITATION_KEYS = {"source", "quote"}
_STATUSES = frozenset(get_args(EventModel.model_fields["status"].annotation))
_NONE: list[str] = []  # an optional list left out: EventModel's default
_ID = re.compile(ID_PATTERN).fullmatch  # schema.Id's form
_TAG = re.compile(TAG_PATTERN).fullmatch  # schema.Tag's


def _is_id(value: Any) -> bool:
    return value.__class__ is str and len(value) <= ID_MAX and _ID(value) is not None


def _records(raw: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = raw.get(key)
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[tuple[int, str]]:
    if isinstance(value, (list, tuple)):
        return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _event_refs(item: Event | dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """(id, actors, place, related, citations) of an event, valid or raw."""
    if isinstance(item, Event):
        citations = [{"source": c.source, "quote": c.quote} for c in item.sources]
        return item.id, item.actors, item.place, item.related, citations
    return item.get("id"), item.get("actors"), item.get("place"), item.get("related"), item.get("sources")


class References:
    """Checks that span items: duplicate ids, dangling references, and quotes missing from their article."""

    def __init__(self, store_path: Path, raw: dict[str, Any], events: list[Any], allow_outside: bool) -> None:
        self.found: list[Found] = []
        self.inputs: list[InputFile] = []
        self.events = [(i, e) for i, e in enumerate(events) if isinstance(e, (Event, dict))]
        self.ids = {
            name: self._ids(name, _records(raw, name)) for name in ("sources", "entities", "figures", "disagreements")
        }
        self.ids["events"] = self._ids("events", [(i, e) for i, e in self.events])
        self.texts: dict[str, str | None] = {}
        self.articles: dict[str, str] = {}  # as written, for suggesting the passage a quote misses
        # The same quote is often cited more than once; finding it once is enough.
        self._quotes: dict[tuple[str, str], bool] = {}
        self._read_articles(store_path, _records(raw, "sources"), allow_outside)

    def _ids(self, name: str, items: list[tuple[int, Any]]) -> set[str]:
        seen: dict[str, int] = {}
        for index, item in items:
            item_id = item.id if isinstance(item, Event) else item.get("id")
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                message = f"{name}[{index}].id: duplicate id '{item_id}' (first at {name}[{seen[item_id]}])"
                self.found.append(Found((name, index, "id"), message, other=(name, seen[item_id], "id")))
            else:
                seen[item_id] = index
        return set(seen)

    def _read_articles(self, store_path: Path, sources: list[tuple[int, dict[str, Any]]], allow_outside: bool) -> None:
        store_dir = store_path.parent
        for index, source in sources:
            source_id, file = source.get("id"), source.get("file")
            if not isinstance(source_id, str) or not isinstance(file, str):
                continue
            try:
                path = articles.locate(store_dir, file, allow_outside)
                article = articles.read(path)
            except articles.ArticleError as error:
                self.texts[source_id] = None
                self.found.append(Found(("sources", index, "file"), f"sources[{index}].file: {file}: {error}"))
                continue
            self.texts[source_id] = normalize_for_quote(article.text)
            self.articles[source_id] = article.text
            self.inputs.append(InputFile(file, *article.read.identity, article.read.digest))

    def reference(self, loc: Loc, value: Any, kind: str) -> None:
        """Report value if it is not a known id of kind."""
        if isinstance(value, str) and value not in self.ids[kind]:
            noun = {"entities": "entity", "events": "event", "sources": "source", "figures": "figure"}[kind]
            self.found.append(Found(loc, f"{dotted(loc)}: unknown {noun} '{value}'"))

    def cite(self, loc: Loc, citation: dict[str, Any]) -> None:
        """Check a {source, quote} pair."""
        source_id, quote = citation.get("source"), citation.get("quote")
        self.reference((*loc, "source"), source_id, "sources")
        if not isinstance(source_id, str) or not isinstance(quote, str) or source_id not in self.texts:
            return
        text = self.texts[source_id]
        if text is None:
            return  # the article itself is reported
        ok = self._quotes.get((source_id, quote))
        if ok is None:
            ok = self._quotes[(source_id, quote)] = quote_in(quote, text)
        if not ok:
            message = f"{dotted(loc)}.quote: quote not found in source '{source_id}'"
            closest = closest_passage(quote, self.articles[source_id])
            if closest:
                shown = closest if len(closest) <= 160 else closest[:157] + "..."
                message += f"; closest passage: “{shown}”"
            self.found.append(Found((*loc, "quote"), message))

    def _nothing_to_report(self, event: Event) -> bool:
        """Whether every id a valid event refers to is known and each of its quotes was already found."""
        entities, events = self.ids["entities"], self.ids["events"]
        return (
            all(actor in entities for actor in event.actors)
            and (event.place is None or event.place in entities)
            and all(other in events for other in event.related)
            # A citation is its (source, quote) pair, the key a found quote is remembered under.
            and all(self._quotes.get(citation) for citation in event.sources)
        )

    def check(self, raw: dict[str, Any]) -> list[Found]:
        """Run every cross-item check; return what was found."""
        self.found += placeholders(raw, self.events)
        for index, item in self.events:
            if isinstance(item, Event) and self._nothing_to_report(item):
                continue
            _id, actors, place, related, citations = _event_refs(item)
            for j, actor in _strings(actors):
                self.reference(("events", index, "actors", j), actor, "entities")
            self.reference(("events", index, "place"), place, "entities")
            for j, other in _strings(related):
                self.reference(("events", index, "related", j), other, "events")
            for j, citation in enumerate(citations if isinstance(citations, list) else []):
                if isinstance(citation, dict):
                    self.cite(("events", index, "sources", j), citation)
        for index, figure in _records(raw, "figures"):
            self.cite(("figures", index), figure)
            self.reference(("figures", index, "event"), figure.get("event"), "events")
        for index, item in _records(raw, "disagreements"):
            for kind in ("events", "figures"):
                for j, other in _strings(item.get(kind)):
                    self.reference(("disagreements", index, kind, j), other, kind)
            versions = item.get("versions")
            for j, version in enumerate(versions if isinstance(versions, list) else []):
                if isinstance(version, dict):
                    self.cite(("disagreements", index, "versions", j), version)
        return self.found


# What `kztj ingest` leaves for a person to write: a draft is refused until every one is written.
PLACEHOLDER = "TODO"
PLACEHOLDER_NAME = "todo"  # a tag or metric ingest could not choose


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER)


def placeholders(raw: dict[str, Any], events: list[tuple[int, Event | dict[str, Any]]]) -> list[Found]:
    """Titles, summaries, outlets, descriptions starting with TODO, and the tag or metric ``todo``."""
    found: list[Found] = []

    def refuse(loc: Loc, what: str) -> None:
        found.append(Found(loc, f"{dotted(loc)}: a draft placeholder; {what} before this can be used"))

    for index, item in events:
        title = item.title if isinstance(item, Event) else item.get("title")
        summary = item.summary if isinstance(item, Event) else item.get("summary")
        tags = item.tags if isinstance(item, Event) else item.get("tags")
        if _placeholder(title):
            refuse(("events", index, "title"), "write the title")
        if _placeholder(summary):
            refuse(("events", index, "summary"), "write the summary")
        for j, tag in _strings(tags):
            if tag == PLACEHOLDER_NAME:
                refuse(("events", index, "tags", j), "choose a tag")
    for index, source in _records(raw, "sources"):
        for key in ("outlet", "description"):
            if _placeholder(source.get(key)):
                refuse(("sources", index, key), f"write the {key}")
    for index, figure in _records(raw, "figures"):
        if figure.get("metric") == PLACEHOLDER_NAME:
            refuse(("figures", index, "metric"), "choose a metric")
    return found


def validate_head(raw: dict[str, Any]) -> tuple[Any, list[Found]]:
    """Validate everything but the events (checked as they were parsed): the model, or the problems."""
    try:
        return StoreHeadModel.model_validate(raw), []
    except ValidationError as error:
        return None, pydantic_problems(error)


def place(found: list[Found], locator: Locator) -> list[Problem]:
    """Problems at their YAML positions, in file order."""
    problems = [locator.problem(f.loc, f.message, at_key=f.at_key) for f in found]
    problems.sort(key=lambda p: (p.line, p.column))
    return problems
