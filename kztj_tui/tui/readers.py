"""Database connections for worker threads, so the UI thread never waits on a worker's query."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..store import Store


class Readers:
    """A pool of read-only stores, each on its own connection, lent to one worker at a time.

    The UI thread keeps the app's own store for drawing; workers borrow from here. Connections
    are opened on first need and reused, so a search per keystroke costs no connection set-up.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._idle: list[Store] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def borrow(self) -> Iterator[Store]:
        """A store on a connection no other thread is using, for the length of the block."""
        with self._lock:
            reader = self._idle.pop() if self._idle else None
        if reader is None:
            try:
                reader = self._store.reader()
            except sqlite3.Error:
                # The cache was rebuilt under us: stay correct, at the cost of sharing the app's lock.
                yield self._store
                return
        try:
            yield reader
        finally:
            with self._lock:
                keep = not self._closed
                if keep:
                    self._idle.append(reader)
            if not keep:
                reader.close()

    def close(self) -> None:
        """Close the idle connections now, and each lent one when it comes back.

        A worker the app no longer waits for may still be querying: closing its connection under
        it would crash SQLite, so it is closed by the worker's own ``borrow`` block.
        """
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for reader in idle:
            reader.close()
