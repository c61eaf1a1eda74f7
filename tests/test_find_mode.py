"""Find or filter: Ctrl+T switches the search between narrowing the timeline and marking in it (less's / and n)."""

from __future__ import annotations

import pytest

from kztj_tui.model import Filters
from kztj_tui.tui.searchbox import SearchBox
from kztj_tui.tui.timeline import FOUND_GLYPH, Timeline

from .tui_support import bundled_app, selected, settle, shown, timeline_lines, widget_text


def found(app: object) -> int | None:
    """How many events the search found, in find mode (None: it filters)."""
    return app.screen_stack[0].query_one(Timeline).found_count  # type: ignore[attr-defined,no-any-return]


def found_lines(app: object) -> list[str]:
    return [text for text, _ in timeline_lines(app) if FOUND_GLYPH in text]  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_find_keeps_every_event_and_marks_the_matches(size: tuple[int, int]) -> None:
    app = bundled_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t", "slash", *"Rogun")
        await settle(pilot)
        assert app.screen.query_one(SearchBox).border_title == "find: n/N"
        assert len(shown(app)) == app.store.count  # nothing filtered out
        found = app.store.search(Filters(query="Rogun*"), sort="date").rowids
        assert len(found) == 2
        assert selected(app) == app.store.event_at(found[0]).id  # the first found, as less's /
        assert "2 found" in widget_text(app, app.screen.query_one("#match-count"))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        assert selected(app) == app.store.event_at(found[1]).id
        await pilot.press("n")  # wraps, as less does
        await settle(pilot)
        assert selected(app) == app.store.event_at(found[0]).id
        await pilot.press("N")
        assert selected(app) == app.store.event_at(found[1]).id


async def test_ctrl_t_switches_back_to_filtering_and_keeps_the_search() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Rogun")
        await settle(pilot)
        assert len(shown(app)) == 2 and app.screen.query_one(SearchBox).border_title == "filter"
        await pilot.press("ctrl+t")  # in the search box: types nothing
        await settle(pilot)
        assert app.screen.query_one(SearchBox).value == "Rogun"
        assert len(shown(app)) == app.store.count
        await pilot.pause()
        assert len(found_lines(app)) == 2
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert len(shown(app)) == 2 and not found_lines(app)


async def test_find_with_a_filter_marks_within_the_filtered_events() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.apply_filters(Filters(tags=("energy-water",)))  # type: ignore[attr-defined]
        await settle(pilot)
        kept = len(shown(app))
        await pilot.press("ctrl+t", "slash", *"Rogun", "enter")
        await settle(pilot)
        assert len(shown(app)) == kept < app.store.count
        assert "found" in widget_text(app, app.screen.query_one("#match-count"))


async def test_find_mode_holds_for_every_view_shown(tmp_path: object) -> None:
    # A saved view, a filter, Back: each shows its search as find while the box says find.
    from kztj_tui import userstate
    from kztj_tui.savedviews import SavedView

    from .conftest import BUNDLED

    state, _ = userstate.load(BUNDLED)
    state.views["rogun"] = SavedView(Filters(query="Rogun"))
    assert userstate.save(state) is None
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t", "slash", *"Tokayev", "enter")
        await settle(pilot)
        tokayev = found(app)
        assert tokayev and tokayev > 2
        app.screen.open_view("rogun")  # type: ignore[attr-defined]
        await settle(pilot)
        assert len(shown(app)) == app.store.count and found(app) == 2
        app.screen.apply_filters(Filters(tags=("energy-water",)))  # type: ignore[attr-defined]
        await settle(pilot)
        assert found(app) == 1 and len(shown(app)) < app.store.count  # one of the two is energy-water
        await pilot.press("H")  # back to the search before the saved view
        await settle(pilot)
        assert len(shown(app)) == app.store.count and found(app) == tokayev
