"""Conflicting sources side by side: each version of a figure with its outlet, date and quote."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Footer, Static

from ..model import format_value
from .base import KztjScreen
from .bindings import CONFLICT_BINDINGS
from .views import FigureLine, FigureVersion


def version_card(version: FigureVersion) -> Content:
    """One source's version of a figure."""
    figure, source = version
    lines = [
        Content.styled(source.outlet, "bold"),
        Content.styled(f"published {source.published_label}", "dim"),
        Content(""),
        Content.styled(format_value(figure.value, figure.unit), "bold $warning"),
        Content.styled(f"{figure.metric.replace('_', ' ')}, {figure.period_label}", "dim"),
        Content(""),
        Content.assemble("“", (figure.quote, "italic"), "”"),
    ]
    if figure.note:
        lines += [Content(""), Content.assemble(("note: ", "dim"), (figure.note, "dim italic"))]
    return Content("\n").join(lines)


class ConflictScreen(KztjScreen[None]):
    """The versions of one figure next to each other; Enter opens the chosen one's article at its quote."""

    BINDINGS = CONFLICT_BINDINGS

    chosen: reactive[int] = reactive(0)

    def __init__(self, line: FigureLine) -> None:
        super().__init__()
        self.versions = [line.version, *line.others]

    def compose(self) -> ComposeResult:
        figure = self.versions[0].figure
        yield Static(
            Content.assemble(
                ("⚠ Sources disagree: ", "bold $warning"),
                (f"{figure.metric.replace('_', ' ')}, {figure.period_label}", "bold"),
                ("\n← → choose a version · Enter opens its article at the quote", "dim"),
            ),
            id="conflict-heading",
        )
        with VerticalScroll(id="conflict-body"), Horizontal(id="conflict-cards"):
            for index, version in enumerate(self.versions):
                yield Static(version_card(version), id=f"version-{index}", classes="version")
        yield Footer(compact=True)

    def watch_chosen(self, chosen: int) -> None:
        for index in range(len(self.versions)):
            self.query_one(f"#version-{index}").set_class(index == chosen, "-chosen")

    def action_choose(self, step: int) -> None:
        """Choose the version to the left or right."""
        self.chosen = (self.chosen + step) % len(self.versions)

    def action_read(self) -> None:
        """Open the chosen version's article at its quote."""
        figure, source = self.versions[self.chosen]
        self.app.open_source(source.id, figure.quote)

    def on_click(self, event: object) -> None:
        widget = getattr(event, "widget", None)
        if widget is not None and widget.has_class("version"):
            self.chosen = int(widget.id.split("-")[1])
            if getattr(event, "chain", 1) >= 2:
                self.action_read()
