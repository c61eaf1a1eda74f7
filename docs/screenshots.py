"""Regenerate the README's pictures from the app itself: ``python docs/screenshots.py``.

Each picture is the browser on the bundled store, driven by the keys a user would press, taken
once every worker has finished, so it shows what ``kztj`` shows today and never goes stale.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SIZE = (120, 34)

# (file, event to open at, keys to press): what the README shows.
PICTURES = (
    ("timeline.svg", "declaration-allied-interaction", ("enter",)),
    ("time-axis.svg", "days-of-tajik-culture-held", ("a", "plus", "plus")),
    ("conflict.svg", "business-forum-2023", ("enter", "compare")),
    ("search.svg", None, ("slash", *"Rogun")),
)


async def settle(pilot: Any) -> None:
    """Wait until every worker has finished and its messages have been handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def take(name: str, event_id: str | None, keys: tuple[str, ...], out: Path) -> None:
    """Start the app, press the keys one by one, and save what is on screen as SVG."""
    from textual.widgets import Input

    from kztj_tui.cache import open_store
    from kztj_tui.tui.app import KztjApp
    from kztj_tui.tui.detail import CompareFigure, DetailPane

    app = KztjApp(open_store(REPO / "events.yaml", use_cache=False), event_id=event_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            if key == "compare":  # the conflict view of the event's conflicting figure
                figures = pilot.app.screen.query_one(DetailPane).view.figures
                pilot.app.screen.query_one("#detail-figures").post_message(
                    CompareFigure(next(line for line in figures if line.others))
                )
            else:
                await pilot.press(key)
            await settle(pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)
        (out / name).write_text(app.export_screenshot(title="kztj"), encoding="utf-8")


def main() -> int:
    """Write every picture into docs/img (or the folder given)."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "img"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KZTJ_CONFIG_DIR", str(out / ".no-config"))  # the defaults, not the user's settings
    for name, event_id, keys in PICTURES:
        asyncio.run(take(name, event_id, keys, out))
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
