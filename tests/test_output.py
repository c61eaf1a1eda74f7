"""Outputs that cannot hurt: -o FILE keeps modes, follows links, writes into FIFOs, never over the store."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kztj_tui import cli
from kztj_tui.output import OutputError, write_atomically, write_output

from .conftest import MINIMAL


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


def test_browser_export_function_refuses_protected_paths(tmp_path: Path) -> None:
    store = tmp_path / "events.yaml"
    store.write_text("events: []\n")
    with pytest.raises(OutputError, match="refusing"):
        write_atomically(store, ["x"], protect=[store])
    assert store.read_text() == "events: []\n"
