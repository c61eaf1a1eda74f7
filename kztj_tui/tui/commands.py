"""Command palette: jump to any event by searching the store with the same engine as `/`."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content

from ..model import Filters
from ..query import QueryError


class EventCommands(Provider):
    """'Jump to …' hits for events whose text matches what is typed (prefix-matched)."""

    async def search(self, query: str) -> Hits:
        from .main import MainScreen

        screen = self.screen
        store = getattr(self.app, "store", None)
        text = query.strip()
        if not isinstance(screen, MainScreen) or store is None or len(text) < 2:
            return
        if text.isdigit() and len(text) == 4:
            yield Hit(1.0, Content(f"Jump to year {text}"), partial(screen.goto_year, int(text)), text=f"year {text}")
        searchable = text + "*" if text[-1].isalnum() else text
        try:
            hits = store.search(Filters(query=searchable), sort="relevance", limit=12)
        except QueryError:
            return
        for rank, rowid in enumerate(hits.rowids):
            event = store.event_at(rowid)
            # The title is data: pass it as Content so the palette never reads it as markup.
            yield Hit(
                0.9 - rank / 100,
                Content.assemble(("Jump to ", "dim"), event.title),
                partial(screen.goto_rowid, rowid),
                text=f"Jump to {event.title}",
                help=f"{event.long_label} · {event.id}",
            )
