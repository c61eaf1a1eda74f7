"""The main screen's marks, notes and saved views: the state is the session's, the dialogs are their own modules."""

from __future__ import annotations

from textual import work

from .detail import DetailPane
from .timeline import Timeline
from .viewing import ViewingScreen


class MarkKeys(ViewingScreen):
    """The main screen's keys that mark, annotate and save views."""

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

        filters = self.filters._replace(query=self._shown_query.text)  # the query as run: what is on screen

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
