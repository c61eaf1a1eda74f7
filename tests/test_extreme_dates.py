"""Every date the parser accepts, from year 1 to 31 December 9999, goes through every command without a traceback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import cli, edtf
from kztj_tui.export import FORMATS
from kztj_tui.tui.axis import AxisData, Window, precision, ticks
from kztj_tui.tui.timeaxis import AxisScreen

from .tui_support import app_for, screen_text, settle

# The edges of what EDTF's four-digit years and Python's dates hold, at every precision and as intervals.
EXTREMES = [
    "0001",
    "0001-01-01",
    "0001-01",
    "0999-05-01",
    "0999",
    "9999",
    "9999-12",
    "9999-12-31",
    "9999-XX",
    "99XX",
    "001X",
    "01XX",
    "2021/9999",
    "2021-05/9999-12",
    "0001/9999-12-31",
    "9999-12-31?",
]

STORE = """\
sources:
  - id: s1
    file: seeds/001_e76ff33dc96d9a90.txt
    outlet: Test outlet
    published: 2021-05-20
    description: Test article
events:
  - id: visit
    date: 2021-05-19/2021-05-20
    title: Tokayev visits Dushanbe
    summary: A two-day visit.
    tags: [diplomacy]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
  - id: edge
    date: "{date}"
    title: An event at the edge of time
    summary: Dated as far as EDTF goes.
    tags: [diplomacy]
    status: planned
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
figures:
  - {{id: trade, metric: trade, period: "{date}", value: 5, unit: USD, source: s1, quote: began his two-day visit}}
  - {{id: trade-up, metric: trade_growth, period: "{date}", value: 5, unit: percent, source: s1, quote: began his}}
  - {{id: trade-b, metric: trade, period: "{date}", value: 6, unit: USD, source: s1, quote: two-day visit}}
"""


@pytest.fixture(params=EXTREMES)
def extreme_store(request: pytest.FixtureRequest, write_store: Callable[..., Path]) -> tuple[str, Path]:
    date = str(request.param)
    return date, write_store(STORE.format(date=date))


def test_validate_and_check_take_every_extreme_date(
    extreme_store: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = extreme_store
    assert cli.main(["--events", str(path), "validate", "--no-cache"]) == 0
    assert cli.main(["--events", str(path), "check", "--no-cache"]) in (0, 1)
    out = capsys.readouterr()
    assert "$5 (trade, s1) vs $6 (trade-b, s1)" in out.out  # the check ran to its findings


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_export_format_takes_every_extreme_date(
    fmt: str, extreme_store: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = extreme_store
    assert cli.main(["--events", str(path), "export", "--format", fmt, "--no-cache"]) == 0
    assert "edge" in capsys.readouterr().out


def test_ics_dates_have_four_digit_years_and_an_end_after_9999(
    extreme_store: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    date, path = extreme_store
    assert cli.main(["--events", str(path), "export", "--format", "ics", "--no-cache"]) == 0
    vevent = capsys.readouterr().out.split("UID:edge@kztj")[1].split("END:VEVENT")[0]
    lines = vevent.replace("\r\n ", "").split("\r\n")
    when = edtf.parse(date)
    start = next(line for line in lines if line.startswith("DTSTART"))
    assert start == f"DTSTART;VALUE=DATE:{when.start.year:04d}{when.start.month:02d}{when.start.day:02d}"
    days = (when.end - when.start).days + 1
    if when.end == dt.date.max:
        assert f"DURATION:P{days}D" in lines  # no DTEND can be written after 9999
    else:
        after = when.end + dt.timedelta(days=1)
        assert f"DTEND;VALUE=DATE:{after.year:04d}{after.month:02d}{after.day:02d}" in lines


def test_year_earlier_and_the_day_after_stop_at_the_ends() -> None:
    assert edtf.day_after(dt.date.max) is None
    assert edtf.day_after(dt.date(999, 12, 31)) == dt.date(1000, 1, 1)
    assert edtf.month_after(dt.date(9999, 12, 1)) is None
    assert edtf.month_after(dt.date(9998, 12, 31)) == dt.date(9999, 1, 1)
    assert edtf.year_earlier(dt.date(1, 6, 1)) is None
    assert edtf.year_earlier(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert edtf.year_earlier(dt.date(2, 2, 28)) == dt.date(1, 2, 28)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2021, 1, 1), dt.date(9999, 6, 30)),
        (dt.date(1, 1, 1), dt.date(2021, 1, 1)),
        (dt.date(1, 1, 1), dt.date.max),
    ],
)
def test_axis_ticks_and_precision_at_the_ends(first: dt.date, last: dt.date) -> None:
    days_ = [first.toordinal(), last.toordinal()]
    data = AxisData([1, 2], days_, days_, ["", ""], 0, {}, ["", ""], [], last.toordinal())
    days = last.toordinal() - first.toordinal() + 1
    # A window with margins past both ends, as the axis draws it.
    window = Window(first.toordinal() - days * 0.05, days * 1.1, 80)
    assert ticks(window)
    assert precision(data, 1) == "day precision"


@pytest.mark.parametrize("date", ["9999-06-30", "9999-12-31", "9999-12", "99XX", "2021/9999", "0001", "0999-05-01"])
async def test_the_browser_opens_and_the_time_axis_draws_extreme_dates(
    date: str, write_store: Callable[..., Path]
) -> None:
    app = app_for(write_store(STORE.format(date=date)), event_id="edge")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the check worker runs at open
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        year = edtf.parse(date).start.year
        assert str(year) in screen_text(app)
        # Year steps past either end, zooming in and out, the first and last event.
        await pilot.press("right_square_bracket", "left_square_bracket", "left_square_bracket")
        await pilot.press(*["plus"] * 8, *["minus"] * 8, "G", "right_square_bracket", "g", "left_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        assert "An event at the edge of time" in screen_text(app) or "Tokayev visits" in screen_text(app)
