"""The save-view dialog: a name for the current search and filters (Enter saves, Esc cancels)."""

from __future__ import annotations

from collections.abc import Collection

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from ..savedviews import MAX_NAME, name_problem
from .base import KztjModal
from .bindings import VIEW_NAME_BINDINGS


class ViewNameScreen(KztjModal[str | None]):
    """Ask for a view's name; dismissed with the name (Enter) or None (Esc)."""

    BINDINGS = VIEW_NAME_BINDINGS

    def __init__(self, shows: str, taken: Collection[str]) -> None:
        super().__init__()
        self.shows = shows  # the view in words
        self.taken = taken

    def compose(self) -> ComposeResult:
        with Vertical(id="view-dialog"):
            yield Static(Content.assemble(("Save this view", "bold"), "\n", (self.shows, "italic")), id="view-shows")
            # No max_length: Textual drops a paste that would pass it whole, with only a bell; the hint says why.
            yield Input(placeholder="name, e.g. water-2023", id="view-name")
            yield Static(Content.styled("Enter saves · Esc cancels", "dim"), id="view-help")

    def on_input_changed(self, event: Input.Changed) -> None:
        name = event.value.strip()
        hint = "Enter saves · Esc cancels"
        if len(name) > MAX_NAME:
            hint = f"{len(name):,} characters: a view's name is at most {MAX_NAME} · Esc cancels"
        elif name in self.taken:
            hint = f"Enter replaces the view {name!r} · Esc cancels"
        self.query_one("#view-help", Static).update(Content.styled(hint, "dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        problem = name_problem(name)
        if problem is not None:
            self.query_one("#view-help", Static).update(Content.styled(problem[:1].upper() + problem[1:] + ".", "bold"))
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
