"""What changed between two versions of a store: events added, removed and updated, and articles edited."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import NamedTuple


class StoreChanges(NamedTuple):
    """The difference between an old and a new version of a store, by event id and input file."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    """Article files (as the store names them) whose bytes changed."""
    store_file: bool = False
    """Whether the store file's own bytes changed (a comment or a figure counts, even if no event did)."""

    @property
    def events(self) -> int:
        """How many events were added, removed or updated."""
        return len(self.added) + len(self.removed) + len(self.updated)


def input_digests(meta: Mapping[str, str]) -> dict[str, str]:
    """Each input file a store was read from (the store first) and the hash of the bytes that were parsed."""
    return {entry["path"]: entry["digest"] for entry in json.loads(meta.get("inputs", "[]"))}


def compare(
    old_events: Mapping[str, str],
    new_events: Mapping[str, str],
    old_inputs: Mapping[str, str],
    new_inputs: Mapping[str, str],
    included: Collection[str] = (),
) -> StoreChanges:
    """Compare two versions: event fingerprints by id (``Store.event_fingerprints``) and input digests by path.

    The first input is the store file itself; ``included`` names the files it includes, which count as
    the store file; the others are its articles. Ids come out sorted.
    """
    added = tuple(sorted(set(new_events) - set(old_events)))
    removed = tuple(sorted(set(old_events) - set(new_events)))
    updated = tuple(sorted(i for i in set(old_events) & set(new_events) if old_events[i] != new_events[i]))
    store_path = next(iter(new_inputs), None)
    own = {store_path, *included} if store_path is not None else set()
    store_file = any(old_inputs.get(path) != new_inputs.get(path) for path in own)
    articles = tuple(
        path
        for path, digest in new_inputs.items()
        if path not in own and path in old_inputs and old_inputs[path] != digest
    )
    return StoreChanges(added, removed, updated, articles, store_file)


def recorded(old_meta: Mapping[str, str], new_meta: Mapping[str, str]) -> StoreChanges | None:
    """The changes an incremental update recorded, if the new build is that update of the old one; else None.

    The update lists each event it removed and added, with fingerprints; comparing those is the
    same as comparing every event, without reading 100,000 of them.
    """
    try:
        found = json.loads(new_meta.get("changes", "null"))
        if not isinstance(found, dict) or found.get("from") != old_meta.get("build"):
            return None
        removed, added = dict(found["removed"]), dict(found["added"])
    except (ValueError, KeyError, TypeError):
        return None
    return compare(removed, added, input_digests(old_meta), input_digests(new_meta))


def _count(number: int, what: str) -> str:
    return f"{number} {what}" if number == 1 else f"{number} {what}s"


def describe(changes: StoreChanges) -> str:
    """The changes in one short line: ``3 events updated``, ``1 added, 2 removed``, ``article 002_….txt changed``."""
    parts = []
    if changes.added:
        parts.append(f"{_count(len(changes.added), 'event')} added")
    if changes.removed:
        parts.append(f"{len(changes.removed)} removed" if parts else f"{_count(len(changes.removed), 'event')} removed")
    if changes.updated:
        parts.append(f"{len(changes.updated)} updated" if parts else f"{_count(len(changes.updated), 'event')} updated")
    for path in changes.articles:
        parts.append(f"article {path.rsplit('/', 1)[-1]} changed")
    if not parts:
        return "no events changed" if changes.store_file else "nothing changed"
    return ", ".join(parts)
