"""Pilot tests: every binding, search, the reader, filters, deep links, hostile text, layouts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui.tui.detail import DetailPane
from kztj_tui.tui.figures import FiguresScreen
from kztj_tui.tui.main import MainScreen
from kztj_tui.tui.screens import FilterScreen, HelpScreen, ReaderScreen
from kztj_tui.tui.timeline import Timeline

from .conftest import MINIMAL
from .tui_support import app_for, bundled_app, screen_text, selected, shown

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
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert selected(app) == "tokayev-visit-dushanbe-2021"
        assert [r.id for r in shown(app)] == ["tokayev-visit-dushanbe-2021", "rogun-supplies-offer"]
        assert f"2 of {app.store.count} events" in screen_text(app)
        assert "Filtered" in app.sub_title


async def test_n_and_shift_n_move_between_matches_and_wrap() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Rogun", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
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
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert selected(app) == "agri-trade-2022"
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert len(shown(app)) == app.store.count
        assert selected(app) == before
        assert isinstance(app.focused, Timeline)


async def test_search_highlights_matches_in_detail() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"Rogun")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        summary = app.screen.query_one("#detail-summary").render()
        spans = [span for span in summary.spans if "reverse" in str(span.style)]  # type: ignore[attr-defined]
        assert spans and str(summary)[spans[0].start : spans[0].end] == "Rogun"


async def test_search_with_no_results_shows_friendly_empty_state() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"zzzqqq")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert shown(app) == []
        assert "No events match “zzzqqq”" in screen_text(app)
        assert "Nothing selected" in screen_text(app)


async def test_bad_query_field_reports_instead_of_crashing() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"year:abc")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert "year:abc is not a year" in screen_text(app)


async def test_enter_opens_detail_and_tab_moves_between_panes() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        assert app.focused is app.screen.query_one("#detail-links")
        await pilot.press("tab")
        assert app.focused is not app.screen.query_one("#detail-links")
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one("#detail-links")


async def test_related_event_is_navigable() -> None:
    app = bundled_app(event_id="tajik-embassy-opens")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "enter")  # open detail, follow the first link (related event)
        await pilot.pause()
        assert selected(app) == "diplomatic-relations-established"


async def test_source_opens_reader_at_highlighted_quote() -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        paragraph = app.screen.query_one(f"#paragraph-{app.screen.quote_paragraph}").render()
        highlighted = [str(paragraph)[s.start : s.end] for s in paragraph.spans]  # type: ignore[attr-defined]
        assert any("began his two-day visit to Dushanbe May 19" in h for h in highlighted)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_source_link_in_detail_pane_opens_reader() -> None:
    app = bundled_app(event_id="trade-2013")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # second link is the source
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen) and app.screen.source.id == "kazinform-2023-05-05"


async def test_reader_scrolls_to_a_quote_far_down() -> None:
    app = bundled_app(event_id="central-asia-summit-dushanbe-2023")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause(0.2)
        body = app.screen.query_one("#reader-body")
        assert body.scroll_offset.y > 20
        assert "slated for September 2023" in screen_text(app)


async def test_help_lists_every_binding() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for widget in (Timeline, MainScreen):
            for binding in widget.BINDINGS:
                assert (binding.tooltip or binding.description) in text  # type: ignore[union-attr]
        assert "Command palette" in text and "Quit" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_figures_view_opens_and_closes() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        assert isinstance(app.screen, FiguresScreen)
        text = str(app.screen.query_one("#figures-chart").render())
        assert "$1.4 bn" in text and "$877.6 mn" in text and "$501.4 mn" in text
        assert "░" in text and "⚠ conflicting sources" in text
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
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        rows = shown(app)
        assert rows and all(r.year >= 2022 for r in rows)
        assert all("culture" in (app.store.event_at(r.rowid).tags) for r in rows)
        assert "Filtered" in app.sub_title and "tag culture" in screen_text(app)
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert len(shown(app)) == app.store.count and "Filtered" not in app.sub_title


async def test_export_writes_the_filtered_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"grapes", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        await pilot.press("e")
        [written] = list(tmp_path.glob("kztj-export-*.md"))
        text = written.read_text(encoding="utf-8")
        assert "Farm trade up 40%" in text and "Declaration on Allied" not in text
        assert any(str(written) in n.message for n in app._notifications)


async def test_copy_event_as_markdown() -> None:
    app = bundled_app(event_id="golden-eagle-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        assert app.clipboard.startswith("### 4–5 May 2023 — Rahmon receives the Order of the Golden Eagle")


async def test_command_palette_jumps_to_an_event() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Avicenna")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert selected(app) == "ibn-sina-monument-planned"


async def test_quit_exits_with_status_zero() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_deep_links() -> None:
    app = bundled_app(event_id="declaration-allied-interaction")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert selected(app) == "declaration-allied-interaction"
    app = bundled_app(search="Avicenna")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
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
        await pilot.pause()
        screen = screen_text(app)
        assert HOSTILE in screen
        assert str(app.screen.query_one("#detail-title").render()) == HOSTILE
        await pilot.click(Timeline, offset=(30, 1))
        await pilot.click("#detail-title", offset=(len(HOSTILE) - 3, 0))
        await pilot.press("y")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert HOSTILE in app.clipboard.replace("\\", "")


async def test_long_unbroken_strings_wrap(write_store: Callable[..., Path]) -> None:
    word = "Dushanbe" * 40
    app = app_for(write_store(MINIMAL.replace("summary: A two-day visit.", f"summary: {word}")))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
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
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        assert app.screen.query_one("#search").value == "Rog"  # type: ignore[attr-defined]


async def test_slash_can_be_typed_inside_the_search_box() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"2018", "slash", *"2020")
        assert app.screen.query_one("#search").value == "2018/2020"  # type: ignore[attr-defined]
