"""The detail pane: one event in full, with its figures, related events and sources."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..model import Event, format_value
from ..store import Store

MATCH_STYLE = "bold reverse"


def highlighted(text: str, spans: list[tuple[int, int]], style: str = "") -> Content:
    """User text as Content (never markup), with match spans emphasised."""
    content = Content(text)
    if style:
        content = content.stylize(style)
    for start, end in spans:
        content = content.stylize(MATCH_STYLE, start, end)
    return content


class DetailPane(VerticalScroll, can_focus=False):
    """Everything about the selected event; related events and sources are selectable links."""

    class OpenRelated(Message):
        """Navigate to a related event."""

        def __init__(self, event_id: str) -> None:
            super().__init__()
            self.event_id = event_id

    class OpenSource(Message):
        """Open a source article at a quote."""

        def __init__(self, source_id: str, quote: str) -> None:
            super().__init__()
            self.source_id = source_id
            self.quote = quote

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.event: Event | None = None
        self._links: dict[str, tuple[str, ...]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-meta")
        yield Static(id="detail-summary")
        yield Static(id="detail-figures")
        yield Static("Related events and sources (Enter opens):", id="detail-links-label")
        yield OptionList(id="detail-links")

    def show(self, event: Event | None, spans: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])) -> None:
        """Display an event (or an empty state), highlighting search matches."""
        self.event = event
        title = self.query_one("#detail-title", Static)
        meta = self.query_one("#detail-meta", Static)
        summary = self.query_one("#detail-summary", Static)
        figures = self.query_one("#detail-figures", Static)
        links = self.query_one("#detail-links", OptionList)
        links.clear_options()
        self._links = {}
        if event is None:
            title.update(Content("Nothing selected"))
            meta.update(Content("Select an event in the timeline, or clear the search with Esc."))
            summary.update(Content(""))
            figures.update(Content(""))
            figures.display = False
            self.query_one("#detail-links-label").display = False
            links.display = False
            return
        store = self.store
        title.update(highlighted(event.title, spans[0], "bold"))
        status = {"occurred": "occurred", "planned": "planned (not yet happened)", "target": "target"}[event.status]
        lines = [
            Content.assemble(("When   ", "dim"), event.long_label, ("   Status ", "dim"), (status, "italic")),
        ]
        if event.place:
            lines.append(Content.assemble(("Where  ", "dim"), store.entity_name(event.place)))
        if event.actors:
            lines.append(Content.assemble(("Who    ", "dim"), ", ".join(store.entity_name(a) for a in event.actors)))
        lines.append(Content.assemble(("Tags   ", "dim"), " · ".join(event.tags)))
        meta.update(Content("\n").join(lines))
        summary.update(highlighted(event.summary, spans[1]))
        figure_lines = []
        for figure in store.figures_for(event.id):
            source = store.sources[figure.source]
            line = Content.assemble(
                "▪ ",
                (figure.metric.replace("_", " "), "bold"),
                f" ({figure.period_label}): ",
                (format_value(figure.value, figure.unit), "bold"),
                ("  — ", "dim"),
                (source.outlet, "dim"),
            )
            if figure.conflicts:
                others = ", ".join(
                    f"{format_value(o.value, o.unit)} ({store.sources[o.source].outlet})"
                    for o in store.figure_conflicts(figure)
                )
                line = line + Content.assemble(("\n  ⚠ CONFLICT: ", "bold $warning"), f"another source gives {others}")
            if figure.note:
                line = line + Content.assemble(("\n  note: ", "dim"), (figure.note, "dim italic"))
            figure_lines.append(line)
        figures.update(Content.assemble(("Figures\n", "bold underline")) + Content("\n").join(figure_lines))
        figures.display = bool(figure_lines)
        options = []
        for related_id in event.related:
            related = store.event(related_id)
            if related is None:
                continue
            key = f"related:{related_id}"
            self._links[key] = ("related", related_id)
            options.append(
                Option(Content.assemble(("→ ", "bold"), (related.label, "dim"), "  ", related.title), id=key)
            )
        for index, citation in enumerate(event.sources):
            source = store.sources[citation.source]
            key = f"source:{index}"
            self._links[key] = ("source", citation.source, citation.quote)
            options.append(
                Option(
                    Content.assemble(
                        ("¶ ", "bold"),
                        (source.outlet, "bold"),
                        (f", {source.published_label}", "dim"),
                        "\n  “",
                        (citation.quote, "italic"),
                        "”",
                    ),
                    id=key,
                )
            )
        links.add_options(options)
        self.query_one("#detail-links-label").display = bool(options)
        links.display = bool(options)
        self.scroll_home(animate=False)

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        message.stop()
        link = self._links.get(message.option.id or "")
        if link is None:
            return
        if link[0] == "related":
            self.post_message(self.OpenRelated(link[1]))
        else:
            self.post_message(self.OpenSource(link[1], link[2]))

    def action_first_source(self) -> None:
        """Open the first source of the event at its quote."""
        if self.event is not None and self.event.sources:
            citation = self.event.sources[0]
            self.post_message(self.OpenSource(citation.source, citation.quote))
