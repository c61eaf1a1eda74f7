"""Live reload: the change set, the watcher's debounce, and the browser following edits of the store on disk."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kztj_tui.cache import open_store
from kztj_tui.changes import StoreChanges, compare, describe, input_digests
from kztj_tui.files import FileIdentity
from kztj_tui.model import Citation, Event
from kztj_tui.store import Store
from kztj_tui.storebuild import Quotes, event_row, fingerprint
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.detail import DetailPane
from kztj_tui.tui.live import ReloadErrors, nearest_first
from kztj_tui.tui.main import MatchCount
from kztj_tui.tui.reader import ReaderScreen, SourcePicker
from kztj_tui.tui.searchbox import SearchBox
from kztj_tui.tui.timeline import Timeline
from kztj_tui.watch import InputWatcher, Settler, input_paths, snapshot

from .conftest import BUNDLED, REPO, edit
from .tui_support import screen_text, selected, settle, shown
from .waiting import wait_for

FIRST_TITLE = "Kazakhstan and Tajikistan establish diplomatic relations"


# -- the change set ------------------------------------------------------------------------------


def test_compare_names_added_removed_and_updated_events() -> None:
    changes = compare({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"}, {}, {})
    assert changes == StoreChanges(added=("d",), removed=("c",), updated=("b",))
    assert changes.events == 3


def test_compare_names_changed_articles_but_not_the_store_file() -> None:
    old = {"events.yaml": "s1", "seeds/a.txt": "a1", "seeds/b.txt": "b1"}
    new = {"events.yaml": "s2", "seeds/a.txt": "a2", "seeds/b.txt": "b1", "seeds/c.txt": "c1"}
    changes = compare({}, {}, old, new)
    assert changes.articles == ("seeds/a.txt",)  # a newly cited article is not a changed one
    assert changes.store_file


def test_describe_says_what_changed_in_a_few_words() -> None:
    assert describe(StoreChanges(updated=("a", "b", "c"))) == "3 events updated"
    assert describe(StoreChanges(added=("a",), removed=("b", "c"))) == "1 event added, 2 removed"
    assert describe(StoreChanges(removed=("b",))) == "1 event removed"
    assert describe(StoreChanges(articles=("seeds/002_x.txt",))) == "article 002_x.txt changed"
    assert describe(StoreChanges(store_file=True)) == "no events changed"
    assert describe(StoreChanges()) == "nothing changed"


def test_fingerprints_change_with_an_events_content_only(write_store: Callable[..., Path]) -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    before = open_store(write_store(text), use_cache=False).event_fingerprints()
    assert len(before) == 45 and len(set(before.values())) == 45
    edited = text.replace(FIRST_TITLE, "Relations established").replace("\nfigures:", "\n# a comment\nfigures:", 1)
    after = open_store(write_store(edited), use_cache=False).event_fingerprints()
    assert compare(before, after, {}, {}) == StoreChanges(updated=("diplomatic-relations-established",))


def test_a_fingerprint_tells_apart_events_that_differ_in_any_field_or_where_fields_meet() -> None:
    event = Event(
        "a", "2021-05", "2021-05-01", "2021-05-31", "May 2021", "May 2021", "Talks", "They met.",
        ("trade",), ("kazakhstan",), None, "occurred", (Citation("s1", "They met"),), (),
    )  # fmt: skip
    variants = [
        event,
        *(event._replace(**{name: "x" + value}) for name, value in event._asdict().items() if isinstance(value, str)),
        event._replace(place="dushanbe"),
        event._replace(title="Talk", summary="sThey met."),  # a character moved across a field boundary
        event._replace(tags=("trade", "water")),
        event._replace(tags=(), actors=("trade", "kazakhstan")),  # an item moved from one list to the next
        event._replace(related=("b",)),
        event._replace(sources=(Citation("s1", "They"), Citation("s1", "met"))),
        event._replace(sources=(Citation("s1", "They met"), Citation("s1", "They met"))),
    ]
    prints = [fingerprint(v) for v in variants]
    assert len(set(prints)) == len(variants)
    assert fingerprint(event._replace(sources=(Citation("s1", "They met"),))) == prints[0]  # equal events, equal prints


def test_a_fingerprint_and_an_events_row_are_what_earlier_builds_wrote() -> None:
    # A cache built before keeps its fingerprints, and the browser compares them with a new build's:
    # the bytes hashed must never change (this pins them as they were before fingerprint() was sped up).
    event = Event(
        "a", "2021-05", "2021-05-01", "2021-05-31", "May 2021", "May 2021", "Talks", "They met.",
        ("trade", "water"), ("kazakhstan",), None, "occurred", (Citation("s1", "They met"),), ("b", "c"),
    )  # fmt: skip
    assert fingerprint(event).hex() == "0332eea1bcb7f18b6fe01b0a"
    assert fingerprint(event._replace(place="almaty", title="Talks é")).hex() == "11cf39674d608664c0501b04"
    row = event_row(16, 32, event, Quotes())
    assert row == (
        16, "2021-05-01", "2021-05-31", 2021, "May 2021", "May 2021", "occurred", None,
        "trade\x1fwater", "kazakhstan", "b\x1fc", "1", 32, bytes.fromhex("0332eea1bcb7f18b6fe01b0a"),
    )  # fmt: skip


def test_input_digests_list_the_store_then_its_articles(store: Store) -> None:
    digests = input_digests(store.meta)
    assert next(iter(digests)) == "events.yaml"
    assert sorted(digests)[1:] == [f"seeds/{p.name}" for p in sorted((REPO / "seeds").iterdir())]


def test_nearest_first_walks_out_from_the_selection() -> None:
    assert nearest_first([10, 20, 30, 40, 50], 1) == [20, 30, 10, 40, 50]
    assert nearest_first(range(1, 100), 0, reach=2) == [1, 2, 3]
    assert nearest_first([], None) == []


# -- the watcher -------------------------------------------------------------------------------


def _identity(n: int) -> FileIdentity:
    return FileIdentity(n, n, n, n, 1)


def test_settler_waits_for_a_burst_of_saves_to_end() -> None:
    a, b, c = _identity(1), _identity(2), _identity(3)
    settler = Settler((a,))
    assert not settler.look((a,))  # nothing changed
    assert not settler.look((b,))  # a save: wait one more look
    assert not settler.look((c,))  # another save in the burst
    assert settler.look((c,))  # the same twice: report once
    assert not settler.look((c,))


def test_settler_does_not_report_a_file_missing_for_an_instant() -> None:
    a, b = _identity(1), _identity(2)
    settler = Settler((a,))
    assert not settler.look((None,))  # renamed away mid-save
    assert not settler.look((b,))  # and the new version renamed in
    assert settler.look((b,))
    settler = Settler((a,))
    assert not settler.look((None,))
    assert not settler.look((a,))  # back as it was (a rename that restored it): no change at all
    assert not settler.look((a,))


def test_watcher_reports_a_save_by_rename_once(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text("one\n", encoding="utf-8")
    reported = threading.Event()
    count = []

    def changed() -> None:
        count.append(1)
        reported.set()

    watcher = InputWatcher([path], changed, interval=0.02)
    watcher.start()
    try:
        temporary = tmp_path / ".events.yaml.swp"
        temporary.write_text("two\n", encoding="utf-8")
        os.replace(temporary, path)  # as vim and atomic writers save
        assert reported.wait(5)
        time.sleep(0.1)  # no second report for the same save
        assert count == [1]
    finally:
        watcher.stop()


def test_input_paths_are_the_store_and_its_articles(store: Store) -> None:
    paths = input_paths(store.path, store.meta)
    assert paths[0] == BUNDLED and len(paths) == 6
    assert all(identity is not None for identity in snapshot(paths))


# -- the browser -------------------------------------------------------------------------------


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A copy of the bundled store and its articles that a test may edit."""
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    shutil.copy(BUNDLED, tmp_path / "events.yaml")
    return tmp_path / "events.yaml"


def notices(app: KztjApp) -> list[str]:
    """The notifications shown, oldest first."""
    return [str(n.message) for n in app._notifications]


def errors_panel(app: KztjApp) -> ReloadErrors:
    return app.screen_stack[0].query_one(ReloadErrors)


async def test_an_edited_title_shows_up_and_the_selection_stays(store_copy: Path) -> None:
    app = KztjApp(open_store(store_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        chosen = selected(app)
        assert chosen is not None and chosen != "diplomatic-relations-established"
        title = app.store.event(chosen).title  # type: ignore[union-attr]
        edit(store_copy, FIRST_TITLE, "Relations established, edited")
        edit(store_copy, f"title: {title}", "title: The third event, edited")
        await wait_for(pilot, lambda: "2 events updated" in notices(app))
        assert selected(app) == chosen
        text = screen_text(app)
        assert "Relations established, edited" in text and FIRST_TITLE not in text
        assert "The third event, edited" in text
        assert app.screen.query_one(DetailPane).view.event.title == "The third event, edited"  # type: ignore[union-attr]


async def test_an_added_and_a_removed_event(store_copy: Path) -> None:
    app = KztjApp(open_store(store_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        doomed = selected(app)
        assert doomed is not None
        after = shown(app)[2].id  # the event after the one to be deleted
        text = store_copy.read_text(encoding="utf-8")
        start = text.index(f"  - id: {doomed}\n")
        end = text.index("\n  - id: ", start + 1) + 1
        added = (
            "  - id: live-added\n    date: 1993-03\n    title: A newly added event\n"
            "    summary: Added while the browser was open.\n    tags: [diplomacy]\n    status: occurred\n"
        )
        # The new event reuses the deleted one's sources, so it stays valid.
        sources = text[text.index("    sources:\n", start) : end]
        temporary = store_copy.with_name(".events.yaml.tmp")
        temporary.write_text(text[:start] + added + sources + text[end:], encoding="utf-8")
        os.replace(temporary, store_copy)
        await wait_for(pilot, lambda: "1 event added, 1 removed" in notices(app))
        assert selected(app) == after  # the nearest neighbour of the deleted event
        ids = [row.id for row in shown(app)]
        assert "live-added" in ids and doomed not in ids and len(ids) == 45
        assert "A newly added event" in screen_text(app)
        assert str(app.screen.query_one(MatchCount).text) == "45 events"


async def test_an_article_change_is_named_and_the_open_reader_follows(store_copy: Path) -> None:
    app = KztjApp(open_store(store_copy), event_id="diplomatic-relations-established")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(DetailPane).view
        assert view is not None
        article = store_copy.parent / view.sources[0].source.file
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcePicker)  # the event has several sources
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        with article.open("a", encoding="utf-8") as file:
            file.write("\nA closing paragraph written while the browser was open.\n")
        await wait_for(pilot, lambda: f"article {article.name} changed" in notices(app))
        assert isinstance(app.screen, ReaderScreen)
        assert "A closing paragraph written while the browser was open." in "\n".join(
            p.text for p in app.screen.paragraphs
        )
        assert not errors_panel(app).display


async def test_an_invalid_edit_shows_its_problems_and_keeps_the_events(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(store_copy.parent)
    app = KztjApp(open_store(Path("events.yaml")))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        chosen = selected(app)
        edit(store_copy, "    date: 1993-01-07\n", "    date: 1993-13-07\n")
        panel = errors_panel(app)
        await wait_for(pilot, lambda: panel.display)
        text = screen_text(app)
        line = store_copy.read_text(encoding="utf-8").splitlines().index("    date: 1993-13-07") + 1
        assert f"events.yaml:{line}:11: " in text
        assert "still showing the last valid version" in text
        assert (
            "7 Jan 1993      ◆ Kazakhstan and Tajikistan establish" in text
            and selected(app) == chosen
            and len(shown(app)) == 45
        )
        assert "E Hide errors" in text
        await pilot.press("E")  # hide it
        assert not panel.display
        edit(store_copy, "    date: 1993-13-07\n", "    date: 1993-13-08\n")
        await wait_for(pilot, lambda: panel.display)  # a new invalid save shows it again
        edit(store_copy, "    date: 1993-13-08\n", "    date: 1993-01-08\n")
        await wait_for(pilot, lambda: "the store is valid again; 1 event updated" in notices(app))
        assert not panel.display
        text = screen_text(app)
        assert "8 Jan 1993" in text and "Hide errors" not in text


async def test_a_store_missing_for_a_moment_shows_no_errors(store_copy: Path) -> None:
    app = KztjApp(open_store(store_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        backup = store_copy.with_name("events.yaml~")
        text = store_copy.read_text(encoding="utf-8")
        os.replace(store_copy, backup)  # as editors that keep a backup save
        store_copy.write_text(text.replace(FIRST_TITLE, "Saved after a backup"), encoding="utf-8")
        await wait_for(pilot, lambda: "1 event updated" in notices(app))
        assert not errors_panel(app).display
        assert "Saved after a backup" in screen_text(app)


async def test_the_search_and_typing_during_a_reload_are_kept(store_copy: Path) -> None:
    """A slow reload (a large store) never holds up typing, and what was typed is searched on the new version."""
    reloading = threading.Event()
    release = threading.Event()

    def slow_reopen() -> Store:
        reloading.set()
        assert release.wait(10)
        return open_store(store_copy)

    app = KztjApp(open_store(store_copy), reopen=slow_reopen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Rogun")
        await settle(pilot)
        before = len(shown(app))
        assert before > 0
        edit(store_copy, FIRST_TITLE, "Relations established before Rogun talks")
        await wait_for(pilot, reloading.is_set, then_settle=False)
        await pilot.press(*" talks")
        box = app.screen.query_one(SearchBox)
        assert box.value == "Rogun talks"  # typed while the reload was under way
        release.set()
        await wait_for(pilot, lambda: "1 event updated" in notices(app))
        assert box.value == "Rogun talks" and app.focused is box
        assert selected(app) == "diplomatic-relations-established"  # the only event with both words
        assert [row.id for row in shown(app)] == ["diplomatic-relations-established"]
        assert app.screen.query_one(Timeline).rowids == [app.store.rowid_of("diplomatic-relations-established")]


async def test_a_reload_while_the_time_axis_loads_shows_the_new_store(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztj_tui.tui import axis
    from kztj_tui.tui.timeaxis import AxisScreen, AxisView

    real, release, reading = axis.load, threading.Event(), threading.Event()

    def slow_first(store: Store, rowids: Any) -> axis.AxisData:
        if not reading.is_set():  # the first read (of the old store) waits until the reload is shown
            reading.set()
            assert release.wait(10)
        return real(store, rowids)

    monkeypatch.setattr(axis, "load", slow_first)
    app = KztjApp(open_store(store_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await wait_for(pilot, reading.is_set, then_settle=False)
        edit(
            store_copy,
            "  - id: diplomatic-relations-established\n    date: 1993-01-07",
            "  - id: diplomatic-relations-established\n    date: 1992-01-07",
        )
        await wait_for(pilot, lambda: "1 event updated" in notices(app), then_settle=False)
        release.set()
        await settle(pilot)
        first_day = dt.date(1992, 1, 7).toordinal()
        assert isinstance(app.screen, AxisScreen)
        data = app.screen.query_one(AxisView).data
        assert data is not None and data.starts[0] == first_day
        await pilot.press("q", "a")  # opened again: the axis read since, not the one of the old store
        await settle(pilot)
        data = app.screen.query_one(AxisView).data
        assert data is not None and data.starts[0] == first_day


async def test_the_open_figures_view_follows_a_reload(store_copy: Path) -> None:
    from kztj_tui.tui.figures import FiguresScreen

    app = KztjApp(open_store(store_copy))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, FiguresScreen) and "$123 mn" not in screen_text(app)
        edit(store_copy, "    period: 2013\n    value: 700000000", "    period: 2013\n    value: 123000000")
        await wait_for(pilot, lambda: "no events changed" in notices(app))
        assert isinstance(app.screen, FiguresScreen) and "$123 mn" in screen_text(app)
