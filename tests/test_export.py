"""Exports: golden files for Markdown and JSON, and the JSON shape the issue promises."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import export
from kztj_tui.cache import open_store
from kztj_tui.export.markdown import md_escape
from kztj_tui.model import Filters
from kztj_tui.store import Store

from .conftest import MINIMAL

GOLDEN = Path(__file__).parent / "golden"
EVENT_KEYS = {"id", "date", "start", "end", "title", "summary", "tags", "actors", "place", "status", "sources"}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("KZTJ_UPDATE_GOLDEN"):
        path.write_bytes(text.encode("utf-8"))
    # Bytes, not text: CSV and iCalendar end lines in CRLF, which text mode would hide.
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs; set KZTJ_UPDATE_GOLDEN=1 and review the diff"


def test_markdown_golden(store: Store) -> None:
    check_golden("export.md", export.render(store))


def test_markdown_filtered_golden(store: Store) -> None:
    import datetime as dt

    filters = Filters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31), tags=("trade",))
    check_golden("export-2023-trade.md", export.render(store, filters))


def test_json_golden(store: Store) -> None:
    check_golden("export.json", export.render(store, fmt="json"))


def test_json_shape(store: Store) -> None:
    data = json.loads(export.render(store, fmt="json"))
    assert list(data) == [
        "format",
        "title",
        "description",
        "sources",
        "entities",
        "events",
        "figures",
        "disagreements",
    ]
    assert data["format"] == "kztj-export/1" and data["title"] == store.title
    for event in data["events"]:
        assert set(event) >= EVENT_KEYS | {"precision", "uncertain", "approximate"}
        assert len(event["start"]) == 10
        if event["end"] is None:  # an interval open at its end: "since June 1993"
            assert event["date"].endswith(("/..", "/"))
        else:
            assert len(event["end"]) == 10 and event["start"] <= event["end"]
        assert all(set(c) == {"source", "quote"} for c in event["sources"])
    for figure in data["figures"]:
        assert {"id", "metric", "period", "value", "unit", "source", "quote"} <= set(figure)
        assert isinstance(figure["value"], (int, float))


def test_markdown_is_chronological_and_grouped_by_year(store: Store) -> None:
    text = export.render(store)
    years = [int(line[3:]) for line in text.splitlines() if line.startswith("## ") and line[3:].isdigit()]
    assert years == sorted(set(years)) and years[0] == 1993 and years[-1] == 2023


@pytest.mark.parametrize("hostile", ["[link](http://evil)", "*bold* _x_ `code`", "# heading", "a|b"])
def test_markdown_escapes_user_text(hostile: str) -> None:
    escaped = export.md_escape(hostile)
    for char in "[]*_`#|":
        assert char not in escaped.replace("\\" + char, "")


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(query="zzzznothing"), Filters(tags=("culture",)), Filters(query="dushanbe")],
)
def test_markdown_ends_with_one_newline(store: Store, filters: Filters, write_store: Callable[..., Path]) -> None:
    """Whatever section comes last (figures, disagreements, events, "no events"), one newline ends the file."""
    for text in (export.render(store, filters), export.render(open_store(write_store(MINIMAL), use_cache=False))):
        assert text.endswith("\n") and not text.endswith("\n\n"), repr(text[-40:])


def test_export_with_no_matches_says_so(store: Store) -> None:
    text = export.render(store, Filters(query="zzzznothing"))
    assert "No events match" in text and "## Figures" not in text


def test_no_disagreement_is_hidden_by_an_export(store: Store) -> None:
    recorded = store.disagreements
    assert recorded
    text = export.render(store)
    for item in recorded:
        assert text.count(md_escape(item.about)) >= 2  # at the events and in its section
    data = json.loads(export.render(store, fmt="json"))
    assert [d["id"] for d in data["disagreements"]] == [d.id for d in recorded]


def test_a_filter_keeps_the_disagreements_of_what_it_exports(store: Store) -> None:
    item = store.disagreements[0]
    event = store.event(item.events[0])
    assert event is not None
    data = json.loads(export.render(store, Filters(query=f'"{event.title}"'), fmt="json"))
    exported = {e["id"] for e in data["events"]}
    assert event.id in exported
    kept = {d["id"]: d for d in data["disagreements"]}
    assert item.id in kept and set(kept[item.id]["events"]) <= exported
