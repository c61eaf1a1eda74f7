"""The one fork helper (forking.start) and the command line's decision to fork (forking.can_fork).

The suite runs with an idle thread alive (conftest.py): whether code forks is decided by its caller,
so none of this depends on how many threads happen to be alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import BinaryIO

import pytest

from kztj_tui import cache, cli, forking

from .conftest import REPO, write_generated_store


def _no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped, not even a zombie is left


def test_a_child_streams_its_output_and_its_success_is_reported() -> None:
    def work(sink: BinaryIO) -> None:
        sink.write(b"one ")
        sink.flush()
        sink.write(b"two")

    with forking.start(work) as child:
        assert child.pid != os.getpid()
        assert child.stream.read() == b"one two"
        assert child.wait()
    _no_child_left()


def test_a_child_that_fails_is_reported_after_what_it_wrote() -> None:
    def work(sink: BinaryIO) -> None:
        sink.write(b"half")
        raise RuntimeError("the child fails")

    with forking.start(work) as child:
        assert child.stream.read() == b"half"
        assert not child.wait()  # the caller turns it into an error or a fallback, never a shorter result
    _no_child_left()


def test_a_child_whose_reader_left_ends_quietly() -> None:
    def work(sink: BinaryIO) -> None:
        while True:
            sink.write(b"x" * 65536)

    child = forking.start(work)
    child.stream.close()  # kztj export | head: nobody reads any more
    assert child.wait()
    _no_child_left()


def test_leaving_the_block_stops_a_child_that_was_not_waited_for() -> None:
    def work(sink: BinaryIO) -> None:
        sink.write(b"ready")
        sink.flush()
        threading.Event().wait()  # runs until it is stopped

    with pytest.raises(KeyError), forking.start(work) as child:
        assert child.stream.read(5) == b"ready"
        raise KeyError("an interrupt or an error in the parent")
    assert child.stream.closed
    _no_child_left()


def test_the_child_never_runs_the_parents_signal_handlers() -> None:
    def handler(number: int, frame: object) -> None:
        raise AssertionError("the parent's handler ran")

    def work(sink: BinaryIO) -> None:
        handlers = [signal.getsignal(number) == signal.SIG_DFL for number in forking.ending_signals()]
        sink.write(bytes(handlers))

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with forking.start(work) as child:
            assert list(child.stream.read()) == [1, 1, 1]
            assert child.wait()
        assert signal.getsignal(signal.SIGTERM) is handler  # the parent's own are untouched
        assert not signal.pthread_sigmask(signal.SIG_BLOCK, []) & set(forking.ending_signals())
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_can_fork_refuses_while_other_threads_are_alive() -> None:
    assert threading.active_count() > 1  # the suite's idle thread
    assert not forking.can_fork()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from kztj_tui import forking; print(forking.can_fork())", (os.cpu_count() or 1) > 1),
        (
            "import threading; threading.Thread(target=threading.Event().wait, daemon=True).start()\n"
            "from kztj_tui import forking; print(forking.can_fork())",
            False,
        ),
    ],
    ids=["one-thread", "two-threads"],
)
def test_can_fork_in_a_process_of_its_own(code: str, expected: bool) -> None:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout == f"{expected}\n", result.stderr


@pytest.fixture(scope="module")
def generated_2500(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store large enough that a build forks its index writer, when it may."""
    return write_generated_store(tmp_path_factory.mktemp("generated") / "events.yaml", 2500)


def test_the_command_line_decides_once_and_passes_its_decision_down(
    generated_2500: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], forks: list[int]
) -> None:
    argv = ["--events", str(generated_2500), "search", "zircon"]
    asked: list[bool] = []

    def deciding(answer: bool) -> None:
        def can_fork() -> bool:
            asked.append(answer)
            return answer

        monkeypatch.setattr(cli, "can_fork", can_fork)

    deciding(False)  # what it says here, with the suite's idle thread alive
    assert cli.main(argv) == 0
    assert (asked, forks) == ([False], [])
    cache.drop(generated_2500)
    deciding(True)  # what it says in a command of one thread, on two cores
    assert cli.main(argv) == 0
    assert (asked, len(forks)) == ([False, True], 1)  # asked once a run; the build's index writer forked
    assert capsys.readouterr().out.count("\n") == 2 * 10
    _no_child_left()


def test_the_browser_never_forks_whatever_the_machine(
    generated_2500: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    from kztj_tui.export import parallel
    from kztj_tui.model import NO_FILTERS
    from kztj_tui.tui.app import KztjApp

    for module in (forking, cli, *(sys.modules[name] for name in sys.modules if name.startswith("kztj_tui."))):
        if hasattr(module, "can_fork"):
            monkeypatch.setattr(module, "can_fork", lambda: True)  # as if the browser ran no thread
    monkeypatch.setattr(parallel, "MIN_EVENTS", 1)
    app = KztjApp(cache.open_store(generated_2500))
    assert forks == []  # the test's own open does not fork either: the default is not to
    cache.drop(generated_2500)
    assert app.session.reopen is not None
    reloaded = app.session.reopen()  # a live reload: a cold build of a large store
    assert reloaded.count == 2500 and cache.current_files(generated_2500) is not None
    assert app.session.export(NO_FILTERS, generated_2500.with_name("out.md")) is None
    assert forks == []
