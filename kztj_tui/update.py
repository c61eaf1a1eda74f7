"""Apply an edit of a store file to its cache: re-parse and re-index only the events that changed.

The cache records where each top-level event lies in the file (``layout``). After an edit, the
chunks that are byte for byte unchanged at the start and at the end of the list keep their
events; only the part between them is parsed, validated and indexed again.

Correctness comes first: the result is what a cold load would build. Anything this module cannot
vouch for (a changed head or tail, a changed article, a middle part that does not parse as whole
valid items, an id that clashes, a reference that would dangle, no free rowid) makes ``apply``
return False, and the caller loads the store in full, which also reports every problem at its
exact position.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import sqlite3
import struct
import time
from pathlib import Path
from typing import Any

from . import layout, yamlparse
from .cachefiles import CacheFiles, built_for, input_unchanged
from .errors import StoreError
from .files import FileBytes, FileIdentity, articles_inside
from .layout import Layout
from .model import Event
from .store import Store
from .storebuild import IndexText, Quotes, fingerprint, index_events, insert_events
from .storeschema import LIST_SEP, ROWID_STEP, SEQ_STEP, WIDEST_LABEL_SQL, database_uri
from .validate import EventChecker, References

# A bigger change is loaded in full: checking it piece by piece would cost more than it saves.
MAX_CHANGED_EVENTS = 5000
_HEADER = b"events:\n"


class _Cannot(Exception):
    """This edit cannot be applied to the cache; load the store in full."""


def apply(
    store_path: Path, old: CacheFiles, new: CacheFiles, allow_outside: bool, read: FileBytes | None = None
) -> bool:
    """Write the cache of the edited store into ``new`` from the build in ``old``; False if it cannot.

    ``read`` is the store file as just read (to check the cache); it is used if the file is still that.
    """
    try:
        conn = sqlite3.connect(database_uri(old.main), uri=True, check_same_thread=False)
    except sqlite3.Error:
        return False
    try:
        conn.execute("ATTACH DATABASE ? AS idx", (database_uri(old.fts),))
        plan = _plan(Store(conn, store_path), store_path, allow_outside, read)
    except (_Cannot, StoreError, OSError, sqlite3.Error, ValueError, LookupError, TypeError, struct.error):
        return False
    finally:
        conn.close()
    try:
        shutil.copyfile(old.main, new.main)
        shutil.copyfile(old.fts, new.fts)
        _write(new, plan)
    except (OSError, sqlite3.Error):
        for file in (new.main, new.fts):
            file.unlink(missing_ok=True)
        return False
    return True


class _Plan:
    """What to change in a copy of the cache, all worked out before anything is written."""

    def __init__(self) -> None:
        self.removed: list[tuple[int, Event, list[str]]] = []  # rowid, event, its quote ids
        self.added: list[tuple[int, int, Event]] = []  # rowid, seq, event
        self.text = IndexText(())
        self.next_quote = 1
        self.meta: dict[str, str] = {}
        self.layout = b""


def _plan(store: Store, store_path: Path, allow_outside: bool, read: FileBytes | None) -> _Plan:
    meta = store.meta
    # Only a build this kztj made of this store, so: rows another version rendered, another store's
    # (a folder name shared by two paths) or one built with other options are not carried forward.
    if not built_for(meta, store_path.resolve(), allow_outside):
        raise _Cannot("built by another kztj, for another store or with other options")
    blob = store.select("SELECT value FROM layout WHERE key = 'store'")
    if not blob:
        raise _Cannot("no layout")
    old_layout, rowids = Layout.from_blob(blob[0][0])
    checked_at = time.time()
    inputs = json.loads(meta["inputs"])
    store_entry, articles = inputs[0], inputs[1:]
    if store_entry["path"] != store_path.name:
        raise _Cannot("not this store")
    if not all(input_unchanged(entry, store_path.parent, float(meta["read_at"])) for entry in articles):
        raise _Cannot("an article changed")
    if not allow_outside and not articles_inside(inputs, store_path.parent):
        raise _Cannot("an article now leads outside the store's folder")
    if read is None or FileIdentity.of(os.stat(store_path)) != read.identity:
        read = yamlparse.read_store(store_path)
    read_at = min(checked_at, read.read_at)  # the inputs are as recorded at least since then
    data = read.data
    first, last = _unchanged_ends(data, old_layout)
    for _attempt in range(3):
        # An edit can reach into the chunk before it (a comment or key added after an item's
        # last line): parse one more chunk on each side and try again.
        start = old_layout.head_size + sum(old_layout.sizes[:first])
        end = len(data) - old_layout.tail_size - sum(old_layout.sizes[last:])
        try:
            items, sizes, digests = _parse_middle(data[start:end], old_layout.column, str(store_path))
            break
        except (_Cannot, StoreError):
            if first == 0 and last == len(old_layout.sizes):
                raise
            first, last = max(0, first - 1), min(len(old_layout.sizes), last + 1)
    else:
        raise _Cannot("the edited part does not parse as whole items")
    if len(items) + (last - first) > MAX_CHANGED_EVENTS:
        raise _Cannot("too big a change")

    removed_rowids = rowids[first:last]
    removed = store.events_at(removed_rowids)
    stored = {
        rowid: (cites, digest)
        for rowid, cites, digest in store.select(
            f"SELECT rowid, cites, fingerprint FROM events WHERE rowid IN ({_marks(removed_rowids)})", removed_rowids
        )
    }
    _check_references(store, store_path, data, old_layout, items, removed, removed_rowids, allow_outside, articles)

    plan = _Plan()
    plan.removed = [
        (r, e, stored[r][0].split(LIST_SEP) if stored[r][0] else [])
        for r, e in zip(removed_rowids, removed, strict=True)
    ]
    plan.text = IndexText(list(store.entities.values()))
    plan.next_quote = (store.select("SELECT max(qid) FROM quotes")[0][0] or 0) + 1
    new_rowids = _place(store, rowids, first, last, items)
    plan.added = [(rowid, seq, event) for (rowid, seq), event in zip(new_rowids, items, strict=True)]
    kept = rowids[:first] + [rowid for rowid, _ in new_rowids] + rowids[last:]
    new_layout = Layout(
        old_layout.column,
        old_layout.head_size,
        old_layout.head,
        old_layout.tail_size,
        old_layout.tail,
        old_layout.sizes[:first] + sizes + old_layout.sizes[last:],
        old_layout.digests[:first] + digests + old_layout.digests[last:],
    )
    plan.layout = new_layout.to_blob(kept)
    store_entry = {**store_entry, **read.identity._asdict(), "digest": read.digest}
    plan.meta = {
        "count": str(store.count - len(removed) + len(items)),
        "read_at": repr(read_at),
        "inputs": json.dumps([store_entry, *articles]),
        "rowids": "sparse",
        # What this update changed, so a browser showing the build before it need not compare them all.
        "changes": json.dumps(
            {
                "from": meta["build"],
                "removed": {e.id: stored[r][1].hex() for r, e in zip(removed_rowids, removed, strict=True)},
                "added": {e.id: fingerprint(e).hex() for e in items},
            }
        ),
    }
    return plan


def _unchanged_ends(data: bytes, old: Layout) -> tuple[int, int]:
    """(first, last): chunks [0, first) and [last, n) are byte for byte unchanged, at the start and the end."""
    view = memoryview(data)
    size = len(data)
    if size < old.head_size + old.tail_size:
        raise _Cannot("shorter than head and tail")
    if layout.digest(view[: old.head_size]) != old.head or layout.digest(view[size - old.tail_size :]) != old.tail:
        raise _Cannot("head or tail changed")
    start, first = old.head_size, 0
    count = len(old.sizes)
    end_limit = size - old.tail_size
    while first < count and start + old.sizes[first] <= end_limit:
        if layout.digest(view[start : start + old.sizes[first]]) != old.digests[first]:
            break
        start += old.sizes[first]
        first += 1
    end, last = end_limit, count
    while last > first and end - old.sizes[last - 1] >= start:
        if layout.digest(view[end - old.sizes[last - 1] : end]) != old.digests[last - 1]:
            break
        end -= old.sizes[last - 1]
        last -= 1
    return first, last


def _parse_middle(middle: bytes, column: int, shown: str) -> tuple[list[Event], list[int], list[bytes]]:
    """The valid events of the edited part, with its chunks; raises _Cannot unless it is whole items."""
    if not middle:
        return [], [], []
    # The unchanged chunks decoded before, byte for byte, and every chunk starts a line (no
    # character spans two): only the edited part can hold bytes that are not UTF-8.
    try:
        middle.decode("utf-8")
    except UnicodeDecodeError:
        raise _Cannot("not UTF-8") from None
    text = _HEADER + middle
    checker = EventChecker()
    outline: list[int] = []
    raw = yamlparse.parse(text, shown, on_event=checker, outline=outline)
    if not isinstance(raw, dict) or list(raw) != ["events"] or not isinstance(raw["events"], list):
        raise _Cannot("the edited part is not a run of events")
    items = raw["events"]
    if checker.found or not all(isinstance(item, Event) for item in items):
        raise _Cannot("an edited event is invalid")
    found = layout.chunk_offsets(text, outline)
    if found is None or found[0] != column or found[1][0] != len(_HEADER) or found[1][-1] != len(text):
        raise _Cannot("the edited part is not laid out one item per chunk")
    return (items, *layout.chunks(text, found[1]))


def _check_references(
    store: Store,
    store_path: Path,
    data: bytes,
    old: Layout,
    items: list[Event],
    removed: list[Event],
    removed_rowids: list[int],
    allow_outside: bool,
    articles: list[dict[str, Any]],
) -> None:
    """Raise _Cannot unless the edited store passes every check that spans items."""
    head = yamlparse.parse(data[: old.head_size] + data[len(data) - old.tail_size :], str(store_path))
    if not isinstance(head, dict):
        raise _Cannot("no head")
    references = References(store_path, head, items, allow_outside)
    new_ids = {event.id for event in items}
    gone = {event.id for event in removed} - new_ids
    known = _EventIds(store, new_ids, {event.id for event in removed})
    if len(new_ids) != len(items) or any(store.rowid_of(event_id) is not None for event_id in new_ids - known.removed):
        raise _Cannot("duplicate id")
    references.ids["events"] = known  # type: ignore[assignment]
    if references.check(head) or references.found:
        raise _Cannot("a reference or quote does not hold")
    if [(entry["path"], entry["digest"]) for entry in articles] != [(f.path, f.digest) for f in references.inputs]:
        raise _Cannot("the articles read are not those cached")
    if len(gone) > 50:
        raise _Cannot("too many deletions to check one by one")
    for event_id in gone:  # a remaining event may still name a deleted one among its related events
        if store.select(
            "SELECT 1 FROM events WHERE instr(char(31) || related || char(31), ?)"
            f" AND rowid NOT IN ({_marks(removed_rowids)}) LIMIT 1",
            (f"{LIST_SEP}{event_id}{LIST_SEP}", *removed_rowids),
        ):
            raise _Cannot("a deleted event is still referenced")


class _EventIds:
    """The ids of the edited store, looked up in the cache as references are checked (not read all at once)."""

    def __init__(self, store: Store, added: set[str], removed: set[str]) -> None:
        self.store, self.added, self.removed = store, added, removed

    def __contains__(self, event_id: object) -> bool:
        if event_id in self.added:
            return True
        return isinstance(event_id, str) and event_id not in self.removed and self.store.rowid_of(event_id) is not None


def _place(store: Store, rowids: list[int], first: int, last: int, items: list[Event]) -> list[tuple[int, int]]:
    """(rowid, seq) for each new event: seq between its file neighbours', rowid where its date sorts it."""
    removed = set(rowids[first:last])

    def seq_of(rowid: int) -> int:
        return int(store.select("SELECT seq FROM events WHERE rowid = ?", (rowid,))[0][0])

    before = seq_of(rowids[first - 1]) if first > 0 else None
    after = seq_of(rowids[last]) if last < len(rowids) else None
    count = len(items)
    if before is None:
        before = (after if after is not None else 0) - (count + 1) * SEQ_STEP
    if after is None:
        after = before + (count + 1) * SEQ_STEP
    step = (after - before) // (count + 1)
    if step < 1:
        raise _Cannot("no free seq")
    seqs = [before + step * (i + 1) for i in range(count)]
    # Rowid order is date order, so a binary search over the rowids finds where each new event
    # goes, reading a few rows instead of all of them.
    kept = sorted(rowid for rowid in rowids if rowid not in removed)

    def key_of(rowid: int) -> tuple[str, str, int]:
        start, end, seq = store.select('SELECT start, "end", seq FROM events WHERE rowid = ?', (rowid,))[0]
        return start, end, seq

    order = sorted(range(count), key=lambda i: (items[i].start, items[i].end, seqs[i]))
    groups: dict[int, list[int]] = {}
    for i in order:
        position = bisect.bisect_left(kept, (items[i].start, items[i].end, seqs[i]), key=key_of)
        groups.setdefault(position, []).append(i)
    placed: list[tuple[int, int]] = [(0, 0)] * count
    for position, members in groups.items():
        low = kept[position - 1] if position > 0 else 0
        high = kept[position] if position < len(kept) else low + (len(members) + 1) * ROWID_STEP
        gap = (high - low) // (len(members) + 1)
        if gap < 1:
            raise _Cannot("no free rowid")
        for k, i in enumerate(members):
            placed[i] = (low + gap * (k + 1), seqs[i])
    return placed


def _drop_unused_quotes(conn: sqlite3.Connection, candidates: set[int]) -> None:
    """Delete the quotes that only removed events cited (a few at most: each costs a scan)."""
    if len(candidates) > 20:
        return  # left until the next full build; they are never shown
    for qid in candidates:
        if not conn.execute(
            "SELECT 1 FROM events WHERE instr(char(31) || cites || char(31), ?) LIMIT 1",
            (f"{LIST_SEP}{qid}{LIST_SEP}",),
        ).fetchone():
            conn.execute("DELETE FROM quotes WHERE qid = ?", (qid,))


def _marks(values: list[int]) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _write(files: CacheFiles, plan: _Plan) -> None:
    conn = sqlite3.connect(database_uri(files.main, "rw"), uri=True)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("ATTACH DATABASE ? AS idx", (database_uri(files.fts, "rw"),))
        conn.execute("PRAGMA idx.journal_mode = OFF")
        conn.execute("PRAGMA idx.synchronous = OFF")
        build = files.main.name.removesuffix(".sqlite")
        with conn:
            for rowid, event, _ in plan.removed:
                conn.execute(  # an external-content index forgets a row only when given its indexed text
                    "INSERT INTO fts(fts, rowid, title, summary, quotes, tags, names)"
                    " VALUES ('delete', ?, ?, ?, ?, ?, ?)",
                    (rowid, *plan.text(event)),
                )
            gone = [rowid for rowid, _, _ in plan.removed]
            for table, column in (
                ("events", "rowid"),
                ("lines", "rowid"),
                ("summaries", "rowid"),
                ("event_tags", "event"),
                ("event_actors", "event"),
            ):
                for start in range(0, len(gone), 900):
                    chunk = gone[start : start + 900]
                    conn.execute(f"DELETE FROM {table} WHERE {column} IN ({_marks(chunk)})", chunk)
            quotes = Quotes(first=plan.next_quote)
            for _, event, qids in plan.removed:  # an edited event citing the same passages reuses them
                quotes.known(event.sources, qids)
            insert_events(conn, plan.added, quotes)
            index_events(conn, [(rowid, event) for rowid, _, event in plan.added], plan.text)
            _drop_unused_quotes(conn, {int(q) for _, _, qids in plan.removed for q in qids})
            for key, value in {**plan.meta, "build": build}.items():
                conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('widest_label', ?)", conn.execute(WIDEST_LABEL_SQL).fetchone()
            )
            conn.execute("UPDATE fts_meta SET value = ? WHERE key = 'build'", (build,))
            conn.execute("INSERT OR REPLACE INTO layout VALUES ('store', ?)", (plan.layout,))
    finally:
        conn.close()
