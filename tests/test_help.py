"""The help screen and the keymap: built from bindings, without loading every screen to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert with_keymap - plain <= {"kztj_tui.tui.help", "kztj_tui.tui.keymap"}, sorted(with_keymap - plain)


def test_the_keymap_knows_every_binding_id_and_no_other() -> None:
    from kztj_tui.tui.help import binding_ids, bound_ids

    assert binding_ids() == bound_ids()
