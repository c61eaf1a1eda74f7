"""`kztj check`: each check on a small store made to trip it, the shipped store, and the command line."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from kztj_tui import check, cli
from kztj_tui.cache import open_store
from kztj_tui.check import KNOWN, NOTE, WARNING, Finding

from .conftest import BUNDLED, REPO

VISIT_QUOTE = "Kassym-Jomart Tokayev began his two-day visit to Dushanbe May 19"
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
            "tags": ["visit"],
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
        ("2023-05-05?", "s2"),  # an article's date standing in for a date it does not give
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


def parts_store(make: Callable[..., Path], total_2021: float, a: str = "kz", b: str = "tj") -> Path:
    return make(
        figures=[
            figure("x", f"{a}_exports_to_{b}", "2022", 877.6e6),
            figure("xg", f"{a}_exports_to_{b}_growth", "2022", 9.7, unit="percent"),
            figure("m", f"{a}_imports_from_{b}", "2022", 501.4e6),
            figure("mg", f"{a}_imports_from_{b}_growth", "2022", 37.9, unit="percent"),
            figure("t", "trade_turnover", "2021", total_2021, source="s2"),
        ]
    )


@pytest.mark.parametrize(("a", "b"), [("kz", "tj"), ("tj", "kz"), ("uz", "kz")])
def test_a_years_total_from_its_parts_and_their_growth_rates(make: Callable[..., Path], a: str, b: str) -> None:
    # Exports +9.7% to $877.6 mn and imports +37.9% to $501.4 mn: $800.0 + $363.6 = $1,163.6 mn the year before.
    [finding] = of(findings(parts_store(make, 1.1e9, a, b)), "arithmetic", WARNING)
    assert finding.at == ("figures", "t", "value") and finding.figures == ("t", "x", "xg", "m", "mg")
    assert "$800.0 mn + $363.6 mn = $1,163.6 mn in 2021, but the total is $1.1 bn (t, s2)" in finding.message


@pytest.mark.parametrize("total_2021", [1.1636e9, 1.16e9, 1.2e9])  # exact; within $1.2 bn's ±$50 mn
def test_a_years_total_that_its_parts_agree_with(make: Callable[..., Path], total_2021: float) -> None:
    assert of(findings(parts_store(make, total_2021)), "arithmetic") == []


@pytest.mark.parametrize("rate", [-100, -150])
def test_a_part_that_fell_to_nothing_gives_no_year_before(make: Callable[..., Path], rate: float) -> None:
    path = make(
        figures=[
            figure("x", "kz_exports_to_tj", "2022", 0),
            figure("xg", "kz_exports_to_tj_growth", "2022", rate, unit="percent"),
            figure("m", "kz_imports_from_tj", "2022", 501.4e6),
            figure("mg", "kz_imports_from_tj_growth", "2022", 37.9, unit="percent"),
            figure("t", "trade_turnover", "2021", 1.1e9, source="s2"),
        ]
    )
    assert not [f for f in of(findings(path), "arithmetic") if "in 2021" in f.message]


def test_a_part_that_fell(make: Callable[..., Path]) -> None:
    path = make(
        figures=[
            figure("x", "kz_exports_to_tj", "2022", 720.9e6),
            figure("xg", "kz_exports_to_tj_growth", "2022", -10, unit="percent"),
            figure("m", "kz_imports_from_tj", "2022", 401.2e6),
            figure("mg", "kz_imports_from_tj_growth", "2022", 0, unit="percent"),
            figure("t", "trade_turnover", "2021", 1.3e9, source="s2"),
        ]
    )
    [finding] = of(findings(path), "arithmetic")
    assert "$720.9 mn (x, s1) down 10% (xg)" in finding.message
    assert "$801.0 mn + $401.2 mn = $1,202.2 mn in 2021" in finding.message


def test_parts_in_another_unit_are_not_added(make: Callable[..., Path]) -> None:
    path = make(
        figures=[
            figure("x", "kz_exports_to_tj", "2022", 877_600, unit="tonnes"),
            figure("xg", "kz_exports_to_tj_growth", "2022", 9.7, unit="percent"),
            figure("m", "kz_imports_from_tj", "2022", 501.4e6),
            figure("mg", "kz_imports_from_tj_growth", "2022", 37.9, unit="percent"),
            figure("t", "trade_turnover", "2021", 1.1e9, source="s2"),
            figure("t2", "trade_turnover", "2022", 9e9, source="s2"),
        ]
    )
    assert [f for f in of(findings(path), "arithmetic") if "=" in f.message] == []


def test_a_year_before_is_worked_out_only_with_every_part_and_rate(make: Callable[..., Path]) -> None:
    path = make(
        figures=[
            figure("x", "kz_exports_to_tj", "2022", 877.6e6),
            figure("xg", "kz_exports_to_tj_growth", "2022", 9.7, unit="percent"),
            figure("m", "kz_imports_from_tj", "2022", 501.4e6),  # no growth rate for imports
            figure("t", "trade_turnover", "2021", 1.1e9, source="s2"),
        ]
    )
    assert of(findings(path), "arithmetic") == []


@pytest.mark.parametrize(
    ("part", "whole", "found"),
    [
        ("grain_trade_turnover", "trade_turnover", True),  # Q_M is a part of M, whatever Q is
        ("tj_imports_from_kz", "trade_turnover", True),
        ("grain_trade_turnover_growth", "trade_turnover_growth", False),  # a part's growth may exceed the whole's
        ("trade_turnover_target", "trade_turnover", False),  # an aim, not a part
    ],
)
def test_parts_and_wholes_follow_from_metric_names(
    make: Callable[..., Path], part: str, whole: str, found: bool
) -> None:
    unit = "percent" if part.endswith("_growth") else "USD"
    path = make(
        figures=[figure("p", part, "2022", 40 if unit == "percent" else 2e9, unit=unit),
                 figure("w", whole, "2022", 18.5 if unit == "percent" else 1.4e9, unit=unit, source="s2")]
    )  # fmt: skip
    assert bool(of(findings(path), "arithmetic")) is found


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


# -- months and days, places, actors and tags the quotes do not give ----------------------------


def dated(make: Callable[..., Path], when: str, summary: str) -> Path:
    event = {**BASE["events"][0], "date": when, "summary": summary}
    return make(events=[event])


@pytest.mark.parametrize(
    ("when", "summary", "named"),
    [
        ("2021", "A visit in August.", "'August'"),  # a month on an event dated to the year
        ("2021", "A visit on 25 May.", "'25 May'"),  # May is quoted, the 25th is not
        ("2021-05", "A visit on 25 May.", "'25 May'"),  # a day on an event dated to the month
        ("2021-05", "A visit that began May 25th.", "'May 25th'"),
        ("2021-05-19/2021-05-20", "A visit, then talks in June.", "'June'"),
        ("2021-05-19/2021-05-20", "A visit, then talks on 21–22 May.", "'21–22 May'"),
        ("2021", "A visit in Aug. 2021.", "'Aug'"),  # a month abbreviated
        ("2021-05", "Talks follow on Sept. 3.", "'Sept. 3'"),
        ("2021-05", "A visit on the 25th of May.", "'25th of May'"),
        ("2021-05", "A visit on Thursday.", "'Thursday'"),  # a weekday
        ("2021-05-19", "A visit on Thursday.", "'Thursday'"),  # 19 May 2021 was a Wednesday
    ],
)
def test_a_month_or_day_that_neither_the_date_nor_a_quote_gives(
    make: Callable[..., Path], when: str, summary: str, named: str
) -> None:
    found = findings(dated(make, when, summary))
    [finding] = of(found, "undated", WARNING)
    assert finding.at == ("events", "visit", "summary") and finding.events == ("visit",)
    assert f"summary: {named} — a month or day that neither its date ({when}) nor any of its quotes gives" in (
        finding.message
    )
    assert of(found, "unsupported") == []  # said once, as a date


@pytest.mark.parametrize(
    ("when", "summary"),
    [
        ("2021", "A visit that begins on 19 May."),  # the quote gives May 19
        ("2021-05", "A visit in May."),
        ("2021-05-19/2021-05-20", "A visit on 19–20 May."),
        ("2021-05~", "A visit in May, they may say."),
        ("2021-04/2021-06", "A visit between April and June."),
        ("2021-05-19/2021-05-20", "A visit from Wednesday to Thursday, 19–20 May 2021."),  # the date's own days
        ("2021-05-19", "A visit on Wed., May 19."),
        ("2021-05", "A visit in May 2021, of two days."),  # 2021 is a year, not the 20th
    ],
)
def test_months_and_days_the_date_or_a_quote_gives(make: Callable[..., Path], when: str, summary: str) -> None:
    found = findings(dated(make, when, summary))
    assert of(found, "undated") == [] and of(found, "unsupported") == []


def test_a_place_an_actor_and_a_tag_no_quote_names_are_one_note(make: Callable[..., Path]) -> None:
    event = {
        **BASE["events"][0],
        "summary": "Talks.",
        "tags": ["security", "visit"],
        "sources": [
            {"source": "s2", "quote": "negotiations were held with the President of Tajikistan Emomali Rahmon"}
        ],
    }
    found = findings(make(events=[event]))
    [note] = of(found, "unquoted", NOTE)
    assert note.at == ("events", "visit", "place") and note.events == ("visit",)
    assert note.message == (
        "event 'visit': place 'dushanbe' (Dushanbe); actor 'tokayev' (Kassym-Jomart Tokayev); tags 'security', "
        "'visit' — no cited quote names them"
    )
    assert warnings(found) == []


RAHMON = {"id": "rahmon", "name": "Emomali Rahmon", "kind": "person", "aliases": ["Rakhmon", "Рахмон"]}
TAJIKISTAN = {"id": "tajikistan", "name": "Tajikistan", "kind": "country", "aliases": ["Tajik", "Таджикистан"]}
KAZINFORM = {"id": "s3", "file": "seeds/000_e3cf86469e9e2e0d.txt", "outlet": "Outlet Three", "published": "2023-05-05",
             "description": "third"}  # fmt: skip
MEETING = "Tokayev began his two-day visit to Dushanbe May 19 meeting with Tajikistan’s President Emomali Rahmon"


@pytest.mark.parametrize(
    ("actors", "tags", "source", "quote"),
    [
        (["rahmon", "tajikistan"], ["visit"], "s1", MEETING),  # a full name; a possessive
        (["tajikistan"], ["agriculture"], "s1", "the supply of Tajik agricultural products"),  # an alias; a form
        (["tajikistan"], ["diplomacy"], "s3", "the diplomatic relations between the two states"),  # a form; see below
        (["tajikistan", "rahmon"], ["negotiations", "president"], "s2", BASE["events"][0]["sources"][1]["quote"]),
    ],
)
def test_names_aliases_and_forms_in_a_quote_count(
    make: Callable[..., Path], actors: list[str], tags: list[str], source: str, quote: str
) -> None:
    sources = [{"source": source, "quote": quote}, {"source": "s1", "quote": VISIT_QUOTE}]
    event = {**BASE["events"][0], "summary": "Talks.", "actors": ["tokayev", *actors], "tags": tags, "sources": sources}
    found = findings(make(events=[event], add_entities=[RAHMON, TAJIKISTAN], add_sources=[KAZINFORM]))
    unnamed = [f.message for f in of(found, "unquoted")]
    if "diplomacy" in tags:  # Tajikistan is one of "the two states", but only by implication: shown
        assert unnamed == ["event 'visit': actor 'tajikistan' (Tajikistan) — no cited quote names it"]
    else:
        assert unnamed == []


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


# -- plans and targets against today ----------------------------------------------------------

SUMMIT = {**BASE["events"][0], "id": "summit", "date": "2023-09", "title": "A summit", "summary": "A summit.",
          "status": "planned"}  # fmt: skip


def plans(make: Callable[..., Path], *events: dict[str, Any], figures: list[dict[str, Any]] | None = None) -> Path:
    return make(events=json.loads(json.dumps([BASE["events"][0], *events])), figures=figures or [])  # no shared parts


@pytest.mark.parametrize(
    ("status", "when", "on", "text"),
    [
        ("planned", "2023-09", date(2026, 12, 4), "planned for September 2023; no later report in the store"),
        ("target", "2023-09", date(2023, 10, 1), "target for September 2023; no later report in the store"),
        ("planned", "2021-05-19", date(2021, 5, 20), "planned as of 19 May 2021; no later report in the store"),
    ],
)
def test_a_plan_past_its_date_with_no_later_report(
    make: Callable[..., Path], status: str, when: str, on: date, text: str
) -> None:
    store = open_store(plans(make, {**SUMMIT, "status": status, "date": when}), use_cache=False)
    [note] = of(check.run(store, on=on), "past-plan", NOTE)
    assert note.at == ("events", "summit", "status") and note.events == ("summit",)
    assert note.message == f"event 'summit': {text} (today is {on.isoformat()})"
    summit = store.event("summit")
    assert summit is not None and check.status_text(summit, [], store.sources, on) == text


@pytest.mark.parametrize("on", [date(2023, 9, 30), date(2023, 6, 1)])
def test_a_plan_not_yet_due_is_no_note(make: Callable[..., Path], on: date) -> None:
    store = open_store(plans(make, SUMMIT), use_cache=False)
    assert of(check.run(store, on=on), "past-plan") == []
    summit = store.event("summit")
    assert summit is not None and check.status_text(summit, [], store.sources, on) == "planned for September 2023"


def test_a_plan_a_later_related_event_reports_on(make: Callable[..., Path]) -> None:
    held = {**SUMMIT, "id": "held", "date": "2023-09-15", "title": "The summit is held", "status": "occurred"}
    store = open_store(plans(make, {**SUMMIT, "related": ["held"]}, held), use_cache=False)
    assert of(check.run(store, on=date(2026, 12, 4)), "past-plan") == []
    summit, later = store.event("summit"), store.event("held")
    assert summit is not None and later is not None
    assert check.status_text(summit, [later], store.sources, date(2026, 12, 4)) == (
        "planned for September 2023; reported later: The summit is held (15 September 2023)"
    )


def test_a_target_figure_past_its_date(make: Callable[..., Path]) -> None:
    aim = figure("aim", "forum_contracts_target", "2023-05-03", 2e9)
    path = plans(make, figures=[aim])
    [note] = of(check.run(open_store(path, use_cache=False), on=date(2026, 12, 4)), "past-plan", NOTE)
    assert note.figures == ("aim",) and note.events == ("visit",) and note.at == ("figures", "aim", "period")
    assert "forum_contracts_target of $2 bn (aim, s1) as of 3 May 2023; no later forum_contracts" in note.message
    later = figure("later", "forum_contracts", "2023-06", 2.1e9)
    path = plans(make, figures=[aim, later])
    assert of(check.run(open_store(path, use_cache=False), on=date(2026, 12, 4)), "past-plan") == []


@pytest.mark.parametrize(
    ("later", "noted"),
    [
        (figure("h1", "trade_turnover", "2023-01/2023-06", 5e8), False),  # a half-year that runs past the aim's date
        (figure("y", "trade_turnover", "2022", 1.4e9), True),  # over before the aim was stated
        (figure("g", "trade_turnover_growth", "2023", 5.0, unit="percent"), True),  # a rate reports no total
    ],
)
def test_a_target_aims_at_the_metric_its_name_begins(make: Callable[..., Path], later: dict, noted: bool) -> None:
    """`trade_target` aims at `trade_turnover`: a figure of it that runs past the aim's date reports on it."""
    aim = figure("aim", "trade_target", "2023-05-03", 1e9)
    path = plans(make, figures=[aim, later])
    assert bool(of(check.run(open_store(path, use_cache=False), on=date(2026, 12, 4)), "past-plan")) is noted


@pytest.mark.parametrize(("today", "listed"), [("2026-12-04", True), ("2023-06-01", False), ("", True)])
def test_check_weighs_plans_against_kztj_today(
    make: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    today: str,
    listed: bool,
) -> None:
    monkeypatch.setenv("KZTJ_TODAY", today)
    assert cli.main(["check", "--events", str(plans(make, SUMMIT))]) == 0  # a note, not a warning
    out = capsys.readouterr().out
    assert ("planned for September 2023; no later report in the store" in out) is listed
    assert (
        "== notes: plans and targets whose date has passed, with no later report in the store (1) ==" in out
    ) is listed


@pytest.mark.parametrize(
    ("today", "shown"),
    [
        *((text, text) for text in ["2023-13-01", "tomorrow", "20230601", "2023-06-01T00:00", "２０２３-06-01"]),
        (os.fsdecode(b"\xff"), "\\xff"),  # not UTF-8: written as \\xNN, as everywhere (it was \\udcff)
        ("x\x1b[31m", "x\\x1b[31m"),
    ],
)
@pytest.mark.parametrize("command", [["check"], ["check", "--json"]])
def test_a_bad_kztj_today_is_one_line_and_exit_two(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, today: str, shown: str, command: list[str]
) -> None:
    monkeypatch.setenv("KZTJ_TODAY", today)
    assert cli.main(command) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == f"kztj: KZTJ_TODAY='{shown}' is not a day (expected YYYY-MM-DD)\n"


# -- disagreements that rest on nothing --------------------------------------------------------

TRADE_B = "Last year, the volume of trade reached $ 800 million"


def disagreement(
    make: Callable[..., Path], value_b: float, quote_b: str = TRADE_B, period_b: str = "2020", **record: Any
) -> Path:
    figures = [
        {**figure("a", "trade_turnover", "2020", 8e8), "quote": "last year’s trade reached $800 million"},
        {**figure("b", "trade_turnover", period_b, value_b, source="s2"), "quote": TRADE_B},
    ]
    versions = [{"source": "s1", "quote": TRADE_QUOTE}, {"source": "s2", "quote": quote_b}]
    entry = {"id": "d", "about": "2020", "events": ["visit"], "versions": versions, "note": "n", "reviewed": True}
    return make(figures=figures, disagreements=[{**entry, **record}])


def test_a_disagreement_whose_versions_agree_is_a_note(make: Callable[..., Path]) -> None:
    found = findings(disagreement(make, 8e8))
    [note] = of(found, "groundless", NOTE)
    assert note.at == ("disagreements", "d") and note.disagreement == "d" and set(note.figures) == {"a", "b"}
    assert note.message == (
        "d: its versions differ in no value, date or name that check can see; they give "
        "trade_turnover 2020 $800 mn (a, s1), trade_turnover 2020 $800 mn (b, s2)"
    )
    longer = findings(disagreement(make, 8e8, TRADE_B + ", despite the pandemic"))  # more words, no other value
    assert [f.disagreement for f in of(longer, "groundless")] == ["d"]
    assert of(found, "disagreement", KNOWN)  # still listed as recorded


@pytest.mark.parametrize(
    ("value_b", "quote_b", "period_b", "record"),
    [
        (9e8, TRADE_B, "2020", {}),  # the versions' figures give 2020 two values
        (9e8, TRADE_B, "2020", {"figures": ["a", "b"]}),  # ... and the disagreement covers that conflict
        (8e8, TRADE_B, "2021", {}),  # one value, two years
        (8e8, "the volume of trade reached", "2020", {}),  # a version that states no figure: wording
        (8e8, "despite the pandemic", "2020", {}),
    ],
)
def test_a_disagreement_that_rests_on_something_is_no_note(
    make: Callable[..., Path], value_b: float, quote_b: str, period_b: str, record: dict[str, Any]
) -> None:
    assert of(findings(disagreement(make, value_b, quote_b, period_b, **record)), "groundless") == []


def test_versions_that_name_different_people_or_days_differ(make: Callable[..., Path]) -> None:
    figures = [
        {**figure("a", "forum_contracts_target", "2021-05-19", 2e9), "quote": MEETING},
        {**figure("b", "forum_contracts_target", "2021-05-19", 2e9, source="s2"), "quote": TRADE_B},
    ]
    entry = {"id": "d", "about": "who", "events": ["visit"], "figures": ["a", "b"], "note": "n", "reviewed": True}
    path = make(figures=figures, disagreements=[entry], add_entities=[RAHMON, TAJIKISTAN])
    assert of(findings(path), "groundless") == []  # one names Tokayev, Rahmon, Dushanbe and May; the other none
    figures[0]["quote"] = "last year’s trade reached $800 million"
    path = make(figures=figures, disagreements=[entry], add_entities=[RAHMON, TAJIKISTAN])
    assert [f.disagreement for f in of(findings(path), "groundless")] == ["d"]


THURSDAY = "the presidential press office said on Thursday"


@pytest.mark.parametrize(
    ("when", "quote_b", "noted"),
    [
        ("2021-05-19", THURSDAY, True),  # 19 May by one version, Thursday by the other
        ("2021-05-19?", THURSDAY, False),  # the date says it is uncertain
        ("2021-05-19/2021-05-20", THURSDAY, False),  # not one day
        ("2021-05", THURSDAY, False),
        ("2021-05-19", "negotiations were held with the President of Tajikistan Emomali Rahmon", False),  # no day
    ],
)
def test_an_event_dated_to_a_day_that_a_disagreement_disputes(
    make: Callable[..., Path], when: str, quote_b: str, noted: bool
) -> None:
    event = {**BASE["events"][0], "date": when, "summary": "A visit."}
    versions = [{"source": "s1", "quote": VISIT_QUOTE}, {"source": "s2", "quote": quote_b}]
    entry = {"id": "d", "about": "the day", "events": ["visit"], "versions": versions, "note": "n", "reviewed": True}
    found = of(findings(make(events=[event], disagreements=[entry])), "disputed-day", NOTE)
    assert [(f.at, f.disagreement) for f in found] == ([(("events", "visit", "date"), "d")] if noted else [])
    if noted:
        assert found[0].message == (
            "event 'visit' is dated 2021-05-19 with no ?, but the versions of d name different days (19 May; Thursday)"
        )


@pytest.mark.parametrize(
    ("period_a", "period_b", "noted"),
    [
        ("2021-05-19", "2021-05-19", True),  # b's article does not date it: it took a's date
        ("2021-05-19", "2021-05-19?", False),  # marked uncertain
        ("2021-05-18", "2021-05-19", False),  # no other article has that date
        ("2021-05", "2021-05", True),
        ("2021", "2021", False),  # a year is a period, not a date an article has to give
    ],
)
def test_a_figure_dated_as_another_article_dates_it(
    make: Callable[..., Path], period_a: str, period_b: str, noted: bool
) -> None:
    figures = [
        {**figure("a", "forum_contracts", period_a, 18e8), "quote": VISIT_QUOTE},  # gives May 19
        {**figure("b", "forum_contracts", period_b, 18e8, source="s2"), "quote": TRADE_B},
    ]
    found = of(findings(make(figures=figures)), "borrowed-date", NOTE)
    assert [(f.at, f.figures) for f in found] == ([(("figures", "b", "period"), ("b", "a"))] if noted else [])
    if noted:
        assert "its own article does not give that date, so by the store's rule it takes the article's date" in (
            found[0].message
        )


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


@pytest.mark.parametrize("more", [[], ["--json"]])
def test_check_keeps_its_status_when_the_reader_goes(make: Callable[..., Path], more: list[str]) -> None:
    # `kztj check | head -1` exited 0, as if the store had no warnings: a reader that goes is not an
    # error, but the status is still check's answer.
    path = make(add_entities=[{"id": "vakhsh", "name": "Vakhsh River", "kind": "place", "aliases": ["Vakhsh"]}])
    command = [sys.executable, "-m", "kztj_tui", "--events", str(path), "check", *more]
    piped = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert piped.stdout is not None and piped.stderr is not None
    piped.stdout.close()  # the reader goes away before the first byte
    assert (piped.wait(timeout=60), piped.stderr.read()) == (1, b"")
    piped.stderr.close()
