"""Pilot tests of issue 20's paper cuts: the figures view, the filter dialog, the reader's n/N, cut-off texts."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from kztj_tui import cli
from kztj_tui.model import Filters
from kztj_tui.tui.detail import DetailPane
from kztj_tui.tui.main import MainScreen
from kztj_tui.tui.reader import ReaderScreen
from kztj_tui.tui.screens import FilterScreen
from kztj_tui.tui.timeline import Timeline

from .tui_support import bundled_app, screen_text, settle, shown, timeline_lines, widget_text
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


# -- cut-off texts ----------------------------------------------------------------------------


async def test_a_long_title_is_shortened_to_keep_its_check_badge_whole() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one(Timeline).flagged = frozenset({"diplomatic-relations-established"})
        await pilot.pause()
        line = next(text for text, _ in timeline_lines(app) if "Kazakhstan and Tajikistan establish" in text)
        assert line.endswith("! check") and "…" in line


async def test_a_long_title_is_shortened_to_keep_its_planned_badge_whole() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await pilot.pause()
        lines = [text for text, _ in timeline_lines(app)]
        line = next(text for text in lines if "Days of Tajik Culture in Kazakhstan" in text)
        assert line.endswith("planned") and "Kazakhstan…" in line
        target = next(text for text in lines if "Tokayev: trade is to be raised" in text)
        assert target.endswith("target")


async def test_the_empty_timeline_message_wraps_instead_of_being_cut_off() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"zqx nothing here", "enter")
        await wait_for(pilot, lambda: not shown(app) and "No events match" in screen_text(app))
        text = " ".join(line for line, _ in timeline_lines(app) if line)
        assert text == "No events match “zqx nothing here”. Esc clears the search, x the filters."


async def test_a_long_actor_link_in_the_detail_pane_wraps_and_can_be_followed() -> None:
    app = bundled_app(event_id="tajikistan-chairs-cica")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        text = widget_text(app, pane.query_one("#detail-entities"))
        assert "Conference on Interaction and Confidence" in text and "Building Measures in Asia" in text
        assert "…" not in text
        await pilot.press("enter", "down")  # into the pane, on Tajikistan; then the conference
        await pilot.pause()
        assert pane.current is not None and "Building Measures" in pane.current.block.link_text(pane.current.link)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "cica" in app.screen.filters.actors)  # type: ignore[attr-defined]
        assert all("cica" in app.store.event_at(row.rowid).actors for row in shown(app))


# -- the filter dialog ------------------------------------------------------------------------


async def _filter_dialog(pilot: Pilot[Any], actor: str = "", date_from: str = "", date_to: str = "") -> FilterScreen:
    """The filter dialog filled in and applied with Enter in the actor field."""
    await settle(pilot)
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FilterScreen))
    dialog = pilot.app.screen
    assert isinstance(dialog, FilterScreen)
    dialog.query_one("#filter-from", Input).value = date_from
    dialog.query_one("#filter-to", Input).value = date_to
    dialog.query_one("#filter-actor", Input).focus()
    await pilot.press(*actor, "enter")
    await pilot.pause()
    return dialog


def _error(dialog: FilterScreen) -> str:
    return str(dialog.query_one("#filter-error", Static).render())


@pytest.mark.parametrize(
    ("actor", "date_from", "date_to", "message", "field"),
    [
        ("Тоқаев2021", "", "", "unknown actor 'Тоқаев2021' (did you mean: Kassym-Jomart Tokayev?)", "filter-actor"),
        ("Rahmon, Zzzqqq", "", "", "unknown actor 'Zzzqqq' (see: kztj actors)", "filter-actor"),
        ("", "2023", "2020", "empty date range: from 2023-01-01 is after to 2020-12-31", "filter-from"),
        ("", "2023", "20x0", "to year: '20x0' is not a year or date", "filter-to"),
    ],
)
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_filter_dialog_refuses_what_the_cli_refuses_and_stays_open(
    actor: str, date_from: str, date_to: str, message: str, field: str, size: tuple[int, int]
) -> None:
    app = bundled_app()
    async with app.run_test(size=size) as pilot:
        dialog = await _filter_dialog(pilot, actor, date_from, date_to)
        assert app.screen is dialog
        assert _error(dialog) == message
        assert app.focused is not None and app.focused.id == field
        assert " ".join(widget_text(app, dialog.query_one("#filter-error")).split()) == message  # all of it on screen
        main = app.screen_stack[0]
        assert isinstance(main, MainScreen) and main.filters == Filters()


def test_the_cli_and_the_dialog_share_one_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "visit", "--actor", "Тоқаев2021"]) == 2
    assert capsys.readouterr().err == "kztj: unknown actor 'Тоқаев2021' (did you mean: Kassym-Jomart Tokayev?)\n"
    assert cli.main(["search", "visit", "--from", "2023", "--to", "2020"]) == 2
    assert capsys.readouterr().err == "kztj: empty date range: from 2023-01-01 is after to 2020-12-31\n"
    assert cli.main(["search", "visit", "--from", "2021", "--to", "2021"]) == 0


async def test_the_filter_dialog_fixed_after_a_refusal_applies() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await _filter_dialog(pilot, "Тоқаев2021")
        assert "did you mean" in _error(dialog)
        dialog.query_one("#filter-actor", Input).value = ""
        await pilot.press(*"Тоқаев", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen) and bool(shown(app)))
        assert all("tokayev" in app.store.event_at(row.rowid).actors for row in shown(app))
