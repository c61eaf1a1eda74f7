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
        self._opened: list[Store] = []
        self._lock = threading.Lock()

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
            with self._lock:
                self._opened.append(reader)
        try:
            yield reader
        finally:
            with self._lock:
                self._idle.append(reader)

    def close(self) -> None:
        """Close every connection the pool opened."""
        with self._lock:
            for reader in self._opened:
                reader.close()
            self._opened.clear()
            self._idle.clear()
