"""A small, fast parser for the EDTF subset kztj stores: levels 0 and 1 without seasons.

Read: YYYY, YYYY-MM, YYYY-MM-DD and intervals A/B (level 0); the qualifiers ? ~ %, unspecified
digits ending the year, month or day (199X, 19XX, 2023-XX) and an open (``1993-06/..``) or
unknown (``2023/``) interval end (level 1). Refused: year 0000 and negative years, Y-years,
seasons, level 0 date-times, open or unknown interval starts, and level 2.

The ``edtf`` package is the reference implementation, but it costs ~125 ms to import and
5-20 ms per parse (pyparsing), which would make a 100,000-event store take minutes to load.
The test suite checks this parser against it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The grammar, written once. The parser accepts exactly what POINT_PATTERN and DATE_PATTERN
# accept (plus the one rule a pattern cannot state: an interval may not end before it starts),
# and the JSON Schema publishes DATE_PATTERN, so an editor flags what `kztj validate` flags.
# Only ASCII digits, and only regex syntax that Python and ECMAScript read alike.
_D = "[0-9]"
_YEAR = f"(?!0000){_D}{{4}}"  # fully specified; year 0000 is not supported
_YEAR_UNSPECIFIED = f"(?!000X|00XX)(?:{_D}{{3}}X|{_D}{{2}}XX)"  # X may only end the year, never spanning 0000
# Year 0000 is not supported, leap or not (the second form would let it through).
_LEAP_YEAR = f"(?!0000)(?:{_D}{{2}}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_DAY_28 = "(?:0[1-9]|1[0-9]|2[0-8])"
_FULL_DATE = (
    f"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:{_DAY_28}|29|30|31)|(?:0[469]|11)-(?:{_DAY_28}|29|30)|02-{_DAY_28})"
    f"|{_LEAP_YEAR}-02-29)"
)
_MONTH = "(?:0[1-9]|1[0-2])"
POINT_PATTERN = f"(?:{_FULL_DATE}|{_YEAR}-{_MONTH}(?:-XX)?|(?:{_YEAR}|{_YEAR_UNSPECIFIED})(?:-XX(?:-XX)?)?)[?~%]?"
# Not `$`, which Python (and so the jsonschema package) also matches before a final newline.
DATE_PATTERN = f"^{POINT_PATTERN}(?:/(?:{POINT_PATTERN}|\\.\\.)?)?(?![\\s\\S])"
_VALID_POINT = re.compile(POINT_PATTERN)
# What a point looks like before its values are checked, to say exactly what is wrong with it.
_DATE = re.compile(r"(?P<y>[0-9X]{4})(?:-(?P<m>[0-9]{2}|XX)(?:-(?P<d>[0-9]{2}|XX))?)?(?P<q>[?~%])?", re.ASCII)


class EdtfError(ValueError):
    """The string is not EDTF that kztj understands."""


@dataclass(frozen=True, slots=True)
class Point:
    """One EDTF date: the span of days it can mean, its precision and qualifiers."""

    start: date
    end: date
    precision: str  # "day", "month" or "year"; "open" or "unknown" for such an interval end
    uncertain: bool
    approximate: bool


# The end of an interval open at its end (1993-06/..: still going on) or with an unknown end (2023/:
# it ended, no one says when). Either can mean any day up to the last one a date holds.
OPEN_END = Point(date.max, date.max, "open", False, False)
UNKNOWN_END = Point(date.max, date.max, "unknown", False, False)


@dataclass(frozen=True, slots=True)
class When:
    """A parsed EDTF value: a single date or an interval of two."""

    text: str
    first: Point
    last: Point

    @property
    def start(self) -> date:
        """Earliest day the value can mean."""
        return self.first.start

    @property
    def end(self) -> date:
        """Latest day the value can mean."""
        return self.last.end

    @property
    def is_interval(self) -> bool:
        """Whether the value was written as an interval A/B."""
        return "/" in self.text

    @property
    def open_end(self) -> str:
        """``"open"`` (``A/..``), ``"unknown"`` (``A/``) or ``""`` for a known end."""
        return self.last.precision if self.last.precision in ("open", "unknown") else ""

    def label(self, long: bool = False) -> str:
        """Human date at its own precision: ``7 Jan 1993``, ``19–20 May 2021``, ``c. 2023``."""
        return label(self, long)


def _point(text: str) -> Point:
    match = _DATE.fullmatch(text)
    if not match:
        raise EdtfError(f"{text!r} is not an EDTF date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year_text, month_text, day_text, qualifier = match.group("y", "m", "d", "q")
    if "X" in year_text.rstrip("X") or year_text.count("X") > 2:
        raise EdtfError(f"{text!r}: unspecified digits (X) may only end the year, at most two")
    unspecified = year_text.count("X")
    year_lo = int(year_text.replace("X", "0"))
    year_hi = int(year_text.replace("X", "9"))
    if year_lo == 0:
        raise EdtfError(f"{text!r}: year 0000 is not supported")
    if month_text is None or month_text == "XX":
        if day_text not in (None, "XX"):
            raise EdtfError(f"{text!r}: a day needs a month")
        start, end, precision = date(year_lo, 1, 1), date(year_hi, 12, 31), "year"
    else:
        if unspecified:
            raise EdtfError(f"{text!r}: a month needs a fully specified year")
        month = int(month_text)
        if not 1 <= month <= 12:
            if 21 <= month <= 41:
                raise EdtfError(f"{text!r}: EDTF seasons are not supported; use a month interval")
            raise EdtfError(f"{text!r}: month {month} is out of range")
        last_day = calendar.monthrange(year_lo, month)[1]
        if day_text is None or day_text == "XX":
            start, end, precision = date(year_lo, month, 1), date(year_lo, month, last_day), "month"
        else:
            day = int(day_text)
            if not 1 <= day <= last_day:
                raise EdtfError(f"{text!r}: day {day} is out of range for that month")
            start = end = date(year_lo, month, day)
            precision = "day"
    if not _VALID_POINT.fullmatch(text):  # the grammar is the final word; the checks above explain
        raise EdtfError(f"{text!r} is not an EDTF date kztj reads")
    return Point(start, end, precision, qualifier in ("?", "%"), qualifier in ("~", "%"))


def parse(value: str | int | date) -> When:
    """Parse an EDTF value; YAML dates and bare-year integers are accepted too."""
    if isinstance(value, bool):
        raise EdtfError("expected an EDTF date, got a boolean")
    if isinstance(value, datetime):
        raise EdtfError(f"{value.isoformat()!r}: kztj stores dates, not times of day")
    if isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, int):
        text = f"{value:04d}"
    elif isinstance(value, str):
        text = value
        if text != text.strip():
            raise EdtfError(f"{text!r}: a date has no spaces around it")
    else:
        raise EdtfError(f"expected an EDTF date, got {type(value).__name__}")
    if "/" in text:
        first_text, _, last_text = text.partition("/")
        if first_text in ("", ".."):
            # The chronology files an event under the year it starts: a start is needed.
            raise EdtfError(f"{text!r}: an interval needs a known start; give the earliest date the sources support")
        first = _point(first_text)
        if last_text in ("", ".."):
            last = OPEN_END if last_text else UNKNOWN_END
        else:
            last = _point(last_text)
            if last.end < first.start:
                raise EdtfError(f"{text!r}: the interval ends before it starts")
    else:
        first = last = _point(text)
    return When(text, first, last)


def day_after(day: date) -> date | None:
    """The next day, or None after 31 December 9999 (the last day ``date`` and EDTF's four digits hold)."""
    return None if day == date.max else date.fromordinal(day.toordinal() + 1)


def month_after(day: date) -> date | None:
    """The first day of the next month, or None after December 9999."""
    if day.month < 12:
        return date(day.year, day.month + 1, 1)
    return None if day.year == date.max.year else date(day.year + 1, 1, 1)


def year_earlier(day: date) -> date | None:
    """The same day a year earlier (28 February for 29 February), or None in year 1."""
    if day.year == date.min.year:
        return None
    return date(day.year - 1, day.month, min(day.day, calendar.monthrange(day.year - 1, day.month)[1]))


def bound(value: str, which: str) -> date:
    """The first (``from``) or last (``to``) day a date can mean: ``2021`` from 1 January, to 31 December."""
    when = parse(value.strip())  # typed by a person, not read from the store
    return when.start if which == "from" else when.end


def _qualify(body: str, point: Point) -> str:
    if point.approximate:
        body = "c. " + body
    if point.uncertain:
        body += "?"
    return body


def _point_label(point: Point, long: bool) -> str:
    months = LONG_MONTHS if long else MONTHS
    start = point.start
    if point.precision == "day":
        body = f"{start.day} {months[start.month - 1]} {start.year}"
    elif point.precision == "month":
        body = f"{months[start.month - 1]} {start.year}"
    elif start.year == point.end.year:
        body = str(start.year)
    else:
        body = f"{start.year}s" if point.end.year - start.year == 9 else f"{start.year}–{point.end.year}"
    return _qualify(body, point)


def label(when: When, long: bool = False) -> str:
    """Render a value as a person would write it, collapsing shared parts of intervals."""
    first, last = when.first, when.last
    if not when.is_interval:
        return _point_label(first, long)
    if when.open_end == "open":
        return f"since {_point_label(first, long)}"
    if when.open_end == "unknown":
        return (
            f"from {_point_label(first, long)} to an unknown date" if long else f"{_point_label(first, long)} – unknown"
        )
    months = LONG_MONTHS if long else MONTHS
    plain = not (first.uncertain or first.approximate or last.uncertain or last.approximate)
    a, b = first.start, last.end
    if plain and first.precision == last.precision == "day" and (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {months[a.month - 1]} {a.year}"
    if plain and first.precision == last.precision == "month" and a.year == b.year:
        return f"{months[a.month - 1]}–{months[b.month - 1]} {a.year}"
    if plain and first.precision == last.precision == "year":
        return f"{a.year}–{b.year}"
    return f"{_point_label(first, long)} – {_point_label(last, long)}"
