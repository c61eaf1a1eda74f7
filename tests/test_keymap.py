"""A keymap entry that would break keys is left out with a one-line notice; Ctrl+Q always quits."""

from __future__ import annotations

from pathlib import Path

import pytest

from kztj_tui.tui import keymap
from kztj_tui.tui.help import binding_ids
from kztj_tui.tui.timeaxis import AxisScreen

from .tui_support import bundled_app, screen_text, selected, settle, shown


def notices(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: str) -> Path:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n\n[keymap]\n' + lines, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name",
    ["j", "N", "?", "question_mark", "plus", "equals_sign", "slash", "down", "pagedown", "f5", "space", "ctrl+n",
     "alt+left", "shift+tab", "ctrl+shift+up", "left_square_bracket"],
)  # fmt: skip
def test_textuals_key_names_are_keys(name: str) -> None:
    assert keymap.is_key(name)


@pytest.mark.parametrize("name", ["notakey!!", "", "ctrl+", "foo+x", "ab", "ctrl+notakey", "\x1b"])
def test_other_names_are_not(name: str) -> None:
    assert not keymap.is_key(name)


def test_the_checked_keymap() -> None:
    ids = binding_ids()
    assert keymap.checked({"main.axis": "v", "timeline.down": "j,down,ctrl+n"}, ids) == (
        {"main.axis": "v", "timeline.down": "j,down,ctrl+n"},
        [],
    )
    # Bindings that share a key by default (q closes the detail pane, else quits) may share a new one.
    assert keymap.checked({"main.quit": "Q", "main.close": "Q"}, ids)[1] == []
    # Of two entries giving the same key, the later is left out.
    assert keymap.checked({"main.axis": "v", "main.figures": "v"}, ids) == (
        {"main.axis": "v"},
        [("main.figures", "'v' is already main.axis in the timeline")],
    )
    assert keymap.checked({"main.axis": "ctrl+q"}, ids)[1] == [
        ("main.axis", "'ctrl+q' is already app.quit in the timeline")
    ]
    assert keymap.checked({"app.quit": "ctrl+x"}, ids)[0] == {"app.quit": "ctrl+x,ctrl+q"}


async def test_an_unknown_key_name_is_not_applied_and_j_and_down_still_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = settings(tmp_path, monkeypatch, '"timeline.down" = "notakey!!"\n')
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert notices(app) == [
            f"{path}:4:1: [keymap] 'timeline.down' = 'notakey!!': 'notakey!!' is not a key name "
            '(e.g. "v", "down", "ctrl+n", "question_mark"); it keeps its default keys'
        ]
        rows = [row.id for row in shown(app)]
        await pilot.press("j")
        assert selected(app) == rows[1]
        await pilot.press("down")
        assert selected(app) == rows[2]


async def test_a_key_that_takes_q_is_not_applied_and_q_still_quits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = settings(tmp_path, monkeypatch, '"main.axis" = "q"\n')
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert notices(app) == [
            f"{path}:4:1: [keymap] 'main.axis' = 'q': 'q' is already main.close and main.quit in the timeline; "
            "it keeps its default keys"
        ]
        assert "q Quit" in screen_text(app).splitlines()[-1]
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)
        await pilot.press("q")
        assert not app._exit  # q closed the axis
        await pilot.press("q")
        assert app._exit and app.return_code == 0


async def test_a_key_the_timeline_holds_is_not_given_to_the_axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = settings(tmp_path, monkeypatch, '"main.axis" = "j"\n"main.figures" = "v"\n')
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert notices(app) == [
            f"{path}:4:1: [keymap] 'main.axis' = 'j': 'j' is already timeline.down in the timeline; "
            "it keeps its default keys"
        ]
        rows = [row.id for row in shown(app)]
        await pilot.press("j")
        assert selected(app) == rows[1]
        await pilot.press("a")  # the axis keeps its own key
        await settle(pilot)
        assert isinstance(app.screen, AxisScreen)


@pytest.mark.parametrize("lines", ['"app.quit" = "ctrl+x"\n', '"main.quit" = "ctrl+q"\n', '"app.help" = "ctrl+q"\n'])
async def test_ctrl_q_always_quits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: str) -> None:
    settings(tmp_path, monkeypatch, lines)
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app._exit
        await pilot.press("ctrl+q")
        assert app._exit


def test_the_places_a_keymap_is_checked_in_are_the_bindings_textual_merges() -> None:
    # bindings.places() is built from the table, without the screens; Textual merges each class's
    # bindings with its bases'. Reading both must give the same keys, actions and ids in each place.
    from kztj_tui.tui.appkeys import AppKeys
    from kztj_tui.tui.bindings import places
    from kztj_tui.tui.conflicts import ConflictScreen
    from kztj_tui.tui.detail import DetailPane
    from kztj_tui.tui.figures import FiguresScreen
    from kztj_tui.tui.main import MainScreen
    from kztj_tui.tui.reader import ReaderScreen, SourcePicker
    from kztj_tui.tui.screens import FilterScreen, HelpScreen
    from kztj_tui.tui.timeaxis import AxisScreen
    from kztj_tui.tui.timeline import Timeline

    def merged(*nodes: type) -> set[tuple[str, str, str]]:
        return {
            (b.key, b.action, b.id or "")
            for node in nodes
            for bindings in node._merge_bindings().key_to_bindings.values()  # type: ignore[attr-defined]
            for b in bindings
        }

    textual = [
        merged(AppKeys, MainScreen, Timeline),
        merged(AppKeys, MainScreen, DetailPane),
        merged(AppKeys, ReaderScreen),
        merged(AppKeys, AxisScreen),
        merged(AppKeys, ConflictScreen),
        merged(AppKeys, FiguresScreen),
        merged(AppKeys, SourcePicker),
        merged(AppKeys, FilterScreen),
        merged(AppKeys, HelpScreen),
    ]
    ours = [{(b.key, b.action, b.id or "") for b in bindings} for _, bindings in places()]
    assert ours == textual
