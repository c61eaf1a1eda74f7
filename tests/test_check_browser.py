"""Issue 8: the browser shows what `kztj check` warns about, on the events it concerns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kztj_tui.tui.app import KztjApp

from .conftest import MINIMAL


async def test_the_browser_marks_events_check_warns_about(write_store: Callable[..., Path]) -> None:
    from kztj_tui.cache import open_store
    from kztj_tui.tui.detail import DetailPane
    from kztj_tui.tui.timeline import Timeline

    # An event with no actor is one of the things `kztj check` warns about.
    path = write_store(MINIMAL.replace("    actors: [tokayev]\n", ""))
    store = open_store(path, use_cache=False)
    app = KztjApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.query_one(Timeline).flagged:
                break
        assert app.screen.query_one(Timeline).flagged == frozenset({"visit"})
        await pilot.pause(0.2)
        rows = "\n".join(str(app.screen.query_one(Timeline).render_line(y).text) for y in range(4))
        assert "! check" in rows
        view = app.screen.query_one(DetailPane).view
        assert view is not None and any(f.severity == "warning" and "actor" in f.message for f in view.findings)
        notes = str(app.screen.query_one("#detail-check").render())
        assert "⚠ check" in notes
