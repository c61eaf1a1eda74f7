"""The main screen: search bar, timeline, detail pane and trade strip, wired by messages."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Sequence
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Static

from .. import export
from ..model import Filters
from ..query import QueryError
from ..store import Store
from .detail import DetailPane
from .figures import FiguresScreen, trade_strip
from .screens import FilterScreen, ReaderScreen
from .timeline import Timeline

# Typing a word that matches most of a 100,000-event store must not block: show the first
# matches in date order and count the rest.
SEARCH_LIMIT = 5000
# Typing throttle: the first keystroke searches at once; keystrokes that follow within this
# window are folded into one search at its end, so fast typing never queues stale work.
THROTTLE_SECONDS = 0.03


class SearchFinished(Message):
    """A search worker's result, for the filters it ran with."""

    def __init__(
        self,
        filters: Filters,
        rowids: Sequence[int],
        runs: list[tuple[int, int]],
        total: int,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.filters = filters
        self.rowids = rowids
        self.runs = runs
        self.total = total
        self.error = error


class MainScreen(Screen[None]):
    """Browse, search and filter the chronology."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # Focus the timeline from the start: moving focus later makes the footer compose twice.
    AUTO_FOCUS = "#timeline"

    BINDINGS = [
        # Priority: the app runs it before forwarding the keys typed after it, so a fast "/Rogun"
        # lands whole in the search box (check_action lets "/" through once the box has focus).
        Binding(
            "slash",
            "focus_search",
            "Search",
            key_display="/",
            tooltip="Search as you type; Enter keeps it",
            priority=True,
        ),
        Binding("n", "next_match", "Next match", show=False, tooltip="Next matching event (wraps)"),
        Binding("N", "previous_match", "Previous match", key_display="N", show=False),
        Binding("s", "read_source", "Source", tooltip="Open the event's first source article at the quote"),
        Binding("f", "filters", "Filter", tooltip="Filter by tag, actor and years"),
        Binding("x", "clear_filters", "Clear filters", show=False, tooltip="Clear tag, actor and year filters"),
        Binding("t", "figures", "Figures", tooltip="Trade chart: turnover, exports vs imports, targets"),
        Binding("e", "export", "Export", tooltip="Export the current view to a Markdown file"),
        Binding("y", "copy_event", "Copy", show=False, tooltip="Copy the selected event as Markdown"),
        Binding("escape", "back", "Back", show=False, tooltip="Close the detail view, or clear the search"),
    ]

    filters: reactive[Filters] = reactive(Filters(), init=False)

    def __init__(self, store: Store, event_id: str | None = None, search: str | None = None) -> None:
        super().__init__()
        self.store = store
        self._initial_event = event_id
        self._initial_search = search or ""
        self._all_runs: list[tuple[int, int]] = []
        self._debounce: Timer | None = None
        self._last_search = 0.0
        self._before_search: int | None = None
        self._pending_select: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="search-bar"):
            yield Input(
                placeholder='/ search: words "a phrase" -not a OR b decl* tag:trade actor:rahmon year:2023',
                id="search",
            )
            yield Static(id="match-count")
        yield Static(id="filter-bar")
        with Horizontal(id="panes"):
            yield Timeline(self.store.rows, id="timeline")
            yield DetailPane(self.store, id="detail")
        yield Static(trade_strip(self.store), id="trade-strip")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        timeline = self.query_one(Timeline)
        timeline.empty_message = "This store has no events yet."
        self._all_runs = self.store.year_runs()
        keep = self.store.rowid_of(self._initial_event) if self._initial_event else None
        if self._initial_event and keep is None:
            self.notify(f"No event with id {self._initial_event!r}.", severity="warning", markup=False)
        timeline.set_view(self._whole_store(), self._all_runs, keep=keep)
        self._show_filter_state(self.store.count, self.store.count)
        if self._initial_search:
            self.query_one("#search", Input).value = self._initial_search

    # -- search and filters -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_search":
            return self.focused is not self.query_one("#search")
        return True

    def _whole_store(self) -> range:
        """Rowids of every event: 1..N, a range, so 100,000 events cost no memory here."""
        return range(1, self.store.count + 1)

    def action_focus_search(self) -> None:
        """Focus the search box, remembering the event to return to on Esc."""
        if not self.filters.query:
            self._before_search = self.query_one(Timeline).selected_rowid
        # Focus now, not via Widget.focus() (deferred): keys typed right after "/" must land in the box.
        self.set_focus(self.query_one("#search", Input))

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._before_search is None and event.value and not self.filters.query:
            self._before_search = self.query_one(Timeline).selected_rowid
        value = event.value
        if self._debounce is not None:
            self._debounce.stop()
        now = time.monotonic()
        if now - self._last_search >= THROTTLE_SECONDS:
            self._set_query(value)
        else:
            wait = THROTTLE_SECONDS - (now - self._last_search)
            self._debounce = self.set_timer(wait, lambda: self._set_query(value))

    def _set_query(self, value: str) -> None:
        self._last_search = time.monotonic()
        self.filters = self.filters._replace(query=value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one(Timeline).focus()

    def watch_filters(self, filters: Filters) -> None:
        self.run_search(filters)

    @work(exclusive=True, thread=True, group="search")
    def run_search(self, filters: Filters) -> None:
        """Run the query off the UI thread; only post the result back."""
        if not filters.active:
            self.post_message(SearchFinished(filters, self._whole_store(), self._all_runs, self.store.count))
            return
        try:
            hits = self.store.search(filters, sort="date", limit=SEARCH_LIMIT)
        except QueryError as error:
            self.post_message(SearchFinished(filters, [], [], 0, str(error)))
            return
        runs = [(year, len(list(group))) for year, group in itertools.groupby(hits.years)]
        self.post_message(SearchFinished(filters, hits.rowids, runs, hits.total))

    def on_search_finished(self, message: SearchFinished) -> None:
        if message.filters != self.filters:
            return  # a newer search is on its way
        timeline = self.query_one(Timeline)
        if message.error:
            self.query_one("#match-count", Static).update(Content.styled(message.error, "$error"))
            return
        query = message.filters.query.strip()
        shown = f"“{query}”" if query else "these filters"
        timeline.empty_message = f"No events match {shown}. Esc clears the search, x the filters."
        keep = self._pending_select
        self._pending_select = None
        highlighter = None
        if query:

            def highlighter(rowids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
                return {rowid: spans[0] for rowid, spans in self.store.highlights(query, rowids).items()}

        timeline.set_view(message.rowids, message.runs, query=query, highlighter=highlighter, keep=keep)
        self._show_filter_state(len(message.rowids), message.total)

    def _show_filter_state(self, shown: int, total: int) -> None:
        filters = self.filters
        count = self.query_one("#match-count", Static)
        if filters.active:
            text = f"{total:,} of {self.store.count:,} events"
            if shown < total:
                text = f"first {shown:,} of {total:,} matches"
            count.update(Content(text))
        else:
            count.update(Content(f"{self.store.count:,} events"))
        bar = self.query_one("#filter-bar", Static)
        narrowing = filters._replace(query="")
        if narrowing.active:
            bar.update(
                Content.assemble(("⚑ Filtered: ", "bold"), narrowing.describe(), ("   f change · x clear", "dim"))
            )
        bar.display = narrowing.active
        self.app.sub_title = f"Filtered: {filters.describe()}" if filters.active else (self.app.SUB_TITLE or "")

    def action_filters(self) -> None:
        """Open the filter form."""

        def done(result: Filters | None) -> None:
            if result is not None:
                self.filters = result._replace(query=self.filters.query)

        self.app.push_screen(FilterScreen(self.store, self.filters), done)

    def action_clear_filters(self) -> None:
        """Drop tag, actor and date filters (the search stays)."""
        self.filters = Filters(query=self.filters.query)

    def apply_filters(self, filters: Filters) -> None:
        """Replace the filters (from the command palette)."""
        self.filters = filters._replace(query=self.filters.query)

    def action_back(self) -> None:
        """Close the detail view on narrow screens, else clear the search."""
        if self.has_class("-detail-open"):
            self.remove_class("-detail-open")
            self.query_one(Timeline).focus()
            return
        search = self.query_one("#search", Input)
        if search.value or self.filters.query:
            self._pending_select = self._before_search
            self._before_search = None
            search.value = ""
            if self._debounce is not None:
                self._debounce.stop()
            self.filters = self.filters._replace(query="")
        self.query_one(Timeline).focus()

    def _step_match(self, step: int) -> None:
        timeline = self.query_one(Timeline)
        if not self.filters.query.strip():
            self.notify("No search yet: press / and type.", markup=False)
            return
        if not timeline.rowids:
            self.notify("No matches.", markup=False)
            return
        index = timeline.selected_index or 0
        target = index + step
        if target >= len(timeline.rowids):
            target = 0
            self.notify("Search hit BOTTOM, continuing at TOP", timeout=2, markup=False)
        elif target < 0:
            target = len(timeline.rowids) - 1
            self.notify("Search hit TOP, continuing at BOTTOM", timeout=2, markup=False)
        timeline.select_rowid(timeline.rowids[target])

    def action_next_match(self) -> None:
        """Select the next matching event (wraps like less)."""
        self._step_match(1)

    def action_previous_match(self) -> None:
        """Select the previous matching event."""
        self._step_match(-1)

    # -- selection and detail -------------------------------------------------------------

    @on(Timeline.EventSelected)
    def _event_selected(self, message: Timeline.EventSelected) -> None:
        detail = self.query_one(DetailPane)
        if message.rowid is None:
            detail.show(None)
            return
        query = self.filters.query.strip()
        spans = self.store.highlights(query, [message.rowid]).get(message.rowid, ([], [])) if query else ([], [])
        detail.show(self.store.event_at(message.rowid), spans)

    @on(Timeline.EventOpened)
    def _event_opened(self) -> None:
        if self.has_class("-narrow"):
            self.add_class("-detail-open")
        links = self.query_one("#detail-links", OptionList)
        if links.option_count:
            links.highlighted = links.highlighted or 0
            links.focus()

    def goto_rowid(self, rowid: int) -> None:
        """Select an event, clearing filters that hide it."""
        self.remove_class("-detail-open")
        timeline = self.query_one(Timeline)
        if timeline.select_rowid(rowid):
            timeline.focus()
            return
        self.notify("That event was hidden by the search or filters, which are now cleared.", markup=False)
        self._pending_select = rowid
        self.query_one("#search", Input).value = ""
        self.filters = Filters()
        timeline.focus()

    def goto_year(self, year: int) -> None:
        """Select the first event of a year."""
        if not self.query_one(Timeline).jump_to_year(year):
            self.notify(f"No events in or after {year}.", markup=False)

    @on(DetailPane.OpenRelated)
    def _open_related(self, message: DetailPane.OpenRelated) -> None:
        rowid = self.store.rowid_of(message.event_id)
        if rowid is not None:
            self.goto_rowid(rowid)

    @on(DetailPane.OpenSource)
    def _open_source(self, message: DetailPane.OpenSource) -> None:
        self.app.push_screen(ReaderScreen(self.store, message.source_id, message.quote))

    def action_read_source(self) -> None:
        """Open the selected event's first source at its quote."""
        self.query_one(DetailPane).action_first_source()

    # -- output -----------------------------------------------------------------------------

    def action_figures(self) -> None:
        """Open the trade chart."""
        self.app.push_screen(FiguresScreen(self.store))

    def action_export(self) -> None:
        """Export the current (filtered) view to a Markdown file in the working directory."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path.cwd() / f"kztj-export-{stamp}.md"
        try:
            export.write_atomically(target, export.markdown(self.store, self.filters))
        except OSError as error:
            self.notify(f"Export failed: {error.strerror or error}", severity="error", markup=False)
            return
        count = len(self.query_one(Timeline).rowids)
        self.notify(f"Exported {count} events to {target}", title="Export", markup=False)

    def action_copy_event(self) -> None:
        """Copy the selected event as Markdown to the clipboard."""
        rowid = self.query_one(Timeline).selected_rowid
        if rowid is None:
            self.notify("Nothing selected to copy.", markup=False)
            return
        event = self.store.event_at(rowid)
        self.app.copy_to_clipboard(export.event_markdown(self.store, event))
        self.notify(f"Copied “{event.title}” as Markdown", markup=False)
