"""A bounded least-recently-used cache of timeline rows, so drawing rarely touches the database."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from ..store import Row

RowFetcher = Callable[[Sequence[int]], list[Row]]


class RowCache:
    """Rows by rowid, at most ``capacity`` of them; the least recently drawn go first."""

    def __init__(self, fetch: RowFetcher, capacity: int = 4096) -> None:
        self._fetch = fetch
        self._rows: OrderedDict[int, Row] = OrderedDict()
        self.capacity = capacity
        self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, rowid: object) -> bool:
        return rowid in self._rows

    def put(self, rows: Iterable[Row]) -> None:
        """Add rows fetched elsewhere (a worker sends the first window with its result)."""
        for row in rows:
            self._rows[row.rowid] = row
            self._rows.move_to_end(row.rowid)
        while len(self._rows) > self.capacity:
            self._rows.popitem(last=False)

    def get(self, rowid: int, window: Sequence[int] = ()) -> Row | None:
        """The row for ``rowid``; on a miss, fetch it together with the rest of ``window`` that is missing."""
        row = self._rows.get(rowid)
        if row is not None:
            self._rows.move_to_end(rowid)
            return row
        self.misses += 1
        wanted = [r for r in window if r not in self._rows]
        if rowid not in wanted:
            wanted.append(rowid)
        self.put(self._fetch(wanted))
        return self._rows.get(rowid)
