"""Parallel first load of a large store: event chunks parsed and validated in forked workers.

Only for stores of at least PARALLEL_MIN_BYTES on a machine with more than one core and
``fork``. It takes the ordinary layout (a top-level ``events:`` block sequence) apart at item
boundaries. Anything unexpected (another layout, any invalid item) returns None, and the
caller falls back to the sequential loader, which reports every problem with its exact
LINE:COL. So this path never has to produce error positions itself.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import re
import sys
from pathlib import Path
from typing import Any

from .loader import (
    Dates,
    LoadedStore,
    Progress,
    References,
    StoreError,
    _collect_ids,
    _parse_yaml,
    _records,
    assemble,
    event_from_model,
)
from .model import Event

PARALLEL_MIN_BYTES = 8 << 20
WORKERS = 2
CHUNKS_PER_WORKER = 8
_ITEM = re.compile(r"^( *)- ", re.MULTILINE)

# Set in the parent just before forking; the workers inherit it without pickling.
_shared: dict[str, Any] = {}


def split_events(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Split a store into its text without events and (start, end) spans of event items, or None."""
    match = re.search(r"^events:[ \t]*(?:#.*)?\n", text, re.MULTILINE)
    if match is None:
        return None
    body_start = match.end()
    first = _ITEM.search(text, body_start)
    if first is None:
        return None
    between = text[body_start : first.start()].splitlines()
    if any(line.strip() and not line.strip().startswith("#") for line in between):
        return None
    indent = first.group(1)
    # The block ends at the next line that starts at column 0 and is not an item or a comment.
    end_pattern = r"^(?!#)[^\s-]" if not indent else r"^(?!#)\S"
    end_match = re.compile(end_pattern, re.MULTILINE).search(text, first.start())
    body_end = end_match.start() if end_match else len(text)
    marker = "\n" + indent + "- "
    starts = [first.start()]
    position = text.find(marker, first.start())
    while 0 <= position < body_end:
        starts.append(position + 1)
        position = text.find(marker, position + 1)
    pieces = WORKERS * CHUNKS_PER_WORKER
    step = max(1, len(starts) // pieces)
    bounds = [*starts[::step], body_end]
    spans = [(a, b) for a, b in itertools.pairwise(bounds) if a < b]
    head = text[: match.start()] + "events: []\n" + text[body_end:]
    return head, spans


def _work(span: tuple[int, int]) -> list[Event] | None:
    """Parse, validate and convert one span of event items; None if anything is wrong with it."""
    from pydantic import TypeAdapter, ValidationError

    from .schema import EventModel

    # A worker is short-lived and builds no cycles: collection would only walk the inherited heap.
    gc.disable()
    chunk = _shared["text"][span[0] : span[1]]
    try:
        raw = _parse_yaml(chunk.encode("utf-8"), chunk, "<chunk>", None)
    except StoreError:
        return None
    if not isinstance(raw, list):
        return None
    try:
        models = TypeAdapter(list[EventModel]).validate_python(raw)
    except ValidationError:
        return None
    references: References = _shared["references"]
    before = len(references.found)
    for index, item in enumerate(raw):
        references.event(index, item, related=False)
    if len(references.found) > before:
        return None
    dates = Dates()
    return [event_from_model(model, dates) for model in models]


def load_parallel(path: Path, data: bytes, text: str, progress: Progress | None) -> LoadedStore | None:
    """Load a large, valid store using two processes; None when the sequential path must decide."""
    if len(data) < PARALLEL_MIN_BYTES or (os.cpu_count() or 1) < 2 or sys.platform == "win32":
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    from pydantic import ValidationError

    from .schema import StoreModel

    split = split_events(text)
    if split is None:
        return None
    head_text, spans = split
    try:
        head = _parse_yaml(head_text.encode("utf-8"), head_text, str(path), None)
        model = StoreModel.model_validate(head)
    except (StoreError, ValidationError):
        return None
    found: list[Any] = []
    ids = _collect_ids(head, found)
    references = References(path, _records(head, "sources"), ids)
    if found or references.found:
        return None
    _shared["references"] = references
    _shared["text"] = text
    events: list[Event] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            for done, result in enumerate(pool.imap(_work, spans), start=1):
                if result is None:
                    pool.terminate()
                    return None
                events.extend(result)
                if progress:
                    progress("parsing", done / len(spans))
    finally:
        _shared.clear()
        if gc_was_enabled:
            gc.enable()
    return _finish(path, model, head, references, events, progress)


def _finish(
    path: Path,
    model: Any,
    head: dict[str, Any],
    references: References,
    events: list[Event],
    progress: Progress | None,
) -> LoadedStore | None:
    """Checks that need every event at once: duplicate ids, related events, figures' events and quotes."""
    event_ids: set[str] = set()
    for event in events:
        if event.id in event_ids:
            return None
        event_ids.add(event.id)
    for event in events:
        if any(other not in event_ids for other in event.related):
            return None
    # The checker built for the workers already holds the articles; it only lacked the event ids.
    references.ids["events"] = event_ids
    for index, figure in _records(head, "figures"):
        references.figure(index, figure)
    for index, item in _records(head, "disagreements"):
        references.disagreement(index, item)
    if references.found:
        return None
    if progress:
        progress("validating", 1.0)
    return assemble(path, model, events, Dates())
