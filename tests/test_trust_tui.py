"""The browser at its edges: pastes through the real terminal parser, the settings file, tiny terminals."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.main import MainScreen
from kztj_tui.tui.reader import ReaderScreen, SourcePicker
from kztj_tui.tui.screens import FilterScreen
from kztj_tui.tui.timeline import Timeline

from .conftest import BUNDLED
from .tui_support import bundled_app, selected, settle, shown

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
    ("trade \u202e2202 \u200bx", "trade 2202 x"),  # a right-to-left override (drawn reversed) and a zero-width space
    ("\u2066Rogun\u2069\ufeff\u2060", "Rogun"),  # bidi isolates, a byte-order mark, a word joiner
    ("Ro\u200dgun\t", "Ro\u200dgun\t"),  # a zero-width joiner (Persian and emoji need it) and a tab stay
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


async def test_a_query_matching_nothing_is_quoted_as_visible_text() -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        box = app.focused
        assert isinstance(box, Input)
        box.value = "zzz \u202eabc"  # typed, not pasted: a terminal may send any character as a key
        await settle(pilot)
        assert shown(app) == []
        message = app.screen.query_one(Timeline).empty_message
        assert "\\u202e" in message and "\u202e" not in message


@pytest.mark.parametrize("pasted", ["\x1b\x1bq", "\x1bq", "a\x1bv", "\x1b\x1bs", "\x1b[B\x1b[B"])
async def test_a_paste_with_no_text_box_focused_runs_no_key(pasted: str) -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await send_terminal_bytes(pilot, f"\x1b[200~{pasted}\x1b[201~")
        assert app.is_running and isinstance(app.screen, MainScreen)  # no quit, axis or source picker
        assert selected(app) == "tokayev-visit-dushanbe-2021"


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


# -- the settings file: read as articles are, written only when a setting changes ---------------

README_SAMPLE = """\
theme = "nord"
layout = "auto"            # auto, split or single

[keymap]
"main.axis" = "v"          # the time axis on v instead of a
"timeline.down" = "j,down,ctrl+n"
"""


def notices(app: KztjApp) -> list[str]:
    """The messages of the notifications the app shows."""
    return [notification.message for notification in app._notifications]


def hostile_settings(kind: str, path: Path) -> None:
    """Put a settings file at ``path`` that must not be read as one."""
    if kind == "nested arrays":
        path.write_text("theme = " + "[" * 1000 + "]" * 1000 + "\n")
    elif kind == "nested tables":
        path.write_text("theme = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n")
    elif kind == "directory":
        path.mkdir()
    elif kind == "device":
        path.symlink_to("/dev/null")  # a device that ends, as /dev/zero does not
    elif kind == "huge":
        path.write_text("# a comment\n" * 200_000)  # 2.4 MB of valid TOML
    elif kind == "not UTF-8":
        path.write_bytes(b'theme = "caf\xe9"\n')


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("nested arrays", "nested too deeply"),
        ("nested tables", "nested too deeply"),
        ("directory", "is a directory"),
        ("device", "is a device"),
        ("huge", "the limit is"),
        ("not UTF-8", "cannot read it"),
    ],
)
async def test_a_settings_file_that_cannot_be_read_gives_one_line_and_the_defaults(
    kind: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    hostile_settings(kind, tmp_path / "config.toml")
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [message] = notices(app)
        assert message.startswith(str(tmp_path / "config.toml")) and says in message, message
        assert "\n" not in message and message.endswith("using the defaults")
        assert app.theme == "textual-dark" and app.screen.has_class("-wide")


async def test_a_named_pipe_as_settings_file_neither_hangs_nor_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)

    stop = threading.Event()

    def writer() -> None:  # a writer that would make each read of the pipe see settings
        while not stop.is_set():
            with contextlib.suppress(OSError), open(fifo, "w") as handle:
                handle.write('theme = "nord"\n')

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        app = bundled_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            [message] = notices(app)
            assert "is a named pipe" in message and "\n" not in message
            assert app.theme == "textual-dark"
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
    finally:
        stop.set()
        while thread.is_alive():  # the writer waits for a reader to open the pipe
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
            thread.join(0.05)


async def change_settings(theme: str | None = None, layout: str | None = None) -> KztjApp:
    """Start the browser, change the theme and or layout as the user would, and quit."""
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        if theme is not None:
            app.theme = theme
        if layout is not None:
            app.screen.set_layout(layout)  # type: ignore[attr-defined]
        await settle(pilot)
    return app


async def test_saving_writes_through_a_symlinked_settings_file_and_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path / "config"))
    dotfile = tmp_path / "dotfiles" / "kztj.toml"
    dotfile.parent.mkdir()
    dotfile.write_text(README_SAMPLE, encoding="utf-8")
    dotfile.chmod(0o600)
    (tmp_path / "config").mkdir()
    link = tmp_path / "config" / "config.toml"
    link.symlink_to(dotfile)
    await change_settings(theme="dracula", layout="single")
    assert link.is_symlink() and link.resolve() == dotfile
    assert stat.S_IMODE(dotfile.stat().st_mode) == 0o600
    expected = README_SAMPLE.replace('"nord"', '"dracula"').replace('"auto"', '"single"')
    assert dotfile.read_text(encoding="utf-8") == expected  # every comment kept
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["config", "config.toml", "dotfiles", "kztj.toml"]


@pytest.mark.parametrize(
    "text",
    [README_SAMPLE, '"theme" = "nord"\n', "# nothing set yet\n", 'layout = "split"  # wide screens\n'],
)
async def test_starting_and_quitting_leaves_the_settings_file_alone(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    before = path.stat()
    await change_settings()
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
    assert path.read_text(encoding="utf-8") == text


async def test_setting_the_same_theme_again_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text(README_SAMPLE, encoding="utf-8")
    before = path.stat()
    await change_settings(theme="nord", layout="auto")
    assert path.stat().st_ino == before.st_ino and path.stat().st_mtime_ns == before.st_mtime_ns


async def test_no_settings_file_is_made_when_nothing_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    await change_settings()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "line",
    ['"theme" = "nord"', "'theme' = 'nord'", '  theme   =   "nord"   # mine', '"the\\u006De" = "nord"'],
)
async def test_a_quoted_or_spaced_key_is_updated_in_place(
    line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text(f'# my settings\n{line}\n\n[keymap]\n"main.axis" = "v"\n', encoding="utf-8")
    await change_settings(theme="dracula")
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {"theme": "dracula", "keymap": {"main.axis": "v"}}
    assert text.startswith("# my settings\n") and text.count("nord") == 0
    again = bundled_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert again.theme == "dracula" and not notices(again)


@pytest.mark.parametrize(
    "text",
    [
        'theme = "nord\n',  # not TOML
        'theme = "nord"\nlayout = "sideways"\n',  # TOML kztj cannot use
        'theme = "nord"\ncolour = "blue"\n',
        "theme = " + "[" * 1000 + "]" * 1000 + "\n",
    ],
)
async def test_a_broken_settings_file_is_left_as_it_is(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    app = await change_settings(theme="dracula", layout="single")
    assert path.read_text(encoding="utf-8") == text
    assert any("settings not saved" in message for message in notices(app))
    assert all("\n" not in message for message in notices(app))


# -- tiny terminals -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(5, 10), (1, 1), (2, 40), (3, 3), (8, 4), (12, 6)])
async def test_the_source_picker_opens_at_any_size(size: tuple[int, int]) -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")  # an event with several sources
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcePicker)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.is_running


async def test_the_source_picker_survives_the_terminal_shrinking() -> None:
    app = bundled_app(event_id="tokayev-visit-dushanbe-2021")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        for size in [(5, 10), (1, 1), (60, 20)]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
        assert isinstance(app.screen, SourcePicker) and app.is_running


# -- the real terminal: the driver's input thread reads through the same parser ------------------

_ANSI = re.compile(r"\x1b(\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78cDEHM])")


class Terminal:
    """``kztj`` in a pseudo-terminal of 120×40: what is written to it, and what it has drawn so far."""

    def __init__(self) -> None:
        self.fd, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kztj_tui", "--no-cache"],
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=env,
            start_new_session=True,
        )
        os.close(follower)
        self.output = ""

    def wait_for(self, text: str, deadline: float = 60) -> bool:
        """Read until the screen (escape sequences left out) shows ``text``; False if kztj ends first."""
        end = time.monotonic() + deadline
        while text not in _ANSI.sub("", self.output) and time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:  # the program ended and closed the terminal
                    return text in _ANSI.sub("", self.output)
        return text in _ANSI.sub("", self.output)

    def write(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def wait_for_exit(self, deadline: float = 60) -> int | None:
        """Read what kztj draws (it would block on a full terminal) until it exits; its status."""
        end = time.monotonic() + deadline
        while self.process.poll() is None and time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:
                    break
        return self.process.wait(timeout=max(end - time.monotonic(), 1))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.fd)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_kill_ends_the_browser_with_the_terminal_given_back(number: int) -> None:
    # Killed with the default action, the browser left the terminal in the alternate screen, raw
    # mode and mouse reporting: the shell it returned to could not be used.
    terminal = Terminal()
    try:
        assert terminal.wait_for("events"), terminal.output[-2000:]
        drawn = len(terminal.output)
        terminal.process.send_signal(number)
        assert terminal.wait_for_exit() == -number  # still ended by the signal, as the shell expects
        after = terminal.output[drawn:]
        assert "\x1b[?1049l" in after and "\x1b[?1000l" in after, after[-500:]
    finally:
        terminal.close()


def test_a_paste_in_a_real_terminal_is_text() -> None:
    terminal = Terminal()
    try:
        assert terminal.wait_for("events"), terminal.output[-2000:]
        assert "\x1b[?2004h" in terminal.output  # bracketed paste is on
        terminal.write("/")
        terminal.write("\x1b[200~Rogun\x1b\x1bq\x1b[201~")
        assert terminal.wait_for("Rogunq"), "kztj ended or ran keys from the paste"
        assert terminal.process.poll() is None
        terminal.write("\x11")  # Ctrl+Q
        assert terminal.wait_for_exit() == 0
    finally:
        terminal.close()


def test_the_settings_editor_is_not_imported_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # tomlkit takes ~40 ms to import: only saving a changed setting may pay for it.
    monkeypatch.setenv("KZTJ_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text(README_SAMPLE, encoding="utf-8")
    code = (
        "import asyncio, sys\n"
        "from kztj_tui.cache import open_store\n"
        "from kztj_tui.tui.app import KztjApp\n"
        "async def main():\n"
        f"    app = KztjApp(open_store({str(BUNDLED)!r}, use_cache=False))\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        await pilot.app.workers.wait_for_complete()\n"
        "        await pilot.pause()\n"
        "        assert app.theme == 'nord'\n"
        "asyncio.run(main())\n"
        "print('tomlkit' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
