"""The main screen: search bar, timeline, detail pane and trade strip, wired by messages."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Header

from ..model import Filters
from .bars import FilterBar, KeysFooter, MatchCount
from .detail import CompareFigure, DetailPane, FilterBy, OpenEvent, OpenSource
from .figures import TradeStrip
from .following import StoreFollowing
from .live import InputsChanged, ReloadErrors
from .mainkeys import MAIN_BINDINGS
from .marking import MarkKeys
from .outputs import OutputKeys
from .searchbox import SearchBox
from .timeline import Timeline

__all__ = ["MainScreen", "MatchCount"]

# The layouts, as breakpoints: by width, always side by side, always one pane at a time.
LAYOUTS = {
    "auto": [(0, "-narrow"), (100, "-wide")],
    "split": [(0, "-wide")],
    "single": [(0, "-narrow")],
}
# The check starts once the first screen is drawn and settled, so it never delays it.
CHECK_DELAY = 0.3


class MainScreen(StoreFollowing, OutputKeys, MarkKeys):
    """Browse, search and filter the chronology."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # Focus the timeline from the start: moving focus later makes the footer compose twice.
    AUTO_FOCUS = "#timeline"

    BINDINGS = MAIN_BINDINGS

    def __init__(
        self,
        event_id: str | None = None,
        search: str | None = None,
        layout: str = "auto",
        filters: Filters | None = None,
    ) -> None:
        super().__init__(search or (filters.query if filters else ""))
        self._initial_filters = filters  # a saved view's (kztj --view NAME)
        self.pane_layout = layout
        self.HORIZONTAL_BREAKPOINTS = LAYOUTS[layout]
        self._initial_event = event_id

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-bar"):
            yield SearchBox(
                placeholder='/ search: words "a phrase" -not a OR b decl* tag:trade actor:rahmon year:2023',
                id="search",
            )
            yield MatchCount(id="match-count")
        yield FilterBar(id="filter-bar")
        with Horizontal(id="panes"):
            yield Timeline(self.session.rows, self.session.title_matches, id="timeline")
            yield DetailPane(id="detail")
        yield TradeStrip(self.session.store, id="trade-strip")
        yield ReloadErrors(id="reload-errors")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        session, store = self.session, self.session.store
        timeline = self.query_one(Timeline)
        timeline.empty_message = "This store has no events yet."
        keep = store.rowid_of(self._initial_event) if self._initial_event is not None else None
        if self._initial_event is not None and keep is None:  # `--event ''` too
            self.notify(f"No event with id {self._initial_event!r}.", severity="warning", markup=False)
        timeline.set_view(store.all_rowids(), session.year_runs, select=keep)
        selected = timeline.selected_rowid
        if selected is not None and not self._initial_search:
            # One event's view is a few indexed queries: built here, it is in the first frame,
            # without a worker's round trip and a second layout.
            self.query_one(DetailPane).show(session.event_view(selected))
        self._shown_request = self.request
        self._show_filter_state(store.count, store.count)
        if self._initial_filters is not None:
            self._show(self._initial_filters._replace(query=""))
        if self._initial_search:
            self.query_one(SearchBox).value = self._initial_search
            self._search(self._initial_search, typing=False)
        self._show_search_mode()
        self.set_timer(CHECK_DELAY, self.run_check)
        self._show_marks()
        if session.live:
            # The watcher's thread hands over to the UI thread.
            self.call_after_refresh(session.watch, lambda: self.post_message(InputsChanged()))

    def set_layout(self, layout: str) -> None:
        """Choose a layout (remembered in the settings file)."""
        self.pane_layout = layout
        self.HORIZONTAL_BREAKPOINTS = LAYOUTS[layout]
        narrow = not any(width <= self.size.width and name == "-wide" for width, name in LAYOUTS[layout])
        self.set_class(narrow, "-narrow")
        self.set_class(not narrow, "-wide")
        self._fit_focus()
        self.app.save_settings()

    def action_leave_detail(self) -> None:
        """Back from the detail pane to the timeline."""
        self.close_detail()

    def action_quit(self) -> None:
        """Quit with exit status 0."""
        self.app.exit(0)

    # -- selection and detail -------------------------------------------------------------

    @on(Timeline.EventSelected)
    def _event_selected(self, message: Timeline.EventSelected) -> None:
        self.query_one(DetailPane).follow(message.rowid, self._read_detail)

    @on(Timeline.EventOpened)
    def _event_opened(self) -> None:
        if self.has_class("-narrow"):
            self.add_class("-detail-open")
        self.query_one(DetailPane).focus()

    def on_resize(self) -> None:
        # Now, with the breakpoint classes just set: after the next refresh the pane hidden by the new
        # width would have lost the focus, and with it the place the user was in.
        self._fit_focus()

    def _fit_focus(self) -> None:
        """Keep the focused pane on screen when the layout changes with the width."""
        detail = self.query_one(DetailPane)
        if not self.has_class("-narrow"):
            self.remove_class("-detail-open")
        elif self.focused is detail:
            self.add_class("-detail-open")
        elif self.focused is self.query_one(Timeline):
            self.remove_class("-detail-open")

    def goto_rowid(self, rowid: int) -> None:
        """Select an event, clearing filters that hide it."""
        self.remove_class("-detail-open")
        timeline = self.query_one(Timeline)
        timeline.focus()
        if timeline.select_rowid(rowid):
            return
        self.notify("That event was hidden by the search or filters, which are now cleared.", markup=False)
        self._switch_view(Filters(), rowid)

    def jump_to(self, rowid: int) -> None:
        """Go to an event, remembering where the user was (the command palette's jumps)."""
        self.session.history.leave(self.here())
        self.goto_rowid(rowid)

    def goto_year(self, year: int) -> None:
        """Select the first event of a year."""
        if not self.query_one(Timeline).jump_to_year(year):
            self.notify(f"No events in or after {year}.", markup=False)

    @on(OpenEvent)
    def _open_event(self, message: OpenEvent) -> None:
        rowid = self.session.store.rowid_of(message.event_id)
        if rowid is not None:
            self.jump_to(rowid)

    @on(OpenSource)
    def _open_source(self, message: OpenSource) -> None:
        self.session.history.leave(self.here())
        self.app.open_source(message.source_id, message.quote, tracked=True)

    @on(FilterBy)
    def _filter_by(self, message: FilterBy) -> None:
        chip = message.chip
        self.session.history.leave(self.here())
        filters = {
            "actor": Filters(actors=(chip.key,)),
            "place": Filters(places=(chip.key,)),
            "tag": Filters(tags=(chip.key,)),
        }[chip.kind]
        self._switch_view(filters, self.query_one(Timeline).selected_rowid)
        self.close_detail()

    @on(CompareFigure)
    def _compare(self, message: CompareFigure) -> None:
        self.app.open_conflict(message.line)

    def action_read_source(self) -> None:
        """Open the selected event's source at its quote (a picker when it has several)."""
        view = self.query_one(DetailPane).view
        if view is None or not view.sources:
            self.notify("This event has no source to read.", markup=False)
            return
        self.app.pick_source(view)
