"""TimelineJS3 shows every exported date over the whole span the store gives it, end included.

The two rules of TimelineJS3 these tests follow, read from its source:
- TLDate._createDateObj builds ``new Date(year, month - 1, day, hour, minute, second, millisecond)``,
  each missing part taking its first value (month 1, day 1, the rest 0): ``{"year": 2020}`` is
  1 January 2020 at 00:00.
- TimelineConfig._processDates drops an end date as redundant when, for every part *of the start
  date*, the end has the same value.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kztj_tui import edtf, export
from kztj_tui.cache import open_store
from kztj_tui.export import timelinejs

STORE = """\
sources:
  - id: s1
    file: seeds/001_e76ff33dc96d9a90.txt
    outlet: Test outlet
    published: 2021-05-20
    description: Test article
events:
  - id: e
    date: "{date}"
    title: An event
    summary: Something happened.
    tags: [diplomacy]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
"""


def moment(date: dict[str, int]) -> dt.datetime:
    """The instant TLDate makes of a date object."""
    return dt.datetime(
        date["year"],
        date.get("month", 1),
        date.get("day", 1),
        date.get("hour", 0),
        date.get("minute", 0),
        date.get("second", 0),
        date.get("millisecond", 0) * 1000,
    )


def redundant(start: dict[str, int], end: dict[str, int]) -> bool:
    """TimelineConfig._processDates: every part of the start date has the same value in the end date."""
    return all(start[part] == end.get(part) for part in start)


def slide_for(date: str, write_store: Callable[..., Path]) -> dict[str, Any]:
    store = open_store(write_store(STORE.format(date=date)), use_cache=False)
    return timelinejs.slide(store, store.event_at(store.rowid_of("e")))


@pytest.mark.parametrize(
    ("date", "last_day"),
    [
        ("2018/2020", dt.date(2020, 12, 31)),
        ("2023-01/2023-06", dt.date(2023, 6, 30)),
        ("2024-01/2024-02", dt.date(2024, 2, 29)),
        ("2023/2023-06-15", dt.date(2023, 6, 15)),  # TimelineJS dropped this end as "redundant"
        ("2023/2023-01", dt.date(2023, 1, 31)),
        ("2023-06/2023-06-30", dt.date(2023, 6, 30)),
        ("2021-05-19/2021-05-20", dt.date(2021, 5, 20)),
        ("199X", dt.date(1999, 12, 31)),
        ("2018~/2020?", dt.date(2020, 12, 31)),
    ],
)
def test_the_end_covers_the_whole_last_year_month_or_day(
    date: str, last_day: dt.date, write_store: Callable[..., Path]
) -> None:
    slide = slide_for(date, write_store)
    start, end = slide["start_date"], slide["end_date"]
    assert not redundant(start, end)
    assert moment(start) == dt.datetime.combine(edtf.parse(date).start, dt.time())
    last = dt.datetime.combine(last_day, dt.time())
    assert last + dt.timedelta(days=1) - dt.timedelta(milliseconds=1) == moment(end)


def test_a_single_date_has_no_end_and_only_the_parts_the_store_gives(write_store: Callable[..., Path]) -> None:
    assert "end_date" not in slide_for("2023-06", write_store)
    assert slide_for("2023-06", write_store)["start_date"] == {"year": 2023, "month": 6}


def _points(day: dt.date) -> list[str]:
    return [day.isoformat()[:size] + q for size in (4, 7, 10) for q in ("", "?", "~", "%")]


def test_every_interval_keeps_its_end_and_spans_its_days(write_store: Callable[..., Path]) -> None:
    firsts = _points(dt.date(2023, 1, 1)) + _points(dt.date(2020, 2, 29))
    lasts = _points(dt.date(2023, 12, 31)) + _points(dt.date(2023, 1, 1)) + _points(dt.date(2024, 2, 29))
    dates = [f"{a}/{b}" for a, b in itertools.product(firsts, lasts)]
    events = "".join(
        STORE.split("events:\n")[1].replace("id: e", f"id: e{i}").replace("{date}", date)
        for i, date in enumerate(dates)
    )
    path = write_store(STORE.split("events:\n")[0] + "events:\n" + events)
    data = json.loads(export.render(open_store(path, use_cache=False), fmt="timelinejs"))
    assert len(data["events"]) == len(dates)
    for slide in data["events"]:
        when = edtf.parse(dates[int(slide["unique_id"][1:])])
        start, end = slide["start_date"], slide["end_date"]
        assert not redundant(start, end), when.text
        assert moment(start) == dt.datetime.combine(when.start, dt.time())
        assert moment(end) == dt.datetime.combine(when.end, dt.time(23, 59, 59, 999000))
