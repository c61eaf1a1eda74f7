"""Issue 7: one loader that reads every store as libyaml does, and inputs it cannot be tricked by."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kztj_tui import loader, yamlparse
from kztj_tui.cli import main
from kztj_tui.loader import StoreError

from .conftest import MINIMAL

EVENT = """\
  - id: {id}
    date: 2021-05-19
    title: {title}
    summary: A two-day visit.
    tags: [diplomacy]
    actors: [tokayev]
    place: dushanbe
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
"""


def _head(description: str) -> str:
    return MINIMAL.split("events:")[0].replace("description: Test article", f"description: {description}")


def test_quoted_scalar_that_looks_like_events_is_read_as_libyaml_reads_it(write_store: Callable[..., Path]) -> None:
    # A source description is a double-quoted scalar whose lines look like an `events:` block.
    # libyaml reads them as text; a reader that splits the file with patterns sees ghost events.
    ghost = EVENT.format(id="ghost", title="Ghost")
    head = _head('"Looks like\nevents:\n' + ghost + 'end"')
    padding = "".join(EVENT.format(id=f"real-{i}", title=f"Real {i}") for i in range(40_000))  # > 8 MB
    path = write_store(head + "events:\n" + padding)
    assert path.stat().st_size > 8 << 20
    reference = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    loaded = loader.load(path)
    assert sorted(e.id for e in loaded.events) == sorted(e["id"] for e in reference["events"])
    assert loaded.sources[0].description == reference["sources"][0]["description"]


def test_padded_store_reads_the_same_as_a_small_one(write_store: Callable[..., Path]) -> None:
    small = write_store(MINIMAL)
    padding = "".join(EVENT.format(id=f"pad-{i}", title=f"Pad {i}") for i in range(40_000))
    big = write_store(MINIMAL.replace("figures: []\n", "") + padding, name="big.yaml")
    assert big.stat().st_size > 8 << 20
    first_small = loader.load(small).events[0]
    by_id = {e.id: e for e in loader.load(big).events}
    assert by_id["visit"] == first_small
    assert len(by_id) == 40_001


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("1" * 400, "figures[0].value", id="400-digits"),
        (".nan", "figures[0].value"),
        ("-.inf", "figures[0].value"),
        ("1e400", "figures[0].value"),
    ],
)
def test_absurd_figure_values_are_validation_errors(
    write_store: Callable[..., Path], value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MINIMAL.replace(
        "figures: []",
        "figures:\n  - {id: f1, metric: trade_turnover, period: 2021, value: "
        + value
        + ", unit: USD, source: s1, quote: began his two-day visit}",
    )
    path = write_store(text)
    assert main(["validate", "--events", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("date", ["٢٠٢١-05-19", "２０２１", "2021-０５"])
def test_edtf_accepts_ascii_digits_only(write_store: Callable[..., Path], date: str) -> None:
    path = write_store(MINIMAL.replace("date: 2021-05-19/2021-05-20", f"date: '{date}'"))
    with pytest.raises(StoreError) as caught:
        loader.load(path)
    assert any("events[0].date" in str(p) for p in caught.value.problems)


@pytest.mark.parametrize(
    ("char", "expected"),
    [("\u2028", "\n"), ("\u2029", "\n"), ("\u200b", ""), ("\ufeff", ""), ("\U000e0041", ""), ("\U000e007f", "")],
)
def test_invisible_and_line_breaking_characters_are_normalised(
    write_store: Callable[..., Path], char: str, expected: str
) -> None:
    escaped = char.encode("unicode_escape").decode("ascii")
    path = write_store(MINIMAL.replace("title: Tokayev visits Dushanbe", f'title: "Tokayev{escaped} visits"'))
    title = loader.load(path).events[0].title
    assert title == f"Tokayev{expected} visits"


def test_figure_values_stay_finite_numbers(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace(
        "figures: []",
        "figures:\n  - {id: f1, metric: trade_turnover, period: 2021, value: 123456789012, unit: USD,"
        " source: s1, quote: began his two-day visit}",
    )
    value = loader.load(write_store(text)).figures[0].value
    assert math.isfinite(value) and value == 123456789012


def test_quote_with_a_typo_suggests_the_passage(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(
        MINIMAL.replace("began his two-day visit to Dushanbe May 19", "began his two-day vsit to Dushanbe May 19")
    )
    assert main(["validate", "--events", str(path)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "quote not found" in line and "closest passage" in line and "two-day visit to Dushanbe" in line


_UTF8_PIECES = [b"a", b"\n", "é".encode(), "Ж".encode(), "€".encode(), "😀".encode()]
_NOT_UTF8 = [b"\xff", b"\xc3", b"\xa9", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xf0\x9f"]


@settings(max_examples=400, deadline=None)
@example([b"\xc3", b"a", b"\xa9"], 1)  # a sequence cut by a piece, then ASCII, then the rest of it: not UTF-8
@example([b"a" * 3, "€".encode()], 2)  # one character cut across two pieces: UTF-8
@given(st.lists(st.sampled_from(_UTF8_PIECES + _NOT_UTF8), max_size=16), st.sampled_from([1, 2, 3, 5, 1 << 20]))
def test_the_utf8_check_in_pieces_agrees_with_decoding_the_whole(parts: list[bytes], piece: int) -> None:
    data = b"".join(parts)
    try:
        data.decode("utf-8")
        expected = None
    except UnicodeDecodeError as error:
        expected = error.start
    try:
        yamlparse.check_utf8(data, "store.yaml", piece=piece)
        found = None
    except StoreError as error:
        [problem] = error.problems
        found = problem.message
    assert (found is None) == (expected is None)
    if expected is not None:
        assert found == f"not UTF-8: byte 0x{data[expected]:02x} cannot be decoded"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("\\x1b[31mred\\x07", "file name has control or invisible characters: seeds/a\\x1b[31mred\\x07.txt"),
        ("\\u202eb", "file name has control or invisible characters: seeds/a\\u202eb.txt"),
        ("\\u200b", "file name has control or invisible characters: seeds/a\\u200b.txt"),
        ("e\\u0301", "file name is not in Unicode NFC form: write it as seeds/a\u00e9.txt"),
    ],
)
def test_a_file_name_that_cleaning_would_change_is_refused_as_written(
    write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str], written: str, message: str
) -> None:
    # Text loses such characters as it is read; a file name that did would quietly name another file.
    line = next(line for line in MINIMAL.splitlines() if line.strip().startswith("file:"))
    path = write_store(MINIMAL.replace(line, line.split("file:")[0] + f'file: "seeds/a{written}.txt"'))
    assert main(["validate", "--events", str(path)]) == 2
    [shown] = capsys.readouterr().err.splitlines()
    assert shown.endswith(f": {message}") and shown.startswith(f"{path}:")
