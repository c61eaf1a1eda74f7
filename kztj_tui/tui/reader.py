"""The article reader (the quote highlighted, `/` search with n/N as in less) and the source picker."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ..articles import ArticleError
from ..folding import fold
from ..store import Store
from ..text import find_quote_span
from .bindings import PICKER_BINDINGS, READER_BINDINGS
from .history import History, ReaderPlace
from .views import EventView

if TYPE_CHECKING:
    from ..ingest.passage import Drafted
    from .app import KztjApp

QUOTE_STYLE = "bold reverse"
MATCH_STYLE = "underline $warning"
CURRENT_MATCH_STYLE = "bold reverse $warning"
MAP_FILL = "─"


class Paragraph(NamedTuple):
    """A paragraph of the article, where the quote falls in it, and where it starts in the article."""

    text: str
    quote: tuple[int, int] | None
    start: int = 0


def paragraphs(text: str, quote: str) -> list[Paragraph]:
    """The article's non-empty paragraphs, with the quote's span in each one it covers."""
    span = find_quote_span(quote, text)
    out = []
    offset = 0
    for block in text.split("\n"):
        start, end = offset, offset + len(block)
        offset = end + 1
        if not block.strip():
            continue
        covered = None
        if span and span[0] < end and span[1] > start:
            covered = (max(0, span[0] - start), min(len(block), span[1] - start))
        out.append(Paragraph(block, covered, start))
    return out


def find_all(paragraphs: list[Paragraph], term: str) -> list[tuple[int, int, int]]:
    """Every (paragraph, start, end) where ``term`` occurs, ignoring case and diacritics."""
    wanted = fold(term.strip())
    if not wanted:
        return []
    found = []
    for index, paragraph in enumerate(paragraphs):
        folded = fold(paragraph.text)
        start = folded.find(wanted)
        while start >= 0:
            found.append((index, start, start + len(wanted)))
            start = folded.find(wanted, start + 1)
    return found


def article_map(width: int, count: int, quote: int | None, top: int, bottom: int) -> Content:
    """One line standing for the whole article: ▼ where the quote is, the part on screen in bold."""
    width = max(10, width)
    if count == 0:
        return Content("")
    cells = []
    for x in range(width):
        first = x * count // width
        last = max(first, (x + 1) * count // width - 1)
        on_screen = first <= bottom and last >= top
        if quote is not None and first <= quote <= last:
            cells.append(("▼", "bold $warning"))
        else:
            cells.append(("━" if on_screen else MAP_FILL, "bold" if on_screen else "dim"))
    return Content.assemble(*cells)


class FindBox(Input):
    """The reader's find box. Its Enter and Esc are the screen's priority keys (see ReaderScreen)."""

    class Found(Message):
        """Enter: find what was typed (posted behind the keys typed before it)."""

    class Cancelled(Message):
        """Esc: close the box without searching."""


class ReaderScreen(Screen[None]):
    """A source article, scrolled to a quote that is highlighted."""

    BINDINGS = READER_BINDINGS

    def __init__(self, store: Store, history: History | None, place: ReaderPlace) -> None:
        super().__init__()
        self.store = store
        self.history = history
        self.place = place
        self.source = store.sources[place.source_id]
        self.quote = place.quote
        self.paragraphs: list[Paragraph] = []
        self.matches: list[tuple[int, int, int]] = []
        self.match = -1
        self.term = ""
        self.error: str | None = None
        self.text = ""
        self._finding = False
        self._held: list[int] = []
        try:
            # Checked and stripped of control characters like every article kztj shows.
            text = self.store.article(self.source.id)
        except ArticleError as error:
            self.error = f"Cannot show {self.source.file}: {error}"
        else:
            self.text = text
            self.paragraphs = paragraphs(text, self.quote)
        self.quote_paragraph = next((i for i, p in enumerate(self.paragraphs) if p.quote), None)

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
        yield Static(id="reader-map")
        with VerticalScroll(id="reader-body"):
            if self.error:
                yield Static(Content(self.error), classes="paragraph")
            for index in range(len(self.paragraphs)):
                yield Static(self._paragraph(index), id=f"paragraph-{index}", classes="paragraph")
        yield FindBox(placeholder="find in the article: Enter finds, Esc cancels", id="reader-find")
        yield Footer(compact=True)

    def _paragraph(self, index: int) -> Content:
        paragraph = self.paragraphs[index]
        content = Content(paragraph.text)
        if paragraph.quote:
            content = content.stylize(QUOTE_STYLE, *paragraph.quote)
        current = self.matches[self.match] if 0 <= self.match < len(self.matches) else None
        for match in self.matches:
            if match[0] == index:
                content = content.stylize(CURRENT_MATCH_STYLE if match == current else MATCH_STYLE, match[1], match[2])
        return content

    def on_mount(self) -> None:
        self.query_one("#reader-find").display = False
        body = self.query_one("#reader-body", VerticalScroll)
        self.watch(body, "scroll_y", self._update_map, init=False)
        self.call_after_refresh(self.action_jump_to_quote)
        self.call_after_refresh(self._update_map)
        if self.quote_paragraph is None and not self.error:
            self.notify("The quote could not be located in this article.", severity="warning", markup=False)

    def _visible_paragraphs(self) -> tuple[int, int]:
        body = self.query_one("#reader-body", VerticalScroll)
        top, bottom = body.scroll_y, body.scroll_y + body.scrollable_content_region.height
        shown = [
            i
            for i in range(len(self.paragraphs))
            if (region := self.query_one(f"#paragraph-{i}").virtual_region).bottom > top and region.y < bottom
        ]
        return (shown[0], shown[-1]) if shown else (0, 0)

    def _update_map(self) -> None:
        count = len(self.paragraphs)
        top, bottom = self._visible_paragraphs()
        where = "" if self.quote_paragraph is None else f"quote in ¶{self.quote_paragraph + 1} of {count}"
        found = f"  ·  “{self.term}” {self.match + 1}/{len(self.matches)}" if self.matches else ""
        if self.term and not self.matches:
            found = f"  ·  “{self.term}” not found"
        strip = self.query_one("#reader-map", Static)
        if not count:  # an article that could not be read: its error says so, and there is nothing to map
            strip.update(Content(""))
            return
        width = max(10, strip.content_region.width - 2)
        shown = "  ·  ".join(part for part in (f"showing ¶{top + 1}–{bottom + 1} of {count}", where) if part)
        strip.update(
            Content.assemble(
                article_map(width, count, self.quote_paragraph, top, bottom),
                "\n",
                (shown, "dim"),
                (found, "dim"),
            )
        )

    def _scroll_to_paragraph(self, index: int) -> None:
        target = self.query_one(f"#paragraph-{index}")
        self.query_one("#reader-body").scroll_to_widget(target, animate=False, top=True, immediate=True)
        self._update_map()

    def action_jump_to_quote(self) -> None:
        """Scroll so the highlighted quote is in view."""
        if self.quote_paragraph is not None:
            self._scroll_to_paragraph(self.quote_paragraph)

    def action_close(self) -> None:
        """Back to where the article was opened from."""
        if self.history is not None:
            self.history.back(self.place)
        self.app.pop_screen()

    def action_scroll_down(self) -> None:
        """Scroll the article down."""
        self.query_one("#reader-body", VerticalScroll).scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        """Scroll the article up."""
        self.query_one("#reader-body", VerticalScroll).scroll_up(animate=False)

    def action_page_down(self) -> None:
        """Scroll a page down."""
        self.query_one("#reader-body", VerticalScroll).scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        """Scroll a page up."""
        self.query_one("#reader-body", VerticalScroll).scroll_page_up(animate=False)

    def action_top(self) -> None:
        """Scroll to the top."""
        self.query_one("#reader-body", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        """Scroll to the end."""
        self.query_one("#reader-body", VerticalScroll).scroll_end(animate=False)

    # -- find -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_box = isinstance(self.focused, FindBox)
        if action in ("find", "cancel_find"):
            return in_box
        return not in_box  # in the box, these letters are typed

    def action_search(self) -> None:
        """Open the find box."""
        box = self.query_one(FindBox)
        box.display = True
        box.value = ""
        self.set_focus(box)  # now: the letters that follow are for the box

    def _leave_box(self, message: Message) -> None:
        box = self.query_one(FindBox)
        self._finding = True
        self.set_focus(self.query_one("#reader-body"))
        box.call_later(box.post_message, message)  # behind the letters the box has not taken in yet

    def action_find(self) -> None:
        """Enter in the find box: find what was typed."""
        self._leave_box(FindBox.Found())

    def action_cancel_find(self) -> None:
        """Esc in the find box: close it."""
        self._leave_box(FindBox.Cancelled())

    @on(FindBox.Found)
    def _found(self) -> None:
        box = self.query_one(FindBox)
        box.display = False
        self.find(box.value)
        self._done_finding()

    def _done_finding(self) -> None:
        self._finding = False
        held, self._held = self._held, []
        for step in held:
            self._step(step)

    def find(self, term: str) -> None:
        """Highlight every match of ``term`` and go to the first one after the top of the screen."""
        touched = {m[0] for m in self.matches}
        self.term = term.strip()
        self.matches = find_all(self.paragraphs, term)
        top, _ = self._visible_paragraphs()
        self.match = next((i for i, m in enumerate(self.matches) if m[0] >= top), 0) if self.matches else -1
        self._redraw(touched | {m[0] for m in self.matches})
        if self.matches:
            self._scroll_to_paragraph(self.matches[self.match][0])
        else:
            self._update_map()
            if self.term:
                self.notify(f"Pattern not found: {self.term}", timeout=2, markup=False)

    def _redraw(self, indexes: set[int]) -> None:
        for index in indexes:
            self.query_one(f"#paragraph-{index}", Static).update(self._paragraph(index))

    def _step(self, step: int) -> None:
        if not self.matches:
            self.notify("No search yet: press / and type." if not self.term else "No matches.", markup=False)
            return
        before = self.matches[self.match][0]
        target, wrapped = self._next_match(step)
        self.match = target
        if wrapped:
            self.notify(wrapped, timeout=2, markup=False)
        self._redraw({before, self.matches[self.match][0]})
        self._scroll_to_paragraph(self.matches[self.match][0])

    def _next_match(self, step: int) -> tuple[int, str | None]:
        """The match ``n`` (step 1) or ``N`` (step -1) goes to, and what to say if it wrapped, as less does.

        From the current match while it is on screen; after scrolling away from it (``G``, ``g``,
        paging), from the top of the screen: ``n`` takes the first match from there on, ``N`` the
        last one above it, and either wraps round the ends of the article.
        """
        count = len(self.matches)
        top, bottom = self._visible_paragraphs()
        if top <= self.matches[self.match][0] <= bottom:
            target = self.match + step
        elif step > 0:
            target = next((i for i, m in enumerate(self.matches) if m[0] >= top), count)
        else:
            target = next((i for i in range(count - 1, -1, -1) if self.matches[i][0] < top), -1)
        if target >= count:
            return 0, "Search hit BOTTOM, continuing at TOP"
        if target < 0:
            return count - 1, "Search hit TOP, continuing at BOTTOM"
        return target, None

    def action_next_match(self) -> None:
        """Go to the next match (wraps)."""
        self._step_when_found(1)

    def action_previous_match(self) -> None:
        """Go to the previous match (wraps)."""
        self._step_when_found(-1)

    def _step_when_found(self, step: int) -> None:
        # n typed right after Enter waits for the search Enter started, whatever the typing speed.
        if self._finding:
            self._held.append(step)
        else:
            self._step(step)

    @on(FindBox.Cancelled)
    def _find_cancelled(self) -> None:
        self.query_one(FindBox).display = False
        self._done_finding()

    # -- a passage made a draft event (issue 21) ----------------------------------------------

    class DraftReady(Message):
        """The passage was written to the draft file (or why not), and the editor command that opens it there."""

        def __init__(self, drafted: Drafted | None, argv: list[str] | None, problem: str = "") -> None:
            super().__init__()
            self.drafted = drafted
            self.argv = argv
            self.problem = problem

    def passage(self) -> int | None:
        """Where the passage is in the article: the current match, if there is one."""
        if not 0 <= self.match < len(self.matches):
            return None
        index, start, _ = self.matches[self.match]
        return self.paragraphs[index].start + start

    def action_draft(self) -> None:
        """Make the current match's sentence a draft event: dated by ingest's rules, appended, opened in $EDITOR."""
        position = self.passage()
        if position is None:
            self.notify("No passage chosen: find a word of it with /, then press d.", markup=False)
            return
        self.write_draft(position)

    @work(thread=True, exclusive=True, group="reader-draft")
    def write_draft(self, position: int) -> None:
        """Date the sentence, append it to the draft file and find the editor command, on a connection of its own."""
        from ..editor import EditorError, command, editor_argv
        from ..ingest.passage import PassageError, append, candidate, draft_path

        app = cast("KztjApp", self.app)
        try:
            with app.readers.borrow() as store:
                event = candidate(store, self.source, self.text, position)
                drafted = append(store, self.source, event, draft_path(store.path, self.source.id))
        except PassageError as error:
            self.post_message(self.DraftReady(None, None, str(error)))
            return
        try:
            argv = command(editor_argv(), drafted.path, drafted.line)
        except EditorError as error:
            self.post_message(self.DraftReady(drafted, None, str(error)))
            return
        self.post_message(self.DraftReady(drafted, argv))

    @on(DraftReady)
    def _draft_ready(self, message: DraftReady) -> None:
        drafted = message.drafted
        if drafted is None:
            self.notify(f"No draft: {message.problem}", title="Draft", severity="warning", timeout=8, markup=False)
            return
        where = f"{drafted.path}:{drafted.line}"
        said = f"{drafted.event_id}, dated {drafted.when} ({drafted.reason}), appended to {where}"
        if message.argv is None:
            self.notify(f"{said}. {message.problem}", title="Draft", severity="warning", timeout=12, markup=False)
            return
        problem = cast("KztjApp", self.app).run_editor(message.argv)
        if problem is not None:
            self.notify(f"{said}. {problem}", title="Draft", severity="warning", timeout=12, markup=False)
        else:
            self.notify(said, title="Draft", markup=False)


class SourceList(OptionList):
    """An OptionList that survives a terminal narrower than its padding.

    Textual's OptionList wraps each option to its width less the option's padding, and wrapping
    to no width at all raises; so the options are measured at least one cell wide.
    """

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        padding = self.get_component_styles("option-list--option").padding.width
        return super().get_content_height(container, viewport, max(width, padding + 1))


class SourcePicker(ModalScreen[int | None]):
    """Choose which of an event's sources to read."""

    BINDINGS = PICKER_BINDINGS

    def __init__(self, view: EventView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog"):
            yield Static(
                Content.assemble(
                    ("Sources for ", "bold"), (self.view.event.title, "bold italic"), ("  (Enter reads)", "dim")
                )
            )
            yield SourceList(
                *(
                    Option(
                        Content.assemble(
                            (s.source.outlet, "bold"),
                            (f", {s.source.published_label}", "dim"),
                            "\n  “",
                            (s.quote, "italic"),
                            "”",
                        ),
                        id=str(index),
                    )
                    for index, s in enumerate(self.view.sources)
                ),
                id="picker-list",
            )
        yield Footer(compact=True)

    @on(OptionList.OptionSelected)
    def _picked(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(message.option_index)

    def action_cancel(self) -> None:
        """Close without reading anything."""
        self.dismiss(None)
