"""The man page: written from the argparse definitions, committed as generated, valid roff, shipped in the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kztj_tui import __version__, manpage

from .conftest import REPO

COMMITTED = REPO / "man" / "kztj.1"


def test_the_committed_page_is_what_the_generator_writes_now() -> None:
    """Regenerate with: python -m kztj_tui.manpage > man/kztj.1"""
    assert COMMITTED.read_text(encoding="utf-8") == manpage.render()


def test_the_page_has_every_command_and_option_of_the_parser() -> None:
    from kztj_tui.cli import _parser

    page = manpage.render()
    parser = _parser()
    for action in parser._actions:
        for option in action.option_strings:
            assert manpage.escape(option) in page
    commands = next(a for a in parser._actions if a.choices and "export" in a.choices)
    for name in commands.choices:  # type: ignore[union-attr]
        assert f".SS {name}\n" in page
    assert f'"kztj {__version__}"' in page and ".SH EXIT STATUS" in page and "\\-\\-format" in page


@pytest.mark.parametrize(
    ("text", "roff"),
    [
        ("--events", "\\-\\-events"),
        ("a\\b", "a\\eb"),
        (".TH fake", "\\&.TH fake"),
        ("line\n'quote", "line\n\\&'quote"),
        ("ok. then", "ok. then"),
        ("Kazakhstan–Tajikistan", "Kazakhstan\\[u2013]Tajikistan"),
        ("bell\x07", "bell\\[u0007]"),
    ],
)
def test_roff_escaping(text: str, roff: str) -> None:
    assert manpage.escape(text) == roff


def test_the_page_renders_without_warnings() -> None:
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed")
    result = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", "-z"], input=COMMITTED.read_bytes(), capture_output=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == b""


def test_the_wheel_ships_the_page_where_man_finds_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("kztj-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read(f"kztj-{__version__}.data/data/share/man/man1/kztj.1")
    assert shipped == COMMITTED.read_bytes()
