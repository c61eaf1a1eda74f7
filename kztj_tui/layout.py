"""Where each top-level event lies in a store file: what lets an edit be applied without a full reload.

A store's events list is cut into *chunks*, one per item, each from the line of its ``-`` to
the line of the next one (comments and blank lines go with the item before them). The cut is
only trusted when the YAML parser itself put the items on exactly those lines (``outline``), so
a ``-`` inside a multi-line quoted scalar can never be mistaken for an item.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from hashlib import blake2b
from itertools import pairwise

_DIGEST = 16
_ENTRY = struct.Struct(f"<Q{_DIGEST}sq")  # size, digest, rowid


def digest(data: bytes | memoryview) -> bytes:
    """The content hash of a chunk."""
    return blake2b(data, digest_size=_DIGEST).digest()


@dataclass(slots=True)
class Layout:
    """The file's head (before the first item), its tail (after the list), and every item's chunk."""

    column: int  # the column of every item's "-"
    head_size: int
    head: bytes
    tail_size: int
    tail: bytes
    sizes: list[int]
    digests: list[bytes]

    def to_blob(self, rowids: list[int]) -> bytes:
        """The layout with each chunk's event rowid, as stored in the cache."""
        head = struct.pack(
            f"<QQQ{_DIGEST}s{_DIGEST}s", self.column, self.head_size, self.tail_size, self.head, self.tail
        )
        return head + b"".join(_ENTRY.pack(*entry) for entry in zip(self.sizes, self.digests, rowids, strict=True))

    @classmethod
    def from_blob(cls, blob: bytes) -> tuple[Layout, list[int]]:
        """A stored layout and the rowid of each chunk's event."""
        fixed = struct.calcsize(f"<QQQ{_DIGEST}s{_DIGEST}s")
        column, head_size, tail_size, head, tail = struct.unpack_from(f"<QQQ{_DIGEST}s{_DIGEST}s", blob)
        entries = list(_ENTRY.iter_unpack(blob[fixed:]))
        layout = cls(column, head_size, head, tail_size, tail, [e[0] for e in entries], [e[1] for e in entries])
        return layout, [e[2] for e in entries]


def item_starts(data: bytes, column: int, start: int, most: int) -> list[tuple[int, int]]:
    """(0-based line, byte offset) of the first ``most`` lines from ``start`` (a line start) that begin
    with "-" at ``column``, followed by a space or the end of the line."""
    found: list[tuple[int, int]] = []
    needle = b"\n" + b" " * column + b"-"
    line = data.count(b"\n", 0, start)
    previous = start

    def after(position: int) -> int:
        newline = data.find(needle, position)
        return -1 if newline < 0 else newline + 1

    offset = start if data[start : start + column + 1] == needle[1:] else after(start)
    while offset >= 0 and len(found) < most:
        if data[offset + column + 1 : offset + column + 2] in (b" ", b"\r", b"\n", b""):
            line += data.count(b"\n", previous, offset)
            previous = offset
            found.append((line, offset))
        offset = after(offset + column + 1)
    return found


def chunk_offsets(data: bytes, outline: list[int]) -> tuple[int, list[int]] | None:
    """The items' "-" column and the byte offsets of their chunks (and of the list's end), or None.

    ``outline`` is what the parser reported for ``data``: each item's line, then the line the list
    ends on. None when the lines of "-" are not exactly the items.
    """
    *items, end_line = outline
    if not items:
        return None
    first = _line_start(data, items[0])
    if first is None:
        return None
    window = data[first : first + 256]
    column = len(window) - len(window.lstrip(b" "))
    # One line more than there are items: a "-" line inside the list that is no item shows up.
    starts = item_starts(data, column, first, len(items) + 1)
    if [line for line, _ in starts[: len(items)]] != items:
        return None
    end = _line_start(data, end_line, starts[len(items) - 1][1], items[-1])
    if end is None or (len(starts) > len(items) and starts[len(items)][1] < end):
        return None
    return column, [offset for _, offset in starts[: len(items)]] + [end]


def _line_start(data: bytes, line: int, from_offset: int = 0, from_line: int = 0) -> int | None:
    """The byte offset where a 0-based line starts (len(data) for the line after a final newline)."""
    offset = from_offset
    for _ in range(line - from_line):
        newline = data.find(b"\n", offset)
        if newline < 0:
            return len(data) if offset == len(data) else None
        offset = newline + 1
    return offset if offset <= len(data) else None


def chunks(data: bytes, offsets: list[int]) -> tuple[list[int], list[bytes]]:
    """The size and digest of each chunk between successive offsets."""
    view = memoryview(data)
    pairs = list(pairwise(offsets))
    return [b - a for a, b in pairs], [digest(view[a:b]) for a, b in pairs]


def of_store(data: bytes, outline: list[int]) -> Layout | None:
    """The layout of a parsed store, or None when its events are not laid out one item per chunk."""
    found = chunk_offsets(data, outline)
    if found is None:
        return None
    column, offsets = found
    view = memoryview(data)
    head_size, end = offsets[0], offsets[-1]
    sizes, digests = chunks(data, offsets)
    return Layout(column, head_size, digest(view[:head_size]), len(data) - end, digest(view[end:]), sizes, digests)
