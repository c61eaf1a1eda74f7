"""The main screen's ways out: the time axis, the figures, export, edit at the line and copy."""

from __future__ import annotations

from pathlib import Path

from textual import work

from ..model import Filters
from .detail import DetailPane
from .messages import EditReady, ExportFinished
from .timeline import Timeline
from .viewing import ViewingScreen


class OutputKeys(ViewingScreen):
    """The main screen's keys that open another view of the events or write them somewhere."""

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
            view = self.filters._replace(query=self._shown_query.text)
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

    def action_copy_event(self) -> None:
        """Copy the selected event as Markdown to the clipboard."""
        from .. import export

        view = self.query_one(DetailPane).view
        if view is None:
            self.notify("Nothing selected to copy.", markup=False)
            return
        self.app.copy_to_clipboard(export.event_markdown(self.session.store, view.event))
        self.notify(f"Copied “{view.event.title}” as Markdown", markup=False)
