"""The timeline: a virtualised list of events under year headers, drawn line by line."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..query import Query
from ..store import Row
from .bindings import TIMELINE_BINDINGS
from .rowcache import RowCache

# A glyph per kind, so the marker still reads without colour (NO_COLOR, monochrome terminals).
MARKERS = {
    "diplomacy": "◆",
    "trade": "$",
    "energy-water": "≈",
    "culture": "♪",
    "security": "▲",
    "agriculture": "♣",
    "transport": "»",
    "business": "¤",
    "industry": "■",
}
DEFAULT_MARKER = "•"
# In the first column of a marked event's row: a plain character, so it reads without colour.
MARK_GLYPH = "*"
# Between the date and the kind of a row the search finds (find mode): read without colour too.
FOUND_GLYPH = "▸"
DATE_WIDTH = 15

Spans = list[tuple[int, int]]
# (query, rowids) -> match spans in the title of each rowid that matches; called in a worker thread.
Highlighter = Callable[[Query, Sequence[int]], dict[int, Spans]]


_NULL = Style()


class _Styles(dict[str, Style]):
    """A widget's component styles (its own for ""), each worked out when first asked for."""

    def __init__(self, widget: Timeline) -> None:
        super().__init__()
        self.widget = widget

    def __missing__(self, name: str) -> Style:
        style = self[name] = self.widget.rich_style if not name else self.widget.get_component_rich_style(name)
        return style


def _single_cells(text: str) -> bool:
    """Whether every character of text takes one cell and Rich draws it as it is (no control codes)."""
    return text.isprintable() and (text.isascii() or cell_len(text) == len(text))


class Timeline(ScrollView, can_focus=True):
    """Events in chronological order under year headers; only visible lines are rendered."""

    BINDINGS = TIMELINE_BINDINGS

    COMPONENT_CLASSES = {
        "timeline--year",
        "timeline--date",
        "timeline--cursor",
        "timeline--planned",
        "timeline--target",
        "timeline--badge",
        "timeline--flag",
        "timeline--mark",
        "timeline--found",
        "timeline--match",
        "timeline--empty",
        *(f"timeline--kind-{kind}" for kind in MARKERS),
    }

    DEFAULT_CSS = """
    Timeline { background: $surface; overflow-x: hidden; }
    Timeline > .timeline--year { color: $accent; text-style: bold; }
    Timeline > .timeline--date { color: $text-muted; }
    Timeline > .timeline--cursor { background: $block-cursor-blurred-background; }
    Timeline:focus > .timeline--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    Timeline > .timeline--planned { text-style: italic; color: $text-muted; }
    Timeline > .timeline--target { text-style: italic; color: $warning; }
    Timeline > .timeline--badge { color: $text-muted; text-style: reverse; }
    Timeline > .timeline--flag { color: $warning; text-style: bold reverse; }
    Timeline > .timeline--match { background: $warning 60%; color: $text; text-style: bold underline; }
    Timeline > .timeline--empty { color: $text-muted; text-style: italic; }
    Timeline > .timeline--kind-diplomacy { color: $primary; }
    Timeline > .timeline--kind-trade { color: $success; }
    Timeline > .timeline--kind-energy-water { color: $accent; }
    Timeline > .timeline--kind-culture { color: $secondary; }
    Timeline > .timeline--kind-security { color: $error; }
    Timeline > .timeline--kind-agriculture { color: $success; }
    Timeline > .timeline--kind-transport { color: $warning; }
    Timeline > .timeline--kind-business { color: $success; }
    Timeline > .timeline--kind-industry { color: $warning; }
    """

    class EventSelected(Message):
        """The cursor moved to an event."""

        def __init__(self, rowid: int | None) -> None:
            super().__init__()
            self.rowid = rowid

    class EventOpened(Message):
        """The user asked to read the selected event (Enter or double click)."""

        def __init__(self, rowid: int) -> None:
            super().__init__()
            self.rowid = rowid

    cursor: reactive[int] = reactive(-1, repaint=False, init=False)
    """Index in ``rowids`` of the selected event (-1: none). Changing it redraws the two lines involved."""

    flagged: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """Ids of events that `kztj check` warns about: they carry a ``!`` after the title."""

    marked: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """Ids of the events the user marked: a ``*`` in the first column of their rows."""

    def __init__(
        self,
        rows: RowCache | None = None,
        highlighter: Highlighter | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._rows = rows if rows is not None else RowCache(lambda rowids: [])
        self._highlighter = highlighter
        # The view: sorted rowids (a range for the whole store) grouped into runs of one year each.
        self._rowids: Sequence[int] = ()
        self._run_starts: list[int] = []  # index into _rowids where each year starts
        self._run_years: list[int] = []
        self._header_lines: list[int] = []  # line of each year header
        self._query: Query | None = None  # what the view marks (parsed once, by the search)
        # Find mode: the rows the search found, in order (None: the search filters the view).
        self._found: Sequence[int] | None = None
        self._found_set: frozenset[int] = frozenset()
        self._highlights: dict[int, Spans] = {}
        # Title matches of rows scrolled into view are read by a worker (drawn plain until they come):
        # the rows asked for, and a count of views, so a late answer for an older view is dropped.
        self._asked: set[int] = set()
        self._view_number = 0
        # While a new view is on its way, keys that move the cursor wait for it, so where the
        # cursor lands does not depend on whether the keys came before or after the result.
        self._waiting = False
        self._deferred: list[Callable[[], None]] = []
        self.empty_message = "No events."
        # Drawn rows, as Textual's Log keeps them: a new view that shows the same events (typing
        # one more letter) redraws from here. Keyed by all that changes a row's look.
        self._strips: LRUCache[tuple[int, bool, bool, int, str], Strip] = LRUCache(1024)
        self._style_cache: dict[bool, _Styles] = {}

    def watch_flagged(self) -> None:
        self._strips.clear()  # the marker is part of the drawn rows
        self.refresh()

    def watch_marked(self) -> None:
        self.watch_flagged()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._style_cache.clear()

    def _style(self, name: str) -> Style:
        """A component's style (or the widget's own, for ""), worked out once per look and focus."""
        return self._styles()[name]

    def _styles(self) -> _Styles:
        """The styles for the widget's focus now, by component name."""
        focus = self.has_focus
        styles = self._style_cache.get(focus)
        if styles is None:
            styles = self._style_cache[focus] = _Styles(self)
        return styles

    # -- data -------------------------------------------------------------------------------

    def use_rows(self, rows: RowCache) -> None:
        """Draw from another row cache (a reloaded store): rows drawn before are forgotten."""
        self._rows = rows
        self._strips.clear()
        self._view_number += 1
        self._highlights.clear()
        self._asked.clear()

    def expect_view(self) -> None:
        """A new view is coming: hold cursor keys until it is set."""
        self._waiting = True

    def when_ready(self, action: Callable[[], None]) -> None:
        """Run ``action`` now, or once the view that is on its way has been set."""
        if self._waiting:
            self._deferred.append(action)
        else:
            action()

    def release(self) -> None:
        """No view is coming after all (the search failed): run the held keys on the current view."""
        self._waiting = False
        deferred, self._deferred = self._deferred, []
        for action in deferred:
            action()

    def set_view(
        self,
        rowids: Sequence[int],
        runs: Sequence[tuple[int, int]],
        *,
        query: Query | None = None,
        highlights: dict[int, list[tuple[int, int]]] | None = None,
        select: int | None = None,
        found: Sequence[int] | None = None,
    ) -> None:
        """Show these rowids, grouped by ``runs`` of (year, count), with the cursor on rowid ``select``.

        Without ``select``, the cursor stays on the selected event if it is still shown, else goes
        to the first. ``highlights`` are match spans in titles already known for some rows.
        ``found`` (find mode) marks the rows the search found, which n and N step through.
        """
        previous = select if select is not None else self.selected_rowid
        self._rowids = rowids
        self._query = query
        if found != self._found:
            self._found, self._found_set = found, frozenset(found or ())
            self._strips.clear()
        self._highlights = dict(highlights or {})
        self._asked = set()
        self._view_number += 1
        starts, years, headers = [], [], []
        position = 0
        for run, (year, count) in enumerate(runs):
            starts.append(position)
            years.append(year)
            headers.append(position + run)
            position += count
        self._run_starts, self._run_years, self._header_lines = starts, years, headers
        self.virtual_size = Size(0, self.line_count)
        target = 0
        if previous is not None:
            at = self._index_of(previous)
            target = at if at is not None else 0
        self.set_reactive(Timeline.cursor, -1)
        self._move_to_row(target if rowids else None, force_message=True)
        self.refresh()
        self.release()

    @property
    def line_count(self) -> int:
        """Lines in the view: one per event plus one per year header."""
        return len(self._rowids) + len(self._run_starts)

    def _line_of(self, index: int) -> int:
        """The line showing row index."""
        return index + bisect_right(self._run_starts, index)

    def _index_at(self, line: int) -> int | None:
        """The row index shown on a line, or None for a year header."""
        headers_before = bisect_right(self._header_lines, line)
        if headers_before and self._header_lines[headers_before - 1] == line:
            return None
        return line - headers_before

    def _index_of(self, rowid: int) -> int | None:
        position = bisect_left(self._rowids, rowid)
        if position < len(self._rowids) and self._rowids[position] == rowid:
            return position
        return None

    @property
    def rowids(self) -> Sequence[int]:
        """Rowids of the events shown, in timeline order."""
        return self._rowids

    @property
    def selected_index(self) -> int | None:
        """Position of the selected event in ``rowids``."""
        return self.cursor if 0 <= self.cursor < len(self._rowids) else None

    @property
    def selected_rowid(self) -> int | None:
        """Rowid of the selected event."""
        index = self.selected_index
        return self._rowids[index] if index is not None else None

    def select_rowid(self, rowid: int) -> bool:
        """Move the cursor to an event if it is shown."""
        index = self._index_of(rowid)
        if index is None:
            return False
        self._move_to_row(index)
        return True

    @property
    def found_count(self) -> int | None:
        """How many rows the search found, in find mode; None when the search filters the view."""
        return None if self._found is None else len(self._found)

    def step(self, step: int) -> str | None:
        """Select the next (or previous) event, wrapping round the ends as less does; say when it wrapped.

        In find mode, the next (or previous) row the search found.
        """
        if self._found is not None:
            return self._step_found(step)
        if not self._rowids:
            return None
        target = (self.selected_index or 0) + step
        wrapped = None
        if target >= len(self._rowids):
            target, wrapped = 0, "Search hit BOTTOM, continuing at TOP"
        elif target < 0:
            target, wrapped = len(self._rowids) - 1, "Search hit TOP, continuing at BOTTOM"
        self._move_to_row(target)
        return wrapped

    def _step_found(self, step: int) -> str | None:
        found = self._found or ()
        if not found:
            return None
        current = self.selected_rowid
        wrapped = None
        if current is None:
            position = 0 if step > 0 else len(found) - 1
        elif step > 0:
            position = bisect_right(found, current)
            if position >= len(found):
                position, wrapped = 0, "Search hit BOTTOM, continuing at TOP"
        else:
            position = bisect_left(found, current) - 1
            if position < 0:
                position, wrapped = len(found) - 1, "Search hit TOP, continuing at BOTTOM"
        index = self._index_of(found[position])
        if index is not None:
            self._move_to_row(index)
        return wrapped

    # -- movement ---------------------------------------------------------------------------

    def _move_to_row(self, index: int | None, force_message: bool = False) -> None:
        if index is None or not self._rowids:
            changed = self.cursor != -1
            self.cursor = -1
            if changed or force_message:
                self.post_message(self.EventSelected(None))
            return
        index = max(0, min(index, len(self._rowids) - 1))
        if index == self.cursor and not force_message:
            return
        self.cursor = index
        self.post_message(self.EventSelected(self._rowids[index]))

    def watch_cursor(self, old: int, new: int) -> None:
        # As DataTable and Log do: refresh the content lines that changed; ScrollView's
        # refresh_lines takes lines of the whole view and subtracts the scroll offset itself.
        if 0 <= new < len(self._rowids):
            self._scroll_line_visible(self._line_of(new))
        for index in (old, new):
            if 0 <= index < len(self._rowids):
                self.refresh_lines(self._line_of(index))

    def _scroll_line_visible(self, line: int) -> None:
        top = int(self.scroll_offset.y)
        height = max(1, self.scrollable_content_region.height)
        if line - 1 < top:
            # Show the year header above the first event of a year.
            self.scroll_to(y=max(0, line - 1 if self._index_at(line - 1) is None else line), animate=False)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False)

    def _move(self, target: Callable[[], int]) -> None:
        self.when_ready(lambda: self._move_to_row(target()))

    def action_cursor_up(self) -> None:
        """Select the previous event."""
        self._move(lambda: self.cursor - 1 if self.cursor > 0 else 0)

    def action_cursor_down(self) -> None:
        """Select the next event."""
        self._move(lambda: self.cursor + 1)

    def action_page_up(self) -> None:
        """Move up a screenful."""
        self._move(lambda: self.cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        """Move down a screenful."""
        self._move(lambda: self.cursor + max(1, self.size.height - 1))

    def action_first(self) -> None:
        """Select the first event."""
        self._move(lambda: 0)

    def action_last(self) -> None:
        """Select the last event."""
        self._move(lambda: len(self._rowids) - 1)

    def action_next_year(self) -> None:
        """Jump to the first event of the next year."""
        self.when_ready(self._next_year)

    def _next_year(self) -> None:
        if not self._rowids:
            return
        run = bisect_right(self._run_starts, max(self.cursor, 0))
        if run < len(self._run_starts):
            self._move_to_row(self._run_starts[run])

    def action_previous_year(self) -> None:
        """Jump to the first event of this year, or of the previous year if already there."""
        self.when_ready(self._previous_year)

    def _previous_year(self) -> None:
        if not self._rowids:
            return
        cursor = max(self.cursor, 0)
        run = bisect_right(self._run_starts, cursor) - 1
        if self._run_starts[run] == cursor:
            run -= 1
        if run >= 0:
            self._move_to_row(self._run_starts[run])

    def jump_to_year(self, year: int) -> bool:
        """Select the first event of a year (or the next year that has events)."""
        run = bisect_left(self._run_years, year)
        if run < len(self._run_years):
            self._move_to_row(self._run_starts[run])
            return True
        return False

    def action_open(self) -> None:
        """Open the selected event."""
        self.when_ready(self._open)

    def _open(self) -> None:
        rowid = self.selected_rowid
        if rowid is not None:
            self.post_message(self.EventOpened(rowid))

    def on_click(self, event: events.Click) -> None:
        line = event.y + int(self.scroll_offset.y)
        if not 0 <= line < self.line_count:
            return
        index = self._index_at(line)
        if index is None:
            index = self._index_at(line + 1) if line + 1 < self.line_count else None
        if index is not None:
            self._move_to_row(index)
            if event.chain >= 2:
                self._open()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, self.line_count)
        if self.selected_index is not None:
            self._scroll_line_visible(self._line_of(self.cursor))

    # -- rendering --------------------------------------------------------------------------

    def _window(self, screens: int = 0) -> list[int]:
        """Rowids on screen, plus ``screens`` screenfuls above and below."""
        height = self.size.height + 1
        top = max(0, int(self.scroll_offset.y) - screens * height)
        bottom = min(self.line_count, int(self.scroll_offset.y) + height * (screens + 1))
        indexes = (self._index_at(line) for line in range(top, bottom))
        return [self._rowids[i] for i in indexes if i is not None]

    def _row(self, rowid: int) -> Row | None:
        """A row's display data from the cache; a miss fetches the screens around it in one query."""
        if rowid in self._rows:
            return self._rows.get(rowid)
        return self._rows.get(rowid, self._window(screens=1))

    class HighlightsRead(Message, bubble=False):
        """A worker read the title matches of some rows of a view."""

        def __init__(self, view_number: int, rowids: list[int], found: dict[int, Spans]) -> None:
            super().__init__()
            self.view_number = view_number
            self.rowids = rowids
            self.found = found

    def _fetch_highlights(self) -> None:
        """Ask a worker for the match spans of the rows in and around the window, when first needed."""
        if not self._query or self._highlighter is None:
            return
        wanted = [r for r in self._window(screens=1) if r not in self._highlights and r not in self._asked]
        if wanted:
            self._asked.update(wanted)
            self._read_highlights(self._highlighter, self._view_number, self._query, wanted)

    @work(thread=True, group="highlights")
    def _read_highlights(self, highlighter: Highlighter, view_number: int, query: Query, rowids: list[int]) -> None:
        self.post_message(self.HighlightsRead(view_number, rowids, highlighter(query, rowids)))

    def on_timeline_highlights_read(self, message: HighlightsRead) -> None:
        if message.view_number != self._view_number:
            return
        for rowid in message.rowids:
            self._highlights[rowid] = message.found.get(rowid, [])
        self._asked.difference_update(message.rowids)
        indexes = [index for index in map(self._index_of, message.rowids) if index is not None]
        if indexes:
            first, last = self._line_of(min(indexes)), self._line_of(max(indexes))
            self.refresh_lines(first, last - first + 1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style("")
        line = int(self.scroll_offset.y) + y
        if not self._rowids:
            # From the second line, wrapped to the width: the whole message, never cut off.
            message = Text(self.empty_message, style=self._style("timeline--empty"), end="")
            lines = message.wrap(self.app.console, max(1, width - 2))
            if 1 <= y <= len(lines):
                text = Text("  ", end="") + lines[y - 1]
                segments = [Segment(t, s or base) for t, s, _ in text.render(self.app.console)]
                return Strip(segments).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if line >= self.line_count:
            return Strip.blank(width, base)
        index = self._index_at(line)
        if index is None:
            year = self._run_years[bisect_right(self._header_lines, line) - 1]
            label = f"── {year} "
            return Strip(
                [Segment((label + "─" * max(0, width - len(label)))[:width], base + self._style("timeline--year"))]
            )
        rowid = self._rowids[index]
        marked = self._query.text if self._query else ""
        key = (rowid, index == self.cursor, self.has_focus, width, marked)  # found: cleared on change
        cached = self._strips.get(key)
        if cached is not None:
            return cached
        row = self._row(rowid)
        if row is None:
            return Strip.blank(width, base)
        if self._query and row.rowid not in self._highlights and row.rowid not in self._asked:
            self._fetch_highlights()  # for the rows around it too: the next rows were asked for with it
        # Wide or zero-width characters, or a width too narrow for the badges: drawn through Rich.
        strip = self._row_strip(row, index == self.cursor, width) or self._rich_strip(row, index == self.cursor, width)
        if not self._query or rowid in self._highlights:  # drawn without its matches: drawn again when they come
            self._strips[key] = strip
        return strip

    def _rich_strip(self, row: Row, is_cursor: bool, width: int) -> Strip:
        """A row drawn through Rich's Text: any text, any width."""
        base = self._style("")
        text = self._row_text(row, is_cursor, width)
        # Every segment needs a style: Textual's NO_COLOR (monochrome) filter rejects None.
        segments = [Segment(t, base + s if s else base) for t, s, _ in text.render(self.app.console)]
        return Strip(segments).crop_extend(0, width, base).simplify()

    def _row_strip(self, row: Row, is_cursor: bool, width: int) -> Strip | None:
        """A row drawn straight to segments, as ``_row_text`` draws it through Rich, in a quarter of the time.

        Only for text of one cell per character that fits the width; None otherwise (``_row_text`` draws it).
        """
        date = row.label if len(row.label) <= DATE_WIDTH else row.label[: DATE_WIDTH - 1] + "…"
        if not (_single_cells(date) and _single_cells(row.title)):
            return None
        null = _NULL
        styles = self._styles()
        pieces: list[tuple[str, Style]] = [
            (MARK_GLYPH, styles["timeline--mark"]) if row.id in self.marked else (" ", null),
            (date.ljust(DATE_WIDTH), styles["timeline--date"]),
            (FOUND_GLYPH, styles["timeline--found"]) if row.rowid in self._found_set else (" ", null),
            (MARKERS.get(row.kind, DEFAULT_MARKER), styles[f"timeline--kind-{row.kind}"])
            if row.kind in MARKERS
            else (DEFAULT_MARKER, null),
            (" ", null),
        ]
        title_start = 3 + DATE_WIDTH + len(pieces[3][0])
        title_style = null
        if row.status == "planned":
            title_style = styles["timeline--planned"]
        elif row.status == "target":
            title_style = styles["timeline--target"]
        badges: list[tuple[str, Style]] = []
        if row.status != "occurred":
            badges += [(" ", null), (f" {row.status} ", styles["timeline--badge"])]
        if row.id in self.flagged:
            badges += [(" ", null), (" ! check ", styles["timeline--flag"])]
        badges_length = sum(len(text) for text, _ in badges)
        if not _single_cells(badges[1][0] if badges else ""):
            return None
        room = max(1, width - title_start - badges_length)
        title = row.title
        if len(title) > room:
            title = title[: room - 1] + "…"
            if title.endswith(" …"):  # "in Kazakhstan …": the ellipsis belongs to the word
                title = title[:-2] + "…"
        length = title_start + len(title) + badges_length
        if length > width:
            return None
        spans = self._highlights.get(row.rowid, ()) if self._query else ()
        if spans:
            match = title_style + styles["timeline--match"]
            at = 0
            for start, end in sorted((max(0, start), min(len(title), end)) for start, end in spans):
                if start < at:
                    start = at
                if start >= end:
                    continue
                pieces += [(title[at:start], title_style), (title[start:end], match)]
                at = end
            pieces.append((title[at:], title_style))
        else:
            pieces.append((title, title_style))
        pieces += badges
        base = styles[""]
        if is_cursor:
            cursor = styles["timeline--cursor"]
            segments = [Segment(text, base + style + cursor) for text, style in pieces if text]
        else:
            segments = [Segment(text, base + style if style else base) for text, style in pieces if text]
        return Strip(segments, length).extend_cell_length(width, base).simplify()

    def _row_text(self, row: Row, is_cursor: bool, width: int) -> Text:
        marker = MARKERS.get(row.kind, DEFAULT_MARKER)
        date = row.label if len(row.label) <= DATE_WIDTH else row.label[: DATE_WIDTH - 1] + "…"
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if row.id in self.marked:
            text.append(MARK_GLYPH, self._style("timeline--mark"))
        else:
            text.append(" ")
        text.append(date.ljust(DATE_WIDTH), self._style("timeline--date"))
        if row.rowid in self._found_set:
            text.append(FOUND_GLYPH, self._style("timeline--found"))
        else:
            text.append(" ")
        kind_class = f"timeline--kind-{row.kind}"
        text.append(marker, self._style(kind_class) if row.kind in MARKERS else Style())
        text.append(" ")
        title_start = len(text.plain)
        title_style = Style()
        if row.status == "planned":
            title_style = self._style("timeline--planned")
        elif row.status == "target":
            title_style = self._style("timeline--target")
        # The badges after the title are never cut: a long title is shortened to leave them room.
        badges = Text(end="")
        if row.status != "occurred":
            badges.append(" ")
            badges.append(f" {row.status} ", self._style("timeline--badge"))
        if row.id in self.flagged:
            badges.append(" ")
            badges.append(" ! check ", self._style("timeline--flag"))
        # The title is plain text: Rich Text never parses markup in appended strings.
        title = Text(row.title, title_style, end="")
        room = max(1, width - title_start - badges.cell_len)
        if title.cell_len > room:
            title.truncate(room, overflow="ellipsis")
            if title.plain.endswith(" …"):  # "in Kazakhstan …": the ellipsis belongs to the word
                title.right_crop(2)
                title.append("…", title_style)
        text.append_text(title)
        title_end = len(text.plain)
        text.append_text(badges)
        if self._query:
            match_style = self._style("timeline--match")
            for start, end in self._highlights.get(row.rowid, ()):
                start, end = title_start + start, min(title_end, title_start + end)
                if start < end:
                    text.stylize(match_style, start, end)
        if is_cursor:
            text.stylize(self._style("timeline--cursor"))
            text.pad_right(max(0, width - text.cell_len))
        text.truncate(width, overflow="ellipsis")
        return text
