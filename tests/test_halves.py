"""A store parsed in two processes reads exactly as one parse of the whole file, or is parsed whole.

``halves.parse`` cuts the file at an item of the events list and joins the two parts only when
that is provably what one parse gives. These tests cut stores at many places, and at the places
where a cut could go wrong, and compare with ``yamlparse.parse``: the same data, value for value
and type for type, and the same outline of the events list; or no result at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kztj_tui import halves, layout, loader, yamlparse
from kztj_tui.errors import StoreError
from kztj_tui.validate import EventChecker

from .conftest import BUNDLED, write_generated_store
from .test_yaml_differential import typed

SHARES = [i / 16 for i in range(1, 16)]


def whole(data: bytes) -> tuple[Any, list[int]] | None:
    """One parse of the whole file, as the loader does it: data and outline, or None when it has problems."""
    checker = EventChecker()
    outline: list[int] = []
    try:
        parsed = yamlparse.parse(data, "store.yaml", on_event=checker, outline=outline)
    except StoreError:
        return None
    return (None if checker.found else parsed), outline


def split(data: bytes, share: float) -> halves.Parsed | None:
    return halves.parse(data, "store.yaml", fork=True, min_bytes=0, first_share=share)


def assert_split_reads_as_whole(data: bytes, share: float) -> bool:
    """Cut at ``share``; the result is one parse's, or None. Return whether it was cut."""
    parsed = split(data, share)
    if parsed is None:
        return False
    expected = whole(data)
    assert expected is not None and expected[0] is not None, "a part parsed cleanly, the whole file does not"
    assert typed(parsed.data) == typed(expected[0])
    assert parsed.outline == expected[1]
    assert parsed.layout == layout.of_store(data, expected[1])
    assert parsed.checker.found == []
    return True


def share_at(data: bytes, needle: bytes, occurrence: int = 0) -> float:
    """The share that makes the cut fall on the line where ``needle`` (the n-th time) starts."""
    at = -1
    for _ in range(occurrence + 1):
        at = data.index(needle, at + 1)
    line_start = data.rfind(b"\n", 0, at) + 1
    return (line_start + 0.5) / len(data)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 300-event store as benchmarks/make_store.py writes it: items at column 0, figures after them."""
    return write_generated_store(tmp_path_factory.mktemp("gen") / "events.yaml", 300).read_bytes()


def test_the_bundled_store_reads_the_same_cut_anywhere() -> None:
    data = BUNDLED.read_bytes()
    cut = [share for share in SHARES if assert_split_reads_as_whole(data, share)]
    # Its events fill the middle of the file: a cut in the sources or the figures is refused.
    assert [share for share in SHARES if 0.25 <= share <= 0.7] == [share for share in cut if 0.25 <= share <= 0.7]
    assert SHARES[0] not in cut and SHARES[-1] not in cut


def test_a_generated_store_reads_the_same_cut_anywhere(generated: bytes) -> None:
    assert [share for share in SHARES if assert_split_reads_as_whole(generated, share)] == SHARES


def _items(data: bytes) -> list[bytes]:
    return re.findall(rb"(?m)^- id: [^\n]*\n", data)


def _with_summary_last(data: bytes, index: int, summary: bytes) -> tuple[bytes, bytes]:
    """The store with item ``index``'s summary moved to the end of the item and written as given."""
    items = _items(data)
    start, end = data.index(items[index]), data.index(items[index + 1])
    item = re.sub(rb"\n  summary: [^\n]*(?:\n    [^\n]*)*", b"", data[start:end])
    return data[:start] + item + summary + data[end:], items[index + 1]


def test_a_dash_inside_a_quoted_scalar_is_never_a_cut(generated: bytes) -> None:
    # A double-quoted summary runs over lines, one of which looks like an item at the items' column.
    data, _ = _with_summary_last(generated, 150, b'  summary: "Begins here.\n\n- id: ghost\n  "\n')
    assert whole(data) is not None
    assert not assert_split_reads_as_whole(data, share_at(data, b"- id: ghost"))
    # Nor anywhere else: a part with a "-" line that is no item cannot vouch for its items.
    assert not any(assert_split_reads_as_whole(data, share) for share in SHARES)


@pytest.mark.parametrize(
    "summary",
    [
        pytest.param(b"  summary: |\n    kept\n\n\n", id="block-clip"),
        pytest.param(b"  summary: |+\n    kept\n\n\n", id="block-keep"),
        pytest.param(b"  summary: >-\n    folded\n    text\n\n", id="block-strip"),
        pytest.param(b"  summary: a plain scalar\n    over two lines\n\n", id="plain"),
        pytest.param(b"  summary: 'single quoted\n    over two lines'\n", id="quoted"),
        pytest.param(b"  summary: Plain.\n# a comment between items\n\n", id="comment"),
    ],
)
def test_what_ends_an_item_before_the_cut_ends_it_in_the_whole_file_too(generated: bytes, summary: bytes) -> None:
    data, next_item = _with_summary_last(generated, 150, summary)
    assert assert_split_reads_as_whole(data, share_at(data, next_item))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d, at: d[:at] + b"...\n" + d[at:], id="document-end"),
        pytest.param(lambda d, at: d[:at] + b"---\n" + d[at:], id="document-start"),
        pytest.param(lambda d, at: d.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda d, at: d[: at - 1] + " \u2028".encode() + d[at - 1 :], id="line-separator"),
        pytest.param(lambda d, at: d[: at - 1] + b" \r" + d[at - 1 :], id="carriage-return"),
        pytest.param(lambda d, at: d.replace(b"\nfigures:\n", b"\nevents:\n", 1), id="second-events-key"),
        pytest.param(lambda d, at: d + b"sources: []\n", id="key-in-both-parts"),
        pytest.param(lambda d, at: d[:at] + b"- &a\n  id: x\n" + d[at:], id="anchor"),
        pytest.param(lambda d, at: d[:at] + b"  tags: [a,\n- b]\n" + d[at:], id="open-flow"),
    ],
)
def test_a_cut_is_refused_or_reads_as_the_whole_file(generated: bytes, change: Any) -> None:
    target = _items(generated)[150]
    data = change(generated, generated.index(target))
    for share in (share_at(data, target.strip()), *SHARES[::4]):
        assert_split_reads_as_whole(data, share)


def test_other_layouts_read_the_same(tmp_path: Path) -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    for variant in (
        re.sub(r"(?m)^  - id: ", "  -\n    id: ", text),  # the dash alone on its line
        text.replace("\n", "\r\n"),
        "---\n" + text + "...\n",
    ):
        data = variant.encode("utf-8")
        for share in SHARES[::3]:
            assert_split_reads_as_whole(data, share)


@pytest.fixture
def always_split(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Make the loader try two processes on any store; list whether each try was cut."""
    tries: list[bool] = []
    real = halves.parse

    def trying(*args: Any, **kwargs: Any) -> halves.Parsed | None:
        result = real(*args, **{**kwargs, "min_bytes": 0})
        tries.append(result is not None)
        return result

    monkeypatch.setattr(halves, "parse", trying)
    return tries


def whole_file_only(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(halves, "parse", lambda *args, **kwargs: None)


def test_a_large_store_loads_the_same_in_two_processes(tmp_path: Path, always_split: list[bool]) -> None:
    path = write_generated_store(tmp_path / "events.yaml", 600)
    two = loader.load(path, fork=True)
    assert always_split == [True]
    with pytest.MonkeyPatch.context() as patch:
        whole_file_only(patch)
        one = loader.load(path, fork=True)
    assert one == two
    assert one.layout is not None


def test_the_loader_parses_in_two_processes_only_when_its_caller_says_so(
    tmp_path: Path, always_split: list[bool], forks: list[int]
) -> None:
    # The threads alive (the suite runs an idle one) do not decide it: the caller does.
    path = write_generated_store(tmp_path / "events.yaml", 300)
    alone = loader.load(path, fork=False)
    assert (always_split, forks) == ([False], [])
    assert loader.load(path, fork=True) == alone
    assert (always_split, len(forks)) == ([False, True], 1)


def test_an_invalid_store_is_parsed_whole_to_report_its_problems(generated: bytes, tmp_path: Path) -> None:
    late = _items(generated)[250]
    data = generated.replace(late, late.replace(b"- id: ", b"- id: 'unclosed "), 1)
    assert split(data, 0.5) is None
    with pytest.raises(StoreError):
        yamlparse.parse(data, "store.yaml")


def _problems(path: Path) -> list[str]:
    with pytest.raises(StoreError) as caught:
        loader.load(path, fork=True)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("index", [50, 250], ids=["first-part", "second-part"])
def test_an_invalid_event_in_either_part_is_reported_as_a_whole_parse_reports_it(
    index: int, tmp_path: Path, always_split: list[bool]
) -> None:
    path = write_generated_store(tmp_path / "events.yaml", 300)
    data = path.read_bytes()
    item = _items(data)[index]
    start = data.index(item)
    end = data.index(b"\n- id: ", start + 1)
    path.write_bytes(data[:start] + re.sub(rb"\n  date: [^\n]*", b"\n  date: 2023-13-45", data[start:end]) + data[end:])
    expected = _problems(path)
    assert always_split == [False]
    assert any("2023-13-45" in problem or "date" in problem for problem in expected)
    with pytest.MonkeyPatch.context() as patch:
        whole_file_only(patch)
        assert _problems(path) == expected


@pytest.mark.parametrize("status", [0, 1])
def test_a_child_that_stops_halfway_through_its_data_leaves_the_file_to_one_parse(
    generated: bytes, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    import os
    import pickle

    def half_then_exit(value: Any, sink: Any, protocol: int | None = None) -> None:
        whole_pickle = pickle.dumps(value, protocol=protocol)
        sink.write(whole_pickle[: len(whole_pickle) // 2])
        sink.flush()
        os._exit(status)  # the forked child ends here, as a killed one would

    monkeypatch.setattr(halves.pickle, "dump", half_then_exit)
    assert split(generated, 0.5) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was reaped
