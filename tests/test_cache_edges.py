"""The cache at the edges: names SQLite and UTF-8 cannot take as they are, and many builders at once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kztj_tui import cache, cli, loader
from kztj_tui.model import Filters

from .conftest import MINIMAL, REPO, write_generated_store

# Folder and file names that are not UTF-8, or that mean something in a URI: each as bytes.
NOT_UTF8 = [b"caf\xe9", b"\xff\xfe", b"new\nline\xe9"]
URI_SPECIAL = [b"ev#1", b"q?x", b"x%41", b"a b", b"what?", b"%", b"file:x", b"new\nline", b"caf\xe9"]


def name(raw: bytes) -> str:
    """A file name as Python passes it to the OS (bytes that are not UTF-8 kept as lone surrogates)."""
    return os.fsdecode(raw)


def store_in(folder: Path, file_name: str = "events.yaml") -> Path:
    """The minimal store, with its article, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "seeds", folder / "seeds")
    path = folder / file_name
    path.write_text(MINIMAL, encoding="utf-8")
    return path


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def refuse_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was loaded again although its cache was fresh")

    monkeypatch.setattr(loader, "load", refuse)


def one_build(folder: Path) -> str:
    """The id of the one build in a cache folder; fails if anything else is left there."""
    names = sorted(path.name for path in folder.iterdir())
    builds = {n.split(".", 1)[0] for n in names if n != "current"}
    assert len(builds) == 1, names
    [build] = builds
    expected = {"current", f"{build}.sqlite", f"{build}.fts.sqlite", f"{build}.seal"}
    # A racy input found unchanged later is recorded beside the build, once the racy window has passed.
    assert expected <= set(names) <= expected | {f"{build}.verified"}, names
    assert (folder / "current").read_text(encoding="ascii").strip() == build
    return build


# Every command that reads a store, and what it exits with on the minimal store (which has no figures).
COMMANDS = [
    (["search", "visit"], 0),
    (["check"], 0),
    (["tags"], 0),
    (["actors"], 0),
    (["figures"], 1),
    (["validate"], 0),
    (["show", "visit"], 0),
    *((["export", "--format", fmt], 0) for fmt in ("markdown", "json", "ics", "markwhen", "timelinejs")),
]


@pytest.mark.parametrize("raw", NOT_UTF8)
@pytest.mark.parametrize(
    "how", ["cwd", "cwd --no-cache", "KZTJ_EVENTS", "KZTJ_EVENTS --no-cache", "--events PATH", "--events=PATH"]
)
def test_every_command_works_on_a_store_in_a_folder_whose_name_is_not_utf8(
    raw: bytes, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / name(raw)
    path = store_in(folder)
    if how.startswith("cwd"):
        monkeypatch.chdir(folder)
        where = ["--events", "events.yaml"]
    elif how.startswith("--events"):  # the path named on the command line, as KZTJ_EVENTS names it
        where = ["--events", str(path)] if how == "--events PATH" else [f"--events={path}"]
    else:
        monkeypatch.setenv("KZTJ_EVENTS", str(path))
        where = []
    options = ["--no-cache"] if how.endswith("--no-cache") else []
    for command, code in COMMANDS:
        if where[-1:] != ["events.yaml"] and command[0] in ("validate", "check"):
            continue  # they print the store's full path, not UTF-8 here: the CLI's to escape (issue 17, item 9)
        assert cli.main([*command, *where, *options]) == code, command
        captured = capsys.readouterr()
        assert (captured.out or code) and "Error" not in captured.err, command
    assert cli.main(["search", *where, *options, "Tokaev"]) == 0
    assert "Tokayev visits Dushanbe" in capsys.readouterr().out


@pytest.mark.parametrize("raw", NOT_UTF8)
@pytest.mark.parametrize("form", ["-o {}", "--output {}", "--output={}", "-o{}"])
def test_export_writes_to_a_file_whose_name_is_not_utf8(
    raw: bytes, form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / (name(raw) + ".md")
    option, _, value = form.partition(" ")
    words = [option, str(target)] if value else [form.format(target)]
    assert cli.main(["export", *words]) == 0, capsys.readouterr().err
    assert target.read_text(encoding="utf-8").startswith("# ")


def test_text_that_is_not_utf8_is_still_refused_outside_paths(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", name(b"caf\xe9")]) == 2
    assert capsys.readouterr().err == "kztj: argument 'caf\\xe9' is not valid UTF-8\n"
    assert cli.main(["export", "--tag", name(b"\xff")]) == 2


@pytest.mark.parametrize("raw", URI_SPECIAL)
def test_a_store_named_with_uri_characters_opens_warm_the_second_time(
    raw: bytes, tmp_path: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store_in(tmp_path / "store", name(raw) + ".yaml")
    before = files_under(tmp_path)
    notices: list[str] = []
    assert cache.open_store(path, notice=notices.append).search(Filters(query="Tokaev")).total == 1
    refuse_loading(monkeypatch)
    warm = cache.open_store(path, notice=notices.append)
    assert warm.search(Filters(query="Tokaev")).total == 1
    assert warm.reader().search(Filters(query="Tokaev")).total == 1  # a worker's connection to the same files
    # An edit is applied to a copy of the cache (the full load is still refused).
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Tokayev visits DUSHANBE"), encoding="utf-8")
    edited = cache.open_store(path, notice=notices.append)
    assert [e.title for e in edited.iter_events()] == ["Tokayev visits DUSHANBE"]
    assert notices == []
    [folder] = isolated_cache.iterdir()
    one_build(folder)
    assert files_under(tmp_path) == before  # nothing written beside the store


@pytest.mark.parametrize("raw", URI_SPECIAL)
@pytest.mark.parametrize("relative", [False, True])
def test_a_cache_folder_named_with_uri_characters_keeps_everything_inside_it(
    raw: bytes, relative: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store_in(tmp_path / "store")
    root = tmp_path / "caches"
    root.mkdir()
    monkeypatch.chdir(root)
    # Relative, the name comes first (a relative "file:x" reads as a URI itself); absolute, it comes last.
    cache_dir = Path(name(raw)) if relative else root / "cachedir" / name(raw)
    monkeypatch.setenv("KZTJ_CACHE_DIR", str(cache_dir))
    before = files_under(tmp_path)
    notices: list[str] = []
    for _ in range(2):
        assert cache.open_store(path, notice=notices.append).search(Filters(query="Tokaev")).total == 1
        refuse_loading(monkeypatch)  # the second open reads the cache
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Tokayev visits DUSHANBE"), encoding="utf-8")
    edited = cache.open_store(path, notice=notices.append)  # applied to a copy of the cache
    assert [e.title for e in edited.iter_events()] == ["Tokayev visits DUSHANBE"]
    assert edited.reader().search(Filters(query="Tokaev")).total == 1
    assert notices == []
    [folder] = (root / cache_dir).iterdir()
    one_build(folder)
    # Every file written is the build's, in the cache folder: none elsewhere (SQLite creates a
    # missing file when a URI loses its mode=ro).
    assert files_under(tmp_path) - before == set(folder.iterdir())


# Many processes at once: each waits for the others to be ready, so they ask for the cache together.
_READY_THEN_RUN = """
import sys
from kztj_tui import cli
print("ready", flush=True)
sys.stdin.readline()
sys.exit(cli.main(sys.argv[1:]))
"""


def ready(count: int, argv: list[str], env: dict[str, str]) -> list[subprocess.Popen[str]]:
    """``count`` kztj processes that have imported kztj and wait for ``go`` to run."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _READY_THEN_RUN, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(count)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return processes


def go(processes: list[subprocess.Popen[str]]) -> list[subprocess.Popen[str]]:
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.close()
    return processes


def outputs(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    """Each process's exit code, output and errors (a few lines each: no pipe fills while another is read)."""
    results = []
    for process in processes:
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout.read(), process.stderr.read()
        results.append((process.wait(timeout=300), out, err))
        process.stdout.close()
        process.stderr.close()
    return results


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """A store large enough that a cold build takes a while (and forks its index writer)."""
    return write_generated_store(tmp_path / "store" / "events.yaml", 2500)


@pytest.fixture
def kztj_env(isolated_cache: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "KZTJ_CACHE_DIR": str(isolated_cache), "PYTHONPATH": str(REPO)}
    env.pop("KZTJ_EVENTS", None)
    yield env


def test_concurrent_cold_runs_leave_one_build(generated: Path, isolated_cache: Path, kztj_env: dict[str, str]) -> None:
    argv = ["search", "--events", str(generated), "zircon"]
    results = outputs(go(ready(6, argv, kztj_env)))
    assert [(code, err) for code, _, err in results] == [(0, "")] * 6
    assert len({out for _, out, _ in results}) == 1 and results[0][1].count("\n") == 10
    [folder] = isolated_cache.iterdir()
    first = one_build(folder)
    # And after an edit, concurrent runs update the cache once.
    text = generated.read_text(encoding="utf-8")
    generated.write_text(text.replace("zircon", "zirconium", 1), encoding="utf-8")
    results = outputs(go(ready(6, argv, kztj_env)))
    assert [(code, err) for code, _, err in results] == [(0, "")] * 6
    assert len({out for _, out, _ in results}) == 1 and results[0][1].count("\n") == 9
    assert one_build(folder) != first


def test_a_store_that_does_not_load_leaves_nothing_in_the_cache(
    generated: Path, isolated_cache: Path, kztj_env: dict[str, str]
) -> None:
    generated.write_text(generated.read_text(encoding="utf-8") + "  - not an event\n", encoding="utf-8")
    results = outputs(go(ready(3, ["search", "--events", str(generated), "zircon"], kztj_env)))
    assert [code for code, _, _ in results] == [2] * 3
    assert all(err.count("\n") == 1 for _, _, err in results)
    assert list(isolated_cache.iterdir()) == []


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_a_builder_killed_mid_build_never_leaves_the_others_waiting(
    generated: Path, isolated_cache: Path, kztj_env: dict[str, str]
) -> None:
    argv = ["search", "--events", str(generated), "zircon"]
    builder, waiter = ready(2, argv, kztj_env)
    go([builder])
    # Once a build file exists, the builder is writing its build (and holds the lock).
    wait_for(lambda: any(p.name.endswith(".sqlite") for p in isolated_cache.rglob("*")), "the build to start")
    go([waiter])
    builder.kill()
    assert outputs([builder])[0][0] == -signal.SIGKILL
    [(code, out, err)] = outputs([waiter])
    assert (code, err) == (0, "") and out.count("\n") == 10
    [folder] = isolated_cache.iterdir()
    assert one_build(folder).startswith(f"{waiter.pid}-")  # the killed build never finished; its files are gone


def test_a_build_replaced_while_it_was_being_opened_is_not_taken_for_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store_in(tmp_path / "store")
    cache.open_store(path).close()
    stale = cache.current_files(path)
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Edited"), encoding="utf-8")
    cache.open_store(path).close()  # another process's update: a new build, the old one removed
    latest = cache.current_files(path)
    assert stale is not None and latest is not None and not stale.main.exists()
    # This process read the pointer just before the other one moved it.
    pointers = iter([stale])
    real = cache.current_files
    monkeypatch.setattr(cache, "current_files", lambda store_path: next(pointers, None) or real(store_path))
    notices: list[str] = []
    refuse_loading(monkeypatch)
    assert cache.open_store(path, notice=notices.append).search(Filters(query="edited")).total == 1
    assert notices == []
    assert real(path) == latest and latest.main.exists()


def test_a_cache_folder_made_a_link_to_the_stores_folder_deletes_nothing_there(
    tmp_path: Path, isolated_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The link made the store's folder the cache's: a rebuild tidied it, deleting the store and every
    # other file there that was not `current` or the lock (a hostile tester's finding).
    store = store_in(tmp_path / "mine")
    (tmp_path / "mine" / "README.txt").write_text("keep\n", encoding="utf-8")
    assert cli.main(["search", "--events", str(store), "dushanbe"]) == 0
    folder = cache.cache_folder(store)
    shutil.rmtree(folder)
    folder.symlink_to(tmp_path / "mine", target_is_directory=True)
    before = {path.name for path in (tmp_path / "mine").iterdir()}
    capsys.readouterr()
    assert cli.main(["search", "--events", str(store), "dushanbe"]) == 0
    assert "dushanbe" in capsys.readouterr().out.lower()
    assert {path.name for path in (tmp_path / "mine").iterdir()} == before  # nothing removed, nothing added
    assert folder.is_dir() and not folder.is_symlink()  # the link is gone, a folder of kztj's own took its place
    one_build(folder)
    cache.drop(store)
    assert {path.name for path in (tmp_path / "mine").iterdir()} == before


def test_a_rebuild_removes_only_the_files_kztj_names(tmp_path: Path, isolated_cache: Path) -> None:
    store = store_in(tmp_path / "mine")
    cache.open_store(store).close()
    folder = cache.cache_folder(store)
    foreign = ["notes.txt", "events.yaml", "12-34.sqlite.bak", "x-1.sqlite", ".hidden", "1-2.seal.old"]
    # Names that only look like kztj's: digits that are not ASCII, a leading zero, a pid past any system's.
    foreign += ["\u00b2-1.sqlite", ".current.\u00b2\u00b3.tmp", "0123-5.sqlite", "99999999999999999999-1.sqlite"]
    for file_name in foreign:
        (folder / file_name).write_text("not kztj's\n", encoding="utf-8")
    # Files of a build by a process that has ended (no process has that id), which a rebuild must remove.
    build, pid = "999999999-2", "999999999"
    stale = [f"{build}.sqlite", f"{build}.fts.sqlite", f"{build}.seal", f"{build}.verified", f"{build}.sqlite-journal"]
    stale += [f".current.{pid}.tmp", f".{build}.verified.{pid}.5.tmp"]
    stale.append(f"{build}.seal.json")  # how kztj sealed a build before the seal was one line
    for file_name in stale:
        (folder / file_name).write_text("", encoding="utf-8")
    (folder / f"{build}.seal").unlink()
    (folder / f"{build}.seal").mkdir()  # damage under a build's name: a folder, which unlinking leaves
    (folder / f"{build}.seal" / "inside").write_text("", encoding="utf-8")
    text = store.read_text(encoding="utf-8")
    store.write_text(text.replace("A two-day visit.", "A visit of two days."), encoding="utf-8")
    cache.drop(store)
    cache.open_store(store).close()
    names = {path.name for path in folder.iterdir()}
    assert set(foreign) <= names and not set(stale) & names


def test_a_warm_search_does_not_read_a_cache_folder_made_a_link(
    tmp_path: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztj_tui.warm import open_trusted

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3)  # read past the racy window: identities alone vouch
    store = store_in(tmp_path / "mine")
    cache.open_store(store).close()
    warm = open_trusted(str(store), allow_outside=False)
    assert warm is not None
    warm.close()
    folder = cache.cache_folder(store)
    shutil.move(folder, tmp_path / "elsewhere")
    folder.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    # The same files, through the link: the command line removes such a link, so the quick path leaves it to it.
    assert open_trusted(str(store), allow_outside=False) is None
    cache.open_store(store).close()
    assert not folder.is_symlink() and (tmp_path / "elsewhere" / "current").exists()


def test_a_pointer_made_a_folder_is_replaced_by_the_next_build(
    tmp_path: Path, isolated_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No build could replace it, so every run rebuilt the store and left a build behind.
    store = store_in(tmp_path / "mine")
    cache.open_store(store).close()
    folder = cache.cache_folder(store)
    (folder / "current").unlink()
    (folder / "current").mkdir()
    (folder / "current" / "inside").write_text("x", encoding="utf-8")
    cache.open_store(store).close()  # rebuilds once
    one_build(folder)
    refuse_loading(monkeypatch)
    cache.open_store(store).close()  # and is then warm


def test_utf8_typed_under_an_ascii_locale_is_read_as_utf8(tmp_path: Path, isolated_cache: Path) -> None:
    # Python decodes arguments with the locale's encoding: with LC_ALL=C and its UTF-8 mode off, typed
    # UTF-8 arrived as lone surrogates and was refused as "not valid UTF-8" (a hostile tester's finding).
    store = store_in(tmp_path / "mine")
    ascii_locale = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "kztj_tui", "search", "--events", str(store)]
    found = subprocess.run([*command, "Душанбе"], capture_output=True, env=ascii_locale, timeout=60)
    assert (found.returncode, found.stderr) == (0, b"") and b"dushanbe" in found.stdout.lower()
    filtered = subprocess.run(
        [*command, "--query", "Душанбе", "visits"], capture_output=True, env=ascii_locale, timeout=60
    )
    assert (filtered.returncode, filtered.stdout) == (0, found.stdout)
    refused = subprocess.run([*command, os.fsdecode(b"caf\xe9")], capture_output=True, env=ascii_locale, timeout=60)
    assert (refused.returncode, refused.stderr) == (2, b"kztj: argument 'caf\\xe9' is not valid UTF-8\n")
