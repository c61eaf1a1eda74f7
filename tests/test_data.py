"""The audited store: facts the articles state are present, dated as the articles allow, and not overstated."""

from __future__ import annotations

from kztj_tui.store import Store


def test_second_largest_trade_partner_is_quoted_from_three_articles(store: Store) -> None:
    files = {
        store.sources[c.source].file
        for e in store.iter_events()
        for c in e.sources
        if "second largest trade partner" in c.quote or "ranks second among the leading trade" in c.quote
    }
    assert files == {
        "seeds/000_e3cf86469e9e2e0d.txt",
        "seeds/001_e76ff33dc96d9a90.txt",
        "seeds/003_6d784a81d65f7209.txt",
    }


def test_source_ids_name_no_outlet_the_article_does_not_name(store: Store) -> None:
    for source in store.sources.values():
        if source.outlet.startswith("Unnamed"):
            cited = source.outlet.split("citing", 1)[-1].lower().split()
            assert not any(word in source.id.split("-") for word in cited if len(word) > 3), source.id


def test_days_worked_out_from_the_articles(store: Store) -> None:
    dated = {e.id: (e.start, e.end) for e in store.iter_events()}
    # Signed "today" in a statement that calls the 3 May forum "a day before".
    assert dated["declaration-allied-interaction"] == ("2023-05-04", "2023-05-04")
    # The visit "began ... May 19 meeting with" Rahmon.
    assert dated["tokayev-rahmon-talks-2021"] == ("2021-05-19", "2021-05-19")


def test_potentials_and_discussions_are_not_targets_or_plans(store: Store) -> None:
    status = {e.id: e.status for e in store.iter_events()}
    for event_id in ("trade-potential-1bn-2021", "trade-potential-2bn-2023", "export-potential-2023"):
        assert status[event_id] != "target", event_id
    for event_id in ("flights-resumption-discussed", "rogun-supplies-offer", "wholesale-centres-proposed"):
        assert status[event_id] != "planned", event_id
    assert {f.metric for f in store.figures if f.event in ("trade-potential-1bn-2021", "trade-potential-2bn-2023")} == {
        "trade_potential"
    }


def test_undated_statements_are_marked_uncertain(store: Store) -> None:
    dates = {e.id: e.date for e in store.iter_events()}
    for event_id in ("trade-target-1bn-2013", "tokayev-rahmon-talks-2023-08", "multilateral-cooperation-2023"):
        assert dates[event_id].endswith("?"), event_id
