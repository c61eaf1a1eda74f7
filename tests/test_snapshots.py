"""Snapshot tests of the main views at 80×24 and 120×40 (pytest-textual-snapshot).

Update after an intended visual change with ``pytest tests/test_snapshots.py --snapshot-update``
and review the SVGs in ``tests/__snapshots__``. Every snapshot is taken in a settled state: the
keys pressed one by one, every worker finished and its messages handled, no cursor blinking.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from kztj_tui.cache import open_store
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.detail import CompareFigure, DetailPane, FilterBy
from kztj_tui.tui.live import ReloadErrors

from .conftest import BUNDLED, REPO
from .tui_support import bundled_app, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture(autouse=True)
def same_settings_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The help screen shows the settings file's path: the same one in every run (it need not exist)."""
    monkeypatch.setenv("KZTJ_CONFIG_DIR", "/home/analyst/.config/kztj")


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Press keys one at a time, then wait for a state that no timer or thread can change."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES)
def test_search_results(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys("slash", *"Tokaev trade"))


@pytest.mark.parametrize("size", SIZES)
def test_find_mode(snap_compare: Any, size: tuple[int, int]) -> None:
    # Find, not filter: every event stays, the two found are marked ▸, n went to the second.
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys("ctrl+t", "slash", *"Rog", "enter", "n"))


@pytest.mark.parametrize("size", SIZES)
def test_detail_with_sources_and_conflict(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="business-forum-2023")
    assert snap_compare(app, terminal_size=size, run_before=keys("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_cursor_after_scrolling(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys("end", "up", "up"))


@pytest.mark.parametrize("size", SIZES)
def test_article_reader(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="central-asia-summit-dushanbe-2023")
    assert snap_compare(app, terminal_size=size, run_before=keys("s"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_figures_view(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys("t"))


@pytest.mark.parametrize("size", SIZES)
def test_time_axis(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="days-of-tajik-culture-held")
    assert snap_compare(app, terminal_size=size, run_before=keys("a"))


@pytest.mark.parametrize("size", SIZES)
def test_time_axis_zoomed(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="days-of-tajik-culture-held")
    assert snap_compare(app, terminal_size=size, run_before=keys("a", *["plus"] * 5))


@pytest.mark.parametrize("size", SIZES)
def test_conflicting_sources(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await keys()(pilot)
        pilot.app.screen.query_one("#detail-figures").post_message(  # the forum's $1.8 bn / $1.3 bn figure
            CompareFigure(next(line for line in pilot.app.screen.query_one(DetailPane).view.figures if line.others))
        )
        await keys()(pilot)

    assert snap_compare(bundled_app(event_id="business-forum-2023"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_source_picker(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="rahmon-state-visit-2023")
    assert snap_compare(app, terminal_size=size, run_before=keys("s"))


@pytest.mark.parametrize("size", SIZES)
def test_reader_find(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="trade-2013")
    assert snap_compare(app, terminal_size=size, run_before=keys("s", "slash", *"Dushanbe", "enter", "n"))


@pytest.mark.parametrize("size", SIZES)
def test_filtered_by_an_actor(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await keys()(pilot)
        view = pilot.app.screen.query_one(DetailPane).view
        pilot.app.screen.query_one("#detail-entities").post_message(
            FilterBy(next(chip for chip in view.actors if chip.key == "rahmon"))
        )
        await keys()(pilot)

    app = bundled_app(event_id="declaration-allied-interaction")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_reload_errors_panel(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store on disk turned invalid while the browser was open: its problems under the last valid version."""
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    shutil.copy(BUNDLED, tmp_path / "events.yaml")
    monkeypatch.chdir(tmp_path)  # the problems name the store as it was given: the same in every run
    app = KztjApp(open_store(Path("events.yaml")))

    async def run_before(pilot: Pilot[Any]) -> None:
        await keys()(pilot)
        text = BUNDLED.read_text(encoding="utf-8")
        broken = text.replace("    date: 1993-01-07\n", "    date: 1993-13-07\n").replace(
            "    title: Tajikistan's embassy", "    titel: Tajikistan's embassy", 1
        )
        (tmp_path / "events.yaml").write_text(broken, encoding="utf-8")
        deadline = time.monotonic() + 10
        while not pilot.app.screen.query_one(ReloadErrors).display:
            assert time.monotonic() < deadline, "the errors panel never showed"
            await pilot.pause(0.02)
        await keys()(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
