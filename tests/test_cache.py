"""The on-disk cache: reused when fresh, rebuilt after edits or corruption, and optional."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import cache, cachefiles, cli, loader
from kztj_tui.errors import StoreError
from kztj_tui.model import Filters

from .conftest import BUNDLED, MINIMAL, write_generated_store


def titles(path: Path) -> list[str]:
    store = cache.open_store(path)
    return [store.event_at(r).title for r in store.search(Filters()).rowids]


def test_second_open_uses_the_cache(write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_store(MINIMAL)
    assert titles(path) == ["Tokayev visits Dushanbe"]
    assert current(path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was parsed again although the cache was fresh")

    monkeypatch.setattr(loader, "load", refuse)
    old = os.stat(path).st_mtime_ns - 10_000_000_000  # out of the racy window
    os.utime(path, ns=(old, old))
    # The utime changed the stat, so the content hash is checked: same content, cache still used.
    assert titles(path) == ["Tokayev visits Dushanbe"]


def test_edit_is_seen_immediately_even_with_same_size(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    assert titles(path) == ["Tokayev visits Dushanbe"]
    stat = os.stat(path)
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Tokayev visits DUSHANBE"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even a restored mtime does not fool it
    assert titles(path) == ["Tokayev visits DUSHANBE"]


def test_edited_source_article_invalidates(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    titles(path)
    article = path.parent / "seeds" / "001_e76ff33dc96d9a90.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("two-day visit", "short visit"), encoding="utf-8")
    with pytest.raises(Exception, match="quote not found"):
        cache.open_store(path)


def current(path: Path) -> cache.CacheFiles:
    files = cache.current_files(path)
    assert files is not None and files.main.exists() and files.fts.exists()
    return files


def damage_file(file: Path, how: str) -> None:
    data = file.read_bytes()
    if how == "garbage":
        file.write_bytes(b"\x00not a database" * 100)
    elif how == "truncate":
        file.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        file.write_bytes(b"")
    elif how == "inside":  # 1 KiB overwritten in the middle, size unchanged
        middle = len(data) // 2
        file.write_bytes(data[:middle] + b"\xa5" * 1024 + data[middle + 1024 :])
    else:
        file.unlink()


@pytest.mark.parametrize("damage", ["garbage", "truncate", "empty", "inside", "missing"])
@pytest.mark.parametrize("which", ["main", "fts"])
def test_damaged_cache_is_rebuilt_and_the_user_told(write_store: Callable[..., Path], damage: str, which: str) -> None:
    path = write_store(MINIMAL)
    titles(path)
    damage_file(getattr(current(path), which), damage)
    notices: list[str] = []
    store = cache.open_store(path, notice=notices.append)
    assert [store.event_at(r).title for r in store.search(Filters(query="Dushanbe")).rowids] == [
        "Tokayev visits Dushanbe"
    ]
    assert len(notices) == 1 and "damaged" in notices[0] and "\n" not in notices[0]
    rebuilt = cache.open_store(path, notice=notices.append)
    assert rebuilt.search(Filters(query="Tokaev")).total == 1
    assert len(notices) == 1  # the rebuilt cache is whole


def test_no_cache_writes_nothing(
    write_store: Callable[..., Path], isolated_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(MINIMAL)
    assert cli.main(["search", "--no-cache", "--events", str(path), "Tokaev"]) == 0
    assert list(isolated_cache.iterdir()) == []
    assert "visit" in capsys.readouterr().out


def test_unwritable_cache_dir_still_works(
    write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("KZTJ_CACHE_DIR", str(blocker / "cache"))
    assert titles(write_store(MINIMAL)) == ["Tokayev visits Dushanbe"]


def test_invalid_store_is_never_cached(write_store: Callable[..., Path], isolated_cache: Path) -> None:
    path = write_store(MINIMAL.replace("status: occurred", "status: nope"))
    assert cli.main(["validate", "--events", str(path)]) == 2
    assert cache.current_files(path) is None


def test_kztj_never_writes_to_the_store(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in path.parent.rglob("*"))
    titles(path)
    titles(path)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in path.parent.rglob("*")) == before


def test_cache_from_another_build_is_not_used(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    titles(path)
    stale = current(path).fts.read_bytes()
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Edited title"), encoding="utf-8")
    assert titles(path) == ["Edited title"]
    current(path).fts.write_bytes(stale)  # an index left over from the previous build
    notices: list[str] = []
    store = cache.open_store(path, notice=notices.append)
    assert [store.event_at(r).title for r in store.search(Filters(query="edited")).rowids] == ["Edited title"]
    assert notices


def test_store_edited_during_a_cold_load_is_never_cached_stale(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    edited = MINIMAL.replace("Tokayev visits Dushanbe", "Tokayev visits DUSHANBE")
    stat = os.stat(path)

    def edit_while_parsing(phase: str, fraction: float) -> None:
        if phase == "parsing" and path.read_text(encoding="utf-8") != edited:
            path.write_text(edited, encoding="utf-8")  # same size; the mtime is put back too
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    first = cache.open_store(path, progress=edit_while_parsing)
    assert first.event_at(first.all_rowids()[0]).title == "Tokayev visits Dushanbe"  # what was parsed
    assert titles(path) == ["Tokayev visits DUSHANBE"]  # and the next run sees the edit


def test_temporary_files_of_a_killed_build_are_removed(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    titles(path)
    folder = current(path).main.parent
    dead = 2**22 + 12345  # above Linux's default pid_max, so no process has it
    leftovers = [folder / f"{dead}-1.sqlite", folder / f"{dead}-1.fts.sqlite", folder / f".current.{dead}.tmp"]
    for file in leftovers:
        file.write_bytes(b"half-written")
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Edited"), encoding="utf-8")
    assert titles(path) == ["Edited"]
    assert not any(file.exists() for file in leftovers)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["current", current(path).main.name, current(path).fts.name, current(path).seal.name]
    )


def test_damaged_cache_during_a_command_is_rebuilt(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(MINIMAL)
    assert cli.main(["search", "--events", str(path), "Tokaev"]) == 0
    capsys.readouterr()
    damage_file(current(path).main, "inside")
    assert cli.main(["search", "--events", str(path), "Tokaev"]) == 0
    captured = capsys.readouterr()
    assert "visit" in captured.out
    [line] = captured.err.splitlines()
    assert line.startswith("kztj: ") and "damaged" in line


def test_a_store_saved_just_before_its_first_load_is_not_hashed_on_every_run(
    write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saved and loaded within two seconds: a later run must hash it once to rule out a second edit
    # in the same timestamp tick, but not on every run after that (99 MB costs 0.2 s a time).
    path = write_store(MINIMAL)
    cache.open_store(path).close()
    hashed: list[Path] = []
    real_read, real_time = cachefiles.read_regular_file, cache.time.time

    def counting_read(file: Path, limit: int) -> object:
        hashed.append(Path(file))
        return real_read(file, limit)

    monkeypatch.setattr(cachefiles, "read_regular_file", counting_read)  # where inputs are checked
    monkeypatch.setattr(cache.time, "time", lambda: real_time() + 3)  # the two seconds have passed
    assert titles(path) == ["Tokayev visits Dushanbe"]
    assert path in hashed  # still racy: hashed once
    hashed.clear()
    assert titles(path) == ["Tokayev visits Dushanbe"]
    assert hashed == []  # settled: the identity is enough now
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Tokayev visits DUSHANBE"), encoding="utf-8")
    assert titles(path) == ["Tokayev visits DUSHANBE"]  # and an edit is still seen


@pytest.mark.parametrize("enabled", [True, False])
def test_a_cold_load_leaves_the_cycle_collector_as_it_found_it(
    enabled: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The load pauses collection (millions of objects, no cycles) and must hand it back as it was,
    # also when the store is invalid.
    import gc

    monkeypatch.setenv("KZTJ_CACHE_DIR", str(tmp_path / "cache"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("events: [\n", encoding="utf-8")
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        cache.open_store(BUNDLED).close()
        assert gc.isenabled() == enabled
        with pytest.raises(StoreError):
            cache.open_store(broken)
        assert gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.fixture(scope="module")
def generated_2500(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store large enough that its search index is written by a forked child while the load goes on."""
    return write_generated_store(tmp_path_factory.mktemp("generated") / "events.yaml", 2500)


def test_the_caller_decides_whether_a_build_forks_its_index_writer(
    generated_2500: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    # Neither the cores nor the threads alive decide it: the caller does (the command line, once).
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    cache.open_store(generated_2500, fork=False)
    assert forks == []
    assert cache.current_files(generated_2500) is not None
    cache.drop(generated_2500)
    assert threading.active_count() > 1  # the suite's idle thread (conftest.py), at least
    cache.open_store(generated_2500, fork=True)
    assert len(forks) == 1
    assert cache.current_files(generated_2500) is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the index writer was reaped


def test_a_large_cold_build_indexes_exactly_what_an_in_memory_store_does(
    generated_2500: Path, forks: list[int]
) -> None:
    built = cache.open_store(generated_2500, fork=True)
    assert len(forks) == 1  # its index was written by a forked child
    assert cache.current_files(generated_2500) is not None
    memory = cache.open_store(generated_2500, use_cache=False)
    for words in ("zircon", "commodity", "kazakhstan", "tokaev", "trade -water"):
        assert built.search(Filters(query=words), sort="relevance") == memory.search(
            Filters(query=words), sort="relevance"
        )
    assert built.event_fingerprints() == memory.event_fingerprints()


def test_a_store_with_a_dangling_reference_starts_no_index_build_and_leaves_nothing(
    generated_2500: Path, tmp_path: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # References are checked before the index is started (on_assembled): a store that fails them
    # forks no child at all. (A build that fails once the child runs is the next test's.)
    from kztj_tui import storebuild

    started: list[str] = []
    real = storebuild.IndexBuild

    def recording(loaded: object, target: str, build_id: str, *, fork: bool) -> object:
        assert fork
        started.append(target)
        return real(loaded, target, build_id, fork=fork)  # type: ignore[arg-type]

    monkeypatch.setattr(storebuild, "IndexBuild", recording)
    text = generated_2500.read_text(encoding="utf-8")
    last = text.rindex("\n  place: ")  # the events are valid and sorted; then a reference is found unknown
    path = tmp_path / "events.yaml"
    shutil.copytree(generated_2500.parent / "seeds", tmp_path / "seeds")
    path.write_text(text[:last] + "\n  place: nowhere-at-all" + text[text.index("\n", last + 1) :], encoding="utf-8")
    with pytest.raises(StoreError, match="unknown entity 'nowhere-at-all'"):
        cache.open_store(path, fork=True)
    assert started == []
    assert [p.name for p in isolated_cache.rglob("*") if p.is_file()] == []
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left, not even a zombie
    cache.open_store(generated_2500, fork=True)  # the recording is in the path a build takes
    assert len(started) == 1


def test_a_build_that_fails_while_its_index_is_written_falls_back_and_leaves_no_process(
    generated_2500: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    from kztj_tui import storebuild as store_module

    write = store_module._write

    def failing_events_file(target: str, fill: Callable[..., None]) -> None:
        if not target.endswith(".fts.sqlite"):  # the events file fails; the index child writes on
            raise sqlite3.OperationalError("disk I/O error")
        write(target, fill)

    monkeypatch.setattr(store_module, "_write", failing_events_file)
    opened = cache.open_store(generated_2500, fork=True)
    assert len(forks) == 1
    assert opened.search(Filters(query="zircon")).total == 10  # answered from memory
    assert cache.current_files(generated_2500) is None
    assert not [p for p in isolated_cache.rglob("*.fts.sqlite*")]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_an_interrupted_wait_for_the_index_still_stops_the_child(
    generated_2500: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waitpid = os.waitpid
    calls: list[int] = []

    def interrupted_once(pid: int, options: int) -> tuple[int, int]:
        calls.append(pid)
        if len(calls) == 1:
            raise KeyboardInterrupt  # Ctrl-C while the build waits for its index
        return waitpid(pid, options)

    monkeypatch.setattr(os, "waitpid", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        cache.open_store(generated_2500, fork=True)
    monkeypatch.setattr(os, "waitpid", waitpid)
    assert len(calls) == 2  # the interrupted wait, then the one that reaped the killed child
    time.sleep(0.5)  # a child left running would have written its index by now
    assert not [p for p in isolated_cache.rglob("*.fts.sqlite*")]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


# Runs one kztj command in a fresh process and writes every path it opened (an audit hook sees
# each open(), os.open() included) to a file; the clock is three seconds ahead, so a file touched
# just before is already past its racy window, as a touch made a while before a command is.
_COUNTING_OPENS = """\
import json, os, sys, time

from kztj_tui import cli

real_time = time.time
time.time = lambda: real_time() + 3
opened = []
sys.addaudithook(
    lambda event, args: opened.append(os.path.abspath(os.fsdecode(args[0])))
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike))
    else None
)
code = cli.main(sys.argv[2:])
with open(sys.argv[1], "w", encoding="utf-8") as log:
    json.dump(opened, log)
sys.exit(code)
"""


def _touch(file: Path) -> None:
    os.utime(file)


def _save_unchanged(file: Path) -> None:
    file.write_bytes(file.read_bytes())  # an editor's save with no change: same file, new times


def _replace_by_a_copy(file: Path) -> None:
    shutil.copy2(file, file.with_name(file.name + ".new"))  # a safe save: a new file renamed over it
    os.replace(file.with_name(file.name + ".new"), file)


def _opened_in_a_search(path: Path, log: Path) -> list[str]:
    """The store's and its article's paths, each time a warm ``kztj search`` in a fresh process opened it."""
    article = path.parent / "seeds" / "001_e76ff33dc96d9a90.txt"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    argv = ["search", "--events", str(path), "Dushanbe"]
    done = subprocess.run([sys.executable, "-c", _COUNTING_OPENS, str(log), *argv], env=env, capture_output=True)
    assert (done.returncode, done.stderr) == (0, b"")
    assert b"visit" in done.stdout.lower()
    return [name for name in json.loads(log.read_text(encoding="utf-8")) if name in (str(path), str(article))]


def test_a_store_whose_mtime_was_put_back_just_before_it_was_read_is_hashed_once(
    write_store: Callable[..., Path], tmp_path: Path
) -> None:
    # cp -p, tar and rsync put an old mtime on a file just written: its ctime says when. Another
    # same-size write within that ctime's tick, mtime put back again, would keep its identity.
    path = write_store(MINIMAL)
    old = time.time_ns() - 60_000_000_000
    os.utime(path, ns=(old, old))
    cache.open_store(path).close()
    assert str(path) in _opened_in_a_search(path, tmp_path / "opened.json")  # the article too: copied just now
    assert _opened_in_a_search(path, tmp_path / "opened.json") == []


@pytest.mark.parametrize("change", [_touch, _save_unchanged, _replace_by_a_copy])
@pytest.mark.parametrize("which", ["store", "article"])
def test_a_touched_input_is_hashed_once_then_trusted_again(
    which: str, change: Callable[[Path], None], write_store: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_store(MINIMAL)
    article = path.parent / "seeds" / "001_e76ff33dc96d9a90.txt"
    touched = path if which == "store" else article

    def opened_in_a_search() -> list[str]:
        return _opened_in_a_search(path, tmp_path / "opened.json")

    opened_in_a_search()  # builds the cache
    assert opened_in_a_search() == []  # warm: the identities settle it
    change(touched)
    assert opened_in_a_search() == [str(touched)]  # a new identity: hashed once, found unchanged
    assert opened_in_a_search() == []  # and trusted again, not hashed on every run
    assert opened_in_a_search() == []
    # An edit after that is still seen, even of the same size with the mtime put back.
    stat = os.stat(touched)
    text = touched.read_text(encoding="utf-8")
    if which == "store":
        touched.write_text(text.replace("Tokayev visits Dushanbe", "Tokayev visits DUSHANBE"), encoding="utf-8")
    else:
        touched.write_text(text.replace("two-day visit", "one-day visit"), encoding="utf-8")
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    argv = ["search", "--events", str(path), "Dushanbe"]
    done = subprocess.run([sys.executable, "-m", "kztj_tui", *argv], env=env, capture_output=True, text=True)
    if which == "store":
        assert "Tokayev visits DUSHANBE" in done.stdout
    else:
        assert done.returncode == 2 and "quote not found" in done.stderr
