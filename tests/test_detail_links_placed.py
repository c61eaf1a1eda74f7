"""The detail pane's work on the UI thread for each event scrolled past: its links are laid out by the worker
that reads the event, and its link cursor is placed only when it is drawn or used."""

from __future__ import annotations

import threading

import pytest

from kztj_tui.tui import links
from kztj_tui.tui.detail import DetailPane

from .tui_support import bundled_app, selected, settle
from .waiting import wait_for


async def test_scrolling_the_timeline_does_not_place_the_detail_panes_link_cursor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    placed: list[int] = []
    original = DetailPane._keep_link_visible

    def counting(self: DetailPane, prefer_last: bool = False) -> None:
        placed.append(self.link)
        original(self, prefer_last)

    monkeypatch.setattr(DetailPane, "_keep_link_visible", counting)
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        placed.clear()
        for _ in range(5):
            await pilot.press("j")
            await settle(pilot)
        await wait_for(pilot, lambda: pane.view is not None and pane.view.event.id == selected(app))
        assert placed == []
        # Focus (Enter) places it on the first link on screen; ↓ then moves to the second.
        await pilot.press("enter", "down")
        await settle(pilot)
        current = pane.current
        assert current is not None and current.block.links and pane.link == 1


async def test_a_key_typed_ahead_of_the_focus_moves_from_the_first_link() -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        pane.focus(scroll_visible=False)
        pane.action_down()  # before the pane has handled its Focus event
        assert pane.link == 1


async def test_the_worker_that_reads_an_event_lays_out_its_links(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[bool] = []
    original = links.lay_out

    def recording(items: list[links.Item], width: int) -> links.Layout:
        threads.append(threading.current_thread() is threading.main_thread())
        return original(items, width)

    monkeypatch.setattr(links, "lay_out", recording)
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        threads.clear()
        for _ in range(5):
            await pilot.press("j")
            await settle(pilot)
        await wait_for(pilot, lambda: pane.view is not None and pane.view.event.id == selected(app))
        assert threads and not any(threads)  # laid out, and never on the UI thread
        # What the worker laid out is what the pane shows: the links' lines are those of a fresh layout.
        for block in pane.query(links.LinkBlock):
            if block.display:
                fresh = original(block._items, block.content_region.width)
                assert block.all_link_lines() == [(fresh.places[i].first, fresh.places[i].last) for i in block.links]
