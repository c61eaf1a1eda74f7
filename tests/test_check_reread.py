"""Issue 18: `kztj check` on the store as it stood before the third reading finds what a program can see of it.

The reading found a place given where the article names none, tags no quote supports, a month on
an event the article does not date, plans long past, and a recorded disagreement whose versions do
not differ. tests/data/events-before-reread.yaml keeps that store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml

from kztj_tui import check, cli
from kztj_tui.cache import open_store
from kztj_tui.check import KNOWN, NOTE, WARNING, Finding

BEFORE = Path(__file__).parent / "data" / "events-before-reread.yaml"
TODAY = date(2026, 12, 4)


def run(path: Path) -> list[Finding]:
    return check.run(open_store(path, use_cache=False), on=TODAY)


def about(found: list[Finding], kind: str, event: str) -> list[str]:
    return [f.message for f in found if f.kind == kind and event in f.events]


@pytest.fixture
def before(write_store: Callable[..., Path]) -> Path:
    return write_store(BEFORE.read_text(encoding="utf-8"))


def test_the_disagreement_that_is_not_one(before: Path) -> None:
    found = run(before)
    [note] = [f for f in found if f.kind == "groundless"]
    assert note.severity == NOTE and note.disagreement == "trade-1bn-goal-met"
    assert "trade_turnover 2021 $1.1 bn (trade-2021" in note.message
    assert "trade_turnover 2022 $1.4 bn (trade-2022-b" in note.message


def test_dates_places_and_tags_the_quotes_do_not_give(before: Path) -> None:
    found = run(before)
    [month] = [f for f in found if f.kind == "undated"]
    assert month.severity == WARNING and month.events == ("diplomatic-relations-30th-anniversary",)
    assert "summary: 'August'" in month.message
    # Its comment says the forum report gives this "without saying where", yet its place is Astana.
    [where] = about(found, "unquoted", "wholesale-centres-agreement")
    assert "place 'astana' (Astana)" in where
    for event in ("declaration-allied-interaction", "central-asia-summit-dushanbe-2023", "tajikistan-chairs-cica"):
        [tags] = about(found, "unquoted", event)
        assert "'security'" in tags, tags
    assert about(found, "unquoted", "zhansseitov-interview-2023") == []  # "security issues" is quoted there


def test_a_day_the_store_is_sure_of_and_its_record_disputes(before: Path) -> None:
    [note] = [f for f in run(before) if f.kind == "disputed-day"]
    assert note.events == ("tokayev-rahmon-talks-2021",) and note.disagreement == "talks-date-2021"


def test_a_figure_dated_with_the_other_articles_date(before: Path) -> None:
    [note] = [f for f in run(before) if f.kind == "borrowed-date"]
    assert note.figures == ("export-potential-2023-b", "export-potential-2023-a")


def test_plans_long_past(before: Path) -> None:
    found = run(before)
    past = {event for f in found if f.kind == "past-plan" for event in f.events}
    assert {"central-asia-summit-dushanbe-2023", "ibn-sina-monument-planned", "trade-target-2bn"} <= past
    assert "days-of-tajik-culture-agreed" not in past  # the Days were held in August
    assert "trade-target-1bn-2013" not in past  # later events report trade above $1 billion
    [summit] = about(found, "past-plan", "central-asia-summit-dushanbe-2023")
    assert "planned for September 2023; no later report in the store" in summit


def test_the_2021_total_from_exports_and_imports(before: Path, write_store: Callable[..., Path]) -> None:
    [found] = [f for f in run(before) if "= $1,163.6 mn in 2021" in f.message]
    assert (found.kind, found.severity, found.disagreement) == ("arithmetic", KNOWN, "trade-2021-vs-growth-2022")
    # Without the two turnover growth rates, the exports and imports still show it.
    data = yaml.safe_load(BEFORE.read_text(encoding="utf-8"))
    rates = {"trade-growth-2022-a", "trade-growth-2022-b"}
    data["figures"] = [f for f in data["figures"] if f["id"] not in rates]
    for record in data["disagreements"]:
        record["figures"] = [f for f in record.get("figures", []) if f not in rates]
    without = run(write_store(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)))
    [found] = [f for f in without if f.kind == "arithmetic"]
    assert "$800.0 mn + $363.6 mn = $1,163.6 mn in 2021, but the total is $1.1 bn (trade-2021" in found.message
    assert found.disagreement == "trade-2021-vs-growth-2022"


def test_check_on_it_exits_one_for_the_month(
    before: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_TODAY", TODAY.isoformat())
    assert cli.main(["check", "--events", str(before)]) == 1
    out = capsys.readouterr().out
    assert (
        "== warnings: months and days in a title or summary that neither the event's date nor its quotes give (1) =="
        in out
    )
    assert "== notes: recorded disagreements whose versions differ in nothing check can see (1) ==" in out
    assert out.splitlines()[-1].startswith("kztj check: 1 warning, 7 recorded disagreements")
