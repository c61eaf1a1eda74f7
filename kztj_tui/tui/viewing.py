"""What the main screen shows: the search and filters of the timeline, its history and its find mode."""

from __future__ import annotations

from textual import on, work
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input

from ..model import Filters
from ..query import Query
from ..text import visible
from .bars import FilterBar, MatchCount
from .base import KztjScreen
from .detail import DetailPane
from .history import ReaderPlace, ViewPlace
from .live import ReloadErrors
from .mainkeys import KeysState, enabled
from .messages import SearchFinished
from .search import SearchRequest, SearchResult
from .searchbox import SearchBox
from .throttle import Throttle
from .timeline import Timeline
from .views import EventView

# Typing throttle: the first keystroke searches at once; keystrokes that follow within this
# window are folded into one search at its end, so fast typing never queues stale work.
THROTTLE_SECONDS = 0.03


class ViewingScreen(KztjScreen[None]):
    """The view of the timeline: every search request is made here, and every result shown."""

    request: reactive[SearchRequest] = reactive(SearchRequest(Filters()), init=False, always_update=True)
    """What the timeline should show; each new value runs a search in a worker."""

    def __init__(self, search: str = "") -> None:
        super().__init__()
        self.find_mode = False  # find (matches marked in the whole view) rather than filter (the view narrows)
        self._initial_search = search
        self._throttle = Throttle(self.set_timer, THROTTLE_SECONDS)
        self._before_search: ViewPlace | None = None
        self._shown_query = Query()  # what the view on screen was searched for, as run
        self._shown_total = 0
        self._shown_request: SearchRequest | None = None
        self._footer_state: tuple[object, ...] = ()

    @property
    def filters(self) -> Filters:
        """The filters and query (as typed) of the current view."""
        return self.request.filters

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
        shown = f"“{visible(query)}”" if query else "these filters"  # a typed query may hold anything
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
        if self.find_mode:  # the query marks events, it does not filter them
            filters = filters._replace(query="")
        finding = self.find_mode and bool(self._shown_query)  # a query that parses to nothing finds nothing
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

    def close_detail(self) -> None:
        """Back from the detail pane to the timeline."""
        self.remove_class("-detail-open")
        self.query_one(Timeline).focus()

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

    def _read_detail(self, rowid: int) -> EventView:
        """The detail view of an event, with the words searched for marked (a worker builds it)."""
        return self.session.event_view(rowid, self._shown_query)

    def _keys_state(self) -> KeysState:
        """What decides which of this screen's keys work, and so what the footer shows."""
        focused = self.focused
        if isinstance(focused, SearchBox):
            return KeysState("search")  # its keys are the same whatever is typed
        return KeysState(
            "detail" if isinstance(focused, DetailPane) else "timeline",
            detail_open=self.has_class("-detail-open"),
            matches=bool(self._shown_query),
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
