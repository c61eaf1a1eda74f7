"""The browser at its edges: pastes through the real terminal parser, the settings file, tiny terminals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.main import MainScreen
from kztj_tui.tui.screens import FilterScreen

from .tui_support import bundled_app, settle, shown

# -- pastes: text, never keys -----------------------------------------------------------------

PASTES = [
    ("Rogun\x1b\x1bq", "Rogunq"),  # Escape, then q: quit
    ("Rogun\x1b\x1bexport", "Rogunexport"),  # Escape, then e: export
    ("Rogun\x1bq", "Rogunq"),  # Alt+q
    ("\x1b[31mRogun\x1b[0m", "[31mRogun[0m"),  # a CSI sequence
    ("Rogun\x1b[A\x1b[B\x1bOP", "Rogun[A[BOP"),  # arrows and F1
    ("\x1b]0;PWNED\x07Rogun", "]0;PWNEDRogun"),  # an OSC title
    ("Ro\x03gun\x7f\x9b\x11", "Rogun"),  # Ctrl+C, DEL, an 8-bit CSI, Ctrl+Q
    ("Rogun\x1b", "Rogun"),  # an ESC just before the end marker
]


def terminal_parser(app: KztjApp) -> Any:
    """The parser the app's driver reads the terminal with (the driver looks it up in its module)."""
    return sys.modules[app.driver_class.__module__].XTermParser()


def tokens(parser: Any, data: str, size: int) -> list[Any]:
    """Everything the parser makes of ``data`` when the terminal sends it ``size`` characters at a time."""
    out = []
    for start in range(0, len(data), size):
        out.extend(parser.feed(data[start : start + size]))
    return out


@pytest.mark.parametrize(("pasted", "text"), PASTES)
@pytest.mark.parametrize("size", [1, 2, 5, 4096])
def test_a_bracketed_paste_is_one_paste_of_text_however_it_is_read(pasted: str, text: str, size: int) -> None:
    parser = terminal_parser(bundled_app())
    got = tokens(parser, f"x\x1b[200~{pasted}\x1b[201~y", size)
    assert [type(token) for token in got] == [events.Key, events.Paste, events.Key]
    assert [got[0].key, got[1].text, got[2].key] == ["x", text, "y"]


def test_keys_outside_a_paste_are_still_keys() -> None:
    parser = terminal_parser(bundled_app())
    got = tokens(parser, "\x1b[A\x1b[200~a\x1b[201~\x1b[B\x1b[20", 1)  # ends in half a start marker
    got.extend(parser.feed(""))  # the end of input flushes what is left as keys
    assert [getattr(token, "key", None) for token in got[:3]] == ["up", None, "down"]
    assert len(got) > 3 and all(isinstance(token, events.Key) for token in got[3:])


async def send_terminal_bytes(pilot: Pilot[Any], data: str) -> None:
    """Feed ``data`` through the app's terminal parser and post what it makes, as the driver does."""
    app = pilot.app
    for token in terminal_parser(app).feed(data):  # type: ignore[arg-type]
        token.set_sender(app)
        app.post_message(token)
    await settle(pilot)


@pytest.mark.parametrize(("pasted", "text"), PASTES)
async def test_a_paste_into_the_search_box_is_searched_for_not_run(
    pasted: str, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where an export would be written
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await send_terminal_bytes(pilot, f"\x1b[200~{pasted}\x1b[201~")
        assert app.is_running and isinstance(app.screen, MainScreen)
        assert isinstance(app.focused, Input) and app.focused.value == text
        assert not list(tmp_path.iterdir())


async def test_a_paste_into_the_filter_dialog_stays_in_its_box() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-actor", Input).focus()
        await send_terminal_bytes(pilot, "\x1b[200~Rahmon\x1b\x1b\r\x1b[201~")
        assert isinstance(app.screen, FilterScreen)  # neither Escape nor Enter ran
        assert app.screen.query_one("#filter-actor", Input).value == "Rahmon"
        assert len(shown(app)) == app.store.count
