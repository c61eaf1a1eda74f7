"""Large stores: the loader reads them as libyaml does, and the TUI handles 100k events."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kztj_tui import loader
from kztj_tui.loader import LoadedStore, StoreError
from kztj_tui.model import Citation, Event
from kztj_tui.store import Store
from kztj_tui.storebuild import from_loaded
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.timeline import Timeline

from .conftest import BUNDLED, write_generated_store
from .tui_support import settle


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-event store written by benchmarks/make_store.py."""
    return write_generated_store(tmp_path_factory.mktemp("generated") / "events.yaml", 3000)


def test_generated_store_reads_as_pyyaml_reads_it(generated: Path) -> None:
    # kztj builds data from libyaml's events itself; PyYAML's own constructor is the reference.
    reference = yaml.load(generated.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    loaded = loader.load(generated)
    by_id = {e.id: e for e in loaded.events}
    assert len(by_id) == len(reference["events"]) == 3000
    for raw in reference["events"]:
        event = by_id[raw["id"]]
        assert (event.title, event.summary, list(event.tags), event.status) == (
            raw["title"],
            raw["summary"],
            raw["tags"],
            raw["status"],
        )
        assert [c.quote for c in event.sources] == [c["quote"] for c in raw["sources"]]
    assert len(loaded.figures) == len(reference["figures"])


def test_error_deep_in_a_large_store_is_reported_at_its_line(generated: Path) -> None:
    text = generated.read_text(encoding="utf-8")
    cut = text.index("status: occurred", len(text) // 2)
    broken = generated.with_name("broken.yaml")
    broken.write_text(text[:cut] + "status: maybe" + text[cut + len("status: occurred") :], encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        loader.load(broken)
    [problem] = caught.value.problems
    line = broken.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert "status: maybe" in line and "events[" in problem.message


def _big_store(count: int) -> Store:
    """A valid in-memory store of ``count`` events, built without YAML to keep the test fast."""
    bundled = loader.load(BUNDLED)
    events = []
    for index in range(count):
        year = 1993 + index * 31 // count
        events.append(
            Event(
                id=f"e{index:06d}",
                date=str(year),
                start=f"{year}-01-01",
                end=f"{year}-12-31",
                label=str(year),
                long_label=str(year),
                title=f"Event number {index} about {'zircon' if index % 25_000 == 7 else 'wheat'}",
                summary="Delegations meet in Dushanbe.",
                tags=("trade",),
                actors=("tokayev",),
                place="dushanbe",
                status="occurred",
                sources=(Citation("kazinform-2023-05-05", "In 2013, the volume of the bilateral trade reached"),),
                related=(),
            )
        )
    return from_loaded(LoadedStore(BUNDLED, bundled.sources, bundled.entities, events, []))


@pytest.fixture(scope="module")
def store_100k() -> Store:
    return _big_store(100_000)


async def test_virtualized_timeline_at_100k(store_100k: Store) -> None:
    app = KztjApp(store_100k)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        timeline = app.screen.query_one(Timeline)
        assert len(timeline.rowids) == 100_000 and isinstance(timeline.rowids, range)
        await pilot.press("end")
        await settle(pilot)
        assert timeline.selected_rowid == store_100k.all_rowids()[-1]
        assert "Event number 99999" in str(app.screen.query_one("#detail-heading").render())
        await pilot.press("home", "right_square_bracket")
        assert app.store.event_at(timeline.selected_rowid or 0).year == 1994
        await pilot.press("slash", *"zircon")
        await settle(pilot)
        assert len(timeline.rowids) == 4
        await pilot.press("enter", "n", "n")
        assert "zircon" in app.store.event_at(timeline.selected_rowid or 0).title
        await pilot.press("escape")
        await settle(pilot)
        assert len(timeline.rowids) == 100_000


async def test_broad_search_is_capped_but_counted(store_100k: Store) -> None:
    app = KztjApp(store_100k)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"wheat")
        await settle(pilot)
        timeline = app.screen.query_one(Timeline)
        assert len(timeline.rowids) == 5000
        assert "first 5,000 of 99,996 matches" in str(app.screen.query_one("#match-count").render())


def test_figure_with_an_unknown_event_in_a_large_store(generated: Path) -> None:
    text = generated.read_text(encoding="utf-8").replace("event: event-000000", "event: no-such-event", 1)
    assert "no-such-event" in text
    broken = generated.with_name("unknown-event.yaml")
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        loader.load(broken)
    assert ["unknown event 'no-such-event'" in p.message for p in caught.value.problems] == [True]


async def test_time_axis_at_100k(store_100k: Store) -> None:
    from kztj_tui.tui.timeaxis import AxisScreen, AxisView

    app = KztjApp(store_100k)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        view = app.screen.query_one(AxisView)
        assert view.data is not None and len(view.data.rowids) == 100_000
        text = "\n".join(str(view.render()).splitlines())
        assert "100,000 events" in text and "█" in text  # the crowd as a histogram
        timeline = app.screen_stack[0].query_one(Timeline)
        await pilot.press(*["right"] * 30, "end")
        assert timeline.selected_rowid == store_100k.all_rowids()[-1]
        await pilot.press(*["plus"] * 8, "home")
        assert timeline.selected_rowid == store_100k.all_rowids()[0]
        text = str(view.render())
        assert "Event number 0 " in text and "(year precision)" in text and "more here" in text
