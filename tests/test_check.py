"""`kztj check`: each check on a small store made to trip it, the shipped store, and the command line."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from kztj_tui import check, cli
from kztj_tui.cache import open_store
from kztj_tui.check import KNOWN, NOTE, WARNING, Finding

from .conftest import BUNDLED, REPO

VISIT_QUOTE = "began his two-day visit to Dushanbe May 19"
TRADE_QUOTE = "Despite the pandemic, last year’s trade reached $800 million."

BASE: dict[str, Any] = {
    "sources": [
        {"id": "s1", "file": "seeds/001_e76ff33dc96d9a90.txt", "outlet": "Outlet One", "published": "2021-05-20",
         "description": "first"},
        {"id": "s2", "file": "seeds/003_6d784a81d65f7209.txt", "outlet": "Outlet Two", "published": "2021-05-21",
         "description": "second"},
    ],
    "entities": [
        {"id": "tokayev", "name": "Kassym-Jomart Tokayev", "kind": "person", "aliases": ["Tokaev", "Токаев"]},
        {"id": "dushanbe", "name": "Dushanbe", "kind": "city", "aliases": ["Душанбе"]},
    ],
    "events": [
        {
            "id": "visit",
            "date": "2021-05-19/2021-05-20",
            "title": "Tokayev visits Dushanbe",
            "summary": "A two-day visit that begins on 19 May.",
            "tags": ["diplomacy"],
            "actors": ["tokayev"],
            "place": "dushanbe",
            "status": "occurred",
            "sources": [
                {"source": "s1", "quote": VISIT_QUOTE},
                {"source": "s2", "quote": "negotiations were held with the President of Tajikistan Emomali Rahmon"},
            ],
        }
    ],
    "figures": [],
}  # fmt: skip


def figure(fid: str, metric: str, period: str, value: float, unit: str = "USD", source: str = "s1") -> dict[str, Any]:
    number = int(value) if float(value).is_integer() else value
    return {"id": fid, "metric": metric, "period": period, "value": number, "unit": unit, "source": source,
            "quote": TRADE_QUOTE if source == "s1" else "the volume of trade reached", "event": "visit"}  # fmt: skip


@pytest.fixture
def make(write_store: Callable[..., Path]) -> Callable[..., Path]:
    """A store file from BASE with some lists replaced or extended."""

    def build(**changes: Any) -> Path:
        data = copy.deepcopy(BASE)
        for key, value in changes.items():
            if key.startswith("add_"):
                data[key[4:]] = [*data.get(key[4:], []), *value]
            else:
                data[key] = value
        return write_store(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000))

    return build


def findings(path: Path) -> list[Finding]:
    return check.run(open_store(path, use_cache=False))


def of(found: list[Finding], kind: str, severity: str | None = None) -> list[Finding]:
    return [f for f in found if f.kind == kind and (severity is None or f.severity == severity)]


def warnings(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.severity == WARNING]


def test_the_base_fixture_is_clean(make: Callable[..., Path]) -> None:
    found = findings(make())
    assert warnings(found) == []
    assert [f.kind for f in found] == []  # two sources, a certain date: not even a note


# -- conflicts ---------------------------------------------------------------------------------


def test_same_metric_and_period_with_different_values_is_a_conflict(make: Callable[..., Path]) -> None:
    path = make(
        figures=[figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")]
    )
    [conflict] = of(findings(path), "conflict", WARNING)
    assert set(conflict.figures) == {"a", "b"} and conflict.events == ("visit",)
    assert "$800 mn (a, s1) vs $900 mn (b, s2)" in conflict.message


def test_equal_values_are_no_conflict(make: Callable[..., Path]) -> None:
    path = make(
        figures=[figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 8e8, source="s2")]
    )
    assert of(findings(path), "conflict") == []


def test_a_reviewed_disagreement_makes_a_conflict_known(make: Callable[..., Path]) -> None:
    figures = [figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")]
    record = {"id": "d", "about": "2020", "events": ["visit"], "figures": ["a", "b"], "note": "n", "reviewed": True}
    found = findings(make(figures=figures, disagreements=[record]))
    assert warnings(found) == []
    [conflict] = of(found, "conflict")
    assert conflict.severity == KNOWN and conflict.disagreement == "d"
    [listed] = of(found, "disagreement", KNOWN)
    assert "sources s1, s2" in listed.message


def test_an_unreviewed_disagreement_covers_nothing_and_is_itself_a_warning(make: Callable[..., Path]) -> None:
    figures = [figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")]
    record = {"id": "d", "about": "2020", "events": ["visit"], "figures": ["a", "b"], "note": "n"}
    found = findings(make(figures=figures, disagreements=[record]))
    assert {f.kind for f in warnings(found)} == {"conflict", "unreviewed"}


def test_a_disagreement_covers_only_findings_all_of_whose_figures_it_names(make: Callable[..., Path]) -> None:
    figures = [figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")]
    record = {"id": "d", "about": "2020", "events": ["visit"], "figures": ["a"], "note": "n", "reviewed": True}
    assert of(findings(make(figures=figures, disagreements=[record])), "conflict", WARNING)


def test_one_fact_dated_differently_by_two_sources(make: Callable[..., Path]) -> None:
    path = make(
        figures=[
            figure("a", "forum_contracts", "2023-05-03", 18e8),
            figure("b", "forum_contracts", "2023-05-04", 18e8, source="s2"),
        ]
    )
    [finding] = of(findings(path), "date-conflict", WARNING)
    assert finding.figures == ("a", "b") and "3 May 2023 per s1 (a) but 4 May 2023 per s2 (b)" in finding.message


@pytest.mark.parametrize(
    ("period_b", "source_b"),
    [
        ("2023-05-03", "s2"),  # same day
        ("2023-05-04", "s1"),  # one source dating two occurrences
        ("2024", "s2"),  # a series: equal yearly values can be coincidence
    ],
)
def test_no_date_conflict(make: Callable[..., Path], period_b: str, source_b: str) -> None:
    path = make(
        figures=[
            figure("a", "forum_contracts", "2023" if period_b == "2024" else "2023-05-03", 18e8),
            figure("b", "forum_contracts", period_b, 18e8, source=source_b),
        ]
    )
    assert of(findings(path), "date-conflict") == []


# -- arithmetic --------------------------------------------------------------------------------


def growth_store(make: Callable[..., Path], rate: float, before: float = 1.1e9, after: float = 1.4e9) -> Path:
    return make(
        figures=[
            figure("y2021", "trade_turnover", "2021", before),
            figure("y2022", "trade_turnover", "2022", after),
            figure("g2022", "trade_turnover_growth", "2022", rate, unit="percent", source="s2"),
        ]
    )


def test_growth_rate_that_does_not_link_the_two_years(make: Callable[..., Path]) -> None:
    [finding] = of(findings(growth_store(make, 18.5)), "arithmetic", WARNING)
    assert finding.figures == ("g2022", "y2021", "y2022")
    assert "growth of 27.3%" in finding.message


@pytest.mark.parametrize(
    ("rate", "before", "after"),
    [
        (27.3, 1.1e9, 1.4e9),  # exact to the rounding of the rate
        (18.5, 1.1636e9, 1.379e9),  # precise values
        (18.5, 1.2e9, 1.4e9),  # 1.2 × 1.185 = 1.422: within the ±0.05 bn the values are rounded to
    ],
)
def test_growth_rate_within_rounding(make: Callable[..., Path], rate: float, before: float, after: float) -> None:
    assert of(findings(growth_store(make, rate, before, after)), "arithmetic") == []


def test_exports_plus_imports_against_turnover(make: Callable[..., Path]) -> None:
    def store(total: float) -> Path:
        return make(
            figures=[
                figure("x", "kz_exports_to_tj", "2022", 877.6e6),
                figure("m", "kz_imports_from_tj", "2022", 501.4e6),
                figure("t", "trade_turnover", "2022", total, source="s2"),
            ]
        )

    assert of(findings(store(1.4e9)), "arithmetic") == []  # 1,379.0 mn rounds to 1.4 bn
    [finding] = of(findings(store(1.5e9)), "arithmetic", WARNING)
    assert finding.figures == ("t", "x", "m") and "= $1,379.0 mn" in finding.message


def test_part_larger_than_its_whole(make: Callable[..., Path]) -> None:
    path = make(
        figures=[
            figure("x", "kz_exports_to_tj", "2022", 2e9),
            figure("t", "trade_turnover", "2022", 1.4e9, source="s2"),
        ]
    )
    [finding] = of(findings(path), "arithmetic", WARNING)
    assert finding.figures == ("x", "t") and "larger than its whole" in finding.message


def test_half_year_larger_than_its_year(make: Callable[..., Path]) -> None:
    path = make(
        figures=[
            figure("h", "trade_turnover", "2023-01/2023-06", 9e8),
            figure("y", "trade_turnover", "2023", 8e8, source="s2"),
        ]
    )
    [finding] = of(findings(path), "arithmetic", WARNING)
    assert finding.figures == ("h", "y")


@pytest.mark.parametrize(
    ("value", "half_unit"),
    [(1.4e9, 5e7), (877.6e6, 5e4), (18.5, 0.05), (39, 0.5), (26000, 500), (0.25, 0.005)],
)
def test_rounding_is_half_a_unit_of_the_last_digit(value: float, half_unit: float) -> None:
    assert check.rounding(value) == pytest.approx(half_unit)


# -- unsupported numbers and names -------------------------------------------------------------


def with_text(make: Callable[..., Path], title: str, summary: str) -> Path:
    event = {**BASE["events"][0], "title": title, "summary": summary}
    return make(events=[event])


def test_number_in_a_summary_that_no_quote_gives(make: Callable[..., Path]) -> None:
    path = with_text(make, "Tokayev visits Dushanbe", "A visit after 40 days of COVID that brings $2 billion.")
    [finding] = of(findings(path), "unsupported", WARNING)
    assert finding.at == ("events", "visit", "summary")
    assert "'40'" in finding.message and "'2 billion'" in finding.message and "'COVID'" in finding.message


def test_name_in_a_title_that_no_quote_or_actor_gives(make: Callable[..., Path]) -> None:
    [finding] = of(findings(with_text(make, "Tokayev visits Dushanbe and Almaty", "A visit.")), "unsupported")
    assert finding.at == ("events", "visit", "title") and "'Almaty'" in finding.message


@pytest.mark.parametrize(
    "summary",
    [
        "Tokaev, by another spelling, begins a two-day visit.",  # an alias of an actor
        "Душанбе hosts him.",  # an alias of the place, in Cyrillic
        "Rahmon meets him.",  # in a quote
        "The visit begins in May 2021, on 19 May.",  # the event's own date, month names included
        "A visit. Meanwhile nothing else happens.",  # an ordinary word opening a sentence
        "Tajikistan's President Rahmon, per Outlet One.",  # a possessive, and the outlet of a cited source
    ],
)
def test_supported_words_are_not_reported(make: Callable[..., Path], summary: str) -> None:
    assert of(findings(with_text(make, "Tokayev visits Dushanbe", summary)), "unsupported") == []


# -- entities, actors, notes -------------------------------------------------------------------


def test_orphan_entity_and_entity_without_cyrillic(make: Callable[..., Path]) -> None:
    path = make(add_entities=[{"id": "vakhsh", "name": "Vakhsh River", "kind": "place", "aliases": ["Vakhsh"]}])
    found = findings(path)
    [orphan] = of(found, "orphan-entity", WARNING)
    [latin] = of(found, "no-cyrillic", WARNING)
    assert orphan.entities == latin.entities == ("vakhsh",)


def test_event_without_actor(make: Callable[..., Path]) -> None:
    event = {**BASE["events"][0], "actors": [], "summary": "A two-day visit."}
    path = make(events=[event], add_entities=[])
    found = findings(path)
    assert [f.events for f in of(found, "no-actor", WARNING)] == [("visit",)]


def test_single_source_and_uncertain_dates_are_notes(make: Callable[..., Path]) -> None:
    event = {**BASE["events"][0], "date": "2021-05-19?", "sources": [{"source": "s1", "quote": VISIT_QUOTE}]}
    path = make(events=[event], figures=[figure("a", "trade_turnover", "2020~", 8e8)])
    found = findings(path)
    assert warnings(found) == []
    assert [f.events for f in of(found, "single-source", NOTE)] == [("visit",)]
    assert {(f.at, f.message.split(": ")[1]) for f in of(found, "uncertain-date", NOTE)} == {
        (("events", "visit", "date"), "date 2021-05-19? is uncertain"),
        (("figures", "a", "period"), "period 2020~ is approximate"),
    }


def test_findings_by_event(make: Callable[..., Path]) -> None:
    figures = [figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")]
    grouped = check.by_event(findings(make(figures=figures)))
    assert [f.kind for f in grouped["visit"]] == ["conflict"]


def test_findings_are_located_at_their_yaml_lines(make: Callable[..., Path]) -> None:
    path = make(
        figures=[figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")],
        add_entities=[{"id": "vakhsh", "name": "Vakhsh River", "kind": "place", "aliases": ["Вахш"]}],
    )
    found = [f for f in findings(path) if f.kind in ("conflict", "orphan-entity")]
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    located = {f.kind: p for f, p in zip(found, check.locate(found, text, str(path)), strict=True)}
    conflict, orphan = located["conflict"], located["orphan-entity"]
    assert conflict.path == str(path)
    assert lines[conflict.line - 1][conflict.column - 1 :] == "800000000"  # figure a's value
    assert lines[conflict.line - 2].strip() == "period: '2020'" and "id: a" in lines[conflict.line - 4]
    assert lines[orphan.line - 1][orphan.column - 1 :] == "id: vakhsh"


# -- the shipped store -------------------------------------------------------------------------


def test_shipped_store_has_no_unreviewed_warnings() -> None:
    found = check.run(open_store(BUNDLED, use_cache=False))
    assert warnings(found) == [], "\n".join(f.message for f in warnings(found))


def test_shipped_store_lists_every_reviewed_disagreement_with_two_sources() -> None:
    store = open_store(BUNDLED, use_cache=False)
    found = check.run(store)
    listed = of(found, "disagreement", KNOWN)
    assert {f.disagreement for f in listed} == {d.id for d in store.disagreements}
    assert len(listed) >= 6
    for finding in listed:
        sources = re.search(r"sources (.+)$", finding.message)
        assert sources and len(sources.group(1).split(", ")) >= 2, finding.message
    # The contract totals and the 2021/2022 growth are found by the checks, and covered.
    assert {f.disagreement for f in found if f.severity == KNOWN and f.kind != "disagreement"} == {
        "forum-contracts-total",
        "trade-2021-vs-growth-2022",
    }


# -- the command line --------------------------------------------------------------------------


def test_check_shipped_store_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert "== warnings" not in out
    assert "== known: reviewed disagreements" in out and "covered by forum-contracts-total: conflict:" in out
    assert "== notes: events that only one article reports" in out
    assert out.splitlines()[-1].startswith("kztj check: 0 warnings, 6 recorded disagreements")
    for line in out.splitlines():
        assert line.startswith(("==", "kztj check:")) or re.match(r"^.+:\d+:\d+: \S", line), line


def test_check_with_warnings_exits_one(make: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = make(add_entities=[{"id": "vakhsh", "name": "Vakhsh River", "kind": "place", "aliases": ["Vakhsh"]}])
    assert cli.main(["check", "--events", str(path)]) == 1
    out = capsys.readouterr().out
    assert "== warnings: entities that no event uses (1) ==" in out
    assert re.search(rf"^{re.escape(str(path))}:\d+:\d+: entity 'vakhsh' \(Vakhsh River\) is the actor", out, re.M)
    assert "kztj check: 2 warnings" in out


def test_check_invalid_store_exits_two(write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--events", str(write_store("events: [1]\n"))]) == 2
    assert capsys.readouterr().err.count("\n") >= 1


def test_check_json(make: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    figures = [figure("a", "trade_turnover", "2020", 8e8), figure("b", "trade_turnover", "2020", 9e8, source="s2")]
    record = {"id": "d", "about": "2020", "events": ["visit"], "figures": ["a", "b"], "note": "n", "reviewed": True}
    path = make(figures=figures, disagreements=[record])
    assert cli.main(["check", "--json", "--events", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["store", "summary", "findings", "disagreements"]
    [conflict] = [f for f in data["findings"] if f["kind"] == "conflict"]
    assert conflict["severity"] == "known" and conflict["disagreement"] == "d"
    assert conflict["path"] == str(path) and conflict["line"] > 1 and conflict["column"] > 1
    assert conflict["figures"] == ["a", "b"] and conflict["events"] == ["visit"]
    assert data["disagreements"][0]["sources"] == ["s1", "s2"] and data["disagreements"][0]["reviewed"] is True


def test_check_json_with_warnings_exits_one(make: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = make(add_entities=[{"id": "vakhsh", "name": "Vakhsh River", "kind": "place", "aliases": ["Вахш"]}])
    assert cli.main(["check", "--json", "--events", str(path)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["kind"] for f in data["findings"] if f["severity"] == "warning"] == ["orphan-entity"]


def test_check_never_imports_textual() -> None:
    code = "import sys; from kztj_tui import cli; cli.main(['check']); print('textual' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.stdout.strip().endswith("False"), done.stderr
