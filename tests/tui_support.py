"""Helpers shared by the Pilot and snapshot tests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from kztj_tui import editor
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
    timeline = app.screen_stack[0].query_one(Timeline)  # the main screen, under any other
    rowid = timeline.selected_rowid
    return app.store.event_at(rowid).id if rowid is not None else None


def shown(app: KztjApp) -> list[Row]:
    """Rows the timeline shows."""
    return app.store.rows(list(app.screen_stack[0].query_one(Timeline).rowids))


def screen_text(app: KztjApp) -> str:
    """Everything on screen as plain text."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker has finished and its messages have been handled.

    A worker cancelled meanwhile (an exclusive group's older run, replaced by a newer one) is done
    too: it is not waited for as if it had failed. Any other failure is raised.
    """
    from textual.worker import WorkerCancelled

    for _ in range(3):
        workers = list(pilot.app.workers)
        results = await asyncio.gather(*(worker.wait() for worker in workers), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, WorkerCancelled):
                raise result
        await pilot.pause()


def timeline_lines(app: KztjApp) -> list[tuple[str, bool]]:
    """Each line the timeline draws on screen, and whether it is drawn as the cursor row."""
    timeline = app.screen.query_one(Timeline)
    cursor = timeline.get_component_rich_style("timeline--cursor").bgcolor
    region = timeline.content_region
    update = app.screen._compositor.render_full_update()
    out = []
    for y in range(region.y, region.bottom):
        segments = [segment for strip in update.strips[y] for segment in strip if segment.text]
        text = "".join(s.text for s in segments)[region.x : region.right]
        # The cursor row's background covers the row from its first cell.
        first = next((s for s in segments if s.style is not None), None)
        out.append((text.strip(), first is not None and first.style is not None and first.style.bgcolor == cursor))
    return out


def shows(widget: Any) -> bool:
    """Whether a widget and every container around it are displayed, with room on screen."""
    node = widget
    while node is not None and hasattr(node, "display"):
        if not node.display:
            return False
        node = node.parent
    return bool(widget.region.width and widget.region.height)


def widget_text(app: KztjApp, widget: Any) -> str:
    """What a widget shows on screen, line by line (empty if it is not displayed)."""
    region = widget.region
    update = app.screen._compositor.render_full_update()
    lines = []
    for y in range(region.y, region.bottom):
        text = "".join(strip.text for strip in update.strips[y])
        lines.append(text[region.x : region.right])
    return "\n".join(lines)


def help_text(app: KztjApp, width: int = 200) -> str:
    """The help screen's lists as plain text, laid out at ``width`` columns."""
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    Console(width=width, file=out, color_system=None, legacy_windows=False).print(
        app.screen.query_one("#help-text").content  # type: ignore[attr-defined]
    )
    return out.getvalue()


def with_editor(app: KztjApp) -> list[list[str]]:
    """Let the app run the editor without suspending the test's terminal; the argv of each run, in order."""
    ran: list[list[str]] = []

    def run_editor(argv: list[str]) -> str | None:  # as the app's own
        ran.append(argv)
        return None if editor.run(argv) == 0 else "failed"

    app.run_editor = run_editor  # type: ignore[method-assign]
    return ran
