"""The note dialog: a small text area for the user's private note on one event (Ctrl+S saves, Esc cancels).

The note is the user's text: it is shown as text everywhere, never read as markup. Where notes are
kept, and what ``note:`` finds, is the session's business (see :mod:`kztj_tui.userstate`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static, TextArea

from .base import KztjModal
from .bindings import NOTE_BINDINGS


class NoteScreen(KztjModal[str | None]):
    """Write or change the note on one event; dismissed with the text (Ctrl+S) or None (Esc)."""

    BINDINGS = NOTE_BINDINGS

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.event_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(Content.assemble(("Note on ", "bold"), (self.event_title, "bold italic")), id="note-title")
            yield TextArea(self.text, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Static(
                Content.styled("Ctrl+S saves · Esc cancels · an empty note is removed", "dim"),
                id="note-help",
            )

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        """Close, keeping the text as the event's note."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Close without changing the note."""
        self.dismiss(None)
