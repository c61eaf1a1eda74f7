"""The time axis: the view's events drawn to scale along the years, sharing the timeline's selection."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer, Static

from ..session import AxisResult
from . import axis
from .axis import AxisData, Window
from .base import KztjScreen
from .bindings import AXIS_BINDINGS
from .rowcache import RowCache
from .timeline import Timeline

DENSITY = " ▁▂▃▄▅▆▇█"
# A glyph per certainty, so the axis reads without colour.
POINT = {"": "●", "~": "◐", "?": "○", "%": "○"}
BAR = {"": "━", "~": "╍", "?": "┄", "%": "┄"}
OPEN = "→"
LEGEND = "● day  ━ span  ◐╍ approximate ~  ○┄ uncertain ?  ▁▃█ density"
LEGEND_OPEN = "● day  ━ span  → open end  ◐╍ approximate ~  ○┄ uncertain ?  ▁▃█ density"


class AxisView(Widget, can_focus=True):
    """Density, lanes of marks and a ruler for the days in ``window``; the selected event stands out."""

    DEFAULT_CSS = """
    AxisView { height: 1fr; padding: 0 1; }
    """

    data: reactive[AxisData | None] = reactive(None)
    selected: reactive[int | None] = reactive(None)  # position in data
    level: reactive[int] = reactive(0)

    def __init__(self, rows: RowCache, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows

    def window(self) -> Window:
        """The days on screen at this zoom, around the selection."""
        data = self.data
        width = max(10, self.content_region.width)
        if data is None:
            return Window(0, 1, width)
        around = axis.centre(data, self.selected) if self.selected is not None else 0
        return axis.zoomed(data, width, self.level, around)

    def render(self) -> Content:
        data = self.data
        height = self.content_region.height
        if data is None:
            return Content.styled("Reading the dates of the events…", "dim italic")
        if not data.rowids:
            return Content.styled("No events in this view.", "dim italic")
        window = self.window()
        width = window.width
        lines: list[Content] = []
        first = Window(window.start, window.days, width)
        from_day, to_day = axis.day_of(first.start), axis.day_of(first.end)
        zoom = "everything" if self.level == 0 else f"{window.days / axis.YEAR:.3g} years across"
        lines.append(
            Content.assemble(
                (f"{from_day:%b %Y} – {to_day:%b %Y}", "bold"),
                (f"  ·  {len(data.rowids):,} events  ·  zoom: {zoom}", "dim"),
            )
        )
        counts = axis.density(data, window)
        top = max(counts) or 1
        lines.append(
            Content.styled("".join(DENSITY[min(8, -(-c * 8 // top))] if c else " " for c in counts), "$accent")
        )
        lane_count = max(1, height - 6)
        packed, left_out = axis.lanes(data, window, lane_count, self.selected)
        if left_out and sum(len(lane) for lane in packed) <= 1:
            # Too many to mark one by one: the selected event, then the crowd as a histogram.
            lines.append(self._lane(data, packed[0], width))
            lines += self._histogram(counts, lane_count - 1)
        else:
            for lane in packed:
                lines.append(self._lane(data, lane, width))
        lines.append(self._ruler(window))
        labels = [" "] * width
        for column, label in axis.ticks(window):
            labels[column : column + len(label)] = label
        lines.append(Content.styled("".join(labels)[:width], "dim"))
        lines.append(self._status(data, left_out))
        legend = LEGEND_OPEN if data.open_positions else LEGEND  # the arrow only where one may be drawn
        lines.append(Content.styled(legend[:width], "dim"))
        lines = [line.truncate(width, ellipsis=True) for line in lines]
        return Content("\n").join(lines[:height] if height else lines)

    def _lane(self, data: AxisData, marks: list[axis.Mark], width: int) -> Content:
        pieces: list[Content] = []
        cursor = 0
        for mark in marks:
            if mark.first < cursor:
                continue
            pieces.append(Content(" " * (mark.first - cursor)))
            qualifier = data.qualifiers[mark.position]
            wide = mark.last - mark.first + 1
            glyphs = POINT[qualifier] if wide == 1 else BAR[qualifier] * wide
            if data.open_ends[mark.position] and mark.last == width - 1:
                glyphs = glyphs[:-1] + OPEN  # the end is open or unknown: the bar runs on past the view
            style = "reverse bold" if mark.position == self.selected else "$primary"
            pieces.append(Content.styled(glyphs, style))
            cursor = mark.last + 1
        pieces.append(Content(" " * max(0, width - cursor)))
        return Content("").join(pieces)

    def _histogram(self, counts: list[int], rows: int) -> list[Content]:
        """Columns as tall as the number of events starting there, ``rows`` high."""
        top = max(counts) or 1
        heights = [c * rows * 8 // top if c else 0 for c in counts]
        out = []
        for row in range(rows):
            floor = (rows - 1 - row) * 8
            cells = "".join(DENSITY[max(0, min(8, h - floor))] if h > floor else " " for h in heights)
            out.append(Content.styled(cells, "$accent"))
        return out

    def _ruler(self, window: Window) -> Content:
        cells = ["─"] * window.width
        for column, _ in axis.ticks(window):
            cells[column] = "┼"
        if self.data is not None and self.selected is not None:
            column = window.column(self.data.starts[self.selected])
            if 0 <= column < window.width:
                cells[column] = "▲"
        return Content.styled("".join(cells), "dim")

    def _status(self, data: AxisData, left_out: int) -> Content:
        if self.selected is None:
            return Content("")
        rowid = data.rowids[self.selected]
        row = self.rows.get(rowid, data.rowids[max(0, self.selected - 20) : self.selected + 20])
        title = row.title if row else ""
        label = row.label if row else ""
        extra = f"  ·  {left_out:,} more here: zoom in (+)" if left_out else ""
        return Content.assemble(
            ("▲ ", "bold"),
            (label, "bold"),
            (f" ({axis.precision(data, self.selected)})  ", "dim"),
            title,
            (extra, "dim"),
        )


class AxisScreen(KztjScreen[None]):
    """The events of the main screen's view to scale; moving here moves the timeline's selection."""

    BINDINGS = AXIS_BINDINGS

    class Loaded(Message):
        """The worker read the view's dates."""

        def __init__(self, result: AxisResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, timeline: Timeline) -> None:
        super().__init__()
        self.timeline = timeline
        """The main screen's timeline, whose view this screen draws and whose selection it shares."""

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Time axis: the view's events to scale", "bold"), id="axis-heading")
        yield AxisView(self.session.rows, id="axis")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load_view()
        self.query_one(AxisView).focus()

    def _load_view(self) -> None:
        rowids = self.timeline.rowids
        whole = len(rowids) == self.session.store.count
        self.load(None if whole else list(rowids))

    def store_reloaded(self) -> None:
        """Draw the new version of the store, from the timeline's new view."""
        self.query_one(AxisView).rows = self.session.rows
        self._load_view()

    @work(thread=True, exclusive=True, group="axis")
    def load(self, rowids: list[int] | None) -> None:
        """Read the dates off the UI thread (the whole store's are read once per version)."""
        self.post_message(self.Loaded(self.session.axis(rowids)))

    def on_axis_screen_loaded(self, message: Loaded) -> None:
        if not self.session.is_current(message.result.generation):
            return  # read from a store a reload has replaced: the new one is being read
        data = message.result.data
        view = self.query_one(AxisView)
        view.data = data
        view.selected = data.position(self.timeline.selected_rowid)
        if view.selected is None and data.rowids:
            view.selected = 0

    def _select(self, position: int) -> None:
        view = self.query_one(AxisView)
        data = view.data
        if data is None or not data.rowids:
            return
        view.selected = max(0, min(position, len(data.rowids) - 1))
        self.timeline.select_rowid(data.rowids[view.selected])

    def action_step(self, step: int) -> None:
        """Select the previous or next event in time."""
        view = self.query_one(AxisView)
        self._select((view.selected or 0) + step)

    def action_ends(self, last: int) -> None:
        """Select the first or last event."""
        data = self.query_one(AxisView).data
        if data is not None:
            self._select(len(data.rowids) - 1 if last else 0)

    def action_year(self, step: int) -> None:
        """Select the first event of the previous or next year."""
        view = self.query_one(AxisView)
        data = view.data
        if data is None or view.selected is None:
            return
        day = axis.year_start(axis.day_of(data.starts[view.selected]).year + step)
        position = axis.bisect_left(data.starts, day)
        if step < 0 and position == view.selected:
            return
        self._select(min(position, len(data.rowids) - 1))

    def action_zoom(self, step: int) -> None:
        """Zoom in or out around the selection."""
        view = self.query_one(AxisView)
        view.level = max(0, min(len(axis.ZOOMS) - 1, view.level + step))

    def action_close(self) -> None:
        """Back to the timeline, on the event selected here."""
        self.app.pop_screen()

    def action_open(self) -> None:
        """Back to the timeline with the selected event open in the detail pane."""
        self.app.pop_screen()
        self.timeline.action_open()
