"""Incremental reload: an edited store read through its updated cache is exactly what a cold load reads."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kztj_tui import cache, export, files, loader
from kztj_tui.errors import StoreError
from kztj_tui.model import Filters
from kztj_tui.store import Store

from .conftest import BUNDLED, REPO, write_generated_store

QUERIES = ("trade", "delegations", "zircon", "rogun OR wheat", '"joint venture"', "tag:culture", "kazakhstan -wheat")


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """A 400-event store laid out as benchmarks/make_store.py writes it (events, then figures)."""
    return write_generated_store(tmp_path / "events.yaml", 400)


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    path = tmp_path / "events.yaml"
    shutil.copyfile(BUNDLED, path)
    return path


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a user can read from a store: events in order, exports, searches, listings."""
    return {
        "events": [(e, store.rowid_of(e.id) is not None) for e in store.iter_events()],
        "markdown": "".join(export.markdown(store)),
        "json": export.render(store, Filters(), "json"),
        "searches": {
            (query, sort): [store.event_at(r).id for r in store.search(Filters(query=query), sort=sort).rowids]
            for query in QUERIES
            for sort in ("date", "relevance")
        },
        "lines": "".join(store.search_lines(Filters(query="trade"), sort="relevance")),
        "lines by date": "".join(store.search_lines(Filters(query="trade"))),
        "widest label": store.widest_label(),
        "tags": store.tags(),
        "actors": store.actors(),
        "years": store.year_runs(),
        "count": store.count,
        "axis": [(start, end, date) for _, start, end, date in store.date_spans()],
        "timeline": [row[1:] for row in store.rows(list(store.all_rowids()))],
    }


def cold(path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What a cold load of the file reads, in a cache of its own."""
    with monkeypatch.context() as patch:
        patch.setenv("KZTJ_CACHE_DIR", str(tmp_path_factory.mktemp("cold")))
        store = cache.open_store(path)
        try:
            return snapshot(store)
        finally:
            store.close()


@pytest.fixture
def full_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths of the stores loaded in full (an edit applied to the cache loads none)."""
    calls: list[Path] = []
    real = loader.load

    def counting(path: Path | str, *args: Any, **kwargs: Any) -> Any:
        calls.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(loader, "load", counting)
    return calls


@contextlib.contextmanager
def reopened(path: Path, full_loads: list[Path]) -> Iterator[tuple[Store, int]]:
    """The store opened (after an edit), and how many full loads opening it cost."""
    before = len(full_loads)
    store = cache.open_store(path)
    try:
        yield store, len(full_loads) - before
    finally:
        store.close()


def _events_text(path: Path) -> tuple[str, list[str], str]:
    """The file as head, one text per event item, and tail (figures)."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\nevents:\n", 1)
    body, tail = rest.split("\nfigures:\n", 1) if "\nfigures:\n" in rest else (rest, None)
    items = re.split(r"(?m)^(?=- id: )", body + "\n")
    assert items[0] == ""
    return head + "\nevents:\n", items[1:], ("figures:\n" + tail) if tail is not None else ""


def _write(path: Path, head: str, items: list[str], tail: str) -> None:
    path.write_text(head + "".join(items) + tail, encoding="utf-8")


def _without_unreferenced(items: list[str]) -> list[str]:
    """The items without one event in the middle that no other event names."""
    text = "".join(items)
    for index in range(len(items) // 2, len(items)):
        event_id = items[index].split("\n", 1)[0].removeprefix("- id: ")
        if text.count(event_id) == 1:
            return [*items[:index], *items[index + 1 :]]
    raise AssertionError("every event is referenced")


def _swapped_same_date(items: list[str]) -> list[str]:
    """Two events of the same date swapped: file order is what sorts them."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items[100:], start=100):
        date = re.search(r"(?m)^  date: (.*)$", item)
        assert date
        if date[1] in seen:
            first = seen[date[1]]
            return [*items[:first], item, *items[first + 1 : index], items[first], *items[index + 1 :]]
        seen[date[1]] = index
    raise AssertionError("no two events share a date")


EDITS: dict[str, Callable[[list[str]], list[str]]] = {
    "title": lambda items: [*items[:7], items[7].replace("title: ", "title: Edited ", 1), *items[8:]],
    "date moves it": lambda items: [
        *items[:3],
        re.sub(r"date: .*", "date: '2030-01-01'", items[3], count=1),
        *items[4:],
    ],
    "date widens the date column": lambda items: [
        *items[:3],
        re.sub(r"date: .*", "date: '2030-01-01/2031-12-31'", items[3], count=1),
        *items[4:],
    ],
    "insert": lambda items: [*items[:50], items[50].replace("- id: event-000050", "- id: event-new"), *items[50:]],
    "append": lambda items: [*items, items[10].replace("- id: event-000010", "- id: event-last")],
    "delete": lambda items: _without_unreferenced(items),
    "reorder": lambda items: _swapped_same_date(items),
    "two far apart": lambda items: [
        items[0].replace("summary: ", "summary: Changed. ", 1),
        *items[1:-1],
        items[-1].replace("status: occurred", "status: planned"),
    ],
    "comment": lambda items: [*items[:5], items[5] + "# a note between events\n", *items[6:]],
}


def edited_reads_as_cold(
    path: Path,
    edit: Callable[[list[str]], list[str]],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    full_loads: list[Path],
) -> tuple[int, bool]:
    """Edit a cached store, read it, compare with a cold load; return the full loads it cost and if it changed."""
    head, items, tail = _events_text(path)
    cache.open_store(path).close()
    before = cold(path, tmp_path_factory, monkeypatch)
    _write(path, head, edit(items), tail)
    with reopened(path, full_loads) as (updated, loads):
        after = snapshot(updated)
    assert after == cold(path, tmp_path_factory, monkeypatch)
    return loads, after != before


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_applied_to_the_cache_reads_as_a_cold_load(
    edit: str,
    generated: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    full_loads: list[Path],
) -> None:
    loads, changed = edited_reads_as_cold(generated, EDITS[edit], tmp_path_factory, monkeypatch, full_loads)
    assert loads == 0
    assert changed == (edit != "comment")


def test_an_edit_of_the_bundled_store_is_applied_to_its_cache(
    bundled: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, full_loads: list[Path]
) -> None:
    cache.open_store(bundled).close()
    text = bundled.read_text(encoding="utf-8")
    bundled.write_text(text.replace("Tokayev's two-day visit to Dushanbe", "Tokayev in Dushanbe"), encoding="utf-8")
    with reopened(bundled, full_loads) as (store, loads):
        assert loads == 0
        assert snapshot(store) == cold(bundled, tmp_path_factory, monkeypatch)
        found = store.search(Filters(query='"Tokayev in Dushanbe"')).rowids
        assert [store.event_at(r).title for r in found] == ["Tokayev in Dushanbe"]


def _problems(path: Path) -> list[str]:
    with pytest.raises(StoreError) as caught:
        cache.open_store(path)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    "breaking",
    [
        pytest.param(
            lambda items: [items[0].replace("- id: event-000000", "- id: event-000001"), *items[1:]], id="dup"
        ),
        pytest.param(lambda items: [*items[:1], *items[2:]], id="referenced"),
        pytest.param(
            lambda items: [*items[:9], re.sub(r"date: .*", "date: 2023-13", items[9], count=1), *items[10:]], id="date"
        ),
        pytest.param(
            lambda items: [*items[:9], items[9].replace("quote: ", "quote: Not in the article ", 1), *items[10:]],
            id="quote",
        ),
        pytest.param(lambda items: [*items[:9], items[9] + '  - "unterminated\n', *items[10:]], id="yaml"),
    ],
)
def test_an_invalid_edit_reports_what_a_cold_load_reports(
    breaking: Callable[[list[str]], list[str]],
    generated: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache.open_store(generated).close()
    head, items, tail = _events_text(generated)
    _write(generated, head, breaking(items), tail)
    problems = _problems(generated)
    with monkeypatch.context() as patch:
        patch.setenv("KZTJ_CACHE_DIR", str(tmp_path_factory.mktemp("cold")))
        assert problems == _problems(generated)
    assert problems


def test_edits_outside_the_events_are_loaded_in_full(
    generated: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, full_loads: list[Path]
) -> None:
    cache.open_store(generated).close()
    text = generated.read_text(encoding="utf-8")
    generated.write_text(text.replace("\nfigures:\n", "\nfigures:\n# the figures\n"), encoding="utf-8")
    with reopened(generated, full_loads) as (store, loads):
        assert loads == 1
        assert snapshot(store) == cold(generated, tmp_path_factory, monkeypatch)
    article = next((generated.parent / "seeds").iterdir())
    article.write_text(article.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")
    with reopened(generated, full_loads) as (store, loads):
        assert loads == 1
        assert snapshot(store) == cold(generated, tmp_path_factory, monkeypatch)


def test_a_dash_inside_a_quoted_scalar_is_never_taken_for_an_event(
    bundled: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, full_loads: list[Path]
) -> None:
    # A double-quoted summary may run over lines; one of them starting with "  - id:" looks like an
    # item to a line splitter. The layout is only trusted where the parser put the items.
    text = bundled.read_text(encoding="utf-8")
    tricky = 'summary: "Kazakhstan and Tajikistan establish diplomatic relations.\n\n  - id: ghost\n  "'
    first_summary = re.search(r"(?m)^    summary: .*(?:\n      .*)*", text)
    assert first_summary
    text = text[: first_summary.start()] + "    " + tricky + text[first_summary.end() :]
    bundled.write_text(text, encoding="utf-8")
    with reopened(bundled, full_loads) as (store, _):
        assert store.event("ghost") is None
    bundled.write_text(text.replace("Tokayev's two-day visit to Dushanbe", "Tokayev in Dushanbe"), encoding="utf-8")
    with reopened(bundled, full_loads) as (store, loads):
        assert loads == 1  # no layout to trust: loaded in full
        assert snapshot(store) == cold(bundled, tmp_path_factory, monkeypatch)
        assert store.event("ghost") is None


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda text: re.sub(r"(?m)^  - id: ", "  -\n    id: ", text), id="dash-alone"),
    ],
)
def test_other_layouts_read_as_a_cold_load_after_an_edit(
    layout: Callable[[str], str],
    bundled: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    full_loads: list[Path],
) -> None:
    text = layout(bundled.read_text(encoding="utf-8"))
    bundled.write_bytes(text.encode("utf-8"))
    cache.open_store(bundled).close()
    bundled.write_bytes(text.replace("Tokayev's two-day visit to Dushanbe", "Tokayev in Dushanbe").encode("utf-8"))
    with reopened(bundled, full_loads) as (store, _):
        assert snapshot(store) == cold(bundled, tmp_path_factory, monkeypatch)
        assert store.event("tokayev-visit-dushanbe-2021") is not None


def test_a_same_size_edit_reads_and_hashes_the_store_once(
    generated: Path, monkeypatch: pytest.MonkeyPatch, full_loads: list[Path]
) -> None:
    # Checking the cache hashes a file whose size did not change; the update then reuses those
    # bytes instead of reading and hashing 100 MB a second time.
    cache.open_store(generated).close()
    text = generated.read_text(encoding="utf-8")
    generated.write_text(text.replace("title: Officials", "title: Qwzxkvbjy", 1), encoding="utf-8")
    size = generated.stat().st_size
    assert size == len(text.encode("utf-8"))
    hashed: list[int] = []
    real = files.digest

    def counting(data: bytes) -> str:
        hashed.append(len(data))
        return real(data)

    monkeypatch.setattr(files, "digest", counting)
    with reopened(generated, full_loads) as (store, loads):
        assert loads == 0
        assert store.search(Filters(query="qwzxkvbjy")).total == 1
    assert hashed.count(size) == 1


def test_an_edit_that_is_not_utf8_reports_what_a_cold_load_reports(
    generated: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the edited part is decoded after an edit; a bad byte there is reported exactly as a
    # cold load reports it (which the update leaves to a full load).
    cache.open_store(generated).close()
    data = generated.read_bytes()
    generated.write_bytes(data.replace(b"title: Officials", b"title: Offic\xffals", 1))
    problems = _problems(generated)
    with monkeypatch.context() as patch:
        patch.setenv("KZTJ_CACHE_DIR", str(tmp_path_factory.mktemp("cold")))
        assert problems == _problems(generated)
    assert len(problems) == 1 and "not UTF-8" in problems[0]


@pytest.mark.parametrize("edit", EDITS)
def test_an_update_records_exactly_what_changed(edit: str, generated: Path) -> None:
    # The browser reads what changed from the update instead of comparing every event's fingerprint.
    from kztj_tui.changes import compare, input_digests, recorded

    head, items, tail = _events_text(generated)
    old = cache.open_store(generated)
    _write(generated, head, EDITS[edit](items), tail)
    new = cache.open_store(generated)
    try:
        everything = compare(
            old.event_fingerprints(), new.event_fingerprints(), input_digests(old.meta), input_digests(new.meta)
        )
        assert recorded(old.meta, new.meta) == everything
        assert (everything.events == 0) == (edit in ("comment", "reorder"))  # moving an event changes none
        assert recorded(new.meta, new.meta) is None  # not an update of itself
    finally:
        old.close()
        new.close()


# -- a hostile tester's findings: only a build this kztj made of this store, so, is updated ---------------------------


def test_a_build_by_another_kztj_is_rebuilt_after_an_edit_not_carried_forward(
    bundled: Path, monkeypatch: pytest.MonkeyPatch, full_loads: list[Path]
) -> None:
    # An update copied the old build's rows, rendered by that version, and kept its version in the meta.
    from kztj_tui import __version__, cachefiles

    with monkeypatch.context() as older:
        older.setattr(cache, "__version__", "0.0.9")
        older.setattr(cachefiles, "__version__", "0.0.9")
        cache.open_store(bundled).close()
    text = bundled.read_text(encoding="utf-8")
    bundled.write_text(text.replace("Tokayev's two-day visit to Dushanbe", "Tokayev in Dushanbe"), encoding="utf-8")
    with reopened(bundled, full_loads) as (store, loads):
        assert (loads, store.meta["kztj"]) == (1, __version__)


def test_switching_allow_outside_articles_rebuilds_once_then_is_warm(bundled: Path, full_loads: list[Path]) -> None:
    # The update kept the other setting in the meta: every later run updated the cache again.
    cache.open_store(bundled, allow_outside_articles=True).close()
    text = bundled.read_text(encoding="utf-8")
    bundled.write_text(text.replace("Tokayev's two-day visit to Dushanbe", "Tokayev in Dushanbe"), encoding="utf-8")
    folder = cache.cache_folder(bundled)
    with reopened(bundled, full_loads) as (store, loads):
        assert (loads, store.meta["allow_outside"]) == (1, "0")
    built = (folder / "current").read_text(encoding="ascii")
    for _ in range(2):
        with reopened(bundled, full_loads) as (store, loads):
            assert loads == 0 and (folder / "current").read_text(encoding="ascii") == built
