"""The EDTF subset parser: labels, bounds, errors, and agreement with the reference ``edtf`` package."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kztj_tui import edtf


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("1993-01-07", "1993-01-07", "1993-01-07", "7 Jan 1993"),
        ("1993-06", "1993-06-01", "1993-06-30", "Jun 1993"),
        ("2015", "2015-01-01", "2015-12-31", "2015"),
        ("2021-05-19/2021-05-20", "2021-05-19", "2021-05-20", "19–20 May 2021"),
        ("2023~", "2023-01-01", "2023-12-31", "c. 2023"),
        ("2023-08-25?", "2023-08-25", "2023-08-25", "25 Aug 2023?"),
        ("2018/2020", "2018-01-01", "2020-12-31", "2018–2020"),
        ("2023-01/2023-06", "2023-01-01", "2023-06-30", "Jan–Jun 2023"),
        ("2024-02", "2024-02-01", "2024-02-29", "Feb 2024"),
        ("199X", "1990-01-01", "1999-12-31", "1990s"),
        ("2021-12-30/2022-01-02", "2021-12-30", "2022-01-02", "30 Dec 2021 – 2 Jan 2022"),
    ],
)
def test_bounds_and_labels(text: str, start: str, end: str, label: str) -> None:
    when = edtf.parse(text)
    assert (when.start.isoformat(), when.end.isoformat(), when.label()) == (start, end, label)


def test_yaml_native_values_are_accepted() -> None:
    assert edtf.parse(dt.date(1993, 1, 7)).text == "1993-01-07"
    assert edtf.parse(2015).text == "2015"


@pytest.mark.parametrize("bad", ["banana", "2021-13", "2021-02-30", "2023-21", "2022/2021", "../2020", True, 3.5, ""])
def test_rejects_invalid(bad: object) -> None:
    with pytest.raises(edtf.EdtfError):
        edtf.parse(bad)  # type: ignore[arg-type]


_points = st.builds(
    lambda y, m, d, q, precision: (
        f"{y:04d}" + (f"-{m:02d}" if precision >= 1 else "") + (f"-{d:02d}" if precision >= 2 else "") + q
    ),
    st.integers(1000, 2100),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from(["", "?", "~", "%"]),
    st.integers(0, 2),
)


@settings(max_examples=60, deadline=None)
@given(first=_points, last=_points | st.sampled_from(["..", ""]), interval=st.booleans())
def test_agrees_with_reference_edtf_package(first: str, last: str, interval: bool) -> None:
    from edtf import parse_edtf, struct_time_to_date

    text = f"{first}/{last}" if interval else first
    try:
        ours = edtf.parse(text)
    except edtf.EdtfError:
        # We reject only intervals that end before they start.
        assert interval
        return
    reference = parse_edtf(text)
    assert struct_time_to_date(reference.lower_strict()) == ours.start
    if interval and last == "..":
        assert reference.upper_strict() == float("inf") and ours.end == dt.date.max  # open: no last day
    elif interval and last == "":
        # Unknown end: the reference guesses ten years on; kztj does not guess, any later day may be the end.
        assert ours.start < struct_time_to_date(reference.upper_strict()) < ours.end == dt.date.max
    else:
        assert struct_time_to_date(reference.upper_strict()) == ours.end


@pytest.mark.parametrize(
    ("text", "label", "long", "kind"),
    [
        ("1993-06/..", "since Jun 1993", "since June 1993", "open"),
        ("1993-06-07~/..", "since c. 7 Jun 1993", "since c. 7 June 1993", "open"),
        ("2023/", "2023 – unknown", "from 2023 to an unknown date", "unknown"),
        ("2023?/", "2023? – unknown", "from 2023? to an unknown date", "unknown"),
        ("2018/2020", "2018–2020", "2018–2020", ""),
    ],
)
def test_open_and_unknown_ends(text: str, label: str, long: str, kind: str) -> None:
    when = edtf.parse(text)
    assert (when.label(), when.label(long=True), when.open_end) == (label, long, kind)
    assert when.start == edtf.parse(text.split("/")[0]).start
    assert when.end == (dt.date.max if kind else dt.date(2020, 12, 31))
    assert edtf.bound(text, "to") == when.end


@pytest.mark.parametrize("text", ["../2020", "/2020", "/", "../..", "..//"])
def test_open_or_unknown_starts_are_refused(text: str) -> None:
    with pytest.raises(edtf.EdtfError, match="an interval needs a known start"):
        edtf.parse(text)


@pytest.mark.parametrize("text", ["2023/../..", "2023/..?", "2023//", "2023/...", "2023/.", "..", "2023/ "])
def test_malformed_open_ends_are_refused(text: str) -> None:
    with pytest.raises(edtf.EdtfError):
        edtf.parse(text)
