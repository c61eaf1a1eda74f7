"""The time axis's geometry: events as day spans, placed in columns and lanes to scale; no Textual here."""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from ..store import Store

# Events in view beyond this many are shown only as density: lanes of single marks would be noise.
MARKS_LIMIT = 400
YEAR = 365.25
# Zoom levels, as the number of days across the screen (the first is "everything").
ZOOMS = (0.0, 16 * YEAR, 8 * YEAR, 4 * YEAR, 2 * YEAR, YEAR, YEAR / 2, YEAR / 4, 31.0)


# Day numbers past either end of what ``date`` holds (1 January 1 to 31 December 9999) are clamped:
# the window's margins and year steps reach beyond the first and last event.
_LAST_DAY = dt.date.max.toordinal()


def day_of(ordinal: float) -> dt.date:
    """The date of a day number, clamped to the days a date can be."""
    return dt.date.fromordinal(min(_LAST_DAY, max(1, int(ordinal))))


def year_start(year: int) -> int:
    """The day number of 1 January of a year; before year 1 or after 9999, the day just past the ends."""
    if year < dt.date.min.year:
        return 0
    return _LAST_DAY + 1 if year > dt.date.max.year else dt.date(year, 1, 1).toordinal()


class AxisData(NamedTuple):
    """The events of a view as day numbers, in order of start: what the axis draws."""

    rowids: list[int]
    starts: list[int]  # proleptic Gregorian ordinals
    ends: list[int]
    qualifiers: list[str]  # "", "~" approximate, "?" uncertain, "%" both
    longest: int  # the longest span in days of an event with a known end, to find those that began before the view
    where: dict[int, int]  # rowid -> position
    open_ends: list[str]  # "open" (1993-06/..), "unknown" (2023/) or "": such an end is the last day a date holds
    open_positions: list[int]  # positions of the events with an open or unknown end, in order
    last_known: int  # the last day any event is known to reach: the latest known end or start

    def position(self, rowid: int | None) -> int | None:
        """Where an event is in the axis order."""
        return None if rowid is None else self.where.get(rowid)


def qualifier(edtf: str) -> str:
    """The qualifier of an EDTF date: ``%`` if approximate and uncertain, ``~``, ``?`` or none."""
    approximate, uncertain = "~" in edtf or "%" in edtf, "?" in edtf or "%" in edtf
    return "%" if approximate and uncertain else "~" if approximate else "?" if uncertain else ""


def open_end(edtf: str) -> str:
    """``"open"`` for an EDTF interval open at its end (``A/..``), ``"unknown"`` for ``A/``, else ``""``."""
    return "open" if edtf.endswith("/..") else "unknown" if edtf.endswith("/") else ""


def load(store: Store, rowids: Sequence[int] | None) -> AxisData:
    """Read the spans of a view's events (all events if ``rowids`` is None); runs in a worker."""
    spans = store.date_spans(rowids)
    ordinal = dt.date.fromisoformat
    rows = sorted(
        (ordinal(start).toordinal(), ordinal(end).toordinal(), rowid, qualifier(edtf or ""), open_end(edtf or ""))
        for rowid, start, end, edtf in spans
    )
    closed = [r for r in rows if not r[4]]
    return AxisData(
        rowids=[r[2] for r in rows],
        starts=[r[0] for r in rows],
        ends=[r[1] for r in rows],
        qualifiers=[r[3] for r in rows],
        longest=max((r[1] - r[0] for r in closed), default=0),
        where={r[2]: position for position, r in enumerate(rows)},
        open_ends=[r[4] for r in rows],
        open_positions=[position for position, r in enumerate(rows) if r[4]],
        last_known=max([r[1] for r in closed] + [rows[-1][0]]) if rows else 0,
    )


def centre(data: AxisData, position: int) -> float:
    """The day to centre the view on for an event: the middle of its span, or its start if its end is open."""
    if data.open_ends[position]:
        return data.starts[position]
    return (data.starts[position] + data.ends[position]) / 2


class Window(NamedTuple):
    """The days on screen: from ``start`` to ``start + days``, across ``width`` columns."""

    start: float
    days: float
    width: int

    def column(self, day: float) -> int:
        """The column a day falls in (may be off screen)."""
        return int((day - self.start) * self.width / self.days)

    def day(self, column: int) -> float:
        """The first day of a column."""
        return self.start + column * self.days / self.width

    @property
    def end(self) -> float:
        """The day after the last one on screen."""
        return self.start + self.days


def whole(data: AxisData, width: int) -> Window:
    """A window on every event, with a little room at each end."""
    if not data.rowids:
        today = dt.date.today().toordinal()
        return Window(today - YEAR, 2 * YEAR, width)
    # An open end does not stretch the view to the year 9999: its bar runs off the right edge instead.
    first, last = data.starts[0], data.last_known
    days = max(31.0, last - first + 1)
    margin = days * 0.02
    return Window(first - margin, days + 2 * margin, width)


def zoomed(data: AxisData, width: int, level: int, around: float) -> Window:
    """The window for a zoom level, centred on a day but kept inside the events' span where it can."""
    full = whole(data, width)
    days = ZOOMS[level] if level else full.days
    if days >= full.days:
        return full
    start = min(max(full.start, around - days / 2), full.end - days)
    return Window(start, days, width)


def in_view(data: AxisData, window: Window) -> list[int]:
    """Positions of events whose span may meet the window (a superset, found by bisection), in order."""
    first = bisect_left(data.starts, window.start - data.longest)
    last = bisect_right(data.starts, window.end)
    # Events with an open end began before any known end's reach and run on: the few that started earlier.
    earlier = data.open_positions[: bisect_left(data.open_positions, first)]
    return earlier + list(range(first, last))


def density(data: AxisData, window: Window) -> list[int]:
    """How many events start in each column."""
    counts = []
    for column in range(window.width):
        counts.append(bisect_left(data.starts, window.day(column + 1)) - bisect_left(data.starts, window.day(column)))
    return counts


class Mark(NamedTuple):
    """An event drawn in a lane, from column ``first`` to ``last``."""

    position: int
    first: int
    last: int


def lanes(data: AxisData, window: Window, count: int, selected: int | None) -> tuple[list[list[Mark]], int]:
    """Events packed into ``count`` lanes left to right (the selected one first), and how many did not fit.

    Marks in a lane keep a column free between them. When more than ``MARKS_LIMIT`` events are in
    view, only the selected one is placed: the density line shows the rest.
    """
    rows: list[list[Mark]] = [[] for _ in range(count)]
    if count <= 0:
        return rows, 0
    candidates = in_view(data, window)
    visible = [p for p in candidates if data.ends[p] + 1 > window.start and data.starts[p] < window.end]
    crowded = len(visible) > MARKS_LIMIT
    order = [selected] if selected is not None and selected in candidates else []
    if not crowded:
        order += [p for p in visible if p != selected]
    left_out = 0
    for position in order:
        first = max(0, window.column(data.starts[position]))
        last = min(window.width - 1, max(first, window.column(data.ends[position] + 1) - 1))
        for lane in range(count):
            if not any(m.first - 1 <= last and first <= m.last + 1 for m in rows[lane]):
                rows[lane].append(Mark(position, first, last))
                break
        else:
            left_out += 1
    if crowded:
        left_out = len(visible) - len(order)
    for row in rows:
        row.sort(key=lambda mark: mark.first)
    return rows, left_out


def ticks(window: Window) -> list[tuple[int, str]]:
    """(column, label) for the year or month boundaries that fit on screen, labels not overlapping."""
    per_year = window.width * YEAR / window.days
    start, end = day_of(window.start), day_of(window.end)
    marks: list[tuple[int, str]] = []
    if per_year >= 24:  # months have room
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            day = dt.date(year, month, 1).toordinal()
            label = f"{dt.date(year, month, 1):%b}" if month != 1 else str(year)
            marks.append((window.column(day), label))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        step = 1 if per_year >= 6 else 2 if per_year >= 3 else 5 if per_year >= 1.2 else 10
        for year in range(start.year, min(end.year + 2, dt.date.max.year + 1)):
            if year % step == 0:
                marks.append((window.column(year_start(year)), str(year)))
    out: list[tuple[int, str]] = []
    for column, label in marks:
        if 0 <= column < window.width and (not out or column > out[-1][0] + len(out[-1][1])):
            out.append((column, label))
    return out


def precision(data: AxisData, position: int) -> str:
    """In words: how precisely the event is dated, and how sure the date is."""
    first, last = dt.date.fromordinal(data.starts[position]), dt.date.fromordinal(data.ends[position])
    if first == last:
        words = "day precision"
    elif (first.day, first.month, last.day, last.month) == (1, 1, 31, 12) and first.year == last.year:
        words = "year precision"
    elif first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1] and first.month == last.month:
        words = "month precision"
    else:
        words = f"{last.toordinal() - first.toordinal() + 1:,} days"
    if data.open_ends[position]:
        words = "open end" if data.open_ends[position] == "open" else "unknown end"
    sure = {"": "", "~": ", approximate ~", "?": ", uncertain ?", "%": ", approximate and uncertain %"}
    return words + sure[data.qualifiers[position]]
