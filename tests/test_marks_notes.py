"""Marks and notes in the browser: m, M, the note dialog, the detail pane, note: and restarts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import TextArea

from kztj_tui import userstate
from kztj_tui.tui.detail import DetailPane
from kztj_tui.tui.notes import NoteScreen
from kztj_tui.tui.timeline import Timeline

from .conftest import BUNDLED
from .tui_support import app_for, bundled_app, selected, shown, timeline_lines, widget_text
from .waiting import palette_offers, wait_for


def marked_lines(app: object) -> list[str]:
    """The timeline lines on screen that carry the mark glyph in their first column."""
    return [text for text, _ in timeline_lines(app) if text.startswith("*")]  # type: ignore[arg-type]


async def test_m_marks_the_selected_event_with_a_glyph_and_m_again_unmarks_it() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = selected(app)
        assert first is not None and not marked_lines(app)
        await pilot.press("m")
        assert app.session.marks == {first}
        await wait_for(pilot, lambda: len(marked_lines(app)) == 1)
        assert "7 Jan 1993" in marked_lines(app)[0]
        # Saved at once (by a worker), not only at quit.
        await wait_for(pilot, lambda: userstate.load(BUNDLED)[0].marks == {first})
        await pilot.press("m")
        await wait_for(pilot, lambda: not marked_lines(app))
        assert not app.session.marks


async def test_the_glyph_reads_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await wait_for(pilot, lambda: len(marked_lines(app)) == 1)
        assert marked_lines(app)[0].startswith("*7 Jan 1993")


async def test_big_m_shows_only_the_marked_events_and_back() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        everything = len(shown(app))
        await pilot.press("M")  # nothing marked yet: says so, and changes nothing
        await pilot.pause()
        assert len(shown(app)) == everything
        await pilot.press("m", "down", "down", "m")
        marked = set(app.session.marks)
        assert len(marked) == 2
        await pilot.press("M")
        await wait_for(pilot, lambda: len(shown(app)) == 2)
        assert {row.id for row in shown(app)} == marked
        assert "marked events" in widget_text(app, app.screen.query_one("#filter-bar"))
        await pilot.press("M")
        await wait_for(pilot, lambda: len(shown(app)) == everything)
        # The marked view is a place in the history: Back leaves it for the view before it.
        await pilot.press("M")
        await wait_for(pilot, lambda: len(shown(app)) == 2)
        await pilot.press("H")
        await wait_for(pilot, lambda: len(shown(app)) == everything)
        assert app.screen.filters.marked is None  # type: ignore[attr-defined]


async def test_marks_survive_a_restart_and_clear_marks_clears_them() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "m")
        second = selected(app)
    again = bundled_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.session.marks == {second}
        assert again.screen.query_one(Timeline).marked == {second}
        assert len(marked_lines(again)) == 1
        await pilot.press("ctrl+p")
        await pilot.press(*"clear marks")
        await wait_for(pilot, palette_offers(again, "Clear marks"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not marked_lines(again))
    assert userstate.load(BUNDLED)[0].marks == set()


async def test_marks_are_per_store(write_store: Callable[..., Path]) -> None:
    from .test_userstate import TWO

    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m")
    other = app_for(write_store(TWO))
    async with other.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert other.session.marks == frozenset() and not marked_lines(other)


async def test_the_note_dialog_saves_and_the_detail_shows_the_note_as_text() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        event_id = selected(app)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        app.screen.query_one(TextArea).insert("[bold]x[/] is not markup")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteScreen))
        assert app.session.note(event_id or "") == "[bold]x[/] is not markup"
        note = app.screen.query_one("#detail-note")
        await wait_for(pilot, lambda: note.display and "[bold]x[/]" in widget_text(app, note))
        text = widget_text(app, note)
        assert text.lstrip().startswith("Note")
        await wait_for(pilot, lambda: userstate.load(BUNDLED)[0].notes == {event_id: "[bold]x[/] is not markup"})
        # Esc closes the dialog without changing the note.
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        assert app.screen.query_one(TextArea).text == "[bold]x[/] is not markup"
        app.screen.query_one(TextArea).insert(" more")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteScreen))
        assert app.session.note(event_id or "") == "[bold]x[/] is not markup"


async def test_a_note_shows_after_a_restart_and_note_search_finds_it() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "A")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        app.screen.query_one(TextArea).insert("Ask the embassy")
        await pilot.press("ctrl+s")
        noted = selected(app)
    again = bundled_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"note:embassy", "enter")
        await wait_for(pilot, lambda: [row.id for row in shown(again)] == [noted])
        pane = again.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.view is not None and pane.view.note == "Ask the embassy")


async def test_a_damaged_state_file_gives_one_notice_and_is_kept() -> None:
    path = userstate.state_path(BUNDLED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{oops", encoding="utf-8")
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await wait_for(pilot, lambda: any("not valid JSON" in str(n.message) for n in app._notifications))
        await pilot.press("m")
    kept = list(path.parent.glob(f"{path.name}.damaged-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{oops"
    assert len(userstate.load(BUNDLED)[0].marks) == 1


async def test_question_mark_is_typed_in_the_note_not_help() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        await pilot.press("w", "h", "y", "question_mark", "q")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(TextArea).text == "why?q"


@pytest.mark.parametrize(
    ("size", "pressed"),
    [pytest.param((80, 24), ("M", "enter"), id="80x24"), pytest.param((120, 40), (), id="120x40")],
)
def test_marks_and_a_note_snapshot(snap_compare: object, size: tuple[int, int], pressed: tuple[str, ...]) -> None:
    """Three marked events, a note shown as text under its heading (and, at 80 columns, the marked view)."""
    from .test_snapshots import keys

    state, _ = userstate.load(BUNDLED)
    state.marks = {"diplomatic-relations-established", "kz-mission-dushanbe-opens", "trade-2013"}
    state.set_note("diplomatic-relations-established", "[bold]Ask[/] the MFA for the protocol *text*.")
    assert userstate.save(state) is None
    assert snap_compare(bundled_app(), terminal_size=size, run_before=keys(*pressed))  # type: ignore[operator]


@pytest.mark.parametrize("save", ["ctrl+s", "escape"])
async def test_keys_typed_fast_reach_the_note_before_ctrl_s_or_esc(save: str) -> None:
    # A quick typist (or tmux send-keys): every key queued before any is handled. Ctrl+S must save
    # all of them, and Esc must come after them too (nothing is saved).
    from textual import events

    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = selected(app)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen))
        for key in ("a", "b", "c"):  # as the driver hands keys to the app
            app.post_message(events.Key(key, key))
        app.post_message(events.Key(save, None))
        await wait_for(pilot, lambda: not isinstance(app.screen, NoteScreen))
        assert app.session.note(first or "") == ("abc" if save == "ctrl+s" else "")
