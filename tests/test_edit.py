"""Edit at the line: the event's line in the store, the editor command, `kztj edit ID` and the browser's `e`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kztj_tui import editor
from kztj_tui.cache import open_store
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.detail import DetailPane

from .conftest import BUNDLED, REPO
from .tui_support import screen_text, selected, settle, with_editor
from .waiting import wait_for

EVENT = "declaration-allied-interaction"
TITLE = "Declaration on Allied Interaction signed"


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """The bundled store and its articles in a folder of their own, to be edited."""
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    shutil.copy(BUNDLED, tmp_path / "events.yaml")
    return tmp_path / "events.yaml"


def line_of(path: Path, event_id: str) -> int:
    """The 1-based line of the event's ``- id:`` item, found by reading the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.strip() == f"- id: {event_id}")


def fake_editor(folder: Path, new_title: str | None = None) -> tuple[Path, Path]:
    """A script that records its arguments (as JSON) and, if asked, retitles the event in the file it is given."""
    record = folder / "argv.json"
    script = folder / "fake-editor"
    retitle = (
        f"text = text.replace({TITLE!r}, {new_title!r}, 1)\nopen(sys.argv[-1], 'w', encoding='utf-8').write(text)\n"
        if new_title
        else ""
    )
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n"
        "text = open(sys.argv[-1], encoding='utf-8').read()\n"
        + retitle
        + "sys.exit(int(__import__('os').environ.get('FAKE_STATUS', '0')))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, record


# -- the editor command ------------------------------------------------------------------------


def test_visual_comes_before_editor_and_is_split_as_a_shell_would() -> None:
    assert editor.editor_argv({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor.editor_argv({"VISUAL": "  ", "EDITOR": "'/opt/my editor/bin/vim' -u NONE"}) == [
        "/opt/my editor/bin/vim",
        "-u",
        "NONE",
    ]


@pytest.mark.parametrize("environ", [{}, {"VISUAL": "", "EDITOR": " "}])
def test_no_editor_says_how_to_set_one(environ: dict[str, str]) -> None:
    with pytest.raises(editor.EditorError) as raised:
        editor.editor_argv(environ)
    assert str(raised.value) == "no editor: set VISUAL or EDITOR (for example export EDITOR=nano)"


def test_an_editor_that_cannot_be_split_says_so() -> None:
    with pytest.raises(editor.EditorError, match=r"\$EDITOR 'vim \"x' cannot be split"):
        editor.editor_argv({"EDITOR": 'vim "x'})


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (["vi"], ["vi", "+42", "s.yaml"]),
        (["/usr/bin/vim"], ["/usr/bin/vim", "+42", "s.yaml"]),
        (["nvim", "-p"], ["nvim", "-p", "+42", "s.yaml"]),
        (["nano"], ["nano", "+42", "s.yaml"]),
        (["emacs", "-nw"], ["emacs", "-nw", "+42", "s.yaml"]),
        (["kak"], ["kak", "+42", "s.yaml"]),
        (["code", "--wait"], ["code", "--wait", "--goto", "s.yaml:42"]),
        (["/snap/bin/codium"], ["/snap/bin/codium", "--goto", "s.yaml:42"]),
        (["gedit"], ["gedit", "s.yaml"]),
        (["vimish"], ["vimish", "s.yaml"]),  # the program's name, not a prefix of it
        (["/opt/vim/bin/ed"], ["/opt/vim/bin/ed", "s.yaml"]),  # its base name, not a folder's
    ],
)
def test_the_line_is_given_as_each_editor_takes_it(program: list[str], expected: list[str]) -> None:
    assert editor.command(program, "s.yaml", 42) == expected


@pytest.mark.parametrize("name", ["-c!touch PWNED.yaml", "+!touch PWNED.yaml", "--cmd=x.yaml"])
@pytest.mark.parametrize("line", [42, None])
@pytest.mark.parametrize("program", [["vim"], ["code"], ["gedit"]])
def test_a_file_named_like_an_option_is_never_one(program: list[str], line: int | None, name: str) -> None:
    # An included file named `-c!touch PWNED.yaml` became vim's -c option: `kztj edit` ran the command.
    argv = editor.command(program, name, line)
    assert argv[-1] in (f"./{name}", f"./{name}:{line}")
    assert not any(word.startswith(("-c", "+!", "--cmd")) for word in argv)


def test_without_a_line_the_file_alone() -> None:
    assert editor.command(["vim"], "s.yaml", None) == ["vim", "s.yaml"]


# -- the event's line --------------------------------------------------------------------------


def test_the_line_is_the_events_id_item_as_the_cache_recorded_it(store_copy: Path) -> None:
    store = open_store(store_copy)
    for event_id in (EVENT, "diplomatic-relations-established", store.event_at(store.all_rowids()[-1]).id):
        assert editor.event_line(store, event_id) == line_of(store_copy, event_id)


def test_the_line_follows_an_edit_made_since_the_store_was_read(store_copy: Path) -> None:
    store = open_store(store_copy)
    before = line_of(store_copy, EVENT)
    text = store_copy.read_text(encoding="utf-8")
    store_copy.write_text(text.replace("\nevents:\n", "\n# two\n# new lines\nevents:\n", 1), encoding="utf-8")
    assert editor.event_line(store, EVENT) == line_of(store_copy, EVENT) == before + 2


def test_the_line_is_found_in_a_file_that_no_longer_parses(store_copy: Path) -> None:
    store = open_store(store_copy)
    text = store_copy.read_text(encoding="utf-8")
    store_copy.write_text("# broken: [\n" + text.replace("events:\n", "events:\n  - {unclosed\n", 1), encoding="utf-8")
    assert editor.event_line(store, EVENT) == line_of(store_copy, EVENT)


def test_an_event_gone_from_the_file_opens_the_file_at_the_top(store_copy: Path) -> None:
    store = open_store(store_copy)
    store_copy.write_text("events: []\n", encoding="utf-8")
    assert editor.event_line(store, EVENT) is None
    assert editor.edit_command(store, EVENT, {"EDITOR": "vim"}) == ["vim", str(store.path)]


# -- kztj edit ID ------------------------------------------------------------------------------


def kztj(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key not in ("VISUAL", "EDITOR")}
    return subprocess.run(
        [sys.executable, "-m", "kztj_tui", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**environ, **env},
        timeout=120,
    )


def test_kztj_edit_runs_the_editor_at_the_line(store_copy: Path, tmp_path: Path) -> None:
    script, record = fake_editor(tmp_path)
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"EDITOR": f"{script} --flag"})
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(record.read_text()) == ["--flag", str(store_copy)]  # not an editor that takes +LINE
    vim = tmp_path / "vim"
    vim.symlink_to(script)
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"VISUAL": str(vim), "EDITOR": "nano"})
    assert result.returncode == 0
    assert json.loads(record.read_text()) == [f"+{line_of(store_copy, EVENT)}", str(store_copy)]


def test_an_editor_ended_by_a_signal_is_named_so(store_copy: Path, tmp_path: Path) -> None:
    # It said "exited with status -9".
    script = tmp_path / "killed.sh"
    script.write_text("#!/bin/sh\nkill -9 $$\n", encoding="utf-8")
    script.chmod(0o755)
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"EDITOR": str(script)})
    assert (result.returncode, result.stderr) == (1, f"kztj: the editor {str(script)!r} was ended by SIGKILL\n")


def test_kztj_edit_fails_as_the_editor_fails(store_copy: Path, tmp_path: Path) -> None:
    script, _ = fake_editor(tmp_path)
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"EDITOR": str(script), "FAKE_STATUS": "3"})
    assert (result.returncode, result.stderr) == (1, f"kztj: the editor {str(script)!r} exited with status 3\n")
    missing = tmp_path / "no-such-editor"
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"EDITOR": str(missing)})
    assert result.returncode == 2
    assert result.stderr == f"kztj: cannot run the editor {str(missing)!r}: No such file or directory\n"


def test_an_editor_name_that_is_not_utf8_is_shown_as_its_bytes(store_copy: Path) -> None:
    # It said "cannot run the editor 'vi\udcff'", and "$VISUAL '"\udcff' cannot be split" (a hostile tester's find).
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"EDITOR": "no-such-vi\udcff"})
    assert (result.returncode, result.stderr) == (
        2,
        "kztj: cannot run the editor 'no-such-vi\\xff': No such file or directory\n",
    )
    with pytest.raises(editor.EditorError) as raised:
        editor.editor_argv({"VISUAL": '"\udcff'})
    assert str(raised.value).startswith("$VISUAL '\"\\xff' cannot be split")


def test_kztj_edit_without_an_editor_says_how_to_set_one(store_copy: Path) -> None:
    result = kztj("edit", EVENT, "--events", str(store_copy), env={})
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "kztj: no editor: set VISUAL or EDITOR (for example export EDITOR=nano)\n"


def test_kztj_edit_an_unknown_id_names_the_nearest_as_show_does(store_copy: Path, tmp_path: Path) -> None:
    script, record = fake_editor(tmp_path)
    result = kztj("edit", EVENT[:-1], "--events", str(store_copy), env={"EDITOR": str(script)})
    assert result.returncode == 1
    assert result.stderr == f"kztj: no event with id {EVENT[:-1]!r} (did you mean: {EVENT}?)\n"
    assert not record.exists()


def test_kztj_edit_never_imports_textual(store_copy: Path) -> None:
    code = (
        "import sys\nfrom kztj_tui import cli\n"
        f"rc = cli.main(['edit', {EVENT!r}, '--events', {str(store_copy)!r}])\n"
        "assert rc == 0, rc\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "EDITOR": "true"},
    )
    assert result.returncode == 0, result.stderr


def test_kztj_edit_refuses_a_store_read_from_stdin() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", "edit", EVENT, "--events", "-"],
        input=BUNDLED.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "EDITOR": "true"},
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr == "kztj: kztj edit opens the store file: name it with --events FILE, not -\n"


# -- the browser's e ---------------------------------------------------------------------------


def notices(app: KztjApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_e_opens_the_editor_at_the_line_and_the_browser_shows_the_edit(
    store_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, record = fake_editor(tmp_path, new_title="The Declaration, edited in the editor")
    vim = tmp_path / "vim"
    vim.symlink_to(script)
    monkeypatch.setenv("EDITOR", str(vim))
    monkeypatch.delenv("VISUAL", raising=False)
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    ran = with_editor(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert selected(app) == EVENT
        line = line_of(store_copy, EVENT)
        await pilot.press("e")
        await wait_for(pilot, lambda: "1 event updated" in notices(app))
        assert ran == [[str(vim), f"+{line}", str(store_copy)]]
        assert json.loads(record.read_text()) == [f"+{line}", str(store_copy)]
        assert selected(app) == EVENT
        assert "The Declaration, edited in the editor" in screen_text(app)
        assert app.screen.query_one(DetailPane).view.event.title == "The Declaration, edited in the editor"  # type: ignore[union-attr]


async def test_e_without_an_editor_says_how_to_set_one(store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    ran: list[list[str]] = []
    app.run_editor = lambda argv: ran.append(argv)  # type: ignore[method-assign,func-returns-value]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: bool(notices(app)))
        assert notices(app) == ["no editor: set VISUAL or EDITOR (for example export EDITOR=nano)"]
        assert ran == []


async def test_a_terminal_that_cannot_be_suspended_gets_a_notice(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    async with app.run_test(size=(80, 24)) as pilot:  # the test driver cannot suspend, as Textual Web cannot
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: bool(notices(app)))
        assert notices(app) == ["This terminal cannot be handed over to an editor."]


async def test_the_command_palette_offers_the_edit(store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .waiting import palette_offers

    monkeypatch.setenv("EDITOR", "vim")
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    ran: list[list[str]] = []
    app.run_editor = lambda argv: ran.append(argv)  # type: ignore[method-assign,func-returns-value]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Edit the event")
        await wait_for(pilot, palette_offers(app, "Edit the event in $EDITOR"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(ran))
        assert ran == [["vim", f"+{line_of(store_copy, EVENT)}", str(store_copy)]]


def test_kztj_edit_opens_a_store_that_no_longer_loads_at_the_event(store_copy: Path, tmp_path: Path) -> None:
    # The store's problems were printed and the editor never ran: the documented way to fix it from the shell.
    script, record = fake_editor(tmp_path)
    vim = tmp_path / "vim"
    vim.symlink_to(script)
    text = store_copy.read_text(encoding="utf-8")
    store_copy.write_text(text + "events: [\n", encoding="utf-8")  # no longer parses
    result = kztj("edit", EVENT, "--events", str(store_copy), env={"EDITOR": str(vim)})
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(record.read_text()) == [f"+{line_of(store_copy, EVENT)}", str(store_copy)]
    # An id the file does not hold: the store's problems, as before.
    result = kztj("edit", "no-such-event", "--events", str(store_copy), env={"EDITOR": str(vim)})
    assert result.returncode == 2 and result.stderr.startswith(f"{store_copy}:")
