"""The kztj Textual application: a thin shell that opens screens and owns what they share."""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.command import Provider
from textual.driver import Driver
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.widgets import Input

from ..model import Filters
from ..session import BrowserSession
from ..store import Store
from ..text import quoted
from . import settings
from .appkeys import APP_BINDINGS
from .history import History, ReaderPlace
from .main import MainScreen
from .readers import Readers

if TYPE_CHECKING:
    from .views import EventView, FigureLine


def event_commands() -> type[Provider]:
    """The command palette's event search, imported when the palette first opens."""
    from .commands import EventCommands

    return EventCommands


class KztjApp(App[int]):
    """Browse the Kazakhstan–Tajikistan chronology."""

    CSS_PATH = "kztj.tcss"
    TITLE = "kztj"
    SUB_TITLE = "Kazakhstan–Tajikistan relations"
    COMMANDS = App.COMMANDS | {event_commands}
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        store: Store,
        event_id: str | None = None,
        search: str | None = None,
        reopen: Callable[[], Store] | None = None,
        live: bool = True,
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        # ``reopen`` opens the store file again when it changes on disk (by default through the
        # cache); ``live=False`` turns live reload off.
        if reopen is None and live:
            from ..cache import open_store

            allow_outside = store.meta.get("allow_outside") == "1"
            # The browser runs threads: it never forks.
            reopen = partial(open_store, store.path, allow_outside_articles=allow_outside, fork=False)
        self.session = BrowserSession(store, reopen if live else None)
        self._event_id = event_id
        self._search = search
        self._view_filters = filters  # a saved view to open on (not App._filters, which is Textual's)
        self.settings_path = settings.settings_path()
        self.settings, self._settings_problem = settings.load(self.settings_path)
        self.keymap = self.settings.keymap
        unknown = sorted(set(self.keymap) - _binding_ids()) if self.keymap else []
        if unknown and self._settings_problem is None:
            self._settings_problem = (
                f"{self.settings_path}: [keymap] has no binding {unknown[0]!r} (the help screen lists them)"
            )
        if self.keymap:
            # Entries with a key name Textual does not know are left out from the start; the keys
            # bound twice are found once the first frame is drawn (that needs every screen).
            from .keymap import bad_key

            self.set_keymap({key: keys for key, keys in self.keymap.items() if bad_key(keys) is None})
        self._saving = False
        self._remembered: dict[str, str] = {}
        self._notices_pending: set[tuple[str, str, str]] = set()  # notified, not yet among the app's notifications

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notice, unless the same one is showing: a key pressed again and again says it once."""
        if threading.current_thread() is threading.main_thread():  # the app's thread: Textual's own is thread-safe
            shown = (message, title, severity)
            live = {(n.message, n.title, n.severity) for n in self._notifications}  # Textual's, unexpired
            if shown in self._notices_pending or shown in live:
                return
            self._notices_pending.add(shown)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_notify(self, event: Notify) -> None:
        notification = event.notification
        self._notices_pending.discard((notification.message, notification.title, notification.severity))
        # Textual can leave an expired toast painted where it stood (after several, across screen
        # changes), until what is under it happens to be drawn again: draw the screen once it is gone.
        self.set_timer(notification.timeout + 0.2, self._repaint_screen)

    def _repaint_screen(self) -> None:
        if self.screen_stack:
            self.screen.refresh()

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        # Pasted text stays text: no key binding of any screen runs from inside a paste.
        from .paste import install

        install()
        return driver

    @property
    def store(self) -> Store:
        """The store shown (the session's: a reload replaces it)."""
        return self.session.store

    @property
    def readers(self) -> Readers:
        """Connections to the store for worker threads."""
        return self.session.readers

    @property
    def history(self) -> History:
        """Where the user has been."""
        return self.session.history

    def get_default_screen(self) -> Screen:
        return MainScreen(self._event_id, self._search, layout=self.settings.layout, filters=self._view_filters)

    ended_by: int | None = None
    """The signal (SIGTERM, SIGHUP) that ended the browser, if one did."""

    def on_mount(self) -> None:
        # kill and a closed terminal end the browser as q does, so the terminal is given back as it was.
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(number) == signal.SIG_DFL:  # one the user ignores (nohup) stays ignored
                loop.add_signal_handler(number, self._end_by_signal, number)
        theme = self.settings.theme
        if theme is not None:
            if theme in self.available_themes:
                self.theme = theme
            elif self._settings_problem is None:
                self._settings_problem = f"{self.settings_path}: no theme called {theme!r}; using the default"
        # What the browser starts with: only a setting the user changes from these is written.
        self._remembered = {"theme": self.theme, "layout": self.settings.layout}
        self.theme_changed_signal.subscribe(self, lambda _: self.save_settings())
        self._saving = True

    def _end_by_signal(self, number: int) -> None:
        self.ended_by = number
        self.exit(return_code=128 + number)

    def on_ready(self) -> None:
        # Everything built to start the app lives as long as the app. Freezing it keeps Python's
        # full garbage collections (30 ms each here) from walking it while the user types; and
        # full collections of what the caches keep (10 ms) come ten times less often.
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, 100)
        if self._settings_problem:
            self.notify(self._settings_problem, title="Settings", severity="warning", timeout=12, markup=False)
        if self.settings.keymap:
            self._check_keymap()

    def _check_keymap(self) -> None:
        """Leave out of the keymap each entry that would break keys, with a one-line notice for each."""
        from .keymap import checked

        self.keymap, problems = checked(self.settings.keymap, _binding_ids())
        self.set_keymap(self.keymap)
        for binding_id, problem in problems:
            line = self.settings.keymap_lines.get(binding_id, 1)
            keys = self.settings.keymap[binding_id]
            self.notify(
                f"{self.settings_path}:{line}:1: [keymap] {binding_id!r} = {keys!r}: {problem}; "
                "it keeps its default keys",
                title="Settings",
                severity="warning",
                timeout=12,
                markup=False,
            )

    def save_settings(self) -> None:
        """Remember the theme and layout in the settings file, if the user changed them."""
        if not self._saving:
            return
        main = self.screen_stack[0] if self.screen_stack else None
        layout = main.pane_layout if isinstance(main, MainScreen) else self.settings.layout
        self.settings = self.settings._replace(theme=self.theme, layout=layout)
        chosen = {"theme": self.theme, "layout": layout}
        changes = {key: value for key, value in chosen.items() if self._remembered[key] != value}
        if not changes:
            return
        problem = settings.save(self.settings_path, changes)
        if problem:
            self.notify(problem, title="Settings", severity="warning", markup=False)
        else:
            self._remembered = chosen

    def on_unmount(self) -> None:
        self.session.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a text box "?" is typed, so help is neither shown nor run there.
        return not (action == "help" and isinstance(self.focused, Input))

    def action_help(self) -> None:
        """Show every key binding."""
        from .help import help_sections
        from .screens import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return

        self.push_screen(HelpScreen(help_sections(self.keymap), str(self.settings_path)))

    # -- edit at the line (issue 20) -----------------------------------------------------------

    def run_editor(self, argv: list[str]) -> str | None:
        """Hand the terminal to an editor until it exits; why it did not work, or None. Tests replace it."""
        from textual.app import SuspendNotSupported

        from ..editor import run

        failure: OSError | None = None
        try:
            with self.suspend():
                try:  # nothing may escape the block: the browser comes back only at its end
                    status = run(argv)
                except OSError as error:
                    failure = error
        except SuspendNotSupported:
            return "This terminal cannot be handed over to an editor."
        if failure is not None:
            return f"Cannot run the editor {quoted(argv[0])}: {failure.strerror or failure}"
        if status != 0:
            return f"The editor {quoted(argv[0])} exited with status {status}."
        return None

    # -- screens other screens open -----------------------------------------------------------

    def open_source(self, source_id: str, quote: str, tracked: bool = False) -> None:
        """Read a source article at a quote; ``tracked``: the history already holds the place it was opened from."""
        from .reader import ReaderScreen

        history = self.history if tracked else None
        self.push_screen(ReaderScreen(self.store, history, ReaderPlace(source_id, quote)))

    def pick_source(self, view: EventView) -> None:
        """Open the event's source, or let the user pick one when it has several."""
        from .reader import SourcePicker

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

    def open_conflict(self, line: FigureLine) -> None:
        """Show the sources that disagree on a figure side by side."""
        from .conflicts import ConflictScreen

        self.push_screen(ConflictScreen(line))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: list every key", "Show the key bindings", self.action_help)
        if not isinstance(screen, MainScreen):
            return
        yield SystemCommand("Figures view", "Chart trade turnover, exports, imports and targets", screen.action_figures)
        yield SystemCommand("Time axis", "Events drawn to scale along the years", screen.action_axis)
        yield SystemCommand(
            "Export…",
            "Write this view, the marked events or the store to a file (.md, .json, .csv…)",
            screen.action_export,
        )
        yield SystemCommand(
            "Edit the event in $EDITOR", "Open the store at the selected event's line (e)", screen.action_edit
        )
        yield SystemCommand("Filter…", "Choose tags, an actor and years", screen.action_filters)
        yield SystemCommand("Clear filters", "Show every event again", screen.action_clear_filters)
        yield SystemCommand("Marked events", "Only the events you marked (m), or every event", screen.action_marked)
        yield SystemCommand("Clear marks", "Unmark every event of this store", screen.action_clear_marks)
        yield SystemCommand("Save view…", "Save the search and filters under a name", screen.action_save_view)
        for name, view in sorted(self.session.views.items()):
            yield SystemCommand(f"View: {name}", view.describe(), partial(screen.open_view, name))
        for layout, help_text in (
            ("auto", "Side by side from 100 columns, one pane at a time below"),
            ("split", "Timeline and detail side by side at any width"),
            ("single", "One pane at a time: Enter opens the detail, Esc returns"),
        ):
            yield SystemCommand(f"Layout: {layout}", f"{help_text} (remembered)", partial(screen.set_layout, layout))
        for tag, count in self.store.tags():
            yield SystemCommand(
                f"Filter by tag: {tag}", f"{count} events", partial(screen.apply_filters, Filters(tags=(tag,))), False
            )
        for year in self.store.years():
            yield SystemCommand(
                f"Jump to year {year}", "Select its first event", partial(screen.goto_year, year), False
            )


def _binding_ids() -> frozenset[str]:
    from .bindings import ids  # the bindings alone: no screen is imported to check a keymap

    return ids()


def run(
    store: Store,
    event_id: str | None = None,
    search: str | None = None,
    reopen: Callable[[], Store] | None = None,
    filters: Filters | None = None,
) -> int:
    """Run the browser on a loaded store, reloading it with ``reopen`` when it changes; return the exit status.

    ``filters`` (a saved view's) are the view it opens on.
    """
    app = KztjApp(store, event_id=event_id, search=search, reopen=reopen, filters=filters)
    result = app.run()
    if app.ended_by is not None:
        from ..output import remove_temporaries

        remove_temporaries()  # an export a worker thread was writing
        signal.signal(app.ended_by, signal.SIG_DFL)
        signal.raise_signal(app.ended_by)  # the shell sees the browser ended by the signal, as it was
    return result if isinstance(result, int) else (app.return_code or 0)
