"""The timeline: a virtualised list of events under year headers, drawn line by line."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..store import Row

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
DATE_WIDTH = 15

Highlighter = Callable[[Sequence[int]], dict[int, list[tuple[int, int]]]]


class Timeline(ScrollView, can_focus=True):
    """Events in chronological order under year headers; only visible lines are rendered."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First event", show=False),
        Binding("end,G", "last", "Last event", show=False),
        Binding("left_square_bracket", "previous_year", "Previous year", key_display="[", show=False),
        Binding("right_square_bracket", "next_year", "Next year", key_display="]", show=False),
        Binding("enter", "open", "Open"),
    ]

    COMPONENT_CLASSES = {
        "timeline--year",
        "timeline--date",
        "timeline--cursor",
        "timeline--planned",
        "timeline--target",
        "timeline--badge",
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

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[Row] = []
        # Each line is a row index (>= 0) or a year header (encoded as -year).
        self._lines: list[int] = []
        self._row_line: list[int] = []
        self._header_lines: list[int] = []
        self._cursor = -1
        self._query = ""
        self._highlighter: Highlighter | None = None
        self._highlights: dict[int, list[tuple[int, int]]] = {}
        self.empty_message = "No events."

    # -- data -------------------------------------------------------------------------------

    def set_rows(
        self, rows: list[Row], query: str = "", highlighter: Highlighter | None = None, keep: int | None = None
    ) -> None:
        """Show these rows; keep the cursor on rowid ``keep`` (or the current event) if it is still shown."""
        previous = keep if keep is not None else self.selected_rowid
        self._rows = rows
        self._query = query
        self._highlighter = highlighter
        self._highlights = {}
        lines: list[int] = []
        row_line: list[int] = []
        headers: list[int] = []
        year = None
        for index, row in enumerate(rows):
            if row.year != year:
                year = row.year
                headers.append(len(lines))
                lines.append(-row.year)
            row_line.append(len(lines))
            lines.append(index)
        self._lines, self._row_line, self._header_lines = lines, row_line, headers
        self.virtual_size = Size(0, len(lines))
        target = 0
        if previous is not None:
            found = self._index_of(previous)
            target = found if found is not None else 0
        self._cursor = -1
        self._move_to_row(target if rows else None, force_message=True)
        self.refresh()

    def _index_of(self, rowid: int) -> int | None:
        # Rows are in rowid order, so the position of a rowid is a binary search away.
        rowids = _RowidView(self._rows)
        position = bisect_left(rowids, rowid)
        if position < len(self._rows) and self._rows[position].rowid == rowid:
            return position
        return None

    @property
    def rows(self) -> list[Row]:
        """The rows currently shown."""
        return self._rows

    @property
    def selected_index(self) -> int | None:
        """Index of the selected row in ``rows``."""
        return self._cursor if 0 <= self._cursor < len(self._rows) else None

    @property
    def selected_rowid(self) -> int | None:
        """Rowid of the selected event."""
        index = self.selected_index
        return self._rows[index].rowid if index is not None else None

    def select_rowid(self, rowid: int) -> bool:
        """Move the cursor to an event if it is shown."""
        index = self._index_of(rowid)
        if index is None:
            return False
        self._move_to_row(index)
        return True

    # -- movement ---------------------------------------------------------------------------

    def _move_to_row(self, index: int | None, force_message: bool = False) -> None:
        if index is None or not self._rows:
            changed = self._cursor != -1
            self._cursor = -1
            if changed or force_message:
                self.post_message(self.EventSelected(None))
            return
        index = max(0, min(index, len(self._rows) - 1))
        if index == self._cursor and not force_message:
            return
        old = self._cursor
        self._cursor = index
        line = self._row_line[index]
        self._scroll_line_visible(line)
        if 0 <= old < len(self._row_line):
            self.refresh_line(self._row_line[old])
        self.refresh_line(line)
        self.post_message(self.EventSelected(self._rows[index].rowid))

    def refresh_line(self, line: int) -> None:
        """Redraw one line if it is on screen."""
        y = line - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh_lines(y)

    def _scroll_line_visible(self, line: int) -> None:
        top = int(self.scroll_offset.y)
        height = max(1, self.size.height)
        if line - 1 < top:
            # Show the year header above the first event of a year.
            self.scroll_to(y=max(0, line - 1 if self._lines[line - 1] < 0 else line), animate=False)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False)

    def action_cursor_up(self) -> None:
        """Select the previous event."""
        self._move_to_row(self._cursor - 1 if self._cursor > 0 else 0)

    def action_cursor_down(self) -> None:
        """Select the next event."""
        self._move_to_row(self._cursor + 1)

    def action_page_up(self) -> None:
        """Move up a screenful."""
        self._move_to_row(self._cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        """Move down a screenful."""
        self._move_to_row(self._cursor + max(1, self.size.height - 1))

    def action_first(self) -> None:
        """Select the first event."""
        self._move_to_row(0)

    def action_last(self) -> None:
        """Select the last event."""
        self._move_to_row(len(self._rows) - 1)

    def action_next_year(self) -> None:
        """Jump to the first event of the next year."""
        if not self._rows:
            return
        line = self._row_line[max(self._cursor, 0)]
        position = bisect_right(self._header_lines, line)
        if position < len(self._header_lines):
            self._move_to_row(self._lines[self._header_lines[position] + 1])

    def action_previous_year(self) -> None:
        """Jump to the first event of this year, or of the previous year if already there."""
        if not self._rows:
            return
        line = self._row_line[max(self._cursor, 0)]
        position = bisect_left(self._header_lines, line) - 1
        if position >= 0 and self._header_lines[position] + 1 == line:
            position -= 1
        if position >= 0:
            self._move_to_row(self._lines[self._header_lines[position] + 1])

    def jump_to_year(self, year: int) -> bool:
        """Select the first event of a year (or the next year that has events)."""
        for header in self._header_lines:
            if -self._lines[header] >= year:
                self._move_to_row(self._lines[header + 1])
                return True
        return False

    def action_open(self) -> None:
        """Open the selected event."""
        rowid = self.selected_rowid
        if rowid is not None:
            self.post_message(self.EventOpened(rowid))

    def on_click(self, event: events.Click) -> None:
        line = event.y + int(self.scroll_offset.y)
        if 0 <= line < len(self._lines):
            index = self._lines[line]
            if index < 0:
                index = self._lines[line + 1] if line + 1 < len(self._lines) else -1
            if index >= 0:
                self._move_to_row(index)
                if event.chain >= 2:
                    self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self._lines))
        if self.selected_index is not None:
            self._scroll_line_visible(self._row_line[self._cursor])

    # -- rendering --------------------------------------------------------------------------

    def _fetch_highlights(self) -> None:
        """Fetch match spans for the visible window in one query, when first needed."""
        if not self._query or self._highlighter is None:
            return
        top = int(self.scroll_offset.y)
        window = [self._lines[i] for i in range(top, min(len(self._lines), top + self.size.height + 1))]
        wanted = [self._rows[i].rowid for i in window if i >= 0 and self._rows[i].rowid not in self._highlights]
        if wanted:
            found = self._highlighter(wanted)
            for rowid in wanted:
                self._highlights[rowid] = found.get(rowid, [])

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        line = int(self.scroll_offset.y) + y
        if not self._lines:
            if y == 1:
                text = Text(f"  {self.empty_message}", style=self.get_component_rich_style("timeline--empty"))
                segments = [Segment(t, s or base) for t, s, _ in text.render(self.app.console)]
                return Strip(segments).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if line >= len(self._lines):
            return Strip.blank(width, base)
        index = self._lines[line]
        if index < 0:
            year_style = self.get_component_rich_style("timeline--year")
            label = f"── {-index} "
            text = Text(label + "─" * max(0, width - len(label)), style=year_style, no_wrap=True)
        else:
            text = self._row_text(index, width)
        # Every segment needs a style: Textual's NO_COLOR (monochrome) filter rejects None.
        segments = [Segment(t, s or base) for t, s, _ in text.render(self.app.console)]
        return Strip(segments).crop_extend(0, width, base).simplify()

    def _row_text(self, index: int, width: int) -> Text:
        row = self._rows[index]
        marker = MARKERS.get(row.kind, DEFAULT_MARKER)
        date = row.label if len(row.label) <= DATE_WIDTH else row.label[: DATE_WIDTH - 1] + "…"
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" ")
        text.append(date.ljust(DATE_WIDTH), self.get_component_rich_style("timeline--date"))
        text.append(" ")
        kind_class = f"timeline--kind-{row.kind}"
        text.append(marker, self.get_component_rich_style(kind_class) if row.kind in MARKERS else Style())
        text.append(" ")
        title_start = len(text.plain)
        title_style = Style()
        if row.status == "planned":
            title_style = self.get_component_rich_style("timeline--planned")
        elif row.status == "target":
            title_style = self.get_component_rich_style("timeline--target")
        # The title is plain text: Rich Text never parses markup in appended strings.
        text.append(row.title, title_style)
        if row.status != "occurred":
            text.append(" ")
            text.append(f" {row.status} ", self.get_component_rich_style("timeline--badge"))
        if self._query:
            if row.rowid not in self._highlights:
                self._fetch_highlights()
            match_style = self.get_component_rich_style("timeline--match")
            for start, end in self._highlights.get(row.rowid, []):
                text.stylize(match_style, title_start + start, title_start + end)
        if index == self._cursor:
            text.stylize(self.get_component_rich_style("timeline--cursor"))
            text.pad_right(max(0, width - text.cell_len))
        text.truncate(width, overflow="ellipsis")
        return text


class _RowidView(Sequence[int]):
    """A read-only view of row rowids, for bisect without copying 100,000 ints."""

    def __init__(self, rows: list[Row]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: int) -> int:  # type: ignore[override]
        return self._rows[index].rowid
