"""The cache at the edges: names that SQLite URIs and UTF-8 cannot take as they are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kztj_tui import cache, cli, loader
from kztj_tui.model import Filters

from .conftest import MINIMAL, REPO

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
    expected = {"current", f"{build}.sqlite", f"{build}.fts.sqlite", f"{build}.seal.json"}
    # A racy input found unchanged later is recorded beside the build, once the racy window has passed.
    assert expected <= set(names) <= expected | {f"{build}.verified.json"}, names
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
@pytest.mark.parametrize("how", ["cwd", "cwd --no-cache", "KZTJ_EVENTS", "KZTJ_EVENTS --no-cache"])
def test_every_command_works_on_a_store_in_a_folder_whose_name_is_not_utf8(
    raw: bytes, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / name(raw)
    path = store_in(folder)
    if how.startswith("cwd"):
        monkeypatch.chdir(folder)
        where = ["--events", "events.yaml"]
    else:
        monkeypatch.setenv("KZTJ_EVENTS", str(path))
        where = []
    options = ["--no-cache"] if how.endswith("--no-cache") else []
    for command, code in COMMANDS:
        if where == [] and command[0] in ("validate", "check"):
            continue  # they print the store's full path, not UTF-8 here: the CLI's to escape (issue 17, item 9)
        assert cli.main([*command, *where, *options]) == code, command
        captured = capsys.readouterr()
        assert (captured.out or code) and "Error" not in captured.err, command
    assert cli.main(["search", *where, *options, "Tokaev"]) == 0
    assert "Tokayev visits Dushanbe" in capsys.readouterr().out


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
    cache_dir = Path("cachedir") / name(raw)
    monkeypatch.setenv("KZTJ_CACHE_DIR", str(cache_dir if relative else root / cache_dir))
    before = files_under(tmp_path)
    notices: list[str] = []
    for _ in range(2):
        assert cache.open_store(path, notice=notices.append).search(Filters(query="Tokaev")).total == 1
        refuse_loading(monkeypatch)  # the second open reads the cache
    assert notices == []
    [folder] = (root / cache_dir).iterdir()
    one_build(folder)
    # Every file written is the build's, in the cache folder: none elsewhere (SQLite creates a
    # missing file when a URI loses its mode=ro).
    assert files_under(tmp_path) - before == set(folder.iterdir())
