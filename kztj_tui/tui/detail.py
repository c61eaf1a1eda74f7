"""The detail pane: one event in full, as small widgets fed by one view object; links post intents upward."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from ..model import format_value
from .bindings import DETAIL_BINDINGS
from .links import Item, LinkBlock, Prepared
from .views import Chip, EventView, FigureLine, Spans

MATCH_STYLE = "bold reverse"


def highlighted(text: str, spans: Spans, style: str = "") -> Content:
    """User text as Content (never markup), with match spans emphasised."""
    content = Content(text)
    if style:
        content = content.stylize(style)
    for start, end in spans:
        content = content.stylize(MATCH_STYLE, start, end)
    return content


# -- intents: what following a link asks for ------------------------------------------------


class OpenEvent(Message):
    """Go to an event."""

    def __init__(self, event_id: str) -> None:
        super().__init__()
        self.event_id = event_id


class OpenSource(Message):
    """Open a source article at a quote."""

    def __init__(self, source_id: str, quote: str) -> None:
        super().__init__()
        self.source_id = source_id
        self.quote = quote


class FilterBy(Message):
    """Show only the events of an actor, place or tag."""

    def __init__(self, chip: Chip) -> None:
        super().__init__()
        self.chip = chip


class CompareFigure(Message):
    """Show the sources that disagree on a figure side by side."""

    def __init__(self, line: FigureLine) -> None:
        super().__init__()
        self.line = line


# -- the parts ------------------------------------------------------------------------------


class EventHeading(Static):
    """Title, date and status."""

    view: reactive[EventView | None] = reactive(None, repaint=False)  # watch_view redraws what changed

    def watch_view(self, view: EventView | None) -> None:
        if view is None:
            self.update(
                Content.assemble(
                    ("Nothing selected\n\n", "bold"),
                    "Select an event in the timeline, or clear the search with Esc.",
                )
            )
            return
        event = view.event
        self.update(
            Content.assemble(
                highlighted(event.title, view.title_spans, "bold $accent"),
                ("\n\nWhen   ", "dim"),
                event.long_label,
                ("   Status ", "dim"),
                (view.status or event.status, "italic"),
            )
        )


class EntityLinks(LinkBlock):
    """Where, who and tags: each one filters the timeline to it."""

    def items(self, view: EventView) -> list[Item]:
        chips = [*([view.place] if view.place else []), *view.actors, *view.tags]
        labels = {"place": "Where", "actor": "Who", "tag": "Tags"}
        return [Item(Content(chip.label), partial(FilterBy, chip), labels[chip.kind], inline=True) for chip in chips]


class EventSummary(Static):
    """The summary, with search matches emphasised."""

    view: reactive[EventView | None] = reactive(None, repaint=False)  # watch_view redraws what changed

    def watch_view(self, view: EventView | None) -> None:
        self.display = view is not None
        if view is not None:
            self.update(highlighted(view.event.summary, view.summary_spans))


class EventNote(Static):
    """The user's private note on the event, under its own heading: the user's text, never markup."""

    view: reactive[EventView | None] = reactive(None, repaint=False)  # watch_view redraws what changed

    def watch_view(self, view: EventView | None) -> None:
        note = view.note if view is not None else ""
        self.display = bool(note)
        if note:
            self.update(Content.assemble(("Note", "bold underline"), "\n", Content(note)))


class CheckNotes(Static):
    """What `kztj check` says about the event: warnings, reviewed disagreements, notes."""

    view: reactive[EventView | None] = reactive(None, repaint=False)  # watch_view redraws what changed

    LABELS = {"warning": ("⚠ check", "bold $warning"), "known": ("✓ reviewed", "bold"), "note": ("· note", "dim")}

    def watch_view(self, view: EventView | None) -> None:
        findings = view.findings if view is not None else ()
        self.display = bool(findings)
        lines = [Content.styled("Check", "bold underline")]
        for finding in findings:
            label, style = self.LABELS.get(finding.severity, (finding.severity, ""))
            lines.append(Content.assemble((label, style), " ", finding.message))
        self.update(Content("\n").join(lines))


def heading(text: str) -> Item:
    """A section heading inside a block."""
    return Item(Content.styled(text, "bold underline"))


class FigureLinks(LinkBlock):
    """The event's figures; Enter on one opens its source, or compares the sources that disagree."""

    def items(self, view: EventView) -> list[Item]:
        if not view.figures:
            return []
        items = [heading("Figures")]
        for line in view.figures:
            figure, source = line.version
            content = Content.assemble(
                "▪ ",
                (figure.metric.replace("_", " "), "bold"),
                f" ({figure.period_label}): ",
                (format_value(figure.value, figure.unit), "bold"),
                ("  — ", "dim"),
                (source.outlet, "dim"),
            )
            intent: Callable[[], Message] = partial(OpenSource, source.id, figure.quote)
            if line.others:
                others = ", ".join(
                    f"{format_value(o.figure.value, o.figure.unit)} ({o.source.outlet})" for o in line.others
                )
                content += Content.assemble(
                    ("\n  ⚠ CONFLICT: ", "bold $warning"),
                    f"another source gives {others}",
                    ("  (Enter compares)", "dim"),
                )
                intent = partial(CompareFigure, line)
            if figure.note:
                content += Content.assemble(("\n  note: ", "dim"), (figure.note, "dim italic"))
            items.append(Item(content, intent))
        return items


class RelatedLinks(LinkBlock):
    """Related events; Enter goes to one."""

    def items(self, view: EventView) -> list[Item]:
        if not view.related:
            return []
        return [
            heading("Related events"),
            *(
                Item(Content.assemble(("→ ", "bold"), (r.label, "dim"), "  ", r.title), partial(OpenEvent, r.event_id))
                for r in view.related
            ),
        ]


class SourceLinks(LinkBlock):
    """Every source with its quote; Enter opens the article at the quote."""

    def items(self, view: EventView) -> list[Item]:
        if not view.sources:
            return []
        return [
            heading("Sources"),
            *(
                Item(
                    Content.assemble(
                        ("¶ ", "bold"),
                        (s.source.outlet, "bold"),
                        (f", {s.source.published_label}", "dim"),
                        "\n  “",
                        (s.quote, "italic"),
                        "”",
                    ),
                    partial(OpenSource, s.source.id, s.quote),
                )
                for s in view.sources
            ),
        ]


class Target(NamedTuple):
    """A link in the pane: its block, its index there, and its lines in the pane's scrollable area."""

    block: LinkBlock
    link: int
    top: int
    bottom: int


# While the user types, the pane follows the selection once keys pause this long.
DETAIL_PAUSE = 0.25


class DetailPane(VerticalScroll, can_focus=True):
    """Everything about the selected event. The keys scroll it and move a cursor over its links.

    ↓ moves to the next link when its first line is on screen and scrolls a line otherwise, so
    every line is reachable and the cursor is always on a link the user can see.
    """

    BINDINGS = DETAIL_BINDINGS

    # No repaint of its own: its parts redraw themselves, each once (a repaint each cost ~0.6 ms an event).
    view: reactive[EventView | None] = reactive(None, init=False, always_update=True, repaint=False)
    link: reactive[int] = reactive(-1, init=False)
    """Index among the pane's links of the one under the cursor (-1: none on screen)."""

    class Loaded(Message, bubble=False):
        """A worker built the view of an event, and laid out the pane's links for it."""

        def __init__(self, view: EventView, number: int, prepared: list[tuple[LinkBlock, Prepared]]) -> None:
            super().__init__()
            self.view = view
            self.number = number
            self.prepared = prepared

    _coming: EventView | None = None
    _timer: Timer | None = None
    # Counts what the pane was asked to show: a view built for an older request is dropped.
    _asked = 0
    _link_placed = True

    @property
    def coming(self) -> EventView | None:
        """The view shown, or about to be once typing pauses."""
        return self._coming

    def show(self, view: EventView | None, soon: bool = False) -> None:
        """Show an event; while the user types (``soon``), once typing pauses.

        Laying the pane out again costs the UI thread a few milliseconds a time; the timeline
        keeps up with every keystroke, the detail with the pauses between words.
        """
        self._asked += 1
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._coming = view
        if soon:
            self._timer = self.set_timer(DETAIL_PAUSE, self._apply)
        else:
            self._apply()

    def _apply(self) -> None:
        self._timer = None
        self.view = self._coming

    def follow(self, rowid: int | None, read: Callable[[int], EventView]) -> None:
        """Show the selected event: the view coming if it is of that event, else the one ``read`` builds."""
        if rowid is None:
            self.show(None)
        elif self._coming is not None and self._coming.rowid == rowid:
            self._asked += 1  # a view on its way for another event is no longer wanted
        else:
            self.load(rowid, read)

    def load(self, rowid: int, read: Callable[[int], EventView]) -> None:
        """Show the view of an event that ``read`` builds, in a worker."""
        self._asked += 1
        # The worker lays the links out too, at the widths the blocks have now (a hidden block: at
        # the others' width). A block whose width differs when the view is shown lays out again.
        blocks = [(block, block.content_region.width) for block in self.query(LinkBlock)]
        known = max((width for _, width in blocks), default=0)
        self._read(read, rowid, self._asked, [(block, width or known) for block, width in blocks] if known else [])

    @work(exclusive=True, thread=True, group="detail")
    def _read(
        self, read: Callable[[int], EventView], rowid: int, number: int, widths: list[tuple[LinkBlock, int]]
    ) -> None:
        view = read(rowid)
        self.post_message(self.Loaded(view, number, [(block, block.prepare(view, width)) for block, width in widths]))

    def on_detail_pane_loaded(self, message: Loaded) -> None:
        if message.number == self._asked:
            for block, prepared in message.prepared:
                block.use_prepared(prepared)
            self.show(message.view)

    def compose(self) -> ComposeResult:
        yield EventHeading(id="detail-heading").data_bind(DetailPane.view)
        yield EntityLinks(id="detail-entities").data_bind(DetailPane.view)
        yield EventSummary(id="detail-summary").data_bind(DetailPane.view)
        yield EventNote(id="detail-note").data_bind(DetailPane.view)
        yield CheckNotes(id="detail-check").data_bind(DetailPane.view)
        yield FigureLinks(id="detail-figures").data_bind(DetailPane.view)
        yield RelatedLinks(id="detail-related").data_bind(DetailPane.view)
        yield SourceLinks(id="detail-sources").data_bind(DetailPane.view)

    def watch_view(self) -> None:
        self.set_reactive(DetailPane.link, -1)
        self.scroll_home(animate=False, immediate=True)
        # The cursor is drawn only while the pane has focus: without it, the link is placed when
        # focus comes or a key needs it, not for every event the timeline's cursor passes over.
        self._link_placed = False
        if self.has_focus:
            self.call_after_refresh(self._keep_link_visible)

    def _place_link(self) -> None:
        """Put the cursor on a link on screen if no view change has done it yet."""
        if not self._link_placed:
            self._keep_link_visible()

    # -- links ------------------------------------------------------------------------------

    def targets(self) -> list[Target]:
        """Every link in the pane, in reading order, with its lines."""
        out = []
        for block in self.query(LinkBlock):
            if not block.display:
                continue
            top = block.virtual_region.y
            for link, (first, last) in enumerate(block.all_link_lines()):
                out.append(Target(block, link, top + first, top + last))
        return out

    @property
    def current(self) -> Target | None:
        """The link under the cursor."""
        self._place_link()
        targets = self.targets()
        return targets[self.link] if 0 <= self.link < len(targets) else None

    def watch_link(self, old: int, new: int) -> None:
        targets = self.targets()
        for block in self.query(LinkBlock):
            block.cursor = None
        if 0 <= new < len(targets):
            target = targets[new]
            target.block.cursor = target.link
            self._scroll_into_view(target)

    def _scroll_into_view(self, target: Target) -> None:
        region = Region(0, target.top, 1, target.bottom - target.top + 1)
        self.scroll_to_region(region, animate=False, immediate=True, origin_visible=True, force=True)

    def _viewport(self) -> tuple[int, int]:
        top = round(self.scroll_y)
        return top, top + max(1, self.scrollable_content_region.height)

    def _keep_link_visible(self, prefer_last: bool = False) -> None:
        """After a scroll: keep the cursor's link if its first line shows, else take one that shows."""
        self._link_placed = True
        top, bottom = self._viewport()
        targets = self.targets()
        current = targets[self.link] if 0 <= self.link < len(targets) else None
        if current is not None and top <= current.top < bottom:
            return
        shown = [i for i, t in enumerate(targets) if top <= t.top < bottom]
        self.link = (shown[-1] if prefer_last else shown[0]) if shown else -1

    def _scroll_by(self, lines: int) -> bool:
        before = self.scroll_y
        self.scroll_to(y=max(0, self.scroll_y + lines), animate=False, immediate=True, force=True)
        return self.scroll_y != before

    def action_down(self) -> None:
        """Move to the next link if it shows, else scroll down a line."""
        self._place_link()
        top, bottom = self._viewport()
        targets = self.targets()
        following = [i for i, t in enumerate(targets) if i > self.link and t.top >= top]
        if following and targets[following[0]].top < bottom:
            self.link = following[0]
            self._scroll_into_view(targets[following[0]])
        elif self._scroll_by(1):
            self._keep_link_visible()

    def action_up(self) -> None:
        """Move to the previous link if it shows, else scroll up a line."""
        self._place_link()
        top, bottom = self._viewport()
        targets = self.targets()
        limit = self.link if self.link >= 0 else len(targets)
        preceding = [i for i, t in enumerate(targets) if i < limit and t.top < bottom]
        if preceding and targets[preceding[-1]].bottom >= top:
            self.link = preceding[-1]
            self._scroll_into_view(targets[preceding[-1]])
        elif self._scroll_by(-1):
            self._keep_link_visible(prefer_last=True)

    def action_page_down(self) -> None:
        """Scroll down a page."""
        self._scroll_by(max(1, self.scrollable_content_region.height - 1))
        self._keep_link_visible()

    def action_page_up(self) -> None:
        """Scroll up a page."""
        self._scroll_by(-max(1, self.scrollable_content_region.height - 1))
        self._keep_link_visible(prefer_last=True)

    def action_top(self) -> None:
        """Scroll to the top."""
        self.scroll_home(animate=False, immediate=True)
        self.link = -1
        self._keep_link_visible()

    def action_bottom(self) -> None:
        """Scroll to the end."""
        self.scroll_end(animate=False, immediate=True)
        self.link = -1
        self._keep_link_visible(prefer_last=True)

    def action_follow(self) -> None:
        """Follow the link under the cursor."""
        target = self.current
        if target is None:
            self.notify("No link on screen: ↓ scrolls to the next one.", timeout=2, markup=False)
            return
        self.post_message(target.block.intent(target.link))

    @on(LinkBlock.Clicked)
    def _clicked(self, message: LinkBlock.Clicked) -> None:
        for index, target in enumerate(self.targets()):
            if target.block is message.block and target.link == message.link:
                self.link = index
        self.post_message(message.block.intent(message.link))

    def on_focus(self) -> None:
        self._keep_link_visible()
        for block in self.query(LinkBlock):
            block.refresh()

    def on_blur(self) -> None:
        for block in self.query(LinkBlock):
            block.refresh()

    def on_resize(self) -> None:
        self.call_after_refresh(self._after_resize)

    def _after_resize(self) -> None:
        target = self.current
        if target is not None:
            self._scroll_into_view(target)
