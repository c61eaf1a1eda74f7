"""Load a store: read its bytes once, parse them, validate every item, assemble the runtime store.

One pipeline for every store, large or small: ``yamlparse`` reads the file and builds data from
libyaml's events (``halves`` splits a large one between two processes when that provably reads
it the same), ``validate`` checks it (each event as soon as the parser finishes it), and
``assemble`` builds the runtime objects. The returned store records the hash of exactly the
bytes that were parsed, so a cache built from it can never describe another version of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import collection, halves, includes, layout, yamlparse
from .assemble import InputFile, LoadedStore, assemble
from .errors import Problem, Progress, StoreError
from .files import FileBytes
from .locations import default_store_path
from .positions import Locator
from .validate import EventChecker, Found, References, place, validate_head


def load(
    path: Path | str,
    progress: Progress | None = None,
    allow_outside_articles: bool = False,
    on_assembled: Callable[[LoadedStore], None] | None = None,
    source: FileBytes | None = None,
    *,
    fork: bool = False,
) -> LoadedStore:
    """Load and validate a store; raise StoreError listing every problem.

    ``on_assembled``, when given, is called with the store once it is valid and assembled, before
    ``load`` returns: a caller may start building from it, and must drop what it built if this
    then raises. The store's bytes are released before the call, so a process forked there does
    not hold them. ``source``, when given, is the store's bytes, already read (``kztj --events -``
    reads them from stdin); ``path`` names it. ``fork`` is the caller's decision that a large store
    may be parsed in two processes (see halves.py and forking.py).
    """
    path = Path(path)
    shown = str(path)
    read = yamlparse.read_store(path) if source is None else source
    yamlparse.check_utf8(read.data, shown)
    with collection.paused():
        parsed = halves.parse(read.data, shown, progress, fork=fork)
        store_layout: layout.Layout | None = None
        if parsed is not None:
            raw, checker, outline, store_layout = parsed
        else:
            checker, outline = EventChecker(), []
            raw = yamlparse.parse(read.data, shown, progress, on_event=checker, outline=outline)
        if raw is None:
            raise StoreError([Problem(shown, 1, 1, "the store is empty; expected a mapping with an 'events' list")])
        if not isinstance(raw, dict):
            kind = type(raw).__name__
            message = f"expected a mapping with an 'events' list at the top level, got {kind}"
            raise StoreError([Problem(shown, 1, 1, message)])
        main = includes.Part("", shown, read.data)
        included = includes.read_included(path, main, raw, checker)
        if included is not None:
            raw = included.merged
        if progress:
            progress("validating", 0.0)
        events: list[Any] = raw["events"] if isinstance(raw.get("events"), list) else []
        # Before assemble sorts the events: references are reported at each event's place in the file.
        references = References(path, raw, events, allow_outside_articles)
        model, found = validate_head(raw)
        found = checker.found + found + references.check(raw)
        if found or model is None:
            if included is not None:
                raise StoreError(included.origins.place(found))
            raise StoreError(_placed(found, read.data, shown))
        if included is not None:
            # An edit of one file is applied to the cache by a full load: the layout covers one file only.
            store_layout = None
        else:
            store_layout = store_layout if parsed is not None else layout.of_store(read.data, outline)
        store_input = InputFile(path.name, *read.identity, read.digest)
        included_inputs = [InputFile(rel, *r.identity, r.digest) for rel, r in (included.inputs if included else [])]
        # The store's bytes are of no more use: a build forked from here (on_assembled) would keep
        # them alive in two processes while it runs (99 MB at 100,000 events).
        del read, main
        loaded = assemble(path, model, events, checker.dates)
        loaded.inputs = [store_input, *included_inputs, *references.inputs]
        if included is not None:
            loaded.include_patterns, loaded.included = included.patterns, included.files
            del included
        loaded.allow_outside_articles = allow_outside_articles
        loaded.layout = store_layout
        if on_assembled is not None:
            on_assembled(loaded)
    return loaded


def _placed(found: list[Found], data: bytes, shown: str) -> list[Problem]:
    # Positions cost a second parse into nodes, so only a store with problems pays for it.
    return place(found, Locator(data.decode("utf-8"), shown))


__all__ = ["LoadedStore", "Problem", "Progress", "StoreError", "default_store_path", "load"]
