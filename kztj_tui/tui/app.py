"""The kztj Textual application: a thin shell that opens screens and owns what they share."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from ..model import Filters
from ..store import Store
from .commands import EventCommands
from .history import History, ReaderPlace
from .main import MainScreen
from .reader import ReaderScreen, SourcePicker
from .readers import Readers
from .screens import HelpScreen
from .views import EventView


class KztjApp(App[int]):
    """Browse the Kazakhstan–Tajikistan chronology."""

    CSS_PATH = "kztj.tcss"
    TITLE = "kztj"
    SUB_TITLE = "Kazakhstan–Tajikistan relations"
    COMMANDS = App.COMMANDS | {EventCommands}
    BINDINGS = [
        Binding(
            "question_mark", "help", "Help", key_display="?", tooltip="List every key (this screen)", id="app.help"
        ),
    ]

    def __init__(self, store: Store, event_id: str | None = None, search: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.readers = Readers(store)
        self.history = History()
        self._event_id = event_id
        self._search = search

    def get_default_screen(self) -> Screen:
        return MainScreen(self.store, self.readers, self.history, self._event_id, self._search)

    def on_ready(self) -> None:
        # Everything built to start the app lives as long as the app. Freezing it keeps Python's
        # full garbage collections (30 ms each here) from walking it while the user types.
        gc.freeze()

    def on_unmount(self) -> None:
        self.readers.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a text box "?" is typed, so help is neither shown nor run there.
        return not (action == "help" and isinstance(self.focused, Input))

    def action_help(self) -> None:
        """Show every key binding."""
        if isinstance(self.screen, HelpScreen):
            return
        from .help import help_sections

        self.push_screen(HelpScreen(help_sections(self)))

    # -- screens other screens open -----------------------------------------------------------

    def open_source(self, source_id: str, quote: str, tracked: bool = False) -> None:
        """Read a source article at a quote; ``tracked``: the history already holds the place it was opened from."""
        history = self.history if tracked else None
        self.push_screen(ReaderScreen(self.store, history, ReaderPlace(source_id, quote)))

    def pick_source(self, view: EventView) -> None:
        """Open the event's source, or let the user pick one when it has several."""
        main = self.screen
        sources = view.sources
        if len(sources) == 1:
            self._read_from(main, sources[0].source.id, sources[0].quote)
            return

        def picked(index: int | None) -> None:
            if index is not None:
                self._read_from(main, sources[index].source.id, sources[index].quote)

        self.push_screen(SourcePicker(view), picked)

    def _read_from(self, screen: Screen, source_id: str, quote: str) -> None:
        if isinstance(screen, MainScreen):
            self.history.leave(screen.here())
        self.open_source(source_id, quote, tracked=isinstance(screen, MainScreen))

    def open_conflict(self, line: object) -> None:
        """Show the sources that disagree on a figure side by side."""
        from .conflicts import ConflictScreen

        self.push_screen(ConflictScreen(line))  # type: ignore[arg-type]

    def open_axis(self, main: MainScreen) -> None:
        """Open the time axis on the main screen's view."""
        from .timeaxis import AxisScreen

        self.push_screen(AxisScreen(main))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: list every key", "Show the key bindings", self.action_help)
        if not isinstance(screen, MainScreen):
            return
        yield SystemCommand("Figures view", "Chart trade turnover, exports, imports and targets", screen.action_figures)
        yield SystemCommand("Time axis", "Events drawn to scale along the years", screen.action_axis)
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


def run(store: Store, event_id: str | None = None, search: str | None = None) -> int:
    """Run the browser on a loaded store; return the exit status."""
    app = KztjApp(store, event_id=event_id, search=search)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
