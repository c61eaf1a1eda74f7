"""Recorded disagreements: the store format, its validation, and the runtime model that carries them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import loader
from kztj_tui.cache import open_store
from kztj_tui.loader import StoreError

from .conftest import BUNDLED, MINIMAL

STORE = (
    MINIMAL.replace("figures: []\n", "")
    + """\
figures:
  - {id: f1, metric: trade_turnover, period: 2020, value: 800000000, unit: USD, source: s1,
     quote: "last year’s trade reached $800 million", event: visit}
  - {id: f2, metric: trade_turnover, period: 2020, value: 900000000, unit: USD, source: s1,
     quote: "last year’s trade reached $800 million", event: visit}
disagreements:
  - id: d1
    about: 2020 turnover
    events: [visit]
    figures: [f1, f2]
    versions:
      - {source: s1, quote: "Despite the pandemic, last year’s trade reached $800 million."}
    note: A test note.
    reviewed: true
"""
)


def problems(path: Path) -> list[str]:
    with pytest.raises(StoreError) as caught:
        loader.load(path)
    return [str(p) for p in caught.value.problems]


def test_disagreements_load_into_the_runtime_model(write_store: Callable[..., Path]) -> None:
    loaded = loader.load(write_store(STORE))
    [d] = loaded.disagreements
    assert (d.id, d.about, d.events, d.figures, d.note, d.reviewed) == (
        "d1",
        "2020 turnover",
        ("visit",),
        ("f1", "f2"),
        "A test note.",
        True,
    )
    assert d.versions[0].source == "s1" and d.versions[0].quote.startswith("Despite the pandemic")


@pytest.mark.parametrize("use_cache", [True, False])
def test_store_carries_disagreements_through_the_cache(write_store: Callable[..., Path], use_cache: bool) -> None:
    path = write_store(STORE)
    first = open_store(path, use_cache=use_cache)
    again = open_store(path, use_cache=use_cache)  # with the cache: read back from the database
    for store in (first, again):
        assert [d.id for d in store.disagreements] == ["d1"]
        assert store.disagreements == loader.load(path).disagreements


def test_store_without_disagreements_has_none(write_store: Callable[..., Path]) -> None:
    assert open_store(write_store(MINIMAL)).disagreements == []


def test_dangling_references_and_missing_quotes_are_reported_at_their_lines(
    write_store: Callable[..., Path],
) -> None:
    text = (
        STORE.replace("events: [visit]", "events: [visit, nowhere]")
        .replace("figures: [f1, f2]", "figures: [f1, f9]")
        .replace('quote: "Despite the pandemic', 'quote: "Despite the pandamic')
    )
    lines = problems(write_store(text))
    assert any(":30:" in line and "disagreements[0].events[1]: unknown event 'nowhere'" in line for line in lines)
    assert any(":31:" in line and "disagreements[0].figures[1]: unknown figure 'f9'" in line for line in lines)
    assert any(
        ":33:" in line and "disagreements[0].versions[0].quote: quote not found in source 's1'" in line
        for line in lines
    )


def test_disagreement_fields_are_validated(write_store: Callable[..., Path]) -> None:
    text = (
        STORE.replace("reviewed: true", "reviewed: 'yes'")
        .replace("events: [visit]", "events: []")
        .replace("    note: A test note.\n", "")
        + "  - {id: d1, about: again, events: [visit], note: n}\n"
    )
    lines = problems(write_store(text))
    assert any("disagreements[0].reviewed: Input should be a valid boolean" in line for line in lines)
    assert any("disagreements[0].events: List should have at least 1 item" in line for line in lines)
    assert any("disagreements[0]: missing required key 'note'" in line for line in lines)
    assert any("disagreements[1].id: duplicate id 'd1' (first at disagreements[0])" in line for line in lines)


def test_bundled_store_records_reviewed_disagreements() -> None:
    loaded = loader.load(BUNDLED)
    assert len(loaded.disagreements) >= 6
    assert all(d.reviewed and d.note for d in loaded.disagreements)


def test_bundled_store_records_only_disagreements_that_rest_on_something() -> None:
    from kztj_tui import check

    found = [f for f in check.run(open_store(BUNDLED, use_cache=False)) if f.kind == "groundless"]
    assert found == [], "\n".join(f.message for f in found)
