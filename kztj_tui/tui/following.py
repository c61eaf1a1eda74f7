"""The main screen following the store: the check's findings and live reload."""

from __future__ import annotations

from textual import work

from ..session import Reloaded
from .base import FollowsStore
from .detail import DetailPane
from .figures import TradeStrip
from .live import ReloadErrors, ReloadFailed, StoreReloaded, follow_article, nearest_first
from .messages import CheckFinished
from .search import SearchRequest
from .timeline import Timeline
from .viewing import ViewingScreen


class StoreFollowing(ViewingScreen):
    """The main screen's part that checks the store and follows its saves."""

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
        self.query_one(TradeStrip).show(session.store)
        self.query_one(ReloadErrors).hide()
        self.refresh_bindings()
        # The result was prepared for the request current when the reload began; typing since then
        # is searched again on the new store, from the event the result selected.
        current = self.request
        self.set_reactive(ViewingScreen.request, reloaded.result.request)
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
