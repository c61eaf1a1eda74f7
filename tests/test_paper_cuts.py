"""Pilot tests of issue 20's paper cuts: the figures view, the filter dialog, the reader's n/N, cut-off texts."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from kztj_tui.tui.reader import ReaderScreen

from .tui_support import bundled_app, settle
from .waiting import wait_for


async def _reader_found(pilot: Pilot[Any], term: str) -> ReaderScreen:
    """The reader on the first source of the 2013 trade figure, with ``term`` found."""
    await settle(pilot)
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen))
    reader = pilot.app.screen
    assert isinstance(reader, ReaderScreen)
    await pilot.press("slash", *term, "enter")
    await wait_for(pilot, lambda: bool(reader.matches) and not reader._finding)
    return reader


async def test_reader_n_after_the_end_wraps_to_the_first_match_as_less_does() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _reader_found(pilot, "Tokayev")  # in ¶1 to ¶33 of 40: none on the last screen
        assert reader.match > 0
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert reader.match == 0
        assert reader.matches[0][0] == 0 and reader._visible_paragraphs()[0] == 0


async def test_reader_capital_n_after_the_top_wraps_to_the_last_match() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _reader_found(pilot, "Tokayev")
        assert reader.match < len(reader.matches) - 1
        await pilot.press("g")
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        assert reader.match == len(reader.matches) - 1
        top, bottom = reader._visible_paragraphs()
        assert top <= reader.matches[-1][0] <= bottom


async def test_reader_n_from_the_current_match_still_steps_one_at_a_time() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _reader_found(pilot, "Tokayev")
        first = reader.match
        await pilot.press("n")
        await pilot.pause()
        assert reader.match == first + 1
        await pilot.press("N")
        await pilot.pause()
        assert reader.match == first
