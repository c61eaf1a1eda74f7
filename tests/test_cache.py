"""The on-disk cache: reused when fresh, rebuilt after edits or corruption, and optional."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import cache, cli, loader
from kztj_tui.model import Filters

from .conftest import MINIMAL


def titles(path: Path) -> list[str]:
    store = cache.open_store(path)
    return [store.event_at(r).title for r in store.search(Filters()).rowids]


def test_second_open_uses_the_cache(write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_store(MINIMAL)
    assert titles(path) == ["Tokayev visits Dushanbe"]
    assert cache.cache_path(path).exists()

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


@pytest.mark.parametrize("damage", ["garbage", "truncate", "empty"])
def test_corrupt_cache_is_ignored_and_rebuilt(write_store: Callable[..., Path], damage: str) -> None:
    path = write_store(MINIMAL)
    titles(path)
    cached = cache.cache_path(path)
    data = cached.read_bytes()
    if damage == "garbage":
        cached.write_bytes(b"\x00not a database" * 100)
    elif damage == "truncate":
        cached.write_bytes(data[: len(data) // 2])
    else:
        cached.write_bytes(b"")
    assert titles(path) == ["Tokayev visits Dushanbe"]
    assert cached.read_bytes()[:16] == b"SQLite format 3\x00"
    assert cache._open_cached(cached, path) is not None


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
    assert not cache.cache_path(path).exists()


def test_kztj_never_writes_to_the_store(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in path.parent.rglob("*"))
    titles(path)
    titles(path)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in path.parent.rglob("*")) == before


@pytest.mark.parametrize("damage", ["garbage", "truncate", "missing"])
def test_corrupt_search_index_is_rebuilt(write_store: Callable[..., Path], damage: str) -> None:
    path = write_store(MINIMAL)
    titles(path)
    index = cache.index_path(cache.cache_path(path))
    if damage == "garbage":
        index.write_bytes(b"\x00not a database" * 100)
    elif damage == "truncate":
        index.write_bytes(index.read_bytes()[:1000])
    else:
        index.unlink()
    assert titles(path) == ["Tokayev visits Dushanbe"]
    assert cache._open_cached(cache.cache_path(path), path) is not None


def test_index_from_another_build_is_not_used(write_store: Callable[..., Path]) -> None:
    path = write_store(MINIMAL)
    titles(path)
    index = cache.index_path(cache.cache_path(path))
    stale = index.read_bytes()
    path.write_text(MINIMAL.replace("Tokayev visits Dushanbe", "Edited title"), encoding="utf-8")
    assert titles(path) == ["Edited title"]
    index.write_bytes(stale)  # an index left over from the previous build
    assert cache._open_cached(cache.cache_path(path), path) is None
