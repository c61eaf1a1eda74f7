"""The kztj Textual application: a thin shell around the main screen."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..model import Filters
from ..store import Store
from .commands import EventCommands
from .figures import FiguresScreen
from .main import MainScreen
from .screens import HelpScreen, ReaderScreen
from .timeline import Timeline


class KztjApp(App[int]):
    """Browse the Kazakhstan–Tajikistan chronology."""

    CSS_PATH = "kztj.tcss"
    TITLE = "kztj"
    SUB_TITLE = "Kazakhstan–Tajikistan relations"
    COMMANDS = App.COMMANDS | {EventCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="List every key (this screen)"),
    ]

    def __init__(self, store: Store, event_id: str | None = None, search: str | None = None) -> None:
        super().__init__()
        self.store = store
        self._event_id = event_id
        self._search = search

    def get_default_screen(self) -> Screen:
        return MainScreen(self.store, self._event_id, self._search)

    async def action_quit(self) -> None:
        """Quit with exit status 0."""
        self.exit(0)

    def action_help(self) -> None:
        """Show every key binding."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_sections()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: list every key", "Show the key bindings", self.action_help)
        if not isinstance(screen, MainScreen):
            return
        yield SystemCommand("Figures view", "Chart trade turnover, exports, imports and targets", screen.action_figures)
        yield SystemCommand("Export view to Markdown", "Write the current view to a file", screen.action_export)
        yield SystemCommand("Filter…", "Choose tags, an actor and years", screen.action_filters)
        yield SystemCommand("Clear filters", "Show every event again", screen.action_clear_filters)
        for tag, count in self.store.tags():
            yield SystemCommand(
                f"Filter by tag: {tag}", f"{count} events", partial(screen.apply_filters, Filters(tags=(tag,))), False
            )
        for year in self.store.years():
            yield SystemCommand(
                f"Jump to year {year}", "Select its first event", partial(screen.goto_year, year), False
            )


def help_sections() -> list[tuple[str, list]]:
    """The bindings the help screen lists, by where they apply."""
    return [
        (
            "Anywhere",
            [
                *KztjApp.BINDINGS,
                Binding("ctrl+p", "", "Command palette: jump to an event or year, filter, export, theme, figures"),
            ],
        ),
        ("Timeline", [*Timeline.BINDINGS, Binding("tab", "", "Move between panes")]),
        ("Main screen", MainScreen.BINDINGS),
        ("Detail pane", [Binding("enter", "", "Open the related event or source under the cursor")]),
        ("Article reader", ReaderScreen.BINDINGS),
        ("Figures view", FiguresScreen.BINDINGS),
    ]


def run(store: Store, event_id: str | None = None, search: str | None = None) -> int:
    """Run the browser on a loaded store; return the exit status."""
    app = KztjApp(store, event_id=event_id, search=search)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
