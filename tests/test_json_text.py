"""The command line's indented JSON is json.dumps's, character for character, whatever the data."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kztj_tui.console import indented_json, json_text

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and the infinities included: json writes them its own way
    st.text(),  # every character: controls, surrogates, quotes, backslashes, non-ASCII
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        # Keys json turns into text itself: left to json.dumps, which writes them so.
        st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none()), inner, max_size=2),
    ),
    max_leaves=25,
)


@settings(max_examples=1500)
@given(DATA)
def test_indented_json_is_json_dumps(data: object) -> None:
    assert indented_json(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_what_json_cannot_write_fails_as_json_fails() -> None:
    for data in ({"when": object()}, [1, {2, 3}]):
        try:
            json.dumps(data, ensure_ascii=False, indent=2)
        except TypeError as expected:
            try:
                indented_json(data)
            except TypeError as error:
                assert str(error) == str(expected)
            else:
                raise AssertionError(f"{data!r} was written")


def test_the_printed_json_still_escapes_what_a_terminal_would_act_on() -> None:
    text = json_text([{"title": "a\x1b]52;c;evil\x07b\u202e", "n": math.pi}])
    assert "\x1b" not in text and "\u202e" not in text and json.loads(text)[0]["title"] == "a\x1b]52;c;evil\x07b\u202e"
