"""Start an app headless, exit as soon as its first frame is drawn; used by run.py to time startup.

``python benchmarks/first_frame.py kztj [--events PATH]`` or ``python benchmarks/first_frame.py minimal``.
"""

from __future__ import annotations

import sys


def main() -> None:
    kind = sys.argv[1]
    if kind == "minimal":
        from textual.app import App, ComposeResult
        from textual.widgets import Footer, Header, Static

        class Minimal(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Static("hello")
                yield Footer()

        app: object = Minimal()
    else:
        from pathlib import Path

        from kztj_tui.cache import open_store
        from kztj_tui.locations import default_store_path
        from kztj_tui.tui.app import KztjApp

        path = Path(sys.argv[3]) if len(sys.argv) > 3 else default_store_path()
        app = KztjApp(open_store(path))

    async def exit_after_first_frame(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        pilot.app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=exit_after_first_frame)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
