"""Outputs that cannot hurt: -o FILE keeps modes, follows links, writes into FIFOs, never over the store."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kztj_tui import cli
from kztj_tui.export import FORMATS
from kztj_tui.output import OutputError, write_output

from .conftest import BUNDLED, MINIMAL, REPO, write_generated_store


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    os.umask(old)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_honours_the_umask(tmp_path: Path, umask: Callable[[int], None], mask: int, expected: int) -> None:
    umask(mask)
    target = tmp_path / "report.md"
    write_output(target, ["hello\n"])
    assert target.read_text() == "hello\n" and mode(target) == expected


def test_existing_file_keeps_its_mode(tmp_path: Path, umask: Callable[[int], None]) -> None:
    umask(0o022)
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o640)
    write_output(target, ["new"])
    assert target.read_text() == "new" and mode(target) == 0o640


def test_symlink_is_followed_and_its_target_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_output(link, ["new"])
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.md", "real.md"]


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "made.md")
    write_output(link, ["new"])
    assert link.is_symlink() and (tmp_path / "made.md").read_text() == "new"


def test_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        write_output(fifo, ["through ", "the pipe\n"])
    finally:
        if reader.is_alive() and not received:
            # Unblock the reader if the writer never opened the FIFO, so the test fails instead of hanging.
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_character_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs root; the FIFO test covers writing in place")
    write_output(device, ["discarded\n"])
    assert stat.S_ISCHR(device.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_dash_is_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", "--format", "csv", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("id,date,start,end,precision")
    assert list(tmp_path.iterdir()) == []


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_output(tmp_path, ["x"])


def test_failure_leaves_no_temporary_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")

    def chunks() -> Iterator[str]:
        yield "half"
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_output(target, chunks())
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_error_names_the_users_path_never_the_temporary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a directory")
    target = blocker / "out.md"
    assert cli.main(["export", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"kztj: {target}: ")
    assert ".tmp" not in err


@pytest.mark.parametrize("how", ["same path", "symlink", "hard link", "article"])
def test_refuses_to_overwrite_the_store_or_its_articles(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], how: str
) -> None:
    store = write_store(MINIMAL)
    article = store.parent / "seeds" / "001_e76ff33dc96d9a90.txt"
    before = {store: store.read_bytes(), article: article.read_bytes()}
    target = {"same path": store, "article": article}.get(how, store.parent / "out.md")
    if how == "symlink":
        target.symlink_to(store)
    elif how == "hard link":
        os.link(store, target)
    assert cli.main(["export", "--events", str(store), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"kztj: {target}: refusing to overwrite the store or one of its articles\n"
    assert {path: path.read_bytes() for path in before} == before


def test_write_output_refuses_protected_paths(tmp_path: Path) -> None:
    store = tmp_path / "events.yaml"
    store.write_text("events: []\n")
    with pytest.raises(OutputError, match="refusing"):
        write_output(store, ["x"], protect=[store])
    assert store.read_text() == "events: []\n"


# -- issue 17: signals, long names, /dev/stdout, names that are not files, formats from names ------------------------

# Runs `kztj` with the two-process export on a small store, stopping after a few chunks until the
# test has sent its signal: the export is then certainly half written, its temporary beside the target.
# The gate waits on the wakeup descriptor too: Python's own handler only marks a signal, so one that
# landed after its last check and before a plain blocking read would leave that read waiting for ever
# (seen under load: 1 run in ~30, the process in anon_pipe_read with nothing pending).
GATED = (
    "import os, select, signal, sys\n"
    "from kztj_tui import cli, export\n"
    "from kztj_tui.export import parallel\n"
    "parallel.MIN_EVENTS, parallel.BLOCK = 1, 5\n"
    "real = export.chunks\n"
    "def gated(*args, **kwargs):\n"
    "    for number, chunk in enumerate(real(*args, **kwargs)):\n"
    "        yield chunk\n"
    "        if number == 5:\n"
    "            woken, wake = os.pipe()\n"
    "            os.set_blocking(wake, False)\n"
    "            signal.set_wakeup_fd(wake)\n"
    "            print('gate', flush=True)\n"
    "            select.select([sys.stdin, woken], [], [])\n"
    "export.chunks = gated\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_generated_store(tmp_path_factory.mktemp("generated") / "events.yaml", 300)


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def caught_signals(pid: int) -> set[int]:
    """The signals a process has handlers for, from the kernel's own account of it."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return {number for number in range(1, 65) if mask & (1 << (number - 1))}


@pytest.mark.parametrize(
    ("signum", "fmt", "whole_group", "status"),
    [
        (signal.SIGTERM, "markdown", False, -signal.SIGTERM),
        (signal.SIGTERM, "markdown", True, -signal.SIGTERM),
        (signal.SIGHUP, "markdown", True, -signal.SIGHUP),  # the terminal went away
        (signal.SIGINT, "markdown", True, 130),  # Ctrl-C
        (signal.SIGHUP, "json", False, -signal.SIGHUP),
        (signal.SIGINT, "csv", False, 130),
    ],
)
def test_a_signal_mid_export_removes_the_temporary_and_keeps_the_old_file(
    generated: Path, tmp_path: Path, signum: int, fmt: str, whole_group: bool, status: int
) -> None:
    target = tmp_path / f"out.{FORMATS[fmt].extension}"
    target.write_text("the previous export\n")
    command = [sys.executable, "-c", GATED, "--events", str(generated), "export", "--format", fmt, "-o", str(target)]
    env = {**os.environ, "KZTJ_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == b"gate\n"
        temporaries = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert [p.name.startswith(f".{target.name}.") for p in temporaries] == [True]
        forked = children(process.pid)
        assert len(forked) == 1  # every format splits a large store: the second process, blocked on its pipe
        for child in forked:  # it never runs the parent's handlers: a signal ends it at once
            # Until it has set the default actions back the child blocks these signals (they wait
            # for it), so what matters is that it gets there: it may not have been scheduled yet.
            ending = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
            deadline = time.monotonic() + 10
            while caught_signals(child) & ending and time.monotonic() < deadline:
                time.sleep(0.01)
            assert caught_signals(child) & ending == set()
        if whole_group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        assert process.wait(timeout=60) == status
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr is not None and b"Traceback" not in process.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", target.name]
    assert target.read_text() == "the previous export\n"
    assert not [child for child in forked if Path(f"/proc/{child}").exists()]  # the child was waited for


def test_a_write_that_fails_outside_the_export_ends_it_at_once(tmp_path: Path) -> None:
    # As when a signal lands between two chunks: the export's generator (which may hold a child
    # process) is closed then, not whenever it is collected.
    ended: list[str] = []

    def chunks() -> Iterator[str]:
        try:
            yield "half"
            yield "\udce9 cannot be written"
            yield "never"
        finally:
            ended.append("closed")

    held = chunks()
    with pytest.raises(UnicodeEncodeError):
        write_output(tmp_path / "a.md", held)
    assert ended == ["closed"] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "a" * 250 + ".md",  # 253 characters: the temporary's 14 must not push it past 255
        "b" * 252 + ".md",  # exactly 255
        "é" * 126 + ".md",  # 255 bytes in UTF-8, 129 characters
        "日" * 84 + ".md",  # 255 bytes, three to a character
    ],
)
def test_the_longest_file_names_are_written(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    write_output(target, ["long\n"])
    assert target.read_text() == "long\n" and [p.name for p in tmp_path.iterdir()] == [name]
    write_output(target, ["again\n"])  # replaced, as every file is
    assert target.read_text() == "again\n" and [p.name for p in tmp_path.iterdir()] == [name]


def test_a_name_too_long_is_one_line_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / ("c" * 253 + ".md")
    started: list[bool] = []

    def chunks() -> Iterator[str]:
        started.append(True)
        yield "x"

    with pytest.raises(OutputError, match="File name too long"):
        write_output(target, chunks())
    assert started == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_dev_stdout_into_a_pipe_that_closes_early(path: str) -> None:
    result = subprocess.run(
        f"{sys.executable} -m kztj_tui export -o {path} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.stdout.startswith("# ") and result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and "No such file" not in result.stderr


@pytest.mark.parametrize("path", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "link"])
def test_dev_stdout_appended_twice_keeps_both(tmp_path: Path, path: str) -> None:
    log = tmp_path / "log"
    log.write_text("before\n")
    if path == "link":
        (tmp_path / "link").symlink_to("/dev/stdout")
        path = str(tmp_path / "link")
    for _ in range(2):
        with open(log, "a") as append:
            result = subprocess.run(
                [sys.executable, "-m", "kztj_tui", "export", "--format", "csv", "-o", path],
                stdout=append,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPO,
                timeout=120,
            )
        assert result.returncode == 0, result.stderr
    text = log.read_text()
    assert text.startswith("before\nid,date,") and text.count("\nid,date,") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"log", Path(path).name} & {"log", "link"})


def test_a_descriptor_given_to_kztj_is_written_and_no_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    given = tmp_path / "given.csv"
    with open(given, "w") as handle:
        handle.write("before\n")
        handle.flush()
        os.set_inheritable(handle.fileno(), True)  # as a shell's 3> hands it over
        assert cli.main(["export", "--format", "csv", "-o", f"/dev/fd/{handle.fileno()}"]) == 0
    assert given.read_text().startswith("before\nid,date,")
    with open(given, "a") as own:  # opened by the process itself (as the cache is): not inheritable
        number = own.fileno()
        assert cli.main(["export", "--format", "csv", "-o", f"/dev/fd/{number}"]) == 2
    assert capsys.readouterr().err.endswith(f"kztj: /dev/fd/{number}: not a descriptor kztj was given\n")
    assert given.read_text().count("id,date,") == 1
    assert cli.main(["export", "-o", "/dev/fd/987"]) == 2  # not open at all
    assert capsys.readouterr().err == "kztj: /dev/fd/987: Bad file descriptor\n"


@pytest.mark.parametrize("name", ["new.md/", "new.md/.", "new.md/..", "sub/", "sub/.", "file.md/", ".", "./"])
def test_a_name_of_a_directory_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "file.md").write_text("a file")
    assert cli.main(["export", "-o", name]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"kztj: {name}: ") and captured.err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["file.md", "sub"]
    assert (tmp_path / "file.md").read_text() == "a file"


def test_an_empty_output_name_is_an_error_not_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "-o", ""]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "kztj: '': is not a file name ('-' is stdout)\n"


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("r.json", '{"format": "kztj-export/1"'),
        ("R.JSON", '{"format": "kztj-export/1"'),
        ("r.jsonl", '{"id": '),
        ("r.csv", "id,date,start,end"),
        ("r.ics", "BEGIN:VCALENDAR"),
        ("r.mw", "---"),
        ("r.md", "# "),
        ("r.yaml", "# A kztj store"),
        ("r.yml", "# A kztj store"),  # it was Markdown
        ("r.txt", "# "),  # not a format's extension: Markdown, the default
        ("noextension", "# "),
    ],
)
def test_the_format_follows_the_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, start: str
) -> None:
    target = tmp_path / name
    assert cli.main(["export", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith(start)


@pytest.mark.parametrize(
    ("fmt", "name", "ok"),
    [
        ("csv", "r.json", False),
        ("markdown", "r.ics", False),
        ("json", "r.jsonl", False),
        ("jsonl", "r.JSON", False),
        ("timelinejs", "r.json", True),  # TimelineJS is JSON too
        ("json", "r.json", True),
        ("csv", "r.txt", True),  # a name no format claims: --format decides
    ],
)
def test_a_format_that_contradicts_the_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, name: str, ok: bool
) -> None:
    target = tmp_path / name
    assert cli.main(["export", "--format", fmt, "-o", str(target)]) == (0 if ok else 2)
    err = capsys.readouterr().err
    assert target.exists() == ok
    if not ok:
        assert err.startswith(f"kztj: {target}: --format {fmt} does not match") and err.count("\n") == 1


@pytest.mark.parametrize("output", ["-", "/dev/stdout", "/dev/fd/1"])
def test_stdout_appending_to_the_store_is_refused(write_store: Callable[..., Path], output: str) -> None:
    store = write_store(MINIMAL)
    before = store.read_bytes()
    with open(store, "a") as append:
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", "--events", str(store), "export", "-o", output],
            stdout=append,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr == f"kztj: {output}: refusing to overwrite the store or one of its articles\n"
    assert store.read_bytes() == before


ARTICLE = "seeds/001_e76ff33dc96d9a90.txt"
EVERY_COMMAND = [
    ["validate"],
    ["check"],
    ["check", "--json"],
    ["search", "trade"],
    ["search", "trade", "--json"],
    ["tags"],
    ["actors"],
    ["figures"],
    ["show", "tokayev-visit-dushanbe-2021"],
    ["views"],
    ["ingest", ARTICLE],
    ["ingest", ARTICLE, "--json"],
]


def kztj_in(folder: Path, *argv: str, stdout: Any, stderr: Any = subprocess.PIPE, **env: str) -> Any:
    """``python -m kztj_tui ARGV`` run in ``folder``, its stdout and stderr as given (an open file: ``>> FILE``)."""
    return subprocess.run(
        [sys.executable, "-m", "kztj_tui", *argv],
        stdout=stdout,
        stderr=stderr,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        timeout=120,
    )


@pytest.mark.parametrize("onto", ["events.yaml", ARTICLE])
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=" ".join)
def test_every_command_refuses_stdout_appending_to_the_store(
    write_store: Callable[..., Path], command: list[str], onto: str
) -> None:
    # Only export refused it: `kztj check >> events.yaml` or `kztj ingest ARTICLE >> events.yaml` wrote into the store.
    store = write_store(BUNDLED.read_text(encoding="utf-8"))
    target = store.parent / onto
    before = target.read_bytes()
    with open(target, "a") as append:
        result = kztj_in(store.parent, "--events", str(store), *command, stdout=append)
    refused = "kztj: -: refusing to overwrite the store or one of its articles\n"
    assert (result.returncode, result.stderr) == (2, refused)
    assert target.read_bytes() == before


@pytest.mark.parametrize("onto", ["events.yaml", ARTICLE])
@pytest.mark.parametrize("both", [True, False], ids=["2>&1", "2>> only"])
@pytest.mark.parametrize(
    "command",
    [["check"], ["tags"], ["search", "trade"], ["export", "-o", "report.md"], ["ingest", ARTICLE]],
    ids=" ".join,
)
def test_every_command_refuses_stderr_appending_to_the_store(
    write_store: Callable[..., Path], command: list[str], onto: str, both: bool
) -> None:
    # `kztj tags >> events.yaml 2>&1` wrote the refusal itself into the store; `2>> events.yaml` its messages.
    store = write_store(BUNDLED.read_text(encoding="utf-8"))
    target = store.parent / onto
    before = target.read_bytes()
    with open(target, "a") as append:
        result = kztj_in(
            store.parent, "--events", str(store), *command, stdout=append if both else subprocess.DEVNULL, stderr=append
        )
    assert result.returncode == 2
    assert target.read_bytes() == before
    assert not (store.parent / "report.md").exists()


def test_completion_refuses_stdout_appending_to_the_store(write_store: Callable[..., Path]) -> None:
    # `kztj __complete tag '' -- --events events.yaml >> ARTICLE` appended every tag to the article.
    store = write_store(BUNDLED.read_text(encoding="utf-8"))
    for target in (store, store.parent / ARTICLE):
        before = target.read_bytes()
        with open(target, "a") as append:
            result = kztj_in(store.parent, "__complete", "tag", "", "--", "--events", str(store), stdout=append)
        assert (result.returncode, target.read_bytes()) == (0, before)  # no candidates, as completion fails
        assert "refusing to overwrite the store" in result.stderr
    done = kztj_in(store.parent, "__complete", "tag", "", "--", "--events", str(store), stdout=subprocess.PIPE)
    assert "trade\n" in done.stdout  # into anything else, the candidates


def test_an_edit_of_a_broken_store_refuses_stdout_appending_to_it(write_store: Callable[..., Path]) -> None:
    # With a store that does not load, `EDITOR=echo kztj edit ID >> events.yaml` ran the editor into the store.
    store = write_store(BUNDLED.read_text(encoding="utf-8").replace("title:", "title: [", 1))
    before = store.read_bytes()
    event_id = next(line.split("id:")[1].strip() for line in before.decode().splitlines() if "- id:" in line)
    with open(store, "a") as append:
        argv = ("--events", str(store), "edit", event_id)
        result = kztj_in(store.parent, *argv, stdout=append, EDITOR="echo", VISUAL="")
    assert (result.returncode, result.stderr) == (
        2,
        "kztj: -: refusing to overwrite the store or one of its articles\n",
    )
    assert store.read_bytes() == before


def test_an_export_to_a_file_may_run_with_stdout_appending_to_the_store(write_store: Callable[..., Path]) -> None:
    # Nothing is written to stdout: the check is where export writes (its FILE), not on every stdout.
    store = write_store(BUNDLED.read_text(encoding="utf-8"))
    before = store.read_bytes()
    with open(store, "a") as append:
        result = kztj_in(store.parent, "--events", str(store), "export", "-o", "report.md", stdout=append)
    assert result.returncode == 0 and store.read_bytes() == before
    assert (store.parent / "report.md").read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("fmt", ["csv", "store", "markdown"])
@pytest.mark.parametrize("environ", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0"}])
def test_an_export_to_stdout_is_utf8_whatever_the_locale(tmp_path: Path, fmt: str, environ: dict[str, str]) -> None:
    # An ASCII stdout got ’ as the six characters \u2019: a store export whose quotes matched no article.
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING")}
    argv = [sys.executable, "-m", "kztj_tui", "--events", str(BUNDLED), "export", "--format", fmt]
    piped = subprocess.run(argv, capture_output=True, env={**env, **environ}, timeout=120)
    assert (piped.returncode, piped.stderr) == (0, b"")
    target = tmp_path / "out"
    written = subprocess.run([*argv, "-o", str(target)], capture_output=True, env=env, timeout=120)
    assert written.returncode == 0
    assert piped.stdout == target.read_bytes() and "’".encode() in piped.stdout


def test_stdout_appending_to_another_file_is_written(write_store: Callable[..., Path]) -> None:
    store = write_store(BUNDLED.read_text(encoding="utf-8"))
    report = store.parent / "report.txt"
    with open(report, "a") as append:
        result = kztj_in(store.parent, "--events", str(store), "tags", stdout=append)
    assert result.returncode == 0 and "trade" in report.read_text(encoding="utf-8")


def test_a_write_in_a_worker_thread_leaves_no_temporary_when_the_process_is_ended(tmp_path: Path) -> None:
    # The browser exports from a worker thread, where no signal handler can be set: the app, ended
    # by SIGTERM or SIGHUP, removes what writes in progress hold before it goes (remove_temporaries).
    from kztj_tui.output import remove_temporaries

    started, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def chunks() -> Iterator[str]:
        yield "# partial\n"
        started.set()
        release.wait(30)
        yield "rest\n"

    def write() -> None:
        try:
            write_output(tmp_path / "report.md", chunks())
        except OutputError as error:
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    assert started.wait(30)
    assert [p.name for p in tmp_path.iterdir()] != []  # the temporary file beside the target
    remove_temporaries()
    assert list(tmp_path.iterdir()) == []
    release.set()
    writer.join(30)
    assert list(tmp_path.iterdir()) == [] and len(failures) == 1  # its rename found nothing to rename


# -- a hostile tester's findings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["export", "--format", "store", "--tag", "trade"], ["ingest", "seeds/001_e76ff33dc96d9a90.txt"]]
)
def test_a_store_read_from_stdin_is_never_overwritten(write_store: Callable[..., Path], command: list[str]) -> None:
    # `--events - < events.yaml` has no path of its own: `-o events.yaml` replaced it.
    store = write_store(BUNDLED.read_text(encoding="utf-8"))
    before = store.read_bytes()
    with open(store, "rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", "--events", "-", *command, "-o", "events.yaml"],
            stdin=stdin,
            capture_output=True,
            text=True,
            cwd=store.parent,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=120,
        )
    refused = "kztj: events.yaml: refusing to overwrite the store or one of its articles\n"
    assert (result.returncode, result.stderr) == (2, refused)
    assert store.read_bytes() == before


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    # Renaming over it takes only the folder's permission: it was replaced, where the shell's > refuses.
    target = tmp_path / "read-only.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o444)
    # Root may write anything: run without the capabilities that let it, as a user would.
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-chown", "--"]
    result = subprocess.run(
        [*(unprivileged if os.geteuid() == 0 else []), sys.executable, "-m", "kztj_tui", "export", "-o", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (2, f"kztj: {target}: Permission denied\n")
    assert target.read_text(encoding="utf-8") == "old\n"


def test_a_temporary_that_cannot_be_removed_is_not_the_error_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a file system that turned read-only, removing the temporary failed too, and that error, naming
    # the temporary file, was the one reported.
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(OutputError) as raised:
        write_output(tmp_path / "out.md", ["text"])
    assert str(raised.value) == f"{tmp_path / 'out.md'}: Read-only file system"


def test_a_file_is_written_from_a_working_folder_too_deep_for_its_absolute_path(tmp_path: Path) -> None:
    # The temporary was named by its absolute path, which the system refuses past PATH_MAX (4 KB on Linux).
    result = subprocess.run(
        [sys.executable, "-c", DEEP_EXPORT],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, "kztj: wrote out.md\n")
    assert result.stdout.startswith("# ")


# Made one folder at a time from inside: no absolute path can name the deepest ones.
DEEP_EXPORT = (
    "import os, sys\n"
    "for _ in range(25):\n"
    "    os.mkdir('d' * 200)\n"
    "    os.chdir('d' * 200)\n"
    "assert len(os.getcwd()) > 4096\n"
    "from kztj_tui import cli\n"
    "status = cli.main(['export', '-o', 'out.md'])\n"
    "sys.stdout.write(open('out.md', encoding='utf-8').read(100))\n"
    "sys.exit(status)\n"
)
