"""Command palette: jump to any event by searching the store with the same engine as `/`, in a worker."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.worker import WorkerCancelled

from ..model import Filters
from ..query import QueryError
from .incremental import typing_query
from .readers import Readers

LIMIT = 12


class Jump(NamedTuple):
    """An event the palette offers to jump to."""

    rowid: int
    title: str
    label: str
    event_id: str


def find_jumps(readers: Readers, text: str) -> list[Jump]:
    """Events matching what is typed (the last word as a prefix), best first; runs in a worker thread."""
    with readers.borrow() as store:
        try:
            hits = store.search(Filters(query=typing_query(text, store.typed_word_stem)), sort="relevance", limit=LIMIT)
        except QueryError:
            return []
        jumps = []
        for row in store.rows(hits.rowids):
            jumps.append(Jump(row.rowid, row.title, row.label, row.id))
        order = {rowid: rank for rank, rowid in enumerate(hits.rowids)}
        return sorted(jumps, key=lambda jump: order[jump.rowid])


class EventCommands(Provider):
    """'Jump to …' hits for events whose text matches what is typed; years come from the system commands."""

    async def search(self, query: str) -> Hits:
        from .main import MainScreen

        screen = self.screen
        readers = getattr(self.app, "readers", None)
        text = query.strip()
        if not isinstance(screen, MainScreen) or readers is None or len(text) < 2:
            return
        worker = self.app.run_worker(
            partial(find_jumps, readers, text), thread=True, group="palette", exclusive=True, exit_on_error=False
        )
        try:
            jumps = await worker.wait()
        except WorkerCancelled:
            return
        for rank, jump in enumerate(jumps or []):
            # The title is data: pass it as Content so the palette never reads it as markup.
            yield Hit(
                0.9 - rank / 100,
                Content.assemble(("Jump to ", "dim"), jump.title),
                partial(screen.jump_to, jump.rowid),
                text=f"Jump to {jump.title}",
                help=f"{jump.label} · {jump.event_id}",
            )
