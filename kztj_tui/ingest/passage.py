"""A passage of an article the store cites, made a draft event: the browser reader's ``d``.

The passage is the sentence at a position of the article's text (as the store reads it), split
and dated by ingest's own rules (``sentences``, ``candidates``, ``dates``) against the source's
publication date. The event is appended to a draft file, by default ``drafts/SOURCE.yaml`` beside
the store, in the format ``kztj ingest`` writes (a small store of its own, with the source and the
entities it names, so ``kztj validate --events`` checks it), written atomically. Headless.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from . import candidates, dates, draft, sentences

if TYPE_CHECKING:
    from ..model import Source
    from ..store import Store

DRAFTS = "drafts"


class PassageError(ValueError):
    """The passage cannot be drafted, or the draft file cannot take it; the reason in one line."""


@dataclass(frozen=True)
class Drafted:
    """A draft event written: where, at which line its ``- id:`` item starts, and what it says."""

    path: Path
    line: int
    event_id: str
    when: str
    reason: str
    quote: str


def draft_path(store_path: Path, source_id: str) -> Path:
    """Where a source's draft events go: ``drafts/SOURCE.yaml`` beside the store."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", source_id).strip(".-") or "source"
    return store_path.parent / DRAFTS / f"{name}.yaml"


def sentence_at(text: str, position: int) -> sentences.Sentence | None:
    """The article's sentence that holds ``position`` (a character offset), as ingest splits it."""
    head = sentences.header(text)
    return next((s for s in sentences.split(text, head.body_start) if s.start <= position < s.end), None)


def published_span(source: Source) -> tuple[date, date]:
    """The days the source may have been published on, from its ``published`` EDTF."""
    from .. import edtf

    try:
        return dates.parse_published(source.published)
    except ValueError:
        pass
    try:  # a month or a year: its days
        when = edtf.parse(source.published)
    except edtf.EdtfError:
        raise PassageError(f"the source's publication date {source.published!r} cannot date it") from None
    if when.open_end:
        raise PassageError(f"the source's publication date {source.published!r} is open; it cannot date it")
    return when.start, when.end


def candidate(store: Store, source: Source, text: str, position: int) -> candidates.Candidate:
    """The draft event for the sentence at ``position``: its quote verbatim, its date by ingest's rules."""
    from .run import knowledge_of

    sentence = sentence_at(text, position)
    if sentence is None:
        raise PassageError("no sentence there: the passage is the article's header")
    folder = store.path.parent
    found = candidates.read(
        text,
        published_span(source),
        source.id,
        knowledge_of(store),
        folder / source.file,
        keep=frozenset({sentence.start}),
    )
    events = [c for c in found if c.kind == "event" and c.start == sentence.start]
    if not events:  # cannot happen: a kept sentence always gives an event
        raise PassageError("ingest found no event in the passage")
    return events[0]


def append(store: Store, source: Source, event: candidates.Candidate, target: Path) -> Drafted:
    """Append the event to the draft file ``target`` (made, with its source, if it is new); atomically."""
    from ..errors import StoreError
    from ..output import OutputError, store_files, write_output
    from ..yamlparse import parse

    article = os.path.relpath(os.path.abspath(store.path.parent / source.file), os.path.abspath(target.parent))
    taken = {e.id for e in store.iter_events()}
    entities = {e.id: e for e in store.entities.values()}
    named = [a for a in [*event.actors, event.place] if a]
    try:
        data: bytes | None = target.read_bytes()
    except FileNotFoundError:
        data = None
    except OSError as error:
        raise PassageError(f"{target}: {error.strerror or error}") from None
    if data is None:
        event.id = _unique(event.id, taken)
        outside = article.startswith("..")
        note = [
            f"Passages of {source.id} drafted in the browser's reader (d). The source is the store's own:",
            "leave it and the entities out when merging, and move each event you keep into the store.",
        ]
        source_entry = draft.source_json(source.id, article, source.outlet, source.published)
        source_entry["description"] = source.description
        lines = draft.to_yaml(source_entry, [event], list(entities.values()), outside, note=note).splitlines()
    else:
        try:
            root = parse(data, str(target))
        except StoreError as error:
            problem = error.problems[0] if error.problems else f"{target}: does not parse"
            raise PassageError(f"{problem}; fix it, then press d again") from None
        if not isinstance(root, dict):
            raise PassageError(f"{target}: is not a draft (not a mapping); move it away")
        have_events = root.get("events") or []
        have_entities = root.get("entities") or []
        if not isinstance(have_events, list) or not isinstance(have_entities, list):
            raise PassageError(f"{target}: its events or entities are not lists; fix it, then press d again")
        taken |= {str(e.get("id")) for e in have_events if isinstance(e, dict)}
        event.id = _unique(event.id, taken)
        known = {str(e.get("id")) for e in have_entities if isinstance(e, dict)}
        lines = data.decode("utf-8").splitlines()
        missing = [entities[a] for a in dict.fromkeys(named) if a not in known and a in entities]
        if missing:
            lines = _insert(lines, "entities", [line for e in missing for line in draft.entity_lines(e)], False)
        lines = _insert(lines, "events", ["", *draft.event_lines(event, source.id)], True)
    text = "\n".join(lines) + "\n"
    item = f"  - id: {draft._s(event.id)}"
    line = lines.index(item) + 1
    if data is not None:
        _check(text, target, event.id)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_output(target, [text], protect=store_files(store))
    except OutputError as error:
        raise PassageError(str(error)) from None
    except OSError as error:
        raise PassageError(f"{target.parent}: {error.strerror or error}") from None
    return Drafted(target, line, event.id, event.when, event.reason, event.quote)


def _unique(wanted: str, taken: set[str]) -> str:
    name, number = wanted, 2
    while name in taken:
        name, number = f"{wanted}-{number}", number + 1
    return name


_TOP_KEY = re.compile(r"[A-Za-z_][\w-]*\s*:")


def _insert(lines: list[str], section: str, block: list[str], spaced: bool) -> list[str]:
    """``block`` added at the end of the top-level list ``section`` (made if the file has none)."""
    lines = list(lines)
    start = next((i for i, line in enumerate(lines) if re.match(rf"{section}\s*:", line)), None)
    if start is None:
        return [*lines, "", f"{section}:", *(block[1:] if spaced else block)]
    head = re.match(rf"{section}\s*:\s*(\[\s*\])?\s*(#.*)?$", lines[start])
    if head is None:
        raise PassageError(f"its {section} list is written in a way that cannot be appended to; move it away")
    if head[1]:
        lines[start] = f"{section}:"
    end = next((j for j in range(start + 1, len(lines)) if _TOP_KEY.match(lines[j])), len(lines))
    # Comments and blank lines just above the next key belong to it.
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return [*lines[:end], *block, *lines[end:]]


def _check(text: str, target: Path, event_id: str) -> None:
    """The appended file still parses and holds the new event (a hand-edited file may be laid out otherwise)."""
    from ..errors import StoreError
    from ..yamlparse import parse

    try:
        root = parse(text.encode("utf-8"), str(target))
    except StoreError:
        root = None
    events = root.get("events") if isinstance(root, dict) else None
    if not isinstance(events, list) or not any(isinstance(e, dict) and e.get("id") == event_id for e in events):
        raise PassageError(f"{target}: is laid out so that the event cannot be appended safely; move it away")
