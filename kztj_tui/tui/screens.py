"""Secondary screens: the help screen and the filter form."""

from __future__ import annotations

import datetime as dt

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, Input, Label, SelectionList, Static

from .. import edtf
from ..model import Filters
from ..nearmiss import filter_problems
from ..store import Store
from .bars import KeysFooter
from .bindings import FILTER_BINDINGS, HELP_BINDINGS

# The one key whose meaning depends on where you are: help states it above every section.
Q_RULE = "q: Close the view you are in (article, help, figures, axis…); on the timeline, quit"


class HelpScreen(ModalScreen[None]):
    """Every key binding, grouped by where it applies."""

    BINDINGS = HELP_BINDINGS

    def __init__(self, sections: list[tuple[str, list[tuple[str, str, str]]]], settings_file: str = "") -> None:
        super().__init__()
        self.sections = sections
        self.settings_file = settings_file

    def compose(self) -> ComposeResult:
        from rich.cells import cell_len
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        heading = [
            Text.assemble(("kztj keys", "bold"), ("   (Esc or q closes)", "dim")),
            Text(Q_RULE),
            Text("Rebind a key by its id (dim, on the right) in the [keymap] table of the settings file", "dim"),
            Text(self.settings_file or "config.toml", "dim bold"),
            Text(""),
        ]
        # The same columns in every section, so keys, descriptions and ids line up down the screen.
        rows = [row for _, keys in self.sections for row in keys]
        widest_key = min(24, max((cell_len(key) for key, _, _ in rows), default=1))
        widest_id = max((cell_len(binding_id) for _, _, binding_id in rows), default=1)
        parts: list[Text | Table] = list(heading)
        for title, keys in self.sections:
            parts.append(Text(title, "bold underline"))
            table = Table.grid(padding=(0, 0, 0, 2), pad_edge=True, expand=True)
            table.add_column(style="bold", width=widest_key + 2, overflow="fold")  # the width counts the padding
            table.add_column(ratio=1, overflow="fold")
            table.add_column(style="dim", min_width=widest_id + 2, no_wrap=True)
            for key, description, binding_id in keys:
                table.add_row(Text(key), Text(description), Text(binding_id))
            parts += [table, Text("")]
        with VerticalScroll(id="help-body"):
            yield Static(Group(*parts), id="help-text")
        yield KeysFooter(compact=True)  # help's own keys, over the screen's below


class TagChecklist(SelectionList[str]):
    """A SelectionList whose boxes read ticked or not without colour: ✓ or blank."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        index = int(self.scroll_offset.y) + y
        if not 0 <= index < self.option_count:
            return line
        segments = list(line)
        if len(segments) < 3:
            return line
        ticked = self.get_option_at_index(index).value in self.selected
        _, style, control = segments[1]
        segments[1] = Segment("✓" if ticked else " ", style, control)
        return Strip(segments, line.cell_length)


class FilterScreen(ModalScreen[Filters | None]):
    """Choose tags, an actor and a year range; the result replaces the current filters."""

    BINDINGS = FILTER_BINDINGS

    def __init__(self, store: Store, current: Filters) -> None:
        super().__init__()
        self.store = store
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="filter-dialog"):
            yield Label(Content.styled("Filter the timeline", "bold"))
            yield Label("Tags (Space toggles):")
            yield TagChecklist(
                *((Content(f"{tag} ({count})"), tag, tag in current.tags) for tag, count in self.store.tags()),
                id="filter-tags",
            )
            yield Label("Actor (id, name or any alias):")
            yield Input(", ".join(current.actors), placeholder="e.g. Rahmon, Тоқаев", id="filter-actor")
            with Horizontal(id="filter-years"):
                yield Input(
                    str(current.date_from.year) if current.date_from else "", placeholder="from year", id="filter-from"
                )
                yield Input(str(current.date_to.year) if current.date_to else "", placeholder="to year", id="filter-to")
            yield Static(id="filter-error")
            with Horizontal(id="filter-buttons"):
                yield Button("Apply", variant="primary", id="filter-apply")
                yield Button("Clear all", id="filter-clear")
                yield Button("Cancel", id="filter-cancel")

    @on(Button.Pressed, "#filter-apply")
    @on(Input.Submitted)
    def apply(self) -> None:
        """Build filters from the form and close; a filter that can only match nothing keeps the form open
        and says why, as ``kztj search`` would (unknown tag or actor with the nearest names, dates backwards)."""
        bounds: list[dt.date | None] = []
        for selector, which in (("#filter-from", "from"), ("#filter-to", "to")):
            try:
                bounds.append(self._bound(selector, which))
            except ValueError as error:
                self._refuse([str(error)], selector)
                return
        date_from, date_to = bounds
        actor = self.query_one("#filter-actor", Input).value
        filters = Filters(
            date_from=date_from,
            date_to=date_to,
            tags=tuple(self.query_one("#filter-tags", SelectionList).selected),
            actors=tuple(a.strip() for a in actor.split(",") if a.strip()),
            query=self.current.query,
        )
        problems = filter_problems(self.store, filters.tags, filters.actors, date_from, date_to)
        if problems:
            first = problems[0]
            field = "#filter-actor" if first.startswith("unknown actor") else "#filter-tags"
            self._refuse(problems, "#filter-from" if first.startswith("empty date range") else field)
            return
        self.dismiss(filters)

    def _refuse(self, problems: list[str], field: str) -> None:
        """Keep the form open, saying what is wrong, with the focus on the first field to fix."""
        self.query_one("#filter-error", Static).update(Content("\n".join(problems)))
        self.query_one(field).focus()

    def _bound(self, selector: str, which: str) -> dt.date | None:
        text = self.query_one(selector, Input).value.strip()
        if not text:
            return None
        try:
            return edtf.bound(text, which)
        except edtf.EdtfError:
            raise ValueError(f"{which} year: '{text}' is not a year or date") from None

    @on(Button.Pressed, "#filter-clear")
    def clear(self) -> None:
        """Remove every filter."""
        self.dismiss(Filters(query=self.current.query))

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
