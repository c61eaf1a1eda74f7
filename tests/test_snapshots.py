"""Snapshot tests of the main views at 80×24 and 120×40 (pytest-textual-snapshot).

Update after an intended visual change with ``pytest tests/test_snapshots.py --snapshot-update``
and review the SVGs in ``tests/__snapshots__``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from .tui_support import bundled_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def keys(*pressed: str, wait: bool = False) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press(*pressed)
        if wait:
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_search_results(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys("slash", *"Tokaev trade", wait=True))


@pytest.mark.parametrize("size", SIZES)
def test_detail_with_sources_and_conflict(snap_compare: Any, size: tuple[int, int]) -> None:
    app = bundled_app(event_id="business-forum-2023")
    assert snap_compare(app, terminal_size=size, run_before=keys("enter"))


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
