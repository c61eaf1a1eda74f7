"""Pilot tests: every binding, search, the reader, filters, deep links, hostile text, layouts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, SelectionList

from kztj_tui.model import Filters
from kztj_tui.store import Row, Store
from kztj_tui.tui.conflicts import ConflictScreen
from kztj_tui.tui.detail import DetailPane
from kztj_tui.tui.figures import FiguresScreen
from kztj_tui.tui.main import MainScreen
from kztj_tui.tui.reader import FindBox, ReaderScreen, SourcePicker
from kztj_tui.tui.rowcache import RowCache
from kztj_tui.tui.screens import FilterScreen, HelpScreen
from kztj_tui.tui.timeaxis import AxisScreen
from kztj_tui.tui.timeline import Timeline

from .conftest import MINIMAL
from .tui_support import (
    app_for,
    bundled_app,
    help_text,
    screen_text,
    selected,
    settle,
    shown,
    shows,
    timeline_lines,
    widget_text,
)
from .waiting import palette_offers, wait_for

HOSTILE = "[/foo] [USD] [link=file:///etc/passwd]x[/link] [@click=app.quit]y[/]"


async def test_opens_on_the_timeline_from_1993_to_2023() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        rows = shown(app)
        assert rows[0].year == 1993 and rows[-1].year == 2023
        assert selected(app) == "diplomatic-relations-established"
        assert isinstance(app.focused, Timeline)
        text = screen_text(app)
        assert "── 1993 ─" in text and "7 Jan 1993" in text and "Trade turnover" in text


async def test_movement_keys() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "j")
        third = shown(app)[2].id
        assert selected(app) == third
        await pilot.press("up")
        assert selected(app) == shown(app)[1].id
        await pilot.press("k")
        assert selected(app) == shown(app)[0].id
        await pilot.press("end")
        assert selected(app) == shown(app)[-1].id
        await pilot.press("home")
        assert selected(app) == shown(app)[0].id
        await pilot.press("G")
        assert selected(app) == shown(app)[-1].id
        await pilot.press("g")
        assert selected(app) == shown(app)[0].id
        await pilot.press("pagedown")
        after_page = app.screen.query_one(Timeline).selected_index or 0
        assert after_page > 10
        await pilot.press("pageup")
        assert app.screen.query_one(Timeline).selected_index == 0


async def test_year_jumps() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        assert selected(app) == "kz-mission-dushanbe-opens"  # first event of 1998
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.store.event(selected(app) or "").start.startswith("2013")  # type: ignore[union-attr]
        await pilot.press("left_square_bracket")
        assert selected(app) == "kz-mission-embassy-status"  # 2001
        await pilot.press("down", "down")
        assert selected(app) == "trade-target-1bn-2013"  # second event of 2013
        await pilot.press("left_square_bracket")
        assert selected(app) == "trade-2013"  # first event of this year
        await pilot.press("left_square_bracket")
        assert selected(app) == "kz-mission-embassy-status"  # then the previous year


async def test_search_rogun_lands_on_the_dushanbe_visit_and_counts() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"Rogun")
        await settle(pilot)
        assert selected(app) == "tokayev-visit-dushanbe-2021"
        assert [r.id for r in shown(app)] == ["tokayev-visit-dushanbe-2021", "rogun-supplies-offer"]
        assert f"2 of {app.store.count} events" in screen_text(app)
        await pilot.press("enter")  # the header says so once the search is run
        await settle(pilot)
        assert "Filtered: query 'Rogun'" in app.sub_title


async def test_n_and_shift_n_move_between_matches_and_wrap() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Rogun", "enter")
        await settle(pilot)
        await pilot.press("n")
        assert selected(app) == "rogun-supplies-offer"
        await pilot.press("n")
        assert selected(app) == "tokayev-visit-dushanbe-2021"  # wrapped
        await pilot.press("N")
        assert selected(app) == "rogun-supplies-offer"


async def test_escape_clears_search_and_returns_to_previous_event() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down")
        before = selected(app)
        await pilot.press("slash", *"grapes")
        await settle(pilot)
        assert selected(app) == "agri-trade-2022"
        await pilot.press("escape")
        await settle(pilot)
        assert len(shown(app)) == app.store.count
        assert selected(app) == before
        assert isinstance(app.focused, Timeline)


async def test_search_highlights_matches_in_detail() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Rogun", "enter")
        await settle(pilot)
        summary = app.screen.query_one("#detail-summary").render()
        spans = [span for span in summary.spans if "reverse" in str(span.style)]  # type: ignore[attr-defined]
        assert spans and str(summary)[spans[0].start : spans[0].end] == "Rogun"


async def test_search_with_no_results_shows_friendly_empty_state() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"zzzqqq")
        await settle(pilot)
        assert shown(app) == []
        assert "No events match “zzzqqq”" in screen_text(app)
        assert "Nothing selected" in screen_text(app)


async def test_bad_query_field_reports_instead_of_crashing() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"year:abc")
        await settle(pilot)
        assert "year:abc is not a year" in screen_text(app)


async def test_enter_opens_detail_and_tab_moves_between_panes() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        detail = app.screen.query_one(DetailPane)
        assert app.focused is detail
        await pilot.press("tab")
        assert app.focused is not detail
        await pilot.press("shift+tab")
        assert app.focused is detail
        await pilot.press("escape")
        assert isinstance(app.focused, Timeline)


async def test_related_event_is_navigable() -> None:
    app = bundled_app(event_id="tajik-embassy-opens")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # open the detail pane
        await settle(pilot)
        detail = app.screen.query_one(DetailPane)
        for _ in range(20):  # down to the first related event
            if detail.current is not None and detail.current.block.id == "detail-related":
                break
            await pilot.press("down")
        await pilot.press("enter")  # follow the related event
        await settle(pilot)
        assert selected(app) == "diplomatic-relations-established"


async def test_source_opens_reader_at_highlighted_quote() -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        if not isinstance(app.screen, ReaderScreen):  # several sources: the picker, first one
            await pilot.press("enter")
            await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        paragraph = app.screen.query_one(f"#paragraph-{app.screen.quote_paragraph}").render()
        highlighted = [str(paragraph)[s.start : s.end] for s in paragraph.spans]  # type: ignore[attr-defined]
        assert any("began his two-day visit to Dushanbe May 19" in h for h in highlighted)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_source_link_in_detail_pane_opens_reader() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "end", "enter")  # the last link is the source
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.source.id == "kazinform-2023-05-05"


async def test_reader_scrolls_to_a_quote_far_down() -> None:
    app = bundled_app(event_id="central-asia-summit-dushanbe-2023")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        body = app.screen.query_one("#reader-body")
        assert body.scroll_offset.y > 20
        assert "slated for September 2023" in screen_text(app)


async def test_help_lists_every_binding() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = help_text(app)
        for widget in (Timeline, MainScreen, DetailPane, ReaderScreen):
            for binding in widget.BINDINGS:
                if binding.id not in ("main.quit", "main.close", "main.focus_next", "main.focus_previous"):  # type: ignore[union-attr]  # q and Tab, stated once
                    assert (binding.tooltip or binding.description) in text  # type: ignore[union-attr]
        assert "Command palette" in text and "Quit from anywhere" in text and "Move between" in text
        assert "main.axis" in text and "timeline.down" in text  # ids to rebind by
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_figures_view_opens_and_closes() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        assert isinstance(app.screen, FiguresScreen)
        text = "\n".join(str(option.prompt) for option in app.screen.query_one(OptionList).options)
        assert "$1.4 bn" in text and "$877.6 mn" in text and "$501.4 mn" in text
        assert "░" in text and "⚠ conflict" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_filter_screen_applies_tags_and_years_and_says_so() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-tags").select("culture")  # type: ignore[attr-defined]
        app.screen.query_one("#filter-from").value = "2022"  # type: ignore[attr-defined]
        await pilot.click("#filter-apply")
        await settle(pilot)
        rows = shown(app)
        assert rows and all(r.year >= 2022 for r in rows)
        assert all("culture" in (app.store.event_at(r.rowid).tags) for r in rows)
        assert "Filtered" in app.sub_title and "tag culture" in screen_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert len(shown(app)) == app.store.count and "Filtered" not in app.sub_title


async def test_export_writes_the_filtered_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"grapes", "enter")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")  # the dialog's defaults: a new Markdown file here, this view
        await settle(pilot)
        [written] = list(tmp_path.glob("kztj-export-*.md"))
        text = written.read_text(encoding="utf-8")
        assert "Farm trade up 40%" in text and "Declaration on Allied" not in text
        assert any(str(written) in n.message for n in app._notifications)


@pytest.mark.parametrize("event_id", ["no-such-event", ""])
async def test_an_unknown_event_to_open_on_is_said(event_id: str) -> None:
    # `kztj --event ''` was dropped without a word, where any other unknown id is said.
    app = bundled_app(event_id=event_id)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert [n.message for n in app._notifications] == [f"No event with id {event_id!r}."]
        assert selected(app) == "diplomatic-relations-established"  # the first event


async def test_copy_event_as_markdown() -> None:
    app = bundled_app(event_id="golden-eagle-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        assert app.clipboard.startswith("### 4–5 May 2023 — Rahmon receives the Order of the Golden Eagle")


async def test_command_palette_jumps_to_an_event() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Avicenna")
        await wait_for(pilot, palette_offers(app, "Monument to Abu Ali ibn Sina planned"))
        await pilot.press("enter")
        await settle(pilot)
        assert selected(app) == "ibn-sina-monument-planned"


async def test_quit_exits_with_status_zero() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_deep_links() -> None:
    app = bundled_app(event_id="declaration-allied-interaction")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert selected(app) == "declaration-allied-interaction"
    app = bundled_app(search="Avicenna")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(shown(app)) == 1)
        assert [r.id for r in shown(app)] == ["ibn-sina-monument-planned"]


async def test_narrow_layout_collapses_the_detail_pane() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        detail = app.screen.query_one(DetailPane)
        assert not detail.display
        await pilot.press("enter")
        assert detail.display and not app.screen.query_one(Timeline).display
        await pilot.press("escape")
        assert app.screen.query_one(Timeline).display and not detail.display


async def test_wide_layout_uses_the_space() -> None:
    app = bundled_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        timeline, detail = app.screen.query_one(Timeline), app.screen.query_one(DetailPane)
        assert timeline.size.width > 100 and detail.size.width > 70


async def test_resizing_never_crashes() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for width, height in [(80, 24), (40, 10), (200, 60), (20, 5), (120, 40)]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            await pilot.press("down")
        assert selected(app) is not None


async def test_markup_in_user_text_is_shown_literally(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace("title: Tokayev visits Dushanbe", f"title: '{HOSTILE}'").replace(
        "summary: A two-day visit.", f"summary: 'Summary {HOSTILE}'"
    )
    app = app_for(write_store(text))
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        screen = screen_text(app)
        assert HOSTILE in screen
        assert str(app.screen.query_one("#detail-heading").render()).splitlines()[0] == HOSTILE
        await pilot.click(Timeline, offset=(30, 1))
        await pilot.click("#detail-heading", offset=(len(HOSTILE) - 3, 0))
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert HOSTILE in app.clipboard.replace("\\", "")


async def test_long_unbroken_strings_wrap(write_store: Callable[..., Path]) -> None:
    word = "Dushanbe" * 40
    app = app_for(write_store(MINIMAL.replace("summary: A two-day visit.", f"summary: {word}")))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        summary = app.screen.query_one("#detail-summary")
        assert summary.size.height >= 2 and summary.size.width < len(word)


async def test_empty_store_shows_a_friendly_state(write_store: Callable[..., Path]) -> None:
    app = app_for(write_store("events: []\n"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "end", "right_square_bracket", "n", "y", "s", "enter")
        assert "This store has no events yet." in screen_text(app)
        assert app.is_running


async def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        assert "◆ Kazakhstan and Tajikistan" in screen_text(app)  # kind still readable by its glyph


async def test_themes_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for theme in ("textual-light", "textual-dark", "nord"):
            app.theme = theme
            await pilot.pause()
            assert "7 Jan 1993" in screen_text(app)


async def test_keys_typed_right_after_slash_reach_the_search_box() -> None:
    from textual import events

    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Queue every key before any is handled, as a fast typist or a paste would.
        for key, char in [("slash", "/"), ("R", "R"), ("o", "o"), ("g", "g")]:
            app.post_message(events.Key(key, char))
        box = app.screen.query_one("#search", Input)
        await wait_for(pilot, lambda: box.value == "Rog")
        assert box.value == "Rog"


async def test_slash_can_be_typed_inside_the_search_box() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"2018", "slash", *"2020")
        assert app.screen.query_one("#search").value == "2018/2020"  # type: ignore[attr-defined]


# -- search as you type ------------------------------------------------------------------------


async def test_typing_matches_the_last_word_as_a_prefix() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for typed in ("t", "r", "a", "d"):
            await pilot.press(typed)
            await settle(pilot)
            if typed != "t":  # "t" alone is too short to mean anything yet
                ids = [row.id for row in shown(app)]
                assert "trade-2013" in ids, f"nothing found while typing at {typed!r}"
        count = app.store.count
        assert f"of {count} events" in screen_text(app) and f"0 of {count}" not in screen_text(app)


async def test_a_half_typed_word_still_finds_the_word_it_is_cut_from() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"coopera")  # indexed as the Porter stem "cooper"
        await settle(pilot)
        titles = [row.title for row in shown(app)]
        assert any("Cooperation" in title for title in titles)


@pytest.mark.parametrize("word", ["trad", "Rog", "tra"])
async def test_enter_keeps_what_typing_showed(word: str) -> None:
    # Issue 20: "/tra" showed 28 events while typing and 0 after Enter. The word typed last stays a
    # prefix, as it was on screen, unless a space (or quotes) ends it.
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *word)
        await settle(pilot)
        typed = [row.rowid for row in shown(app)]
        assert typed and len(typed) < app.store.count
        await pilot.press("enter")
        await settle(pilot)
        assert [row.rowid for row in shown(app)] == typed
        assert typed == app.store.search(Filters(query=f"{word}*"), sort="date").rowids


async def test_a_space_or_quotes_after_the_word_make_enter_search_the_word_exactly() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"trad ", "enter")
        await settle(pilot)
        assert shown(app) == []
        assert "No events match" in screen_text(app)
        await pilot.press("slash", *["backspace"] * 5, *'"trade"', "enter")
        await settle(pilot)
        exact = app.store.search(Filters(query="trade"), sort="date").rowids
        assert [row.rowid for row in shown(app)] == exact


CHARACTERS = {"slash": "/", "enter": "\r", "escape": "\x1b"}


async def _selection_after(keys: list[str], fast: bool) -> str | None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        if fast:  # every key queued before any is handled, as a quick typist or a paste
            for key in keys:
                app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
        else:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
        await settle(pilot)
        return selected(app)


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param(["slash", *"rogun", "enter", "j"], id="rogun-enter-j"),
        pytest.param(["slash", *"trade", "down", "j", "j"], id="trade-down-j-j"),
        pytest.param(["slash", *"dushanbe", "escape", "j"], id="dushanbe-escape-j"),
    ],
)
async def test_what_is_selected_does_not_depend_on_typing_speed(keys: list[str]) -> None:
    assert await _selection_after(keys, fast=True) == await _selection_after(keys, fast=False)


# -- the detail pane by keyboard ---------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)])
async def test_every_part_of_the_detail_pane_is_reachable_by_keyboard(size: tuple[int, int]) -> None:
    app = bundled_app(event_id="business-forum-2023")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen.query_one(DetailPane)
        seen = widget_text(app, detail)
        for _ in range(60):
            await pilot.press("down")
            seen += "\n" + widget_text(app, detail)
        event = app.store.event("business-forum-2023")
        assert event is not None
        assert "⚠ CONFLICT" in seen
        for citation in event.sources:  # every source, down to the last line of its quote
            assert _flat(citation.quote)[-25:] in _flat(seen)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_link_under_the_cursor_is_always_on_screen(size: tuple[int, int]) -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen.query_one(DetailPane)
        for key in ["down"] * 30 + ["pagedown", "up", "end", "pageup", "up", "home", "down"]:
            await pilot.press(key)
            current = detail.current
            if current is not None:
                top, height = detail.scroll_y, detail.scrollable_content_region.height
                assert top <= current.top < top + height, key


async def test_end_then_enter_follows_the_last_link_which_is_on_screen() -> None:
    app = bundled_app(event_id="business-forum-2023")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "end")
        await settle(pilot)
        assert "Kazinform, 5 May 2023" in screen_text(app).split("Sources")[-1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)


async def test_pgdn_scrolls_the_full_width_detail_pane() -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        before = screen_text(app)
        await pilot.press("pagedown")
        assert screen_text(app) != before
        await pilot.press("end")
        assert "Sources" in screen_text(app) or "¶" in screen_text(app)


# -- the cursor after scrolling ---------------------------------------------------------------


async def test_the_cursor_is_drawn_on_the_selected_row_after_scrolling() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("end", "up", "up")
        await settle(pilot)
        title = app.store.event(selected(app) or "").title  # type: ignore[union-attr]
        drawn = [text for text, is_cursor in timeline_lines(app) if is_cursor]
        assert len(drawn) == 1 and title[:40] in drawn[0]


# -- the UI thread never waits on a worker -----------------------------------------------------


async def test_workers_query_through_their_own_connections(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    calls: list[tuple[str, bool, bool]] = []
    app = bundled_app()

    def spy(name: str) -> None:
        original = getattr(Store, name)

        def recorded(self: Store, *args: object, **kwargs: object) -> object:
            calls.append((name, threading.current_thread() is threading.main_thread(), self is app.store))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Store, name, recorded)

    for name in ("search", "highlights", "iter_events", "rows", "event_at"):
        spy(name)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        calls.clear()
        await pilot.press("slash", *"trade")
        await settle(pilot)
        typing = list(calls)
        await pilot.press("enter", "w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        await pilot.press("enter")  # the export dialog's defaults: this view, to Markdown here
        await settle(pilot)
        await pilot.press("ctrl+p", *"Avicenna")
        await wait_for(pilot, palette_offers(app, "Monument to Abu Ali ibn Sina planned"))
    searches = [c for c in calls if c[0] in ("search", "iter_events")]
    assert searches and all(not on_ui and not shared for _, on_ui, shared in searches)
    # The first screen of results arrives with the result: typing draws without a query of its own.
    assert [c for c in typing if c[1]] == []


async def test_title_matches_scrolled_into_view_are_read_in_a_worker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from .conftest import write_generated_store

    path = write_generated_store(tmp_path / "events.yaml", 600)
    on_ui: list[bool] = []
    original = Store.highlights

    def recorded(self: Store, *args: Any, **kwargs: Any) -> Any:
        on_ui.append(threading.current_thread() is threading.main_thread())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "highlights", recorded)
    app = app_for(path, search="Officials")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(shown(app)) == 600)
        for key in ("end", "pageup", "pageup", "home"):  # past the rows the search result came with
            await pilot.press(key)
            await settle(pilot)
            timeline = app.screen.query_one(Timeline)
            region = timeline.content_region
            update = app.screen._compositor.render_full_update()
            words = [
                segment
                for y in range(region.y, region.bottom)
                for strip in update.strips[y]
                for segment in strip
                if segment.text.strip() == "Officials"
            ]
            assert words and all(segment.style and segment.style.underline for segment in words), key
    assert on_ui and not any(on_ui)  # the UI thread never waits for the index


async def test_a_detail_view_built_for_an_event_left_meanwhile_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    from kztj_tui.session import BrowserSession

    release = threading.Event()
    original = BrowserSession.event_view
    slow: list[int] = []

    def event_view(self: BrowserSession, rowid: int, query: Any = None) -> Any:
        if not slow:  # the first view built in a worker waits until the user has moved back
            slow.append(rowid)
            assert release.wait(10)
        return original(self, rowid, query)

    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(BrowserSession, "event_view", event_view)
        await pilot.press("down")
        await wait_for(pilot, lambda: bool(slow), then_settle=False)
        await pilot.press("up")
        release.set()
        await settle(pilot)
        view = app.screen.query_one(DetailPane).view
        assert selected(app) == "trade-2013" and view is not None and view.event.id == "trade-2013"


def test_row_cache_keeps_the_most_recently_used_rows() -> None:
    fetched: list[list[int]] = []

    def fetch(rowids: Sequence[int]) -> list[Row]:
        fetched.append(list(rowids))
        return [Row(r, f"e{r}", "2020", 2020, "occurred", "trade", f"Event {r}") for r in rowids]

    cache = RowCache(fetch, capacity=3)
    assert cache.get(1, window=[1, 2]) is not None and fetched == [[1, 2]]
    cache.get(2)
    cache.get(1)  # 1 is now the most recent
    cache.put(fetch([3, 4]))
    assert 1 in cache and 2 not in cache and len(cache) == 3
    assert cache.get(2) is not None and fetched[-1] == [2]


# -- small things -----------------------------------------------------------------------------


async def test_resizing_with_the_detail_pane_focused_keeps_focus_on_screen() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # focus moves into the detail pane
        for size in [(80, 24), (120, 40), (60, 20)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert app.focused is not None and shows(app.focused), size


async def test_narrowing_the_terminal_keeps_the_detail_pane_you_are_in() -> None:
    for wide, narrow in [((120, 40), (80, 24)), ((200, 60), (60, 20)), ((100, 30), (99, 30))]:
        app = bundled_app()
        async with app.run_test(size=wide) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # into the detail pane, beside the timeline
            await pilot.resize_terminal(*narrow)
            await settle(pilot)
            detail = app.screen.query_one(DetailPane)
            assert shows(detail) and not shows(app.screen.query_one(Timeline)), (wide, narrow)
            assert app.focused is detail
            # The footer is the detail pane's: Esc goes back to the timeline, with no timeline keys.
            footer = screen_text(app).splitlines()[-1]
            assert "Timeline" in footer and "Filter" not in footer, footer
            await pilot.press("escape")
            assert shows(app.screen.query_one(Timeline)) and not shows(detail)


async def test_no_stray_character_in_the_footer_at_40_columns() -> None:
    app = bundled_app()
    async with app.run_test(size=(40, 20)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert footer.rstrip().endswith("palette"), footer


async def test_q_closes_the_view_you_are_in_and_quits_on_the_timeline() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        text = help_text(app)
        assert "Close the view you are in" in text and "on the timeline, quit" in text
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("enter")  # the full-width detail view
        await pilot.press("q")
        assert app.is_running and isinstance(app.focused, Timeline)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_palette_offers_each_year_once() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"2015")
        await wait_for(pilot, palette_offers(app, "Jump to year 2015"))
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        options = palette.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert sum("Jump to year 2015" in p for p in prompts) == 1, prompts


async def test_filter_checkboxes_read_ticked_or_not_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        tags = app.screen.query_one("#filter-tags", SelectionList)
        tags.select("culture")
        await pilot.pause()
        lines = {}
        for y in range(tags.option_count):
            text = tags.render_line(y).text
            lines[str(tags.get_option_at_index(y).prompt).split()[0]] = text
        ticked = lines["culture"].split("culture")[0]
        unticked = lines["trade"].split("trade")[0]
        assert ticked != unticked


# -- section 2: history, actionable names, time axis, conflicts, sources, settings, footers --------


async def _focus_link(pilot: Pilot[Any], block: str, label: str | None = None) -> DetailPane:
    """Move the detail pane's cursor down to a link of a block (whose text starts with ``label``)."""
    detail = pilot.app.screen.query_one(DetailPane)
    for _ in range(80):
        current = detail.current
        found = current is not None and current.block.id == block
        if found and (label is None or label in current.block.link_text(current.link)):  # type: ignore[union-attr]
            return detail
        await pilot.press("down")
    raise AssertionError(f"no link {label!r} in {block}")


async def test_following_links_can_be_undone_with_back_and_forward() -> None:
    app = bundled_app(event_id="tajik-embassy-opens")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "H Back" not in screen_text(app)  # nothing to go back to yet
        await pilot.press("enter")
        await _focus_link(pilot, "detail-related")
        await pilot.press("enter")
        await settle(pilot)
        assert selected(app) == "diplomatic-relations-established"
        assert "H Back" in screen_text(app)  # the footer teaches the keys once they apply
        await pilot.press("H")
        await settle(pilot)
        assert selected(app) == "tajik-embassy-opens"
        assert "L Forward" in screen_text(app)
        await pilot.press("L")
        await settle(pilot)
        assert selected(app) == "diplomatic-relations-established"


async def test_a_search_run_with_enter_is_a_place_to_come_back_to() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"grapes", "enter")
        await settle(pilot)
        assert [r.id for r in shown(app)] == ["agri-trade-2022"]
        await pilot.press("H")
        await settle(pilot)
        assert len(shown(app)) == app.store.count and selected(app) == "trade-2013"
        assert app.screen.query_one("#search", Input).value == ""


@pytest.mark.parametrize(
    ("label", "field", "heading"),
    [
        ("Emomali Rahmon", "actors", "actor Emomali Rahmon"),
        ("Astana", "place", "place Astana"),
        ("diplomacy", "tags", "tag diplomacy"),
    ],
)
async def test_actors_places_and_tags_filter_the_timeline(label: str, field: str, heading: str) -> None:
    app = bundled_app(event_id="declaration-allied-interaction")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await _focus_link(pilot, "detail-entities", label)
        await pilot.press("enter")
        await settle(pilot)
        rows = shown(app)
        assert 1 <= len(rows) < app.store.count
        for row in rows:
            event = app.store.event_at(row.rowid)
            value = {"actors": event.actors, "place": (event.place,), "tags": event.tags}[field]
            assert any(label.lower() in app.store.entity_name(v).lower() for v in value)
        assert f"Filtered: {heading}" in app.sub_title
        assert "x Clear filter" in screen_text(app).splitlines()[-1]
        assert selected(app) == "declaration-allied-interaction"  # still on the event it came from
        await pilot.press("H")
        await settle(pilot)
        assert len(shown(app)) == app.store.count


async def test_the_conflict_view_puts_the_versions_side_by_side_and_opens_either_article() -> None:
    app = bundled_app(event_id="business-forum-2023")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await _focus_link(pilot, "detail-figures", "contracts")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictScreen)
        cards = list(app.screen.query(".version"))
        assert len(cards) == 2 and cards[0].region.y == cards[1].region.y  # side by side
        assert cards[0].region.right <= cards[1].region.x
        text = screen_text(app)
        assert "$1.8 bn" in text and "$1.3 bn" in text
        assert "Kazinform" in text and "Unnamed outlet" in text
        await pilot.press("right", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.quote_paragraph is not None  # opened at its quote
        assert "1.3 billion" in str(app.screen.query_one(f"#paragraph-{app.screen.quote_paragraph}").render())
        await pilot.press("q")
        assert isinstance(app.screen, ConflictScreen)
        await pilot.press("q")
        assert isinstance(app.screen, MainScreen)


async def test_s_offers_every_source_of_an_event() -> None:
    app = bundled_app(event_id="rahmon-state-visit-2023")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        event = app.store.event("rahmon-state-visit-2023")
        assert event is not None and len(event.sources) >= 3
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcePicker)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.source.id == event.sources[2].source and app.screen.quote == event.sources[2].quote


async def test_the_reader_finds_text_with_slash_and_steps_with_n() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        mapped = str(reader.query_one("#reader-map").render())
        assert f"quote in ¶{(reader.quote_paragraph or 0) + 1} of {len(reader.paragraphs)}" in mapped
        assert "▼" in mapped  # where the quote sits in the whole article
        await pilot.press("slash", *"Dushanbe", "enter")
        await settle(pilot)
        total = len(reader.matches)
        assert (total >= 2 and f"1/{total}" in str(reader.query_one("#reader-map").render())) or reader.match >= 0
        first = reader.match
        await pilot.press("n")
        assert reader.match == (first + 1) % total
        await pilot.press("N", "N")
        assert reader.match == (first - 1) % total
        paragraph = reader.matches[reader.match][0]
        assert shows(reader.query_one(f"#paragraph-{paragraph}"))


async def test_the_time_axis_draws_to_scale_and_shares_the_selection() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        text = screen_text(app)
        assert "1995" in text and "2020" in text and "●" in text and "━" in text
        assert selected(app) == "trade-2013"
        await pilot.press("right", "right")
        await settle(pilot)
        moved = selected(app)
        assert moved != "trade-2013"
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and selected(app) == moved


async def test_the_time_axis_shows_precision_and_certainty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = bundled_app(event_id="days-of-tajik-culture-held")  # 2023-08~: a month, approximate
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a", *["plus"] * 6)  # zoom in to about three months
        await settle(pilot)
        text = screen_text(app)
        assert "month precision, approximate ~" in text
        assert "╍" * 10 in text  # a month is many columns wide, drawn dashed: approximate
        await pilot.press("right")  # 2023-08-25?: a day, uncertain
        await settle(pilot)
        text = screen_text(app)
        assert "day precision, uncertain ?" in text and "○" in text


async def test_the_time_axis_opens_the_event_with_enter() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", "right", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and isinstance(app.focused, DetailPane)
        view = app.screen.query_one(DetailPane).view
        assert view is not None and view.event.id == selected(app) != "trade-2013"


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ([], ["⏎ Open", "/ Search", "[] Year", "q Quit", "a Axis"]),
        (["slash", "x"], ["Keep", "Esc Clear", "↓ Results"]),
        (["enter"], ["Follow", "Esc Timeline", "↑↓ Move"]),
        (["slash", *"rogun", "enter"], ["nN Match", "Esc Clear search", "H Back"]),
        (["s"], ["/ Find", "n Next", "N Prev", "' Quote", "q Back"]),
        (["a"], ["Zoom in", "← Previous", "→ Next"]),
    ],
)
async def test_each_context_has_a_footer_that_teaches_its_keys(keys: list[str], expected: list[str]) -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for words in expected:
            assert words in footer, (words, footer)


async def test_the_footer_is_rebuilt_only_when_the_keys_it_shows_change() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        keys = list(app.screen.query("FooterKey"))
        assert keys
        app.screen.refresh_bindings()  # nothing it shows has changed: no new widgets
        await settle(pilot)
        assert list(app.screen.query("FooterKey")) == keys
        await pilot.press("slash", *"rogun", "enter")  # now it has keys to show that it did not
        await settle(pilot)
        assert list(app.screen.query("FooterKey")) != keys
        assert "nN Match" in screen_text(app).splitlines()[-1]


async def test_theme_and_layout_are_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        app.screen.set_layout("single")  # type: ignore[attr-defined]
        await settle(pilot)
        assert app.screen.has_class("-narrow")
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert 'theme = "nord"' in text and 'layout = "single"' in text
    again = bundled_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.theme == "nord" and again.screen.has_class("-narrow")


async def test_keys_can_be_rebound_in_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text('[keymap]\n"main.axis" = "v"\n"timeline.down" = "ctrl+n"\n')
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert selected(app) == shown(app)[1].id
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        await pilot.press("q", "question_mark")
        assert "v" in help_text(app).split("Time axis: events")[0]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('theme = "nord\n', "config.toml:1:"),
        ('layout = "sideways"\n', "config.toml:1:1: layout must be one of"),
        ('theme = "nord"\n[keymap]\n"main.axis" = 3\n', "config.toml:3:1: [keymap]"),
    ],
)
async def test_a_broken_settings_file_gives_one_line_and_the_defaults(
    text: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and where in messages[0] and "\n" not in messages[0]
        assert app.theme == "textual-dark" and app.screen.has_class("-wide")


async def test_the_reader_find_does_not_depend_on_typing_speed() -> None:
    results = []
    for fast in (True, False):
        app = bundled_app(event_id="trade-2013")
        async with app.run_test(size=(60, 20)) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            keys = ["slash", *"billion", "enter", "n"]
            if fast:
                for key in keys:
                    app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
            else:
                for key in keys:
                    await pilot.press(key)
                    await settle(pilot)
            await settle(pilot)
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            results.append((reader.term, reader.match, len(reader.matches), reader.query_one(FindBox).display))
    assert results[0] == results[1] and results[0][0] == "billion" and not results[0][3]


@pytest.mark.parametrize("width", [40, 57, 60, 66, 75, 80, 100, 120])
async def test_the_trade_strip_never_cuts_a_figure(width: int) -> None:
    # Cropped at the edge, "2021 $1.1 bn" showed as "2021 $1.1" at 60 columns: a wrong number.
    app = bundled_app()
    async with app.run_test(size=(width, 20)) as pilot:
        await settle(pilot)
        strip = app.screen.query_one("#trade-strip")
        text = widget_text(app, strip).strip()
        assert text.startswith("Trade turnover")
        whole = {"Trade turnover", "…", "▄ 2013 $700 mn", "▅ 2020 $800 mn", "▆ 2021 $1.1 bn", "█ 2022 $1.4 bn"}
        whole |= {"▃ Jan–Jun 2023 $500 mn", "target $2 bn", " t: chart"}
        assert set(text.split("  ")) <= whole, text
        if width >= 60:  # room for the latest period and the target
            assert "▃ Jan–Jun 2023 $500 mn" in text and "target $2 bn" in text


async def test_a_notice_repeated_while_it_shows_is_shown_once() -> None:
    # n pressed again and again with no search stacked a toast per press, over the whole screen.
    app = bundled_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s", "enter")  # the source reader
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReaderScreen")
        await pilot.press(*"nnnnn", "N")
        await wait_for(pilot, lambda: len(app.screen.query("Toast")) >= 1)
        await settle(pilot)
        assert [str(toast.render()) for toast in app.screen.query("Toast")] == ["No search yet: press / and type."]
        # Once it is gone (dismissed, or expired), the same notice shows again.
        app.clear_notifications()
        await wait_for(pilot, lambda: len(app.screen.query("Toast")) == 0)
        await pilot.press("n")
        await wait_for(pilot, lambda: len(app.screen.query("Toast")) == 1)
