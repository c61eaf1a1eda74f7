"""Read, parse and validate a store file into model objects, reporting every problem once."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import edtf
from .model import Citation, Entity, Event, Figure, Source
from .text import normalize_for_quote, quote_in, sanitize

Progress = Callable[[str, float], None]
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the store, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        # One line per problem, whatever a library put in the message.
        return f"{self.path}:{self.line}:{self.column}: {' '.join(self.message.split())}"


class StoreError(Exception):
    """The store cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(slots=True)
class LoadedStore:
    """A validated store, events in chronological order."""

    path: Path
    sources: list[Source]
    entities: list[Entity]
    events: list[Event]
    figures: list[Figure]


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


_ANCHOR_HINT = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s\]},]", re.MULTILINE)


def _yaml_message(error: Any, text: str) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None)
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "YAML: tab character where YAML expects spaces (indent with spaces only)"
    if "could not determine a constructor" in problem:
        tag = problem.split("tag", 1)[-1].strip()
        return f"YAML: tag {tag} is not allowed; kztj reads plain data only"
    message = f"YAML syntax error: {problem}"
    if context:
        message += f" ({context})"
    return message


def _check_anchors(text: str, path: str) -> list[Problem]:
    """Reject anchors and aliases: they enable billion-laughs bombs and cycles, and no store needs them."""
    if not _ANCHOR_HINT.search(text):
        return []
    import yaml

    problems: list[Problem] = []
    reported: set[str] = set()
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            anchor = getattr(event, "anchor", None)
            if not anchor or anchor in reported:
                continue
            reported.add(anchor)
            mark = event.start_mark
            assert mark is not None
            kind = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
            message = (
                f"YAML {kind}{anchor} is not allowed (anchors and aliases can explode or loop); write the data out"
            )
            problems.append(Problem(path, mark.line + 1, mark.column + 1, message))
    except yaml.YAMLError:
        return problems  # the full parse reports the syntax error
    return problems


def _loader_class() -> Any:
    import yaml

    class Loader(yaml.CSafeLoader):
        """libyaml's safe loader, but an impossible date such as 2021-13-01 stays a string for the schema to report."""

    def timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
        except ValueError:
            return node.value

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return Loader


def _parse_yaml(data: bytes, text: str, path: str, progress: Progress | None) -> Any:
    import yaml

    problems = _check_anchors(text, path)
    if problems:
        raise StoreError(problems)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse allocates millions of objects and no cycles; collection only slows it
    try:
        return yaml.load(_ProgressReader(data, progress), Loader=_loader_class())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise StoreError([Problem(path, line, column, _yaml_message(error, text))]) from None
    except yaml.reader.ReaderError as error:
        before = data[: error.position].decode("utf-8", "replace")
        line, column = _position(before, len(before))
        char = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        message = f"character U+{char:04X} is not allowed in YAML ({error.reason})"
        raise StoreError([Problem(path, line, column, message)]) from None
    except yaml.YAMLError as error:
        raise StoreError([Problem(path, 1, 1, _yaml_message(error, text))]) from None
    except RecursionError:
        raise StoreError([Problem(path, 1, 1, "YAML is nested too deeply")]) from None
    except (ValueError, TypeError, OverflowError) as error:
        raise StoreError([Problem(path, 1, 1, f"YAML value cannot be read: {error}")]) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def _sanitize_tree(value: Any) -> Any:
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, dict):
        return {key: _sanitize_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_sanitize_tree(item) for item in value]
    return value


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


class _Locator:
    """Maps a data path such as ("events", 3, "title") to a YAML line and column."""

    def __init__(self, text: str, path: str) -> None:
        import yaml

        self.path = path
        try:
            self.root = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            self.root = None

    def problem(self, loc: Loc, message: str, at_key: bool = False) -> Problem:
        import yaml

        node = self.root
        for index, part in enumerate(loc):
            last = index == len(loc) - 1
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        node = key_node if (last and at_key) else value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
            else:
                break
        if node is None:
            return Problem(self.path, 1, 1, message)
        mark = node.start_mark
        return Problem(self.path, mark.line + 1, mark.column + 1, message)


def _dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_problems(error: Any, locator: _Locator, prefix: Loc = ()) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        kind = item["type"]
        message = item["msg"].removeprefix("Value error, ")
        at_key = False
        if kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            at_key = True
            where = _dotted(loc[:-1]) or "top level"
        elif kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            where = _dotted(loc[:-1]) or "top level"
        else:
            where = _dotted(loc)
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
        raw = _sanitize_tree(raw)
        problems: list[Problem] = []
        locator: _Locator | None = None
        model = None
        try:
            model = StoreModel.model_validate(raw)
        except ValidationError as error:
            locator = _Locator(text, shown)
            problems = _pydantic_problems(error, locator)
        cross = _cross_check(path, raw)
        if cross:
            locator = locator or _Locator(text, shown)
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


def _cross_check(path: Path, raw: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Checks that span items, run on the raw data so they report even beside schema errors."""
    found: list[tuple[Loc, str]] = []
    ids: dict[str, set[str]] = {}
    for name in ("sources", "entities", "events", "figures"):
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
    texts: dict[str, str | None] = {}
    for index, source in _records(raw, "sources"):
        source_id, file = source.get("id"), source.get("file")
        if not isinstance(source_id, str) or not isinstance(file, str):
            continue
        try:
            texts[source_id] = normalize_for_quote(sanitize((path.parent / file).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            texts[source_id] = None
            reason = "no such file" if isinstance(error, FileNotFoundError) else f"cannot read it ({error})"
            found.append((("sources", index, "file"), f"sources[{index}].file: {file}: {reason}"))

    def reference(loc: Loc, value: Any, kind: str) -> None:
        if isinstance(value, str) and value not in ids[kind]:
            noun = {"entities": "entity", "events": "event", "sources": "source"}[kind]
            found.append((loc, f"{_dotted(loc)}: unknown {noun} '{value}'"))

    def cite(loc: Loc, citation: dict[str, Any]) -> None:
        source_id, quote = citation.get("source"), citation.get("quote")
        reference((*loc, "source"), source_id, "sources")
        text = texts.get(source_id) if isinstance(source_id, str) else None
        if text and isinstance(quote, str) and not quote_in(quote, text):
            found.append(((*loc, "quote"), f"{_dotted(loc)}.quote: quote not found in source '{source_id}'"))

    for index, event in _records(raw, "events"):
        for j, actor in _strings(event.get("actors")):
            reference(("events", index, "actors", j), actor, "entities")
        reference(("events", index, "place"), event.get("place"), "entities")
        for j, related in _strings(event.get("related")):
            reference(("events", index, "related", j), related, "events")
        citations = event.get("sources")
        for j, citation in enumerate(citations if isinstance(citations, list) else []):
            if isinstance(citation, dict):
                cite(("events", index, "sources", j), citation)
    for index, figure in _records(raw, "figures"):
        cite(("figures", index), figure)
        reference(("figures", index, "event"), figure.get("event"), "events")
    return found


def _build(path: Path, model: Any) -> LoadedStore:
    sources, entities, events, figures = model.sources, model.entities, model.events, model.figures
    out_sources = [
        Source(s.id, s.file, s.outlet, s.published, edtf.parse(s.published).label(long=True), s.title) for s in sources
    ]
    out_entities = [Entity(e.id, e.name, e.kind, tuple(e.aliases)) for e in entities]
    parsed: dict[str, edtf.When] = {}

    def when(text: str) -> edtf.When:
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = edtf.parse(text)
        return found

    out_events = []
    for e in events:
        w = when(e.date)
        out_events.append(
            Event(
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
        )
    out_events.sort(key=lambda e: (e.start, e.end))  # stable: file order breaks ties
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for f in figures:
        w = when(f.period)
        groups.setdefault((f.metric, w.start.isoformat(), w.end.isoformat()), []).append(f)
    out_figures = []
    for f in figures:
        w = when(f.period)
        group = groups[(f.metric, w.start.isoformat(), w.end.isoformat())]
        conflicts = tuple(other.id for other in group if other.value != f.value)
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
                conflicts=conflicts,
            )
        )
    out_figures.sort(key=lambda f: (f.metric, f.start, f.end))
    return LoadedStore(path, out_sources, out_entities, out_events, out_figures)


def default_store_path() -> Path:
    """The store to use: ``$KZTJ_EVENTS`` or the one bundled with the package."""
    env = os.environ.get("KZTJ_EVENTS")
    if env:
        return Path(env)
    bundled = Path(__file__).parent / "data" / "events.yaml"
    # A source checkout (or editable install) has the store at the repository root instead.
    return bundled if bundled.exists() else Path(__file__).parent.parent / "events.yaml"
