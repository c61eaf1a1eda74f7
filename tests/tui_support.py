"""Helpers shared by the Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from kztj_tui.cache import open_store
from kztj_tui.store import Row
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.timeline import Timeline

from .conftest import BUNDLED


def bundled_app(**kwargs: object) -> KztjApp:
    """The app on the bundled store, as ``kztj`` would start it."""
    return KztjApp(open_store(BUNDLED, use_cache=False), **kwargs)  # type: ignore[arg-type]


def app_for(path: Path, **kwargs: object) -> KztjApp:
    """The app on a store file."""
    return KztjApp(open_store(path, use_cache=False), **kwargs)  # type: ignore[arg-type]


def selected(app: KztjApp) -> str | None:
    """Id of the event selected in the timeline."""
    timeline = app.screen.query_one(Timeline)
    rowid = timeline.selected_rowid
    return app.store.event_at(rowid).id if rowid is not None else None


def shown(app: KztjApp) -> list[Row]:
    """Rows the timeline shows."""
    return app.store.rows(list(app.screen.query_one(Timeline).rowids))


def screen_text(app: KztjApp) -> str:
    """Everything on screen as plain text."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)
