"""Read, parse and validate a store file into model objects, reporting every problem once."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import edtf
from .errors import Problem, Progress, StoreError
from .locations import default_store_path
from .model import Citation, Disagreement, Entity, Event, Figure, Source
from .positions import Loc, Locator, dotted
from .text import normalize_for_quote, quote_in, sanitize


@dataclass(slots=True)
class LoadedStore:
    """A validated store, events in chronological order."""

    path: Path
    sources: list[Source]
    entities: list[Entity]
    events: list[Event]
    figures: list[Figure]
    disagreements: list[Disagreement] = field(default_factory=list)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class _ProgressReader:
    """A file-like view of bytes that reports how far libyaml has read."""

    def __init__(self, data: bytes, progress: Progress | None) -> None:
        self._data = data
        self._pos = 0
        self._progress = progress
        self._next_report = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        chunk = self._data[self._pos : end]
        self._pos += len(chunk)
        if self._progress and self._pos >= self._next_report:
            self._progress("parsing", self._pos / max(1, len(self._data)))
            self._next_report = self._pos + (1 << 20)
        return chunk


def _yaml_message(error: Any, text: str) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None)
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "YAML: tab character where YAML expects spaces (indent with spaces only)"
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    return message


_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STR = "tag:yaml.org,2002:str"
MAX_DEPTH = 64


class _Builder:
    """Builds plain Python data straight from libyaml's event stream.

    PyYAML's own constructor spends ~8 s of a 17 s load on a 100 MB store in generic Python
    machinery; this loop needs a fraction of that. It also refuses anchors and aliases
    without expanding them (billion laughs, cycles), reports duplicate keys, strips control
    characters as it goes, and is iterative, so deep nesting cannot exhaust the stack.
    """

    def __init__(self, path: str) -> None:
        import yaml

        self.yaml = yaml
        self.path = path
        self.problems: list[Problem] = []
        self._anchors: set[str] = set()
        self._tags: dict[str, str] = {}
        self._constructor = yaml.constructor.SafeConstructor()

    def _problem(self, mark: Any, message: str) -> None:
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message))

    def _refuse_tag(self, tag: str, mark: Any) -> None:
        name = tag.replace("tag:yaml.org,2002:", "!!")
        self._problem(mark, f"YAML: tag {name} is not allowed; kztj reads plain data only")

    def _refuse_anchor(self, event: Any, alias: bool) -> None:
        if event.anchor in self._anchors:
            return
        self._anchors.add(event.anchor)
        what = f"alias *{event.anchor}" if alias else f"anchor &{event.anchor}"
        self._problem(event.start_mark, f"YAML {what} is not allowed (anchors and aliases can explode or loop)")

    def _scalar(self, loader: Any, event: Any) -> Any:
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if event.style or not event.implicit[0]:  # libyaml reports plain style as ""
                tag = _STR
            else:
                # Plain scalars repeat (every key, every status): cache their resolved tags.
                short = len(value) < 24
                tag = self._tags.get(value) if short else None
                if tag is None:
                    tag = loader.resolve(self.yaml.ScalarNode, value, event.implicit)
                    if short:
                        self._tags[value] = tag
        if tag == _STR:
            return sanitize(value)
        if tag not in _STANDARD_TAGS:
            self._refuse_tag(tag, event.start_mark)
            return None
        node = self.yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            return self._constructor.construct_object(node)
        except (ValueError, OverflowError, self.yaml.YAMLError):
            # An impossible date such as 2021-13-01 stays text for the schema to report.
            return sanitize(value)

    def build(self, loader: Any) -> Any:
        """Consume every event and return the document's data."""
        yaml = self.yaml
        missing = object()
        stack: list[Any] = []
        keys: list[Any] = []
        key_marks: list[Any] = []
        root: Any = None
        documents = 0

        def add(value: Any, mark: Any) -> None:
            nonlocal root
            if not stack:
                root = value
                return
            parent = stack[-1]
            if parent.__class__ is list:
                parent.append(value)
            elif keys[-1] is missing:
                keys[-1] = value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)
                key_marks[-1] = mark
            else:
                key = keys[-1]
                if key in parent:
                    self._problem(key_marks[-1], f"duplicate key '{key}' in the same mapping")
                parent[key] = value
                keys[-1] = missing

        while True:
            event = loader.get_event()
            kind = event.__class__
            if kind is yaml.ScalarEvent:
                if event.anchor:
                    self._refuse_anchor(event, alias=False)
                add(self._scalar(loader, event), event.start_mark)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor:
                    self._refuse_anchor(event, alias=False)
                if event.tag not in _COLLECTION_TAGS:
                    self._refuse_tag(event.tag, event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    # Deeper YAML is never a store, and recursive code further on would overflow the C stack.
                    self._problem(event.start_mark, f"YAML is nested more than {MAX_DEPTH} levels deep")
                    break
                stack.append({} if kind is yaml.MappingStartEvent else [])
                keys.append(missing)
                key_marks.append(event.start_mark)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                keys.pop()
                add(done, key_marks.pop())
            elif kind is yaml.AliasEvent:
                self._refuse_anchor(event, alias=True)
                add(None, event.start_mark)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self._problem(event.start_mark, "expected one YAML document, found another ('---')")
                    break
            elif kind is yaml.StreamEndEvent:
                break
        return root


def _parse_yaml(data: bytes, text: str, path: str, progress: Progress | None) -> Any:
    import yaml

    builder = _Builder(path)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse allocates millions of objects and no cycles; collection only slows it
    loader = yaml.CSafeLoader(_ProgressReader(data, progress))  # type: ignore[arg-type]
    try:
        root = builder.build(loader)
    except yaml.reader.ReaderError as error:
        before = data[: error.position].decode("utf-8", "replace")
        line, column = _position(before, len(before))
        char = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        message = f"character U+{char:04X} is not allowed in YAML ({error.reason})"
        raise StoreError([*builder.problems, Problem(path, line, column, message)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise StoreError([*builder.problems, Problem(path, line, column, _yaml_message(error, text))]) from None
    except yaml.YAMLError as error:
        raise StoreError([*builder.problems, Problem(path, 1, 1, _yaml_message(error, text))]) from None
    finally:
        loader.dispose()
        if gc_was_enabled:
            gc.enable()
    if builder.problems:
        raise StoreError(sorted(builder.problems, key=lambda p: (p.line, p.column)))
    return root


def read_store_text(path: Path) -> tuple[bytes, str]:
    """Read and decode the store file, turning every OS or encoding failure into a Problem."""
    shown = str(path)
    try:
        if path.is_dir():
            raise StoreError([Problem(shown, 1, 1, "is a directory, not a store file")])
        data = path.read_bytes()
    except FileNotFoundError:
        raise StoreError([Problem(shown, 1, 1, "no such file")]) from None
    except PermissionError:
        raise StoreError([Problem(shown, 1, 1, "permission denied")]) from None
    except OSError as error:
        raise StoreError([Problem(shown, 1, 1, f"cannot read: {error.strerror or error}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(data[: error.start].decode("utf-8", "replace"), error.start)
        raise StoreError(
            [Problem(shown, line, column, f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded")]
        ) from None
    return data, text


def _pydantic_problems(error: Any, locator: Locator, prefix: Loc = ()) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        kind = item["type"]
        message = item["msg"].removeprefix("Value error, ")
        at_key = False
        if kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            at_key = True
            where = dotted(loc[:-1]) or "top level"
        elif kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            where = dotted(loc[:-1]) or "top level"
        else:
            where = dotted(loc)
            if kind == "string_too_long":
                size = len(item.get("input") or "")
                message = f"value is {size:,} characters; the limit is {item['ctx']['max_length']:,}"
        problems.append(locator.problem(loc, f"{where}: {message}", at_key=at_key))
    return problems


def _items(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def load(path: Path | str, progress: Progress | None = None) -> LoadedStore:
    """Load and validate a store; raise StoreError listing every problem."""
    from pydantic import ValidationError

    from .schema import StoreModel

    path = Path(path)
    shown = str(path)
    data_bytes, text = read_store_text(path)
    if not text.strip() or all(line.lstrip().startswith("#") for line in text.splitlines() if line.strip()):
        raise StoreError([Problem(shown, 1, 1, "the store is empty; expected a mapping with an 'events' list")])
    from .fastload import load_parallel

    fast = load_parallel(path, data_bytes, text, progress)
    if fast is not None:
        return fast
    raw = _parse_yaml(data_bytes, text, shown, progress)
    if not isinstance(raw, dict):
        kind = "nothing" if raw is None else type(raw).__name__
        raise StoreError(
            [Problem(shown, 1, 1, f"expected a mapping with an 'events' list at the top level, got {kind}")]
        )
    if progress:
        progress("validating", 0.0)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        problems: list[Problem] = []
        locator: Locator | None = None
        model = None
        try:
            model = StoreModel.model_validate(raw)
        except ValidationError as error:
            locator = Locator(text, shown)
            problems = _pydantic_problems(error, locator)
        cross = _cross_check(path, raw)
        if cross:
            locator = locator or Locator(text, shown)
            problems += [locator.problem(loc, message) for loc, message in cross]
        if problems or model is None:
            problems.sort(key=lambda p: (p.line, p.column))
            raise StoreError(problems)
        return _build(path, model)
    finally:
        if gc_was_enabled:
            gc.enable()


def _strings(value: Any) -> list[tuple[int, str]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def _records(raw: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    return [(i, item) for i, item in enumerate(_items(raw, key)) if isinstance(item, dict)]


def _collect_ids(raw: dict[str, Any], found: list[tuple[Loc, str]]) -> dict[str, set[str]]:
    """Ids of each list, reporting duplicates."""
    ids: dict[str, set[str]] = {}
    for name in ("sources", "entities", "events", "figures", "disagreements"):
        seen: dict[str, int] = {}
        for index, item in _records(raw, name):
            item_id = item.get("id")
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                message = f"{name}[{index}].id: duplicate id '{item_id}' (first at {name}[{seen[item_id]}])"
                found.append(((name, index, "id"), message))
            else:
                seen[item_id] = index
        ids[name] = set(seen)
    return ids


class References:
    """Checks that span items: dangling references and quotes missing from their article."""

    def __init__(self, path: Path, raw_sources: list[tuple[int, dict[str, Any]]], ids: dict[str, set[str]]) -> None:
        self.ids = ids
        self.found: list[tuple[Loc, str]] = []
        self.texts: dict[str, str | None] = {}
        # The same quote is often cited more than once; finding it once is enough.
        self._quotes: dict[tuple[str, str], bool] = {}
        for index, source in raw_sources:
            source_id, file = source.get("id"), source.get("file")
            if not isinstance(source_id, str) or not isinstance(file, str):
                continue
            try:
                self.texts[source_id] = normalize_for_quote(sanitize((path.parent / file).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as error:
                self.texts[source_id] = None
                reason = "no such file" if isinstance(error, FileNotFoundError) else f"cannot read it ({error})"
                self.found.append((("sources", index, "file"), f"sources[{index}].file: {file}: {reason}"))

    def reference(self, loc: Loc, value: Any, kind: str) -> None:
        """Report value if it is not a known id of kind."""
        if isinstance(value, str) and value not in self.ids[kind]:
            noun = {"entities": "entity", "events": "event", "sources": "source", "figures": "figure"}[kind]
            self.found.append((loc, f"{dotted(loc)}: unknown {noun} '{value}'"))

    def cite(self, loc: Loc, citation: dict[str, Any]) -> None:
        """Check a {source, quote} pair."""
        source_id, quote = citation.get("source"), citation.get("quote")
        self.reference((*loc, "source"), source_id, "sources")
        if not isinstance(source_id, str) or not isinstance(quote, str):
            return
        text = self.texts.get(source_id)
        if not text:
            return
        ok = self._quotes.get((source_id, quote))
        if ok is None:
            ok = self._quotes[(source_id, quote)] = quote_in(quote, text)
        if not ok:
            self.found.append(((*loc, "quote"), f"{dotted(loc)}.quote: quote not found in source '{source_id}'"))

    def event(self, index: int, event: dict[str, Any], related: bool = True) -> None:
        """Check an event's actors, place, citations and (optionally) related events."""
        for j, actor in _strings(event.get("actors")):
            self.reference(("events", index, "actors", j), actor, "entities")
        self.reference(("events", index, "place"), event.get("place"), "entities")
        if related:
            for j, other in _strings(event.get("related")):
                self.reference(("events", index, "related", j), other, "events")
        citations = event.get("sources")
        for j, citation in enumerate(citations if isinstance(citations, list) else []):
            if isinstance(citation, dict):
                self.cite(("events", index, "sources", j), citation)

    def figure(self, index: int, figure: dict[str, Any]) -> None:
        """Check a figure's citation and event."""
        self.cite(("figures", index), figure)
        self.reference(("figures", index, "event"), figure.get("event"), "events")

    def disagreement(self, index: int, item: dict[str, Any]) -> None:
        """Check a recorded disagreement's events, figures and quoted versions."""
        for kind in ("events", "figures"):
            for j, other in _strings(item.get(kind)):
                self.reference(("disagreements", index, kind, j), other, kind)
        versions = item.get("versions")
        for j, version in enumerate(versions if isinstance(versions, list) else []):
            if isinstance(version, dict):
                self.cite(("disagreements", index, "versions", j), version)


def _cross_check(path: Path, raw: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Checks that span items, run on the raw data so they report even beside schema errors."""
    found: list[tuple[Loc, str]] = []
    ids = _collect_ids(raw, found)
    references = References(path, _records(raw, "sources"), ids)
    for index, event in _records(raw, "events"):
        references.event(index, event)
    for index, figure in _records(raw, "figures"):
        references.figure(index, figure)
    for index, item in _records(raw, "disagreements"):
        references.disagreement(index, item)
    return found + references.found


class Dates:
    """EDTF parses, memoised: a large store repeats the same dates many times."""

    def __init__(self) -> None:
        self._parsed: dict[str, edtf.When] = {}

    def __call__(self, text: str) -> edtf.When:
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = edtf.parse(text)
        return found


def event_from_model(e: Any, dates: Dates) -> Event:
    """A validated EventModel as a runtime Event with its date bounds and labels."""
    w = dates(e.date)
    return Event(
        id=e.id,
        date=e.date,
        start=w.start.isoformat(),
        end=w.end.isoformat(),
        label=w.label(),
        long_label=w.label(long=True),
        title=e.title,
        summary=e.summary,
        tags=tuple(e.tags),
        actors=tuple(e.actors),
        place=e.place,
        status=e.status,
        sources=tuple(Citation(c.source, c.quote) for c in e.sources),
        related=tuple(e.related),
    )


def assemble(path: Path, model: Any, events: list[Event], dates: Dates) -> LoadedStore:
    """The loaded store: sources and entities from the model, events sorted, figure conflicts found."""
    out_sources = [
        Source(s.id, s.file, s.outlet, s.published, dates(s.published).label(long=True), s.description)
        for s in model.sources
    ]
    out_entities = [Entity(e.id, e.name, e.kind, tuple(e.aliases)) for e in model.entities]
    events.sort(key=lambda e: (e.start, e.end))  # stable: file order breaks ties
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for f in model.figures:
        w = dates(f.period)
        groups.setdefault((f.metric, w.start.isoformat(), w.end.isoformat()), []).append(f)
    out_figures = []
    for f in model.figures:
        w = dates(f.period)
        group = groups[(f.metric, w.start.isoformat(), w.end.isoformat())]
        out_figures.append(
            Figure(
                id=f.id,
                metric=f.metric,
                period=f.period,
                period_label=w.label(),
                start=w.start.isoformat(),
                end=w.end.isoformat(),
                value=f.value,
                unit=f.unit,
                source=f.source,
                quote=f.quote,
                note=f.note,
                event=f.event,
                conflicts=tuple(other.id for other in group if other.value != f.value),
            )
        )
    out_figures.sort(key=lambda f: (f.metric, f.start, f.end))
    disagreements = [Disagreement.from_json(d.model_dump()) for d in model.disagreements]
    return LoadedStore(path, out_sources, out_entities, events, out_figures, disagreements)


def _build(path: Path, model: Any) -> LoadedStore:
    dates = Dates()
    return assemble(path, model, [event_from_model(e, dates) for e in model.events], dates)


__all__ = ["LoadedStore", "Problem", "Progress", "StoreError", "default_store_path", "load"]
