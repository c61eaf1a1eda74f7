"""Intervals open at their end (1993-06/..) or with an unknown end (2023/), wherever kztj shows dates."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kztj_tui import cli, export
from kztj_tui.cache import open_store
from kztj_tui.tui.timeaxis import AxisScreen

from .conftest import REPO
from .test_formats import TIMELINEJS_SCHEMA, markwhen_parse
from .tui_support import app_for, screen_text, selected, settle

STORE = """\
sources:
  - id: s1
    file: seeds/001_e76ff33dc96d9a90.txt
    outlet: Test outlet
    published: 2021-05-20
    description: Test article
events:
  - id: embassy
    date: 1993-06/..
    title: The embassy works in Astana
    summary: Working since June 1993.
    tags: [diplomacy]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
  - id: visit
    date: 2021-05-19/2021-05-20
    title: Tokayev visits Dushanbe
    summary: A two-day visit.
    tags: [diplomacy]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
  - id: programme
    date: 2019~/
    title: A programme whose end no one gives
    summary: Began about 2019.
    tags: [trade]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
figures:
  - {id: running, metric: trade, period: "2021/..", value: 5, unit: USD, source: s1, quote: began his two-day visit}
"""


@pytest.fixture
def open_store_path(write_store: Callable[..., Path]) -> Path:
    return write_store(STORE)


def run(path: Path, *args: str) -> tuple[int, str, str]:
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--events", str(path), *args, "--no-cache"])
    return code, out.getvalue(), err.getvalue()


def test_validate_and_check_take_open_ends(open_store_path: Path) -> None:
    assert run(open_store_path, "validate")[0] == 0
    code, out, err = run(open_store_path, "check")
    assert code in (0, 1) and err == "" and "kztj check:" in out


def test_json_export_has_no_last_day_for_an_open_end(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "export", "--format", "json")
    assert code == 0
    data = json.loads(out)
    schema = json.loads((REPO / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    events = {e["id"]: e for e in data["events"]}
    assert (events["embassy"]["date"], events["embassy"]["start"], events["embassy"]["end"]) == (
        "1993-06/..",
        "1993-06-01",
        None,
    )
    assert (events["programme"]["start"], events["programme"]["end"]) == ("2019-01-01", None)
    assert events["visit"]["end"] == "2021-05-20"
    assert data["figures"][0]["end"] is None


def test_show_and_search_json_have_no_last_day_for_an_open_end(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "show", "embassy", "--json")
    assert code == 0 and json.loads(out)["end"] is None
    code, out, _ = run(open_store_path, "search", "year:2021", "--json")
    assert code == 0 and {e["id"]: e["end"] for e in json.loads(out)} == {
        "embassy": None,
        "programme": None,
        "visit": "2021-05-20",
    }


def test_csv_export_leaves_an_open_end_empty(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "export", "--format", "csv")
    assert code == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out))}
    assert (rows["embassy"]["start"], rows["embassy"]["end"]) == ("1993-06-01", "")
    assert rows["programme"]["end"] == "" and rows["visit"]["end"] == "2021-05-20"


def test_ics_spans_the_start_and_says_the_end_is_open(open_store_path: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    code, out, _ = run(open_store_path, "export", "--format", "ics")
    assert code == 0
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(out).walk("VEVENT")}
    embassy = events["embassy@kztj"]
    assert (embassy["DTSTART"].dt, embassy["DTEND"].dt) == (date(1993, 6, 1), date(1993, 7, 1))
    assert "since June 1993" in str(embassy["DESCRIPTION"]) and "no end" in str(embassy["DESCRIPTION"])
    programme = events["programme@kztj"]
    assert (programme["DTSTART"].dt, programme["DTEND"].dt) == (date(2019, 1, 1), date(2020, 1, 1))
    assert "Its end is unknown" in str(programme["DESCRIPTION"])


def test_timelinejs_shows_the_start_and_says_the_end_is_open(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "export", "--format", "timelinejs")
    assert code == 0
    data = json.loads(out)
    jsonschema.Draft202012Validator(TIMELINEJS_SCHEMA).validate(data)
    slides = {s["unique_id"]: s for s in data["events"]}
    embassy = slides["embassy"]
    assert embassy["start_date"] == {"year": 1993, "month": 6} and "end_date" not in embassy
    assert embassy["display_date"] == "since June 1993" and "no end" in embassy["text"]["text"]
    assert "end_date" not in slides["programme"] and "end is unknown" in slides["programme"]["text"]["text"]


def test_markwhen_draws_an_open_end_up_to_now(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "export", "--format", "markwhen")
    assert code == 0
    parsed = markwhen_parse(out)
    assert parsed["messages"] == []
    events = {e["id"]: e for e in parsed["events"]}
    assert events["embassy"]["from"][:10] == "1993-06-01"
    assert events["embassy"]["to"][:10] >= date.today().isoformat()  # markwhen's `now`: still going on
    assert (events["programme"]["from"][:10], events["programme"]["to"][:10]) == ("2019-01-01", "2020-01-01")
    assert any("Its end is unknown" in (s or "") for s in events["programme"]["supplemental"])


def test_markdown_says_since(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "export", "--format", "markdown")
    assert code == 0
    assert "since June 1993 — The embassy works in Astana" in out
    assert "from c. 2019 to an unknown date — A programme" in out


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year:2030", {"embassy", "programme"}),  # still going on (or may be)
        ("year:1993", {"embassy"}),
        ("year:1992", set()),
        ("year:2021", {"embassy", "programme", "visit"}),
    ],
)
def test_year_filter_finds_an_event_in_every_year_it_may_span(
    open_store_path: Path, query: str, expected: set[str]
) -> None:
    code, out, _ = run(open_store_path, "search", query, "--json")
    assert code == (0 if expected else 1)
    assert {e["id"] for e in json.loads(out)} == expected


def test_export_from_to_keeps_an_ongoing_event(open_store_path: Path) -> None:
    code, out, _ = run(open_store_path, "export", "--format", "json", "--from", "2025", "--to", "2026")
    assert code == 0
    data = json.loads(out)
    assert {e["id"] for e in data["events"]} == {"embassy", "programme"}
    assert [f["id"] for f in data["figures"]] == ["running"]


def test_export_schema_allows_null_only_for_end() -> None:
    data: dict[str, Any] = json.loads(export.render(open_store(REPO / "events.yaml", use_cache=False), fmt="json"))
    schema = json.loads((REPO / "export.schema.json").read_text(encoding="utf-8"))
    data["events"][0]["start"] = None
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)


async def test_the_browser_labels_and_draws_an_open_end(open_store_path: Path) -> None:
    app = app_for(open_store_path, event_id="embassy")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "since Jun 1993" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen) and selected(app) == "embassy"
        text = screen_text(app)
        assert "since Jun 1993 (open end)" in text and "→ open end" in text
        lanes = [line for line in text.splitlines() if "━" in line]
        assert any(line.rstrip(" │").endswith("→") for line in lanes)  # the bar runs off the right edge
        assert "9999" not in text  # the view ends near the last known date, not at the year 9999
        await pilot.press("G", "left")  # the last event by start is the visit, then the programme
        await settle(pilot)
        assert selected(app) == "programme" and "(unknown end, approximate ~)" in screen_text(app)
        for key in ("plus", "plus", "plus", "minus", "left", "right_square_bracket", "left_square_bracket"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, AxisScreen)


@pytest.mark.parametrize("when", ["9999-12-31/..", "9999/", "0001/..", "0001-01-01/", "99XX/.."])
async def test_open_ends_at_the_edges_of_time(when: str, write_store: Callable[..., Path]) -> None:
    path = write_store(STORE.replace("1993-06/..", when))
    assert run(path, "check")[0] in (0, 1)
    for fmt in sorted(export.FORMATS):
        code, out, err = run(path, "export", "--format", fmt)
        assert code == 0 and "embassy" in out and err == ""
    app = app_for(path, event_id="embassy")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a", "plus", "plus", "G", "right_square_bracket", "g", "left_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        text = screen_text(app)
        assert "(open end" in text or "(unknown end" in text  # the first event by start is open or unknown
