"""Pilot tests of issue 20's paper cuts: the figures view, the filter dialog, the reader's n/N, cut-off texts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from kztj_tui import cli
from kztj_tui.cache import open_store
from kztj_tui.model import Filters, format_value
from kztj_tui.tui.detail import DetailPane
from kztj_tui.tui.figures import FigureList, FiguresScreen
from kztj_tui.tui.main import MainScreen
from kztj_tui.tui.reader import ReaderScreen
from kztj_tui.tui.screens import FilterScreen
from kztj_tui.tui.timeline import Timeline

from .conftest import BUNDLED
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


def _checks_run(app: Any) -> list[object]:
    """Record each run of the browser's own `kztj check`: its findings replace the timeline's flags."""
    runs: list[object] = []
    check = app.session.check

    def counted() -> object:
        runs.append(check())
        return runs[-1]

    app.session.check = counted
    return runs


async def test_a_long_title_is_shortened_to_keep_its_check_badge_whole() -> None:
    app = bundled_app()
    checks = _checks_run(app)
    async with app.run_test(size=(120, 40)) as pilot:
        # The browser checks the store shortly after it starts (no warnings here): flags set before
        # that would be replaced by its empty findings, as they were on a slow run.
        await wait_for(pilot, lambda: bool(checks))
        app.screen.query_one(Timeline).flagged = frozenset({"diplomatic-relations-established"})

        def first_line() -> str:
            return next(text for text, _ in timeline_lines(app) if "Kazakhstan and Tajikistan establish" in text)

        await wait_for(pilot, lambda: "! check" in first_line())
        line = first_line()
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


async def test_a_match_in_the_cut_part_of_a_title_does_not_spill_onto_its_badge() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"agreed ", "enter")  # the last word of a title cut at 120 columns
        await wait_for(pilot, lambda: any("Days of Tajik Culture in Kazakhstan" in t for t, _ in timeline_lines(app)))
        timeline = app.screen.query_one(Timeline)
        await wait_for(pilot, lambda: not timeline._asked)  # the title matches have been read and drawn
        y = next(i for i, (text, _) in enumerate(timeline_lines(app)) if "Days of Tajik Culture in Kazakhstan" in text)
        segments = [segment for segment in timeline.render_line(y) if segment.text.strip()]
        badge = next(segment for segment in segments if "planned" in segment.text)
        assert badge.style is not None and badge.style.reverse and not badge.style.underline
        assert not any(segment.style is not None and segment.style.underline for segment in segments)


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


# -- the figures view -------------------------------------------------------------------------


async def _figures(pilot: Pilot[Any]) -> FigureList:
    await settle(pilot)
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FiguresScreen))
    return pilot.app.screen.query_one(FigureList)


def _index(figures: FigureList, value: str, bar: bool = True) -> int:
    """The line of the first bar (or table row) showing a value."""
    return next(
        i
        for i, line in enumerate(figures.lines)
        if line.figure is not None
        and bool(line.bar) == bar
        and format_value(line.figure.value, line.figure.unit) == value
    )


async def _shown_line(pilot: Pilot[Any], figures: FigureList, index: int) -> str:
    """Choose a line (which scrolls it into view) and read it off the screen."""
    figures.highlighted = index
    await pilot.pause()
    line = figures.lines[index]
    assert line.figure is not None
    value = format_value(line.figure.value, line.figure.unit)
    label = line.text if line.bar else line.figure.metric
    return next(text for text in screen_text(pilot.app).splitlines() if value in text and label in text)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_figures_view_draws_every_bar_of_a_unit_to_one_scale(size: tuple[int, int]) -> None:
    app = bundled_app()
    async with app.run_test(size=size) as pilot:
        figures = await _figures(pilot)
        cells = {}
        for value, cell in (("$2 bn", "░"), ("$1.4 bn", "█"), ("$877.6 mn", "█"), ("$700 mn", "█")):
            cells[value] = (await _shown_line(pilot, figures, _index(figures, value))).count(cell)
        longest = cells["$2 bn"]  # the largest value charted, the 2023 target: the full length
        assert longest >= 20
        assert cells["$1.4 bn"] == round(1.4 / 2 * longest)
        assert cells["$877.6 mn"] == round(0.8776 / 2 * longest)
        assert cells["$700 mn"] == round(0.7 / 2 * longest)


async def test_enter_on_a_figure_reads_its_source_at_its_quote_and_q_comes_back() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        figures = await _figures(pilot)
        first = figures.highlighted
        assert first is not None and figures.lines[first].figure is not None  # a figure, not a heading
        await pilot.press("down", "down", "down")  # the 2022 turnover
        figure = figures.chosen
        assert figure is not None and format_value(figure.value, figure.unit) == "$1.4 bn"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        assert reader.source.id == figure.source and reader.quote == figure.quote
        assert reader.quote_paragraph is not None
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, FiguresScreen))
        assert figures.chosen == figure


async def test_the_figures_view_skips_headings_and_reaches_the_table() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        figures = await _figures(pilot)
        await pilot.press("end")
        last = figures.chosen
        assert last == app.store.figures[-1]
        for _ in range(len(figures.lines)):
            await pilot.press("up")
        assert figures.highlighted is not None and figures.lines[figures.highlighted].figure is not None


async def test_every_metric_name_shows_whole_in_the_figures_view_at_80_columns() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        figures = await _figures(pilot)
        for index, line in enumerate(figures.lines):
            if line.figure is not None and not line.bar:
                shown_line = await _shown_line(pilot, figures, index)
                assert f" {line.figure.metric} " in shown_line


def test_every_metric_name_shows_whole_in_kztj_figures_at_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert cli.main(["figures", "--color", "always"]) == 0
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    lines = out.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    metrics = {line.split()[0] for line in lines[1:] if line.startswith(" ") and not line.startswith("   ")}
    store_metrics = {f.metric for f in open_store(BUNDLED, use_cache=False).figures}
    assert metrics == store_metrics
    assert "⚠ CONFLICT vs $1.3 bn (forum-report-2023-05)" in out


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_status_of_a_past_plan_shows_whole_in_the_detail_pane(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_TODAY", "2026-12-05")
    app = bundled_app(event_id="central-asia-summit-dushanbe-2023")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if size[0] < 100:
            await pilot.press("enter")  # the detail pane opens full width
            await pilot.pause()
        heading = widget_text(app, app.screen.query_one("#detail-heading"))
        assert "Status planned for September 2023; no later report in the store" in " ".join(heading.split())
