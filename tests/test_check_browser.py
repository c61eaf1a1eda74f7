"""Issue 8: the browser shows what `kztj check` warns about, on the events it concerns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kztj_tui.tui.app import KztjApp

from .conftest import MINIMAL
from .waiting import wait_for


async def test_the_browser_marks_events_check_warns_about(write_store: Callable[..., Path]) -> None:
    from kztj_tui.cache import open_store
    from kztj_tui.tui.detail import DetailPane
    from kztj_tui.tui.timeline import Timeline

    # An event with no actor is one of the things `kztj check` warns about.
    path = write_store(MINIMAL.replace("    actors: [tokayev]\n", ""))
    store = open_store(path, use_cache=False)
    app = KztjApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        timeline = app.screen.query_one(Timeline)
        await wait_for(pilot, lambda: bool(timeline.flagged))  # the check starts once the first frame settles
        assert timeline.flagged == frozenset({"visit"})
        await wait_for(pilot, lambda: "⚠ check" in str(app.screen.query_one("#detail-check").render()))
        rows = "\n".join(str(app.screen.query_one(Timeline).render_line(y).text) for y in range(4))
        assert "! check" in rows
        view = app.screen.query_one(DetailPane).view
        assert view is not None and any(f.severity == "warning" and "actor" in f.message for f in view.findings)
        notes = str(app.screen.query_one("#detail-check").render())
        assert "⚠ check" in notes
