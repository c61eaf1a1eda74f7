"""The browser session without Textual: searches, the axis, the check, history and the reload state machine."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from kztj_tui import export
from kztj_tui.cache import open_store
from kztj_tui.model import Filters
from kztj_tui.query import parse
from kztj_tui.session import BrowserSession, Reloaded, ReloadFailure
from kztj_tui.store import Store
from kztj_tui.tui import axis
from kztj_tui.tui.history import ViewPlace
from kztj_tui.tui.search import SearchRequest

from .conftest import BUNDLED, MINIMAL, REPO

SECOND = MINIMAL.replace("figures: []", "").rstrip() + (
    "\n  - id: later\n    date: 2022-03-01\n    title: A later visit\n    summary: Another.\n"
    "    tags: [diplomacy]\n    actors: [tokayev]\n    status: occurred\n"
    "    sources:\n      - source: s1\n        quote: began his two-day visit to Dushanbe May 19\nfigures: []\n"
)


def live_session(path: Path) -> BrowserSession:
    """A session on a store file that reloads it as the browser does."""
    return BrowserSession(open_store(path, use_cache=False), partial(open_store, path, use_cache=False))


def test_the_session_never_imports_textual() -> None:
    code = (
        "import sys\nfrom kztj_tui.session import BrowserSession\nfrom kztj_tui.cache import open_store\n"
        "session = BrowserSession(open_store('events.yaml', use_cache=False))\n"
        "from kztj_tui.tui.search import SearchRequest\nfrom kztj_tui.model import Filters\n"
        "assert session.search(SearchRequest(Filters(query='trade'))).total\n"
        "assert session.axis(None).data.rowids and session.check() is not None\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr


def test_search_and_detail_come_from_the_session(store: Store) -> None:
    session = BrowserSession(store)
    result = session.search(SearchRequest(Filters(query="Avicenna")))
    assert [row.id for row in result.rows] == ["ibn-sina-monument-planned"] and result.total == 1
    assert result.detail is not None and result.detail.event.id == "ibn-sina-monument-planned"
    everything = session.search(SearchRequest(Filters()))
    assert len(everything.rowids) == store.count and everything.runs == store.year_runs()
    view = session.event_view(result.rowids[0], parse("Avicenna"))
    assert view.event.id == "ibn-sina-monument-planned"
    assert (
        session.search(SearchRequest(Filters(query="year:soon"))).error
        == "year:soon is not a year; use four digits, e.g. year:2023"
    )


def test_filters_are_described_with_names(store: Store) -> None:
    session = BrowserSession(store)
    assert "Emomali Rahmon" in session.describe(Filters(actors=("rahmon",)))


def test_history_lives_on_the_session(store: Store) -> None:
    session = BrowserSession(store)
    here = ViewPlace(Filters(tags=("trade",)), "trade-2013")
    session.history.leave(here)
    assert session.history.can_go_back
    assert session.history.back(ViewPlace(Filters(), None)) == here


def test_the_check_finds_warnings_by_event(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL.replace("    actors: [tokayev]\n", ""))
    findings = BrowserSession(open_store(path, use_cache=False)).check()
    assert findings is not None and list(findings) == ["visit"]
    assert any("actor" in finding.message for finding in findings["visit"])


def test_the_whole_axis_is_read_once_per_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    session = BrowserSession(store)
    reads: list[object] = []
    real = axis.load

    def counted(reader: Store, rowids: Sequence[int] | None) -> axis.AxisData:
        reads.append(rowids)
        return real(reader, rowids)

    monkeypatch.setattr(axis, "load", counted)
    first = session.axis(None)
    assert session.axis(None) == first and reads == [None]
    some = list(store.all_rowids())[:3]
    assert session.axis(some).data.rowids == some and len(reads) == 2


def test_an_axis_read_across_a_reload_is_of_the_old_store_and_not_kept(
    write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_store(MINIMAL)
    session = live_session(path)
    real = axis.load

    def reload_meanwhile(reader: Store, rowids: Sequence[int] | None) -> axis.AxisData:
        data = real(reader, rowids)  # the old store's, read just before the swap
        path.write_text(SECOND, encoding="utf-8")
        assert session.start_reload()
        reloaded = session.reload(SearchRequest(Filters()), [])
        assert isinstance(reloaded, Reloaded)
        session.adopt(reloaded)
        assert session.reload_done() is False
        return data

    monkeypatch.setattr(axis, "load", reload_meanwhile)
    old = session.axis(None)
    assert not session.is_current(old.generation) and len(old.data.rowids) == 1
    monkeypatch.setattr(axis, "load", real)
    new = session.axis(None)
    assert session.is_current(new.generation) and len(new.data.rowids) == 2


def test_one_reload_at_a_time_and_one_more_if_the_files_changed_meanwhile(store: Store) -> None:
    session = BrowserSession(store)
    assert session.start_reload()
    assert not session.start_reload() and not session.start_reload()  # changes during a reload
    assert session.reload_done()  # one more reload, not two
    assert session.start_reload()
    assert not session.reload_done()


def test_a_reload_swaps_the_store_and_keeps_the_selected_event(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    session = live_session(path)
    old_store, old_rows = session.store, session.rows
    visit = session.store.rowid_of("visit")
    assert visit is not None
    path.write_text(SECOND.replace("Tokayev visits Dushanbe", "Tokayev visits Dushanbe, edited"), encoding="utf-8")
    reloaded = session.reload(SearchRequest(Filters()), [visit])
    assert isinstance(reloaded, Reloaded)
    assert reloaded.changes.added == ("later",) and reloaded.changes.updated == ("visit",)
    assert session.store is old_store  # nothing changes until the new version is adopted
    assert session.adopt(reloaded) == "1 event added, 1 updated"
    assert session.store is reloaded.store and session.rows is not old_rows and session.generation == 1
    assert reloaded.result.select == session.store.rowid_of("visit")
    assert session.event_view(reloaded.result.select).event.title == "Tokayev visits Dushanbe, edited"
    assert session.year_runs == [(2021, 1), (2022, 1)]


def test_an_invalid_save_is_reported_and_the_old_store_kept(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    session = live_session(path)
    path.write_text(MINIMAL.replace("date: 2021-05-19/2021-05-20", "date: 2021-13-40"), encoding="utf-8")
    failure = session.reload(SearchRequest(Filters()), [])
    assert isinstance(failure, ReloadFailure)
    assert failure.problems and all(problem.startswith(str(path)) for problem in failure.problems)
    session.reload_failed()
    assert session.invalid_on_disk and session.generation == 0
    path.write_text(MINIMAL, encoding="utf-8")
    reloaded = session.reload(SearchRequest(Filters()), [])
    assert isinstance(reloaded, Reloaded)
    assert session.adopt(reloaded) == "the store is valid again; nothing changed"
    assert not session.invalid_on_disk


def test_an_export_never_writes_over_the_store(tmp_path: Path, store: Store) -> None:
    session = BrowserSession(store)
    target = tmp_path / "view.md"
    assert session.export(Filters(tags=("trade",)), target) is None
    assert target.read_text(encoding="utf-8") == "".join(export.markdown(store, Filters(tags=("trade",))))
    before = BUNDLED.read_bytes()
    assert session.export(Filters(), BUNDLED) is not None
    assert BUNDLED.read_bytes() == before


def test_searches_never_read_from_the_store_the_ui_thread_draws_from(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = BrowserSession(store)
    readers: list[Store] = []
    for name in ("year_runs", "search", "rows", "highlights", "all_rowids"):
        original = getattr(Store, name)

        def recorded(self: Store, *args: object, original: Any = original, **kwargs: object) -> object:
            readers.append(self)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Store, name, recorded)
    session.search(SearchRequest(Filters()))
    session.search(SearchRequest(Filters(query="trade")))
    session.title_matches(parse("trade"), list(range(1, 200)))
    assert readers and store not in readers
