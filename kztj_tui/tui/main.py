"""The main screen: search bar, timeline, detail pane and trade strip, wired by messages."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Header, Input, Static

from ..model import Filters
from ..session import Reloaded
from .bars import FilterBar, KeysFooter, MatchCount
from .base import FollowsStore, KztjScreen
from .detail import CompareFigure, DetailPane, FilterBy, OpenEvent, OpenSource
from .figures import trade_strip
from .history import ReaderPlace, ViewPlace
from .live import InputsChanged, ReloadErrors, ReloadFailed, StoreReloaded, follow_article, nearest_first
from .mainkeys import MAIN_BINDINGS, KeysState, enabled
from .messages import CheckFinished, EditReady, ExportFinished, SearchFinished
from .search import SearchRequest, SearchResult
from .searchbox import SearchBox
from .throttle import Throttle
from .timeline import Timeline
from .views import EventView

__all__ = ["MainScreen", "MatchCount"]

# The layouts, as breakpoints: by width, always side by side, always one pane at a time.
LAYOUTS = {
    "auto": [(0, "-narrow"), (100, "-wide")],
    "split": [(0, "-wide")],
    "single": [(0, "-narrow")],
}
# Typing throttle: the first keystroke searches at once; keystrokes that follow within this
# window are folded into one search at its end, so fast typing never queues stale work.
THROTTLE_SECONDS = 0.03
# The check starts once the first screen is drawn and settled, so it never delays it.
CHECK_DELAY = 0.3


class MainScreen(KztjScreen[None]):
    """Browse, search and filter the chronology."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # Focus the timeline from the start: moving focus later makes the footer compose twice.
    AUTO_FOCUS = "#timeline"

    BINDINGS = MAIN_BINDINGS

    request: reactive[SearchRequest] = reactive(SearchRequest(Filters()), init=False, always_update=True)
    """What the timeline should show; each new value runs a search in a worker."""

    def __init__(
        self,
        event_id: str | None = None,
        search: str | None = None,
        layout: str = "auto",
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        self._initial_filters = filters  # a saved view's (kztj --view NAME)
        self.find_mode = False  # find (matches marked in the whole view) rather than filter (the view narrows)
        self.pane_layout = layout
        self.HORIZONTAL_BREAKPOINTS = LAYOUTS[layout]
        self._initial_event = event_id
        self._initial_search = search or (filters.query if filters else "")
        self._throttle = Throttle(self.set_timer, THROTTLE_SECONDS)
        self._before_search: ViewPlace | None = None
        self._shown_query = ""
        self._shown_total = 0
        self._shown_request: SearchRequest | None = None
        self._footer_state: tuple[object, ...] = ()

    @property
    def filters(self) -> Filters:
        """The filters and query (as typed) of the current view."""
        return self.request.filters

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
        yield Static(trade_strip(self.session.store), id="trade-strip")
        yield ReloadErrors(id="reload-errors")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        session, store = self.session, self.session.store
        timeline = self.query_one(Timeline)
        timeline.empty_message = "This store has no events yet."
        keep = store.rowid_of(self._initial_event) if self._initial_event else None
        if self._initial_event and keep is None:
            self.notify(f"No event with id {self._initial_event!r}.", severity="warning", markup=False)
        timeline.set_view(store.all_rowids(), session.year_runs, select=keep)
        selected = timeline.selected_rowid
        if selected is not None and not self._initial_search:
            # One event's view is a few indexed queries: built here, it is in the first frame,
            # without a worker's round trip and a second layout.
            self.query_one(DetailPane).show(session.event_view(selected, ""))
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

    @work(thread=True, group="check")
    def run_check(self) -> None:
        """Run `kztj check` on a connection of its own, so the events it warns about can be marked."""
        generation = self.session.generation
        findings = self.session.check()
        if findings is not None:
            self.post_message(CheckFinished(findings, generation))

    def on_check_finished(self, message: CheckFinished) -> None:
        if not self.session.is_current(message.generation):
            return  # read from a store a reload has replaced; the reload checks the new one
        self.session.findings = message.findings
        self.query_one(Timeline).flagged = frozenset(message.findings)
        pane = self.query_one(DetailPane)
        shown = pane.view
        # Show the warnings of the event on screen, unless the user is reading it (a new view scrolls home).
        if shown is not None and shown.event.id in message.findings and not pane.has_focus:
            pane.load(shown.rowid, self._read_detail)

    def set_layout(self, layout: str) -> None:
        """Choose a layout (remembered in the settings file)."""
        self.pane_layout = layout
        self.HORIZONTAL_BREAKPOINTS = LAYOUTS[layout]
        narrow = not any(width <= self.size.width and name == "-wide" for width, name in LAYOUTS[layout])
        self.set_class(narrow, "-narrow")
        self.set_class(not narrow, "-wide")
        self._fit_focus()
        self.app.save_settings()

    # -- search and filters -----------------------------------------------------------------

    def _keys_state(self) -> KeysState:
        """What decides which of this screen's keys work, and so what the footer shows."""
        focused = self.focused
        if isinstance(focused, SearchBox):
            return KeysState("search")  # its keys are the same whatever is typed
        return KeysState(
            "detail" if isinstance(focused, DetailPane) else "timeline",
            detail_open=self.has_class("-detail-open"),
            matches=bool(self._shown_query.strip()),
            query=bool(self.filters.query or self.query_one(SearchBox).value),
            filtered=self.filters._replace(query="").active,
            back=self.session.history.can_go_back,
            forward=self.session.history.can_go_forward,
            errors=self.query_one(ReloadErrors).display,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return enabled(action, self._keys_state())

    def on_descendant_focus(self) -> None:
        self._update_footer()

    def on_screen_resume(self) -> None:
        self._update_footer()

    def _update_footer(self) -> None:
        """Recompose the footer only when what it shows can change: it is rebuilt from new widgets."""
        state = (type(self.focused), self._keys_state())
        if state != self._footer_state:
            self._footer_state = state
            self.refresh_bindings()

    def here(self) -> ViewPlace:
        """The current place: filters and selected event."""
        rowid = self.query_one(Timeline).selected_rowid
        view = self.query_one(DetailPane).view
        event_id = view.event.id if view is not None and view.rowid == rowid else None
        if event_id is None and rowid is not None:
            event_id = self.session.store.event_at(rowid).id
        return ViewPlace(self.filters, event_id)

    def action_focus_search(self) -> None:
        """Focus the search box, remembering the place to return to on Esc."""
        if not self.filters.query:
            self._before_search = self.here()
        # Focus now, not via Widget.focus() (deferred): keys typed right after "/" must land in the box.
        self.set_focus(self.query_one(SearchBox))

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        value = event.value
        if value == self.filters.query:
            return  # set by the program to match a search already under way
        if self._before_search is None and not self.filters.query:
            self._before_search = self.here()
        self._throttle(lambda: self._search(value, typing=True))

    def _leave_search_box(self, message: Message) -> None:
        """Focus the timeline now and hold its keys; act on ``message`` once the box has its last key."""
        timeline = self.query_one(Timeline)
        timeline.expect_view()
        self.set_focus(timeline)
        self.query_one(SearchBox).send_after_typing(message)

    def action_commit_search(self) -> None:
        """Enter in the search box: keep what is on screen (the word typed last stays a prefix)."""
        self._leave_search_box(SearchBox.Committed())

    def action_cancel_search(self) -> None:
        """Esc in the search box: clear the search."""
        self._leave_search_box(SearchBox.Cleared())

    def action_leave_search(self) -> None:
        """↓ or Tab in the search box: go to the results as they are."""
        self._leave_search_box(SearchBox.Left())

    def _search(self, value: str, typing: bool) -> None:
        """Search for ``value``; while typing, the first match is selected, whatever the typing speed."""
        self._show(self.filters._replace(query=value), typing=typing)

    @on(SearchBox.Committed)
    def _search_committed(self) -> None:
        self._throttle.cancel()
        value = self.query_one(SearchBox).value
        if self._before_search is not None and value.strip():
            self.session.history.leave(self._before_search)
        # What was on screen while typing: the word being typed stays a prefix (a space or quotes end it).
        self._show(self.filters._replace(query=value), prefix=True)

    @on(SearchBox.Cleared)
    def _search_cleared(self) -> None:
        self.action_clear_search()

    @on(SearchBox.Left)
    def _search_left(self) -> None:
        self._show_title()
        self._throttle.flush()
        if self.request is self._shown_request:
            self.query_one(Timeline).release()  # nothing new is coming

    def watch_request(self, request: SearchRequest) -> None:
        self.query_one(Timeline).expect_view()
        self.run_search(request)

    @work(exclusive=True, thread=True, group="search")
    def run_search(self, request: SearchRequest) -> None:
        """Run the search on a connection of its own; only post the result back."""
        self.post_message(SearchFinished(self.session.search(request)))

    def on_search_finished(self, message: SearchFinished) -> None:
        result = message.result
        if result.request is not self.request:
            return  # a newer search is on its way
        self._show_result(result)

    def _show_result(self, result: SearchResult) -> None:
        self._shown_request = result.request
        timeline = self.query_one(Timeline)
        if result.error:
            self.query_one(MatchCount).error(result.error)
            timeline.release()
            return
        query = result.request.filters.query.strip()
        shown = f"“{query}”" if query else "these filters"
        timeline.empty_message = f"No events match {shown}. Esc clears the search, x the filters."
        self.session.rows.put(result.rows)
        self._shown_query = result.query
        self._shown_total = result.total
        self.query_one(DetailPane).show(result.detail, soon=result.request.typing)
        timeline.set_view(
            result.rowids,
            result.runs,
            query=result.query,
            highlights=result.highlights,
            select=result.select,
            found=result.found,
        )
        self._show_filter_state(len(result.rowids), result.total, title=not result.request.typing)
        if result.found is not None:
            self.query_one(MatchCount).found(len(result.found), len(result.rowids))
        self._update_footer()

    def _show_filter_state(self, shown: int, total: int, title: bool = True) -> None:
        """Count the matches; say what filters are on, in the filter bar and (unless typing) the header."""
        filters = self.filters
        self.query_one(MatchCount).count(shown, total, self.session.store.count, filters.active)
        if title:
            self._show_title()
        self.query_one(FilterBar).show_filters(filters._replace(query=""), self.session.describe)

    def _show_title(self) -> None:
        filters = self.filters
        finding = self.find_mode and filters.query.strip()
        if finding:  # the query marks events, it does not filter them
            filters = filters._replace(query="")
        described = self.session.describe(filters)
        title = f"Filtered: {described}" if filters.active else (self.app.SUB_TITLE or "")
        self.app.sub_title = f"Finding {self.filters.query.strip()!r} · {title}" if finding else title

    def action_filters(self) -> None:
        """Open the filter form."""
        from .screens import FilterScreen

        def done(result: Filters | None) -> None:
            if result is not None:
                self.apply_filters(result._replace(places=self.filters.places, marked=self.filters.marked))

        self.app.push_screen(FilterScreen(self.session.store, self.filters), done)

    def action_clear_filters(self) -> None:
        """Drop tag, actor, place and date filters (the search stays)."""
        self.apply_filters(Filters())

    def apply_filters(self, filters: Filters) -> None:
        """Replace the filters but not the search, keeping the selected event if it still shows."""
        select = self.query_one(Timeline).selected_rowid
        keep = filters._replace(query=self.filters.query)
        self._show(keep, select=select, prefix=self.request.prefix)

    def action_clear_search(self) -> None:
        """Clear the search and go back to the event selected before it."""
        before = self._before_search
        keep = before.event_id if before is not None else None
        select = self.session.store.rowid_of(keep) if keep else self.query_one(Timeline).selected_rowid
        self._switch_view(self.filters._replace(query=""), select)
        self.query_one(Timeline).focus()

    def _switch_view(self, filters: Filters, select: int | None) -> None:
        """Show another view, with its search in the box (a search being typed is dropped)."""
        self._throttle.cancel()
        self._before_search = None
        self._show(filters, select=select)
        self.query_one(SearchBox).value = filters.query

    def _show(self, filters: Filters, *, typing: bool = False, select: int | None = None, prefix: bool = False) -> None:
        """Ask for a view: every request is made here, so the search filters or finds as the mode says."""
        self.request = SearchRequest(filters, typing=typing, select=select, prefix=prefix, find=self.find_mode)

    def action_leave_detail(self) -> None:
        """Back from the detail pane to the timeline."""
        self.close_detail()

    def close_detail(self) -> None:
        """Back from the detail pane to the timeline."""
        self.remove_class("-detail-open")
        self.query_one(Timeline).focus()

    def action_quit(self) -> None:
        """Quit with exit status 0."""
        self.app.exit(0)

    def _step_match(self, step: int) -> None:
        timeline = self.query_one(Timeline)
        if not timeline.rowids:
            self.notify("No matches.", markup=False)
        elif wrapped := timeline.step(step):
            self.notify(wrapped, timeout=2, markup=False)

    def action_find_mode(self) -> None:
        """Switch the search between filtering the timeline and finding in it (n and N step through the finds)."""
        self.find_mode = not self.find_mode
        self._show_search_mode()
        select = self.query_one(Timeline).selected_rowid
        self.request = self.request._replace(find=self.find_mode, select=select, typing=False)

    def _show_search_mode(self) -> None:
        box = self.query_one(SearchBox)
        box.border_title = "find: n/N" if self.find_mode else "filter"

    def action_next_match(self) -> None:
        """Select the next matching event (wraps like less)."""
        self.query_one(Timeline).when_ready(lambda: self._step_match(1))

    def action_previous_match(self) -> None:
        """Select the previous matching event."""
        self.query_one(Timeline).when_ready(lambda: self._step_match(-1))

    # -- places -----------------------------------------------------------------------------

    def go(self, place: ViewPlace) -> None:
        """Show a place: its filters and search, with its event selected."""
        select = self.session.store.rowid_of(place.event_id) if place.event_id else None
        self._switch_view(place.filters, select)
        self.close_detail()

    def action_back(self) -> None:
        """Go back to the previous place."""
        place = self.session.history.back(self.here())
        if isinstance(place, ViewPlace):
            self.go(place)

    def action_forward(self) -> None:
        """Go forward again."""
        place = self.session.history.forward(self.here())
        if isinstance(place, ViewPlace):
            self.go(place)
        elif isinstance(place, ReaderPlace):
            self.app.open_source(place.source_id, place.quote, tracked=True)

    # -- selection and detail -------------------------------------------------------------

    def _read_detail(self, rowid: int) -> EventView:
        """The detail view of an event, with the words searched for marked (a worker builds it)."""
        return self.session.event_view(rowid, self._shown_query)

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

    # -- live reload ------------------------------------------------------------------------

    def on_inputs_changed(self) -> None:
        if self.session.start_reload():
            timeline = self.query_one(Timeline)
            self.reload_store(self.request, nearest_first(timeline.rowids, timeline.selected_index))

    @work(thread=True, group="reload")
    def reload_store(self, request: SearchRequest, near: list[int]) -> None:
        """Open the new version of the store and prepare its first view, all off the UI thread."""
        reloaded = self.session.reload(request, near)
        if isinstance(reloaded, Reloaded):
            self.post_message(StoreReloaded(reloaded))
        else:
            self.post_message(ReloadFailed(reloaded.problems))

    def on_store_reloaded(self, message: StoreReloaded) -> None:
        """Show the new version at once: store, timeline, selection and detail, keeping the search."""
        session, reloaded = self.session, message.reloaded
        selected = self.query_one(DetailPane).view
        notice = session.adopt(reloaded)
        self.query_one(Timeline).use_rows(session.rows)
        self.query_one("#trade-strip", Static).update(trade_strip(session.store))
        self.query_one(ReloadErrors).hide()
        self.refresh_bindings()
        # The result was prepared for the request current when the reload began; typing since then
        # is searched again on the new store, from the event the result selected.
        current = self.request
        self.set_reactive(MainScreen.request, reloaded.result.request)
        self._show_result(reloaded.result)
        if current.filters != reloaded.result.request.filters:
            self.request = current._replace(select=reloaded.result.select)
        if selected is not None and selected.event.id in reloaded.changes.removed:
            self.close_detail()
        for screen in self.app.screen_stack[1:]:
            if isinstance(screen, FollowsStore):
                screen.store_reloaded()
        follow_article(self.app, session.store, reloaded.changes.articles)
        if notice is not None:
            self.notify(notice, title="Reloaded", timeout=4, markup=False)
        self.run_check()
        self._reload_done()

    def on_reload_failed(self, message: ReloadFailed) -> None:
        self.session.reload_failed()
        self.query_one(ReloadErrors).show_problems(message.problems)
        self.refresh_bindings()
        self._reload_done()

    def _reload_done(self) -> None:
        if self.session.reload_done():
            self.on_inputs_changed()

    def action_hide_errors(self) -> None:
        """Hide the panel of problems (it comes back if the next save is invalid too)."""
        self.query_one(ReloadErrors).hide()
        self.refresh_bindings()

    # -- output -----------------------------------------------------------------------------

    def action_axis(self) -> None:
        """Open the time axis, on the selected event."""
        from .timeaxis import AxisScreen

        self.app.push_screen(AxisScreen(self.query_one(Timeline)))

    def action_figures(self) -> None:
        """Open the trade chart."""
        from .figures import FiguresScreen

        self.app.push_screen(FiguresScreen())

    def action_export(self) -> None:
        """Ask where (the extension picks the format) and what (this view, the marked events, the store) to export."""
        from .exportdialog import ExportChoice, ExportScreen

        store = self.session.store
        if self.find_mode:  # the search marks events in the view, it does not narrow it
            view, shown = self.filters._replace(query=""), len(self.query_one(Timeline).rowids)
        else:
            view = self.filters._replace(query=self._shown_query)
            shown = self._shown_total if view.active else store.count
        counts = {"view": shown, "marked": self.session.marked_count(), "store": store.count}

        def done(choice: ExportChoice | None) -> None:
            if choice is None:
                return
            filters = {
                "view": view,
                "marked": self.session.marked_filters(Filters()),
                "store": Filters(),
            }[choice.scope]
            target = choice.target if choice.target.is_absolute() else Path.cwd() / choice.target
            count = counts[choice.scope]
            self.notify(f"Exporting {count:,} events…", title="Export", timeout=2, markup=False)
            self.export_view(filters, target, count, choice.fmt)

        self.app.push_screen(ExportScreen(counts), done)

    @work(thread=True, group="export")
    def export_view(self, filters: Filters, target: Path, count: int, fmt: str = "markdown") -> None:
        """Write the export on a connection of its own."""
        self.post_message(ExportFinished(target, count, self.session.export(filters, target, fmt)))

    def on_export_finished(self, message: ExportFinished) -> None:
        if message.error:
            self.notify(f"Export failed: {message.error}", severity="error", markup=False)
        else:
            self.notify(f"Exported {message.count:,} events to {message.target}", title="Export", markup=False)

    # -- edit at the line (issue 20) ---------------------------------------------------------

    def action_edit(self) -> None:
        """Open the store in the user's editor at the selected event's line (the line is found in a worker)."""
        rowid = self.query_one(Timeline).selected_rowid
        if rowid is None:
            self.notify("No event selected to edit.", markup=False)
            return
        self.prepare_edit(self.session.store.event_at(rowid).id)

    @work(thread=True, exclusive=True, group="edit")
    def prepare_edit(self, event_id: str) -> None:
        """Find the event's line in the file as it is now, and the editor command; post it back."""
        from ..editor import EditorError, edit_command

        try:
            with self.session.readers.borrow() as store:
                self.post_message(EditReady(edit_command(store, event_id)))
        except EditorError as error:
            self.post_message(EditReady(None, str(error)))

    def on_edit_ready(self, message: EditReady) -> None:
        if message.argv is None:
            self.notify(message.problem, title="Edit", severity="warning", timeout=8, markup=False)
            return
        problem = self.app.run_editor(message.argv)
        if problem is not None:
            self.notify(problem, title="Edit", severity="warning", timeout=8, markup=False)
        # Live reload shows what was saved, keeping the selection on the event (by its id).

    # -- end edit at the line ----------------------------------------------------------------

    def action_copy_event(self) -> None:
        """Copy the selected event as Markdown to the clipboard."""
        from .. import export

        view = self.query_one(DetailPane).view
        if view is None:
            self.notify("Nothing selected to copy.", markup=False)
            return
        self.app.copy_to_clipboard(export.event_markdown(self.session.store, view.event))
        self.notify(f"Copied “{view.event.title}” as Markdown", markup=False)

    # -- marks and notes (issue 20): the state is the session's, the note dialog is in notes.py ----

    def _show_marks(self) -> None:
        """Draw the marks (at start: and say if the state file was damaged)."""
        self.query_one(Timeline).marked = self.session.marks
        notice, self.session.user_notice = self.session.user_notice, None
        if notice:
            self.notify(notice, title="Marks and notes", severity="warning", timeout=12, markup=False)

    def _selected_id(self, doing: str) -> str | None:
        rowid = self.query_one(Timeline).selected_rowid
        if rowid is None:
            self.notify(f"Nothing selected to {doing}.", markup=False)
            return None
        return self.session.store.event_at(rowid).id

    def action_toggle_mark(self) -> None:
        """Mark or unmark the selected event (kept per store, across restarts)."""
        event_id = self._selected_id("mark")
        if event_id is not None:
            marked = self.session.toggle_mark(event_id)
            self._marks_changed()
            count = self.session.marked_count()
            said = "Marked" if marked else "Unmarked"
            self.notify(f"{said} ({count:,} marked; M shows them)", timeout=2, markup=False)

    def action_marked(self) -> None:
        """Show only the marked events, or every event again."""
        if self.filters.marked is not None:
            self.apply_filters(self.filters._replace(marked=None))
        elif not self.session.marked_count():
            self.notify("No marked events: m marks the selected one.", markup=False)
        else:
            self.session.history.leave(self.here())
            self.apply_filters(self.session.marked_filters(self.filters))

    def action_clear_marks(self) -> None:
        """Unmark every event of this store."""
        count = self.session.clear_marks()
        self._marks_changed()
        self.notify(f"Unmarked {count:,} event{'s' * (count != 1)}.", markup=False)

    def action_note(self) -> None:
        """Write or change the private note on the selected event, in a small dialog."""
        from .notes import NoteScreen

        event_id = self._selected_id("note")
        if event_id is None:
            return

        def done(text: str | None) -> None:
            if text is not None and text.strip() != self.session.note(event_id):
                self.session.set_note(event_id, text)
                self._marks_changed()
                pane = self.query_one(DetailPane)
                if pane.view is not None and pane.view.event.id == event_id:
                    pane.show(self.session.annotate(pane.view))

        title = self.session.store.event(event_id)
        self.app.push_screen(NoteScreen(title.title if title else event_id, self.session.note(event_id)), done)

    # -- saved views -------------------------------------------------------------------------------

    def action_save_view(self) -> None:
        """Save the current search and filters under a name."""
        from .viewname import ViewNameScreen

        filters = self.filters._replace(query=self._shown_query)  # the query as run: what is on screen

        def done(name: str | None) -> None:
            if name is not None:
                replaced = self.session.save_view(name, filters)
                self.save_user_state()
                self.notify(f"{'Replaced' if replaced else 'Saved'} the view {name!r}.", markup=False)

        shows = self.session.describe(filters) or "every event"
        self.app.push_screen(ViewNameScreen(shows, set(self.session.views)), done)

    def open_view(self, name: str) -> None:
        """Show a saved view: its search and filters (a tag or entity the store lost is left out, and said)."""
        found = self.session.view_filters(name)
        if found is None:
            self.notify(f"No saved view {name!r}.", severity="warning", markup=False)
            return
        filters, notices = found
        self.session.history.leave(self.here())
        self._switch_view(filters, self.query_one(Timeline).selected_rowid)
        for notice in notices:
            self.notify(notice, severity="warning", markup=False)

    def _marks_changed(self) -> None:
        self.query_one(Timeline).marked = self.session.marks
        self.save_user_state()

    @work(thread=True, group="userstate")
    def save_user_state(self) -> None:
        """Write the marks and notes (a small file, but the UI thread never waits on a disk)."""
        problem = self.session.save_user_state()
        if problem:
            self.app.call_from_thread(self.notify, problem, severity="error", markup=False)
