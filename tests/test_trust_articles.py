"""Issue 7: articles are data: read only as sane regular files beside the store, shown without control bytes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui.cli import main
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.history import ReaderPlace
from kztj_tui.tui.reader import ReaderScreen

from .conftest import MINIMAL

ARTICLE = "seeds/001_e76ff33dc96d9a90.txt"
PROBLEM = re.compile(r"^.+:\d+:\d+: .+$")


def one_problem(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["validate", "--events", str(path), *extra]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert PROBLEM.match(lines[0]) and "Traceback" not in err
    return lines[0]


def with_article(write_store: Callable[..., Path], file: str) -> Path:
    return write_store(MINIMAL.replace(f"file: {ARTICLE}", f"file: '{file}'"))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda folder: os.mkfifo(folder / "fifo.txt"), "named pipe"),
        (lambda folder: (folder / "dir.txt").mkdir(), "directory"),
        (lambda folder: os.truncate(_touch(folder / "huge.txt"), 21 << 20), "limit"),
        (lambda folder: (folder / "latin1.txt").write_bytes(b"caf\xe9 began his two-day visit"), "not UTF-8"),
        (lambda folder: (folder / "empty.txt").write_text(" \n\t\n"), "empty"),
    ],
    ids=["fifo", "directory", "huge", "latin1", "whitespace"],
)
def test_unreadable_articles_get_one_line(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], make: Callable[[Path], object], reason: str
) -> None:
    path = write_store(MINIMAL)
    before = set(path.parent.iterdir())
    make(path.parent)
    [created] = set(path.parent.iterdir()) - before
    line = one_problem(with_article(write_store, created.name), capsys)
    assert "sources[0].file" in line and reason in line


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_fifo_article_never_hangs(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    os.mkfifo(path.parent / "pipe.txt")
    store = with_article(write_store, "pipe.txt")
    env = {**os.environ, "KZTJ_CACHE_DIR": str(path.parent / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", "validate", "--events", str(store)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and "named pipe" in result.stderr


@pytest.mark.parametrize("file", ["../../../../../../etc/passwd", "/etc/passwd", "/dev/zero"])
def test_articles_outside_the_store_are_refused(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], file: str
) -> None:
    line = one_problem(with_article(write_store, file), capsys)
    assert "--allow-outside-articles" in line


def test_outside_articles_are_read_when_allowed(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "article.txt"
    elsewhere.write_text("Tokayev began his two-day visit to Dushanbe May 19.", encoding="utf-8")
    path = with_article(write_store, str(elsewhere))
    one_problem(path, capsys)
    assert main(["validate", "--events", str(path), "--allow-outside-articles"]) == 0
    # A cache built with the permission is not used without it.
    one_problem(path, capsys)


def test_device_is_refused_even_when_outside_articles_are_allowed(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_problem(with_article(write_store, "/dev/zero"), capsys, "--allow-outside-articles")
    assert "device" in line


def test_symlink_out_of_the_store_is_refused(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(MINIMAL)
    (path.parent / "link.txt").symlink_to("/etc/hostname")
    assert "outside" in one_problem(with_article(write_store, "link.txt"), capsys)


def test_an_article_swapped_for_a_link_out_is_refused_on_a_cached_run_too(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The file keeps its bytes and inode, so the cache still vouched for it: validate said ok, exit 0,
    # where --no-cache said "leads outside the store's directory".
    path = write_store(MINIMAL)
    assert main(["validate", "--events", str(path)]) == 0
    assert main(["search", "Dushanbe", "--events", str(path)]) == 0  # warm from here
    capsys.readouterr()
    article = path.parent / ARTICLE
    moved = tmp_path_factory.mktemp("outside") / article.name
    os.rename(article, moved)
    article.symlink_to(moved)
    assert "outside" in one_problem(path, capsys)
    for argv in (["search", "Dushanbe"], ["tags"]):  # the warm search and a full open alike
        result = subprocess.run(
            [sys.executable, "-m", "kztj_tui", "--events", str(path), *argv], capture_output=True, text=True, timeout=60
        )
        assert (result.returncode, result.stdout) == (2, "") and "leads outside" in result.stderr


def test_empty_article_does_not_make_quotes_found(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(MINIMAL)
    (path.parent / "blank.txt").write_text("", encoding="utf-8")
    assert "empty" in one_problem(with_article(write_store, "blank.txt"), capsys)


HOSTILE_ARTICLE = (
    "Tokayev began his two-day visit to Dushanbe May 19.\n\n"
    "Clipboard \x1b]52;c;cm0gLXJmIH4=\x07 title \x1b]0;pwned\x07 clear \x1b[2J\x1b[H bell \x07 c1 \x9b31m end.\n"
)


async def test_reader_never_sends_an_articles_control_bytes(write_store: Callable[..., Path]) -> None:
    from kztj_tui.cache import open_store

    path = write_store(MINIMAL)
    (path.parent / ARTICLE).write_text(HOSTILE_ARTICLE, encoding="utf-8")
    store = open_store(path, use_cache=False)
    app = KztjApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.push_screen(
            ReaderScreen(store, None, ReaderPlace("s1", "began his two-day visit to Dushanbe May 19"))
        )
        await pilot.pause()
        shown = "\n".join(str(s.render()) for s in app.screen.query(".paragraph"))
        assert "Clipboard" in shown and "end." in shown
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", shown), repr(shown)


async def test_article_replaced_by_a_fifo_while_browsing_gets_a_message(write_store: Callable[..., Path]) -> None:
    from kztj_tui.cache import open_store

    path = write_store(MINIMAL)
    store = open_store(path, use_cache=False)
    article = path.parent / ARTICLE
    article.unlink()
    os.mkfifo(article)  # a writer could block a reader for ever
    app = KztjApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ReaderScreen(store, None, ReaderPlace("s1", "began his two-day visit")))
        await pilot.pause()
        shown = "\n".join(str(s.render()) for s in app.screen.query(".paragraph, Static"))
        assert "named pipe" in shown
        # No meter of paragraphs there are not ("showing ¶1–1 of 0  ·  ").
        assert "¶" not in shown and "of 0" not in shown


async def test_a_quote_not_in_the_article_leaves_no_dangling_separator(write_store: Callable[..., Path]) -> None:
    from textual.widgets import Static

    from kztj_tui.cache import open_store

    store = open_store(write_store(MINIMAL), use_cache=False)
    app = KztjApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ReaderScreen(store, None, ReaderPlace("s1", "words this article never says")))
        await pilot.pause()
        meter = str(app.screen.query_one("#reader-map", Static).render()).splitlines()[-1]
        assert meter.startswith("showing ¶1–") and not meter.rstrip().endswith("·"), meter
