"""kztj and its published JSON Schema (events.schema.json) accept exactly the same dates."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kztj_tui import cli, edtf

from .conftest import REPO

_SCHEMA = json.loads((REPO / "events.schema.json").read_text(encoding="utf-8"))
# Every date of the store (an event's date, a figure's period, a source's published) is this one definition.
_DATE_SCHEMA = _SCHEMA["$defs"]["EventModel"]["properties"]["date"]
_VALIDATOR = jsonschema.Draft202012Validator(_DATE_SCHEMA)


def schema_accepts(value: Any) -> bool:
    return _VALIDATOR.is_valid(value)


def kztj_accepts(value: Any) -> bool:
    try:
        edtf.parse(value)
    except edtf.EdtfError:
        return False
    return True


def test_every_date_definition_in_the_schema_is_the_same() -> None:
    defs = _SCHEMA["$defs"]
    found = [defs["FigureModel"]["properties"]["period"], defs["SourceModel"]["properties"]["published"], _DATE_SCHEMA]
    assert all(schema["anyOf"] == _DATE_SCHEMA["anyOf"] for schema in found)


def test_the_pattern_has_a_short_error_message_for_editors() -> None:
    strings = [branch for branch in _DATE_SCHEMA["anyOf"] if branch.get("type") == "string"]
    assert strings == [
        {"type": "string", "pattern": edtf.DATE_PATTERN, "patternErrorMessage": "not an EDTF date kztj reads"}
    ]


# Pieces of dates and of what people put near them: digits, separators, qualifiers, X, spaces (NBSP and
# a final newline too), times of day, underscores and non-ASCII digits.
_PIECES = st.sampled_from(
    [
        *"0123456789",
        "-",
        "/",
        "..",
        "X",
        "XX",
        "?",
        "~",
        "%",
        " ",
        "\u00a0",
        "\n",
        "\t",
        "T",
        ":",
        "_",
        "Z",
        "+",
        "\u0663",
        "1993",
        "2023",
        "0000",
        "9999",
        "-02-29",
        "-12-31",
        "-06",
        "-21",
        "-XX",
        " 10:00:00",
        "T23:30:00-05:00",
    ]
)
_TEXT = st.lists(_PIECES, max_size=8).map("".join)
_VALID_POINT = st.builds(
    lambda y, m, d, precision, q: (
        f"{y:04d}" + (f"-{m:02d}" if precision else "") + (f"-{d:02d}" if precision > 1 else "") + q
    ),
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 2),
    st.sampled_from(["", "?", "~", "%", "X"]),
)
_NEAR_DATES = st.one_of(
    _VALID_POINT,
    st.builds(lambda a, b: f"{a}/{b}", _VALID_POINT, _VALID_POINT),
    # Open and unknown ends (1993-06/.., 2023/), and the starts kztj refuses (../2020, /2020).
    st.builds(lambda a, b: f"{a}/{b}", _VALID_POINT, st.sampled_from(["..", "", ".", "...", "../.."])),
    st.builds(lambda a, b: f"{a}/{b}", st.sampled_from(["..", "", "."]), _VALID_POINT),
    st.builds(lambda a, b: a + b, _VALID_POINT, _TEXT),
    st.builds(lambda a, b: a + b, _TEXT, _VALID_POINT),
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_TEXT, _NEAR_DATES, st.text(max_size=12)))
@example("0000-02-29")  # a leap day of year 0000: the schema accepted it, kztj does not support year 0000
@example("2000-02-29")
@example("1900-02-29")
def test_kztj_and_the_schema_agree_on_every_string(text: str) -> None:
    if schema_accepts(text) and not kztj_accepts(text):
        # The one rule a pattern cannot state: an interval may not end before it starts.
        first, _, last = text.partition("/")
        assert edtf.parse(last).end < edtf.parse(first).start, text
    else:
        assert kztj_accepts(text) == schema_accepts(text), text


@settings(max_examples=300, deadline=None)
@given(st.integers(-20_000, 20_000))
def test_kztj_and_the_schema_agree_on_every_integer(year: int) -> None:
    assert kztj_accepts(year) == schema_accepts(year), year


@pytest.mark.parametrize(
    "text",
    ["2023 ", " 2023", "2023\u00a0", "2023\n", "000X", "00XX", "1993-01-07 10:00:00", "2023-05-04T23:30:00-05:00"],
)
def test_named_strings_are_refused_by_both(text: str) -> None:
    assert not kztj_accepts(text) and not schema_accepts(text)


STORE = """\
sources:
  - id: s1
    file: seeds/001_e76ff33dc96d9a90.txt
    outlet: Test outlet
    published: 2021-05-20
    description: Test article
events:
  - id: visit
    date: {date}
    title: Tokayev visits Dushanbe
    summary: A two-day visit.
    tags: [diplomacy]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
"""


@pytest.mark.parametrize(
    "written",
    [
        "1993-01-07 10:00:00",
        "1993-01-07T10:00:00",
        "2023-05-04T23:30:00-05:00",
        "2023-05-04t23:30:00Z",
        "1993-1-7",
        "1_993",
        "0x7C9",  # the one an editor takes (YAML 1.2 reads the integer 1993): kztj wants the year as written
        "33:13",
        '"2023 "',
        '"2023\\u00a0"',
        '" 2023"',
        '"2023\\n"',
        "'000X'",
    ],
)
def test_the_loader_refuses_what_the_schema_refuses_with_one_line(
    written: str, write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(STORE.format(date=written))
    assert cli.main(["--events", str(path), "validate", "--no-cache"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert re.match(rf"{re.escape(str(path))}:9:11: events\[0\]\.date: .+", err[0]), err


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1993-01-07", "1993-01-07"),
        ("1993", "1993"),
        ('"1993-01?"', "1993-01?"),
        ("0999-05-01", "0999-05-01"),
        ("0777", "0777"),  # YAML 1.1 reads octal 511; YAML 1.2 and kztj the year 777
    ],
)
def test_the_loader_keeps_dates_as_written(
    written: str, stored: str, write_store: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_store(STORE.format(date=written))
    assert cli.main(["--events", str(path), "export", "--format", "json", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["events"][0]["date"] == stored
