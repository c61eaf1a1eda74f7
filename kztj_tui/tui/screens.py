"""Secondary screens: the article reader, the help screen and the filter form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, SelectionList, Static

from .. import edtf
from ..articles import ArticleError
from ..model import Filters
from ..store import Store
from ..text import find_quote_span

QUOTE_STYLE = "bold reverse"


class ReaderScreen(Screen[None]):
    """A source article, scrolled to a quote that is highlighted."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("j,down", "scroll_down", "Scroll down", show=False),
        Binding("k,up", "scroll_up", "Scroll up", show=False),
        Binding("n", "jump_to_quote", "Back to quote"),
    ]

    def __init__(self, store: Store, source_id: str, quote: str) -> None:
        super().__init__()
        self.store = store
        self.source = store.sources[source_id]
        self.quote = quote
        self.quote_paragraph: int | None = None

    def compose(self) -> ComposeResult:
        source = self.source
        yield Static(
            Content.assemble(
                ("Untitled article · ", "bold"),
                (source.description, "italic"),
                "\n",
                (f"{source.outlet} · {source.published_label} · {source.file}", "dim"),
            ),
            id="reader-heading",
        )
        with VerticalScroll(id="reader-body"):
            for index, paragraph in enumerate(self._paragraphs()):
                yield Static(paragraph, id=f"paragraph-{index}", classes="paragraph")
        yield Footer(compact=True)

    def _paragraphs(self) -> Iterable[Content]:
        try:
            text = self.store.article(self.source.id)
        except ArticleError as error:
            yield Content(f"Cannot show {self.source.file}: {error}")
            return
        span = find_quote_span(self.quote, text)
        offset = 0
        index = 0
        for block in text.split("\n"):
            start, end = offset, offset + len(block)
            offset = end + 1
            if not block.strip():
                continue
            content = Content(block)
            if span and span[0] < end and span[1] > start:
                content = content.stylize(QUOTE_STYLE, max(0, span[0] - start), min(len(block), span[1] - start))
                if self.quote_paragraph is None:
                    self.quote_paragraph = index
            index += 1
            yield content

    def on_mount(self) -> None:
        self.call_after_refresh(self.action_jump_to_quote)
        if self.quote_paragraph is None:
            self.notify("The quote could not be located in this article.", severity="warning")

    def action_jump_to_quote(self) -> None:
        """Scroll so the highlighted quote is in view."""
        if self.quote_paragraph is not None:
            target = self.query_one(f"#paragraph-{self.quote_paragraph}")
            self.query_one("#reader-body").scroll_to_widget(target, animate=False, top=True)

    def action_scroll_down(self) -> None:
        """Scroll the article down."""
        self.query_one("#reader-body", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        """Scroll the article up."""
        self.query_one("#reader-body", VerticalScroll).scroll_up(animate=False)


class HelpScreen(ModalScreen[None]):
    """Every key binding, grouped by where it applies."""

    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close help")]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        lines: list[Content] = [Content.assemble(("kztj keys", "bold"), ("   (Esc closes)", "dim")), Content("")]
        for title, bindings in self.sections:
            lines.append(Content.styled(title, "bold underline"))
            for binding in bindings:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                keys = binding.key_display or " / ".join(_key_name(k) for k in binding.key.split(","))
                lines.append(Content.assemble(("  " + keys.ljust(12), "bold"), binding.tooltip or binding.description))
            lines.append(Content(""))
        with VerticalScroll(id="help-body"):
            yield Static(Content("\n").join(lines), id="help-text")


def _key_name(key: str) -> str:
    names = {
        "question_mark": "?",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "slash": "/",
        "escape": "Esc",
        "enter": "Enter",
        "pageup": "PgUp",
        "pagedown": "PgDn",
        "home": "Home",
        "end": "End",
        "up": "↑",
        "down": "↓",
        "tab": "Tab",
        "ctrl+p": "Ctrl+P",
    }
    return names.get(key, key)


class FilterScreen(ModalScreen[Filters | None]):
    """Choose tags, an actor and a year range; the result replaces the current filters."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, store: Store, current: Filters) -> None:
        super().__init__()
        self.store = store
        self.current = current

    def compose(self) -> ComposeResult:
        current = self.current
        with Vertical(id="filter-dialog"):
            yield Label(Content.styled("Filter the timeline", "bold"))
            yield Label("Tags (Space toggles):")
            yield SelectionList[str](
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
        """Build filters from the form and close."""
        try:
            date_from = self._bound("#filter-from", "from")
            date_to = self._bound("#filter-to", "to")
        except ValueError as error:
            self.query_one("#filter-error", Static).update(Content(str(error)))
            return
        actor = self.query_one("#filter-actor", Input).value
        self.dismiss(
            Filters(
                date_from=date_from,
                date_to=date_to,
                tags=tuple(self.query_one("#filter-tags", SelectionList).selected),
                actors=tuple(a.strip() for a in actor.split(",") if a.strip()),
                query=self.current.query,
            )
        )

    def _bound(self, selector: str, which: str) -> dt.date | None:
        text = self.query_one(selector, Input).value.strip()
        if not text:
            return None
        try:
            when = edtf.parse(text)
        except edtf.EdtfError:
            raise ValueError(f"'{text}' is not a year or date") from None
        return when.start if which == "from" else when.end

    @on(Button.Pressed, "#filter-clear")
    def clear(self) -> None:
        """Remove every filter."""
        self.dismiss(Filters(query=self.current.query))

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
