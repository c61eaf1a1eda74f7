"""The help screen and the keymap: built from bindings, without loading every screen to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding

from .conftest import REPO

LOADED = (
    "import sys\nfrom kztj_tui.cache import open_store\nfrom kztj_tui.tui.app import KztjApp\n"
    "app = KztjApp(open_store('events.yaml', use_cache=False))\n"
    "print(' '.join(sorted(m for m in sys.modules if m.startswith('kztj_tui.tui.'))))\n"
)


def tui_modules_at_start(config_dir: Path) -> set[str]:
    """The browser's modules loaded once the app is built, before its first frame."""
    env = {**os.environ, "KZTJ_CONFIG_DIR": str(config_dir)}
    result = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, cwd=REPO, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.parametrize("keymap", ['"main.axis" = "v"\n', '"reader.back" = "ctrl+b"\n', '"no.such.binding" = "z"\n'])
def test_a_keymap_loads_no_screen_before_the_first_frame(tmp_path: Path, keymap: str) -> None:
    plain = tui_modules_at_start(tmp_path / "none")
    (tmp_path / "config.toml").write_text("[keymap]\n" + keymap, encoding="utf-8")
    with_keymap = tui_modules_at_start(tmp_path)
    assert "kztj_tui.tui.main" in plain
    # Only the list of binding ids is read to check the keymap: no screen, no widget.
    assert with_keymap - plain <= {"kztj_tui.tui.keymap"}, sorted(with_keymap - plain)


def test_the_keymap_knows_every_binding_id_and_no_other() -> None:
    # The ids come from the bindings table; the ids come from what every screen and widget binds.
    import importlib
    import pkgutil

    import kztj_tui.tui
    from kztj_tui.tui.help import binding_ids

    bound: set[str] = set()
    for module in pkgutil.iter_modules(kztj_tui.tui.__path__):
        for value in vars(importlib.import_module(f"kztj_tui.tui.{module.name}")).values():
            if isinstance(value, type) and value.__module__.startswith("kztj_tui") and "BINDINGS" in vars(value):
                bound |= {b.id for b in Binding.make_bindings(value.BINDINGS) if b.id}
    assert binding_ids() == bound


# -- the help screen's lists, and the footer -------------------------------------------------------


def test_keys_show_as_typed() -> None:
    from kztj_tui.tui.help import key_display

    shown = {key: key_display(key) for key in ("plus", "equals_sign", "minus", "ctrl+n", "alt+left", "G", "f5")}
    assert shown == {
        "plus": "+",
        "equals_sign": "=",
        "minus": "-",
        "ctrl+n": "Ctrl+N",
        "alt+left": "Alt+←",
        "G": "G",
        "f5": "f5",
    }


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_help_sets_keys_descriptions_and_ids_in_columns(
    width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztj_tui.tui.screens import HelpScreen

    from .tui_support import bundled_app, help_text, settle

    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text('[keymap]\n"timeline.down" = "j,down,ctrl+n"\n', encoding="utf-8")
    app = bundled_app()
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one("#help-text").content_region.width
        text = help_text(app, body)
        lines = text.splitlines()
        zoom = next(line for line in lines if "Zoom in" in line)
        down = next(line for line in lines if "Next event" in line and "timeline.down" in line)
        assert zoom.split()[:3] == ["+", "/", "="] and "equals_sign" not in text
        assert down.split()[:5] == ["j", "/", "↓", "/", "Ctrl+N"]
        # Descriptions start in one column, two spaces or more after the keys, whatever the section.
        starts = {zoom.index("Zoom in"), down.index("Next event")}
        assert len(starts) == 1
        [start] = starts
        assert zoom[start - 2 : start] == down[start - 2 : start] == "  "


async def test_help_gives_every_key_its_binding_id_and_lists_the_dialogs() -> None:
    from .tui_support import bundled_app, help_text, settle

    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = help_text(app)
    rows = {line.strip().split("  ")[0]: line for line in text.splitlines() if line.startswith("  ")}
    assert rows["Ctrl+Q"].rstrip().endswith("app.quit")
    assert rows["Ctrl+P"].rstrip().endswith("app.command_palette")
    assert rows["Esc / q / t"].rstrip().endswith("figures.back")
    for binding_id in ("main.quit", "main.close", "picker.cancel", "filter.cancel", "help.close", "main.edit"):
        assert binding_id in text
    for heading in ("Source picker", "Filter dialog", "Figures view"):
        assert f"\n{heading}\n" in text


async def test_while_help_is_open_the_footer_shows_helps_keys() -> None:
    from .tui_support import bundled_app, screen_text, settle

    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "/ Search" in screen_text(app).splitlines()[-1]
        await pilot.press("question_mark")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Esc Close help" in footer and "Search" not in footer and "Source" not in footer


@pytest.mark.parametrize("detail", [False, True])
async def test_at_60_columns_the_footer_keeps_help_and_quit(detail: bool) -> None:
    from .tui_support import bundled_app, screen_text, settle

    app = bundled_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        if detail:
            await pilot.press("enter")  # the full-width detail pane: q closes it, Esc shows that
            await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "? Help" in footer and "^p palette" in footer, footer
        assert ("q Quit" in footer) is not detail, footer
        # Keys that do not fit go whole, never cut in the middle.
        for key in footer.split("▏")[0].split("  ")[0].split(" "):
            assert key
    app = bundled_app()
    async with app.run_test(size=(120, 20)) as pilot:  # with room, every key, in their order
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "/ Search s Source f Filter a Axis q Quit ? Help" in footer, footer
