"""The draft: the new source and its candidates in the store's own format, or as JSON.

Titles, summaries (and an outlet the article does not name) are left as ``TODO:`` markers that
``kztj validate`` refuses until a person writes them. Each candidate's reasoning is a YAML
comment above it. The draft is a store of its own (it copies the entities its candidates name),
so ``kztj validate --events DRAFT.yaml`` checks every quote against the article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ..model import Entity
from ..text import visible
from .candidates import Candidate

MARKER = "TODO:"
TITLE = f"{MARKER} write a title"
SUMMARY = f"{MARKER} write a summary in your own words"
OUTLET = f"{MARKER} name the outlet"
DESCRIPTION = f"{MARKER} say what the article is about"
# Where no tag or metric fits, the draft writes this one, which validate also refuses.
PLACEHOLDER_NAME = "todo"


_UNPRINTABLE = re.compile(
    r"[^\n\t -~\u00a0-\U0010ffff]"
    r"|[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _s(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's); what a terminal would act on, escaped.

    YAML reads the escapes back as the same characters, so a file name keeps its exact spelling.
    """
    return _UNPRINTABLE.sub(_escape, json.dumps(value, ensure_ascii=False))


def _reasoning(candidate: Candidate) -> list[str]:
    """The YAML comments above a candidate: why it has its date or period, and its relations to the store."""
    relations = [f"  # {_comment(f'{r.relation} {r.kind} {r.id}: {r.why}')}" for r in candidate.relations]
    return [f"  # {_comment(candidate.reason)}", *relations]


def _comment(text: str) -> str:
    return " ".join(visible(text).split())


def source_json(source_id: str, file: str, outlet: str | None, published: str) -> dict[str, Any]:
    return {
        "id": source_id,
        "file": file,
        "outlet": outlet or OUTLET,
        "published": published,
        "description": DESCRIPTION,
    }


def to_json(
    source: dict[str, Any], candidates: Sequence[Candidate], article: str, raw: str | None = None
) -> dict[str, Any]:
    """The JSON ``--json`` prints; ``raw`` is the file's text before control characters were removed."""
    return {"source": source, "candidates": [c.to_json(article, raw) for c in candidates]}


def entity_lines(entity: Entity) -> list[str]:
    """An entity of the draft, as an item of its ``entities:`` list."""
    return [f"  - id: {_s(entity.id)}", f"    name: {_s(entity.name)}", f"    kind: {_s(entity.kind)}"]


def event_lines(event: Candidate, source_id: str) -> list[str]:
    """A candidate event as an item of the draft's ``events:`` list, its reasoning in comments above it."""
    lines = [*_reasoning(event)]
    lines.append(f"  - id: {_s(event.id)}")
    lines.append(f"    date: {_s(event.when)}")
    lines.append(f"    title: {_s(TITLE)}")
    lines.append(f"    summary: {_s(SUMMARY)}")
    lines.append(f"    tags: [{', '.join(_s(t) for t in event.tags) or 'todo'}]")
    lines.append(f"    actors: [{', '.join(_s(a) for a in event.actors)}]")
    if event.place:
        lines.append(f"    place: {_s(event.place)}")
    lines.append(f"    status: {event.status}")
    lines.append("    sources:")
    lines.append(f"      - source: {_s(source_id)}")
    lines.append(f"        quote: {_s(event.quote)}")
    return lines


def to_yaml(
    source: dict[str, Any],
    candidates: Sequence[Candidate],
    entities: Sequence[Entity],
    outside: bool = False,
    included: str | None = None,
    note: Sequence[str] = (),
) -> str:
    """The draft store as YAML text; ``included`` names the store file whose ``include:`` patterns name the
    draft; ``note``: more comment lines for its head."""
    lines = [
        "# A draft written by `kztj ingest`: check every candidate, delete the ones that are not worth keeping,",
        "# write each TODO, then move what is left into the store. kztj never writes to the store itself.",
        "# `kztj validate --events THIS-FILE` refuses the draft until every TODO is written.",
    ]
    if included is not None:
        lines[1:] = [
            f"# write each TODO. The store ({included}) includes this file, so it is part of the store as it is:",
            "# `kztj validate` refuses the store until every TODO is written. kztj never writes to the store itself.",
            "# The article is named from the store's folder, as every included file names its articles.",
        ]
    elif outside:
        lines.append("# The article lies outside this file's directory: validate with --allow-outside-articles.")
    lines += [f"# {line}" for line in note]
    lines += ["", "sources:"]
    lines.append(f"  - id: {_s(source['id'])}")
    for key in ("file", "outlet", "published", "description"):
        lines.append(f"    {key}: {_s(str(source[key]))}")
    used = {a for c in candidates for a in c.actors} | {c.place for c in candidates if c.place}
    if included is None:  # an included draft uses the store's own entities: copies would be duplicate ids
        lines += [
            "",
            "# Copied from the store so the draft validates on its own; leave them out when merging.",
            "entities:",
        ]
        named = [e for e in entities if e.id in used]
        if not named:
            lines[-1] = "entities: []"
        for entity in named:
            lines += entity_lines(entity)
    events = [c for c in candidates if c.kind == "event"]
    figures = [c for c in candidates if c.kind == "figure"]
    lines += ["", "events:" if events else "events: []"]
    for event in events:
        lines += ["", *event_lines(event, source["id"])]
    lines += ["", "figures:" if figures else "figures: []"]
    for figure in figures:
        lines += ["", *_reasoning(figure)]
        lines.append(f"  - id: {_s(figure.id)}")
        lines.append(f"    metric: {_s(figure.metric or 'todo')}")
        lines.append(f"    period: {_s(figure.when)}")
        lines.append(f"    value: {figure.value}")
        lines.append(f"    unit: {figure.unit}")
        lines.append(f"    source: {_s(source['id'])}")
        lines.append(f"    quote: {_s(figure.quote)}")
    return "\n".join(lines) + "\n"
