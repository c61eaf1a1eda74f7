"""The keys that work anywhere in the browser: help, quit and the command palette.

Apart from the app, so help can list them without importing the app that imports help.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("question_mark", "help", "Help", key_display="?", tooltip="List every key (this screen)", id="app.help"),
    # Textual's own two, with ids: Ctrl+Q quits whatever the keymap says (see keymap.py).
    Binding("ctrl+q", "quit", "Quit", show=False, priority=True, tooltip="Quit from anywhere", id="app.quit"),
    Binding(
        "ctrl+p",
        "command_palette",
        "palette",  # as Textual names it in the footer
        show=False,
        priority=True,
        tooltip="Command palette: jump to an event or year, filter, layout, theme, export",
        id="app.command_palette",
    ),
]


class AppKeys(App[None]):
    """The app's bindings on top of Textual's own, as the app merges them, for the keymap's checks (never run)."""

    BINDINGS = APP_BINDINGS
