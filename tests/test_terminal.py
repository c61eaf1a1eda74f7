"""What kztj prints on a terminal is its own: user input and paths are quoted, never obeyed (issue 17, item 9)."""

from __future__ import annotations

import io
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import cli
from kztj_tui.errors import Problem

from .conftest import MINIMAL, REPO

# ESC and BEL (an OSC title), C1 controls (CSI, OSC, DCS, NEL as one character), VT and FF (which split a line
# on a terminal), CR and LF, the Unicode line and paragraph separators, bidi overrides and isolates, and
# invisible characters.
HOSTILE = [
    "\x1b",
    "\x07",
    "\x9b",
    "\x9d",
    "\x90",
    "\x85",
    "\x80",
    "\x9f",
    "\x0b",
    "\x0c",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\x7f",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
]


# A file name can hold anything but NUL and a slash; so can a path on the command line.
IN_PATHS = [char for char in HOSTILE if char != "\x00"]


def hostile(char: str) -> str:
    return f"x{char}]0;PWNED{char}y"


def unsafe(text: str) -> list[str]:
    """The characters of text a terminal would act on (a final newline ends the line and is fine)."""
    return [c for c in text.removesuffix("\n") if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")]


def store_in(folder: Path, text: str = MINIMAL) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "seeds").exists():
        shutil.copytree(REPO / "seeds", folder / "seeds")
    path = folder / "events.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# Each case builds argv from a hostile string and a scratch folder: every subcommand, every way it quotes input.
CASES: dict[str, Callable[[str, Path], list[str]]] = {
    "search year:": lambda h, tmp: ["search", f"year:{h}"],
    "search from: phrase": lambda h, tmp: ["search", f'from:"{h}"'],
    "search --tag": lambda h, tmp: ["search", "visit", "--tag", h],
    "search --actor": lambda h, tmp: ["search", "visit", "--actor", h],
    "search --limit": lambda h, tmp: ["search", "visit", "--limit", h],
    "export --query": lambda h, tmp: ["export", "--query", f'to:"{h}"'],
    "export --from": lambda h, tmp: ["export", "--from", h],
    "export --format": lambda h, tmp: ["export", "--format", h],
    "export -o missing folder": lambda h, tmp: ["export", "-o", str(tmp / h / "out.md")],
    "export -o format mismatch": lambda h, tmp: ["export", "--format", "csv", "-o", str(tmp / f"{h}.json")],
    "export -o a folder's name": lambda h, tmp: ["export", "-o", str(tmp / h) + "/"],
    "show": lambda h, tmp: ["show", h],
    "figures --format": lambda h, tmp: ["figures", "--format", h],
    "validate missing store": lambda h, tmp: ["validate", "--events", str(tmp / h / "events.yaml")],
    "check missing store": lambda h, tmp: ["check", "--events", str(tmp / f"{h}.yaml")],
    "tags missing store": lambda h, tmp: ["tags", "--events", str(tmp / h)],
    "actors missing store": lambda h, tmp: ["actors", "--events", str(tmp / h / "e.yaml")],
    "invalid store in a hostile folder": lambda h, tmp: [
        "validate",
        "--events",
        str(store_in(tmp / f"bad{h}", MINIMAL.replace("status: occurred", "status: nope"))),
    ],
    "invalid store, check": lambda h, tmp: [
        "check",
        "--events",
        str(store_in(tmp / f"d{h}", MINIMAL.replace("status: occurred", "status: nope"))),
    ],
    "unrecognized argument": lambda h, tmp: ["validate", h],
    "schema argument": lambda h, tmp: ["schema", h],
    "completion shell": lambda h, tmp: ["completion", h],
    "command": lambda h, tmp: [h],
    "option": lambda h, tmp: [f"--{h}"],
    "--color": lambda h, tmp: ["--color", h, "tags"],
    "not UTF-8": lambda h, tmp: ["search", f"caf\udce9{h}"],
}


PATH_CASES = {case for case in CASES if "-o" in case or "store" in case}


@pytest.mark.parametrize("case", list(CASES))
def test_every_message_is_one_line_without_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    for number, char in enumerate(IN_PATHS if case in PATH_CASES else HOSTILE):
        scratch = tmp_path / str(number)
        scratch.mkdir()
        try:
            status = cli.main(CASES[case](hostile(char), scratch))
        except SystemExit as leaving:  # argparse's own errors
            status = leaving.code  # type: ignore[assignment]
        captured = capsys.readouterr()
        assert status == (1 if case == "show" else 2), (char, captured.err)  # show: no such event
        assert captured.err.count("\n") == 1 and captured.err.endswith("\n"), (char, captured.err)
        assert unsafe(captured.err) == [], (char, captured.err)


@pytest.mark.parametrize("char", IN_PATHS)
def test_a_valid_store_in_a_hostile_folder_is_named_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], char: str
) -> None:
    path = store_in(tmp_path / hostile(char))
    assert cli.main(["validate", "--events", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and unsafe(captured.out) == [] and "ok — 1 events" in captured.out
    assert unsafe(captured.err) == []
    assert cli.main(["check", "--events", str(path), "--json"]) in (0, 1)
    captured = capsys.readouterr()
    assert unsafe(captured.out.replace("\n", "")) == [] and "PWNED" in captured.out
    target = tmp_path / f"out{hostile(char)}.md"
    assert cli.main(["export", "--events", str(path), "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and unsafe(captured.err) == [] and target.exists()


def test_a_newline_in_a_folder_keeps_path_line_col_on_one_line(tmp_path: Path) -> None:
    import subprocess

    folder = tmp_path / "one\ntwo\x0bthree\x0cfour"
    path = store_in(folder, MINIMAL.replace("status: occurred", "status: nope").replace("[tokayev]", "[x]"))
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", "validate", "--events", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == 2
    assert all(line.startswith(f"{tmp_path}/one\\ntwo\\x0bthree\\x0cfour/events.yaml:") for line in lines)


def test_problem_lines_escape_path_and_message() -> None:
    line = str(Problem("a\x1b[2Jb\u202e", 3, 4, "bad \x9b31m value\x0bhere\u2028now"))
    assert line == "a\\x1b[2Jb\\u202e:3:4: bad \\x9b31m value here now"


@pytest.mark.parametrize("char", HOSTILE)
def test_visible_escapes_every_hostile_character_and_keeps_the_rest(char: str) -> None:
    from kztj_tui.text import visible

    shown = visible(f"Душанбе {char} café 😀 naïve")
    assert unsafe(shown) == [] and shown.startswith("Душанбе ") and shown.endswith(" café 😀 naïve")
    assert visible("caf\udce9") == "caf\\xe9"  # a byte that is not UTF-8, as Python's surrogateescape keeps it


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("vi\udcff", "'vi\\xff'"),  # repr() says 'vi\udcff': neither what was typed nor how visible() shows it
        ("a\\udcff", "'a\\\\udcff'"),  # a backslash the user typed, then "udcff": left as repr() writes it
        ("\\\udce9", "'\\\\\\xe9'"),  # a typed backslash, then an undecodable byte
        ("it's", '"it\'s"'),
    ],
)
def test_quoted_is_repr_with_an_undecodable_byte_as_visible_shows_it(text: str, shown: str) -> None:
    from kztj_tui.text import quoted

    assert quoted(text) == shown


@pytest.mark.parametrize("option", ["--from", "--limit"])
def test_an_option_value_that_is_not_utf8_is_shown_as_its_bytes(
    option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # argparse quotes the value with repr(): "argument --from: '\udcff' is not a date" (a hostile tester's find).
    with pytest.raises(SystemExit) as exited:
        cli.main(["search", "trade", option, "x\udcff"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: 'x\\xff' is not a " in err and "udc" not in err


# -- rich: user text is neither markup nor an emoji code ---------------------------------------------------------------

EMOJI_STORE = MINIMAL.replace("name: Kassym-Jomart Tokayev", 'name: ":smile: [bold]Tokayev[/bold] :+1:"')


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("color", ["never", "always", "auto"])
@pytest.mark.parametrize("command", ["actors", "search"])
def test_entity_names_are_shown_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, color: str, command: str
) -> None:
    path = store_in(tmp_path / "store", EMOJI_STORE)
    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    argv = ["actors"] if command == "actors" else ["search", "Tokayev"]
    if command == "search":  # the name is in the title the table shows
        path.write_text(EMOJI_STORE.replace("title: Tokayev visits", 'title: ":smile: [bold]Tokayev[/bold] visits'))
        path.write_text(path.read_text().replace("Dushanbe\n    summary", 'Dushanbe"\n    summary'))
    assert cli.main([*argv, "--events", str(path), "--color", color]) == 0
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())  # colour, and the reverse video of a matched word
    assert ":smile:" in text and "[bold]Tokayev[/bold]" in text
    assert "😄" not in text and "👍" not in text


def test_piped_lines_keep_one_line_per_row_and_their_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MINIMAL.replace("title: Tokayev visits Dushanbe", 'title: "Tokayev\\nvisits\\tDushanbe\\u2028now"')
    path = store_in(
        tmp_path / "store", text.replace("name: Kassym-Jomart Tokayev", 'name: "Kassym\\tJomart\\nTokayev"')
    )
    assert cli.main(["search", "visit", "--events", str(path)]) == 0
    assert capsys.readouterr().out == "2021-05-19/2021-05-20  visit  Tokayev\\nvisits\\tDushanbe\\nnow\n"
    assert cli.main(["actors", "--events", str(path)]) == 0
    assert capsys.readouterr().out == "tokayev\tKassym\\tJomart\\nTokayev\tperson\t1\n"
