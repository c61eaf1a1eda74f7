"""A piped ``kztj search`` on a warm cache, answered by kztj_tui.quick before the full command line loads."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from kztj_tui import cli, quick
from kztj_tui import store as store_module
from kztj_tui.cache import open_store
from kztj_tui.model import Filters
from kztj_tui.query import parse
from kztj_tui.storeschema import database_uri
from kztj_tui.text import search_line

from .conftest import BUNDLED, REPO


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's clock three seconds ahead: files written just now are past their racy window, as a
    store saved a while before a command is (else only a hash, not the quick path, could vouch for them)."""
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3)


@pytest.fixture
def warm_store(tmp_path: Path, later: None) -> Path:
    """A copy of the bundled store (and its articles) whose cache is built."""
    path = tmp_path / "events.yaml"
    path.write_bytes(BUNDLED.read_bytes())
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    open_store(path, fork=False).close()
    return path


def run_kztj(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kztj_tui", *args], capture_output=True, text=True, cwd=REPO, timeout=120
    )


QUERIES = [
    ["trade"],
    ["Rogun"],
    ["trade", "-wheat"],
    ['"allied interaction"'],
    ["water", "OR", "energy"],
    ["tag:trade"],
    ["year:2023", "visit"],
    ["-trade"],
    ["Tokaev"],
    ["zzzznothing"],
    ["year:nope"],
    ["!!!"],
]


@pytest.mark.parametrize("terms", QUERIES, ids=" ".join)
def test_a_piped_search_answers_as_the_full_command_line_does(
    warm_store: Path, terms: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["search", "--events", str(warm_store), *terms]
    status = cli.main(argv)
    full = capsys.readouterr()
    answered = quick.search(argv[1:])
    if terms in (["year:nope"], ["!!!"]):
        assert answered is None  # cli says what is wrong with the query
    else:
        assert (answered, capsys.readouterr().out) == (status, full.out)
    piped = run_kztj(*argv)  # the command itself, through whichever path
    assert (piped.returncode, piped.stdout, piped.stderr) == (status, full.out, full.err)


@pytest.mark.parametrize("query", ["😀", "*", '"', "'", "AND", "OR NOT", "-", " ", "", "\u200b", "\x7f"])
def test_a_query_with_nothing_to_search_for_is_one_line_and_exit_2(warm_store: Path, query: str) -> None:
    # It listed every event with status 0, as if every event matched (a hostile tester's finding).
    for more in ([], ["--sort", "date"], ["--json"]):
        result = run_kztj("search", "--events", str(warm_store), query, *more)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr.startswith("kztj: nothing to search for in ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("form", ["after", "before", "before=", "both"])
def test_a_piped_warm_search_loads_neither_argparse_pathlib_nor_the_command_line(
    warm_store: Path, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # typing, json, re, enum and contextlib: ~8 ms of a ~34 ms search, before the quick path did without them;
    # sqlite3's own module (datetime, collections.abc), zlib and unicodedata: ~2.5 ms more (issue 22).
    # The store may be named after the command or before it (the top-level option), or both: the later wins.
    store = str(warm_store)
    argv = {
        "after": ["search", "--events", store, "trade"],
        "before": ["--events", store, "search", "trade"],
        "before=": [f"--events={store}", "search", "trade"],
        "both": ["--events", str(warm_store.with_name("missing.yaml")), "search", "--events", store, "trade"],
    }[form]
    code = (
        "import sys\n"
        f"sys.argv = ['kztj', *{argv!r}]\n"
        "from kztj_tui.launch import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    status = done.code\n"
        "heavy = ('argparse', 'pathlib', 'kztj_tui.cli', 'kztj_tui.cache', 'kztj_tui.model', 'typing', 'json', 're',"
        " 'enum', 'contextlib', 'sqlite3.dbapi2', 'datetime', 'zlib', 'unicodedata', 'collections.abc')\n"
        "loaded = sorted(m for m in heavy if m in sys.modules)\n"
        "print(status, loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stderr.strip() == "0 []"
    assert cli.main(argv) == 0
    assert result.stdout == capsys.readouterr().out and "trade" in result.stdout.lower()


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "trade"],
        ["--limit", "3", "trade"],
        ["trade", "--sort", "date"],
        ["--tag", "trade", "water"],
        ["-h"],
        ["trade", "-h=foo"],  # argparse refuses a value given to -h
        ["-h="],
        ["--", "trade"],
        ["note:anything"],
        ["--events"],
        [],
    ],
)
def test_what_the_quick_path_does_not_answer_goes_to_the_command_line(
    warm_store: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert quick.search(["--events", str(warm_store), *argv]) is None
    assert capsys.readouterr().out == ""


def test_forced_colour_and_stdin_stores_go_to_the_command_line(
    warm_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert quick.search(["--events", "-", "trade"]) is None
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert quick.search(["--events", str(warm_store), "trade"]) is None
    assert capsys.readouterr().out == ""


def test_a_store_without_a_cache_goes_to_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "events.yaml"
    path.write_bytes(BUNDLED.read_bytes())
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    assert quick.search(["--events", str(path), "trade"]) is None
    assert capsys.readouterr().out == ""


def test_a_touched_store_is_hashed_by_the_command_line_once_then_answered_quickly(
    warm_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert quick.search(["--events", str(warm_store), "trade"]) == 0
    first = capsys.readouterr().out
    stat = warm_store.stat()
    os.utime(warm_store, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10_000_000_000))  # a touch: same bytes
    assert quick.search(["--events", str(warm_store), "trade"]) is None  # only a hash can vouch for it now
    assert cli.main(["search", "--events", str(warm_store), "trade"]) == 0  # hashes it and records that
    assert capsys.readouterr().out == first
    assert quick.search(["--events", str(warm_store), "trade"]) == 0
    assert capsys.readouterr().out == first


def test_an_edited_store_goes_to_the_command_line(warm_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = warm_store.read_text(encoding="utf-8")
    warm_store.write_text(text.replace("\n    title: ", "\n    title: Edited ", 1), encoding="utf-8")
    assert quick.search(["--events", str(warm_store), "edited"]) is None
    assert cli.main(["search", "--events", str(warm_store), "edited"]) == 0
    assert quick.search(["--events", str(warm_store), "edited"]) == 0
    assert "Edited" in capsys.readouterr().out


def test_the_options_it_answers_are_options_of_search_and_every_other_is_left_to_argparse() -> None:
    help_text = run_kztj("search", "--help").stdout
    for option in quick.OPTIONS_WITH_VALUE:
        assert f"{option} PATH" in help_text
    options = {word.strip(",[]") for word in help_text.split() if word.startswith("-") and len(word) > 1}
    # Single-dash words in the help are -h and the query syntax's -not: -h is the only option, and it is declined.
    assert {option for option in options if not option.startswith("--")} <= {"-h", "-not", "-wheat)"}


@pytest.mark.parametrize(
    "query", ["trade", "", "-trade", "tag:trade", "water OR energy", "zzzznothing", "e* OR a* OR t*", "kaz* OR taj*"]
)
def test_lines_read_a_span_at_a_time_come_in_date_order(
    store: store_module.Store, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    monkeypatch.setattr(store_module, "LINES_SPAN", 3 * store_module.ROWID_STEP)  # three events a span
    pieces = list(store.search_lines(Filters(query=query)))
    expected = [
        search_line(e.date, e.id, e.title) + "\n" for e in store.events_at(store.search(Filters(query=query)).rowids)
    ]
    assert "".join(pieces) == "".join(expected)
    filtered = query in ("-trade", "tag:trade")  # a condition SQLite would build a list for, once a span
    if len(expected) > 3:
        assert (len(pieces) > 1) != filtered  # words alone: spans; with a filter: one query
    if query == "e* OR a* OR t*":
        assert len(expected) == store.count  # read straight from the lines, with no index join


@pytest.mark.parametrize(
    "name", ["plain.yaml", "a b?c#d%e.yaml", "ü-ñ.yaml", "semi;colon&amp=x.yaml", "~tilde_.-x.yaml"]
)
def test_a_database_uri_percent_encodes_the_path_as_urllib_does(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    expected = urllib.parse.quote_from_bytes(os.fsencode(os.path.abspath(path)), safe=b"/")
    assert database_uri(path) == f"file://{expected}?mode=ro"
    raw = os.fsencode(tmp_path) + b"/\xff\xfe-not-utf8.yaml"
    assert database_uri(os.fsdecode(raw), "rw") == f"file://{urllib.parse.quote_from_bytes(raw, safe=b'/')}?mode=rw"


def test_a_store_whose_sources_are_unreadable_says_its_cache_is_damaged(warm_store: Path) -> None:
    from kztj_tui.cache import current_files
    from kztj_tui.store import Store

    files = current_files(warm_store)
    assert files is not None
    conn = sqlite3.connect(files.main)
    conn.execute("ATTACH DATABASE ? AS idx", (str(files.fts),))
    conn.execute("UPDATE sources SET json = '[not json' WHERE ord = (SELECT min(ord) FROM sources)")
    conn.execute("UPDATE meta SET value = '{' WHERE key = 'disagreements'")
    conn.commit()
    store = Store(conn, warm_store)  # read when asked for: a search for words never reads them
    assert "".join(store.search_lines(None, query=parse("trade")))
    with pytest.raises(sqlite3.DatabaseError, match="sources are unreadable"):
        _ = store.sources
    with pytest.raises(sqlite3.DatabaseError, match="disagreements are unreadable"):
        _ = store.disagreements
    assert store.entities  # the rest is still there


def test_a_value_after_events_that_looks_like_an_option_is_left_to_argparse(
    warm_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    dashed = warm_store.with_name("-x.yaml")
    dashed.write_bytes(warm_store.read_bytes())
    open_store(dashed, fork=False).close()  # warm: only the argument's form can send it to argparse
    monkeypatch.chdir(warm_store.parent)
    assert quick.search(["--events=-x.yaml", "trade"]) == 0  # argparse takes a value given with =
    capsys.readouterr()
    assert quick.search(["--events", "-x.yaml", "trade"]) is None
    assert capsys.readouterr().out == ""
    with pytest.raises(SystemExit) as stopped:
        cli.main(["search", "--events", "-x.yaml", "trade"])
    assert stopped.value.code == 2 and "expected one argument" in capsys.readouterr().err


def into_full_stdout(*argv: str) -> subprocess.CompletedProcess[str]:
    """``kztj ARGV`` with its standard output on /dev/full (every write fails: no space left)."""
    with open("/dev/full", "w", encoding="utf-8") as full:
        command = [sys.executable, "-m", "kztj_tui", *argv]
        return subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=60)


FULL = "kztj: standard output: No space left on device\n"


@pytest.mark.parametrize("more", [[], ["--sort", "date"]], ids=["quick", "command line"])
def test_an_unwritable_stdout_is_one_line_naming_it_and_exit_2(warm_store: Path, more: list[str]) -> None:
    result = into_full_stdout("search", "--events", str(warm_store), "trade", *more)
    assert (result.returncode, result.stderr) == (2, FULL)


@pytest.mark.parametrize(
    "argv",
    [
        ["schema"],
        ["schema", "--export"],
        ["completion", "bash"],
        ["__complete", "event", ""],
        ["--help"],
        ["-V"],
        ["export", "--help"],
        ["ingest", "seeds/003_6d784a81d65f7209.txt", "--published", "2023-05-05"],
    ],
)
def test_commands_without_a_store_end_quietly_when_the_reader_goes_and_say_so_when_stdout_is_full(
    argv: list[str],
) -> None:
    # The commands were tracebacks with status 1; help and the version, into a full disk, exit 0 unsaid;
    # ingest said `kztj: : Broken pipe` (status 2) and `kztj: : No space left on device`.
    piped = subprocess.Popen(
        [sys.executable, "-m", "kztj_tui", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO
    )
    assert piped.stdout is not None and piped.stderr is not None
    piped.stdout.close()  # the reader goes away before the first byte
    assert (piped.wait(timeout=60), piped.stderr.read()) == (0, b"")
    piped.stderr.close()
    result = into_full_stdout(*argv)
    assert (result.returncode, result.stderr) == (2, FULL)


@pytest.mark.parametrize("stdin", ["closed", "/dev/zero"])
def test_a_store_on_stdin_that_is_closed_or_a_device_is_one_line(stdin: str) -> None:
    # Closed: an AttributeError traceback; /dev/zero: 2 GiB read before the size limit refused it.
    command = f"{sys.executable} -m kztj_tui validate --events - " + ("<&-" if stdin == "closed" else "</dev/zero")
    result = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=REPO, timeout=60)
    reason = "standard input is closed" if stdin == "closed" else "is a device, not a file"
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"<stdin>:1:1: {reason}\n")


@pytest.mark.parametrize("argv", [["check"], ["tags"], ["figures"]])
def test_every_command_names_standard_output_when_it_is_full(warm_store: Path, argv: list[str]) -> None:
    result = into_full_stdout("--events", str(warm_store), *argv)
    assert (result.returncode, result.stderr) == (2, FULL)


@pytest.mark.parametrize(
    "argv",
    [["search", "trade"], ["search", "trade", "--sort", "date"], ["export"], ["validate"]],
    ids=["quick search", "search", "export", "validate"],
)
def test_an_error_that_stderr_cannot_take_still_exits_2(warm_store: Path, argv: list[str]) -> None:
    # Both streams full: the message has nowhere to go, but the status must still say it failed (it was 1:
    # the message's own OSError ended the process as an uncaught exception).
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", "--events", str(warm_store), *argv],
            stdout=full,
            stderr=full,
            cwd=REPO,
            timeout=60,
        )
    assert result.returncode == 2


def test_a_store_error_that_stderr_cannot_take_still_exits_2(tmp_path: Path) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", "--events", str(tmp_path / "missing.yaml"), "validate"],
            stderr=full,
            cwd=REPO,
            timeout=60,
        )
    assert result.returncode == 2


def test_a_closed_stdout_is_one_line_and_exit_2(warm_store: Path) -> None:
    result = subprocess.run(
        f"{sys.executable} -m kztj_tui search --events {warm_store} trade >&-",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (2, "kztj: standard output or error is closed\n")


def test_an_output_that_cannot_take_every_character_gets_escapes(warm_store: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", "search", "--events", str(warm_store), "flights"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Dushanbe\\u2013Astana" in result.stdout and "Traceback" not in result.stderr


def test_a_damaged_record_of_verified_inputs_is_ignored(warm_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kztj_tui.cache import current_files

    files = current_files(warm_store)
    assert files is not None
    verified = files.seal.with_name(files.seal.name.replace(".seal", ".verified"))
    # An infinity, a time that is not a number, and a line cut short: each line is left out.
    path = b"events.yaml".hex()
    verified.write_text(f"inf 1 1 1 1 1 {path}\nnan 1 1 1 1 1 {path}\n0 1 1 1 1 1e400 {path}\n0 1 1", encoding="ascii")
    assert quick.search(["--events", str(warm_store), "trade"]) == 0
    assert "trade" in capsys.readouterr().out.lower()


@pytest.mark.parametrize(
    "argv",
    [["--events=", "search", "trade"], ["search", "--events", "", "trade"], ["--events", "", "export"]],
    ids=["before=", "after", "export"],
)
def test_an_empty_store_path_is_one_line_and_exit_2(argv: list[str]) -> None:
    # It quietly answered from the bundled store (a hostile tester's finding).
    result = run_kztj(*argv)
    assert (result.returncode, result.stdout) == (2, "")
    assert "argument --events: an empty path names no store file" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "PYTHONUNBUFFERED"])
@pytest.mark.parametrize("argv", [["search", "zzqqxx", "--json"], ["views", "--json"]])
def test_a_command_that_found_nothing_says_so_though_the_reader_went(
    warm_store: Path, tmp_path: Path, argv: list[str], buffered: bool
) -> None:
    # `kztj search nothing --json | true` exited 0, as if it had found something: the reader left before
    # its `[]` was written (or flushed at exit). The status is still the command's own answer.
    command = [sys.executable, "-m", "kztj_tui", "--events", str(warm_store), *argv]
    env = {**os.environ, "KZTJ_DATA_DIR": str(tmp_path / "data"), "KZTJ_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("PYTHONUNBUFFERED", None)
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    piped = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=env)
    assert piped.stdout is not None and piped.stderr is not None
    piped.stdout.close()  # the reader goes away before the first byte
    assert (piped.wait(timeout=60), piped.stderr.read()) == (1, b"")
    piped.stderr.close()


@pytest.mark.parametrize("descriptor", [1, 2], ids=["stdout", "stderr"])
def test_a_stdout_or_stderr_appending_to_the_store_is_left_to_cli(warm_store: Path, descriptor: int) -> None:
    # cli refuses it with one line (tests/test_output.py); the quick search wrote the matches into the store.
    article = warm_store.parent / "seeds" / "001_e76ff33dc96d9a90.txt"
    for target in (warm_store, article):
        saved = os.dup(descriptor)
        try:
            with open(target, "a") as append:
                os.dup2(append.fileno(), descriptor)
                answered = quick.search(["--events", str(warm_store), "trade"])
        finally:
            os.dup2(saved, descriptor)
            os.close(saved)
        assert answered is None
    assert quick.search(["--events", str(warm_store), "trade"]) == 0  # into anything else, it answers


@pytest.mark.parametrize("argv", [["tags"], ["search", "trade"]])
def test_ctrl_c_while_kztj_starts_is_status_130_not_a_traceback(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ctrl-C in the first ~40 ms (cli's imports) printed a KeyboardInterrupt traceback.
    import builtins

    from kztj_tui import launch

    real_import = builtins.__import__

    def interrupted(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in ("cli", "quick", "kztj_tui.cli", "kztj_tui.quick"):
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(sys, "argv", ["kztj", *argv])
    monkeypatch.setattr(builtins, "__import__", interrupted)
    try:
        launch.main()
    except KeyboardInterrupt:  # not pytest.raises: an interrupt escaping would end the test session
        pytest.fail("KeyboardInterrupt escaped: a traceback")
    except SystemExit as exited:
        assert exited.code == 130
    else:
        pytest.fail("no exit status")
    assert capsys.readouterr() == ("", "")
