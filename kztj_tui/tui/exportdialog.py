"""The export dialog: where to write (the format follows the file's extension) and what: this view,
the marked events or the whole store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from ..formats import FORMATS, format_for
from .base import KztjModal
from .bindings import EXPORT_BINDINGS

# The scopes, in the order the dialog offers them.
SCOPES = ("view", "marked", "store")
# The extensions the dialog takes, one a format (.json is JSON; TimelineJS is for the command line).
EXTENSIONS = tuple(dict.fromkeys(fmt.extension for fmt in FORMATS.values()))


class ExportChoice(NamedTuple):
    """Where the export goes, in which format, and which events."""

    target: Path
    fmt: str
    scope: str


def default_name() -> str:
    """A new file in the working directory, named for now."""
    return f"kztj-export-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.md"


class ExportScreen(KztjModal[ExportChoice | None]):
    """Ask where and what to export; dismissed with the choice (Enter) or None (Esc)."""

    BINDINGS = EXPORT_BINDINGS

    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__()
        self.counts = counts  # events in each scope

    def compose(self) -> ComposeResult:
        counts = self.counts
        with Vertical(id="export-dialog"):
            yield Label(Content.styled("Export", "bold"))
            yield Label(f"File ({', '.join('.' + e for e in EXTENSIONS)}; the extension picks the format):")
            yield Input(default_name(), id="export-path")
            with RadioSet(id="export-scope"):
                yield RadioButton(f"This view ({counts['view']:,} events)", value=True, id="scope-view")
                yield RadioButton(
                    f"Marked events ({counts['marked']:,})", id="scope-marked", disabled=not counts["marked"]
                )
                yield RadioButton(f"Whole store ({counts['store']:,} events)", id="scope-store")
            yield Static(Content.styled("Enter exports · Tab moves · Esc cancels", "dim"), id="export-help")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted)
    def submit(self) -> None:
        """Check the name and close with the choice; a name whose format is unknown keeps the dialog open."""
        text = self.query_one("#export-path", Input).value.strip()
        fmt = format_for(text) if text else None
        if fmt is None:
            wanted = ", ".join("." + e for e in EXTENSIONS)
            self.query_one("#export-help", Static).update(Content.styled(f"Name the file {wanted}.", "bold"))
            return
        pressed = self.query_one(RadioSet).pressed_index
        scope = SCOPES[pressed] if 0 <= pressed < len(SCOPES) else "view"
        self.dismiss(ExportChoice(Path(text).expanduser(), fmt, scope))

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
