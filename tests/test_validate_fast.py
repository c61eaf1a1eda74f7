"""The validator's own check of plainly valid events accepts only what pydantic accepts, with the same values.

``EventChecker`` checks a store item that is exactly what ``EventModel`` asks for without pydantic
(half a second of a cold load at 100,000 events) and leaves every other item to pydantic, which
words the problems. These tests run items of every shape through both ways and compare.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kztj_tui import loader
from kztj_tui.validate import EventChecker

from .conftest import BUNDLED

VALID: dict[str, Any] = {
    "id": "talks-1993",
    "date": "1993-05",
    "title": "Talks",
    "summary": "They met.",
    "tags": ["trade", "water-2"],
    "actors": ["kazakhstan", "uzbekistan"],
    "place": "almaty",
    "status": "occurred",
    "sources": [{"source": "s1", "quote": "They met"}, {"source": "s.2_x", "quote": "met"}],
    "related": ["other.event"],
}

ODD_VALUES: list[Any] = [
    None, True, 0, 1993, 1.5, "", " ", "x", "a" * 60, "a" * 61, "a" * 200, "a" * 201, "t" * 500, "t" * 501,
    "s" * 20_000, "s" * 20_001, "Bad", "bad id", "bad\n", "-bad", ".bad", "ok-id", "ok.id_9", "é", "1993",
    "1993-05-07", "1993-13", "1993/..", "1993/1992", "1993~", "1993-05-07 10:00:00", " 1993", "occurred",
    "planned", "target", "Occurred", datetime.date(1993, 5, 7), [], [""], ["trade"], ["Trade"], ["a" * 61],
    [1], [None], ["ok", "ok"], ("trade",), {"source": "s1", "quote": "q"}, [{"source": "s1", "quote": "q"}],
    [{"source": "s1"}], [{"source": "s1", "quote": "q", "extra": 1}], [{"source": "Bad", "quote": "q"}],
    [{"source": "s1", "quote": ""}], [{"source": "s1", "quote": 5}], ["s1"], {}, {"a": 1},
]  # fmt: skip


def pydantic_only(raw: Any) -> tuple[Any, list[Any]]:
    checker = EventChecker()
    checker._plainly_valid = lambda raw: None  # type: ignore[method-assign]
    return checker(3, copy.deepcopy(raw)), checker.found


def both_ways(raw: Any) -> None:
    checker = EventChecker()
    fast = checker._plainly_valid(copy.deepcopy(raw))
    result = checker(3, copy.deepcopy(raw))
    expected, expected_found = pydantic_only(raw)
    assert result == expected and type(result) is type(expected)
    assert checker.found == expected_found
    if fast is not None:  # only ever what pydantic accepts, as the same Event
        assert not expected_found and fast == expected and type(fast) is type(expected)
        assert [type(c) for c in fast.sources] == [type(c) for c in expected.sources]


def test_a_plainly_valid_event_is_checked_without_pydantic() -> None:
    # Otherwise the comparisons below would only ever compare pydantic with itself.
    assert EventChecker()._plainly_valid(copy.deepcopy(VALID)) is not None
    both_ways(VALID)


@pytest.mark.parametrize("key", sorted(VALID))
def test_every_key_left_out_or_given_an_odd_value(key: str) -> None:
    without = {k: v for k, v in VALID.items() if k != key}
    both_ways(without)
    for value in ODD_VALUES:
        both_ways({**VALID, key: value})
        if key in ("tags", "actors", "related"):
            both_ways({**VALID, key: [*VALID[key], value]})
        if key == "sources":
            for field in ("source", "quote"):
                both_ways({**VALID, key: [{**VALID[key][0], field: value}]})


def test_unknown_keys_and_items_that_are_not_mappings() -> None:
    both_ways({**VALID, "note": "x"})
    both_ways({**VALID, 5: "x"})
    for item in (None, "text", 5, [], [VALID], {}):
        both_ways(item)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*VALID, "extra"]),
        st.one_of(
            st.sampled_from(ODD_VALUES),
            st.text(max_size=8),
            st.lists(st.one_of(st.text(alphabet="ab-._9Z \n", max_size=4), st.integers()), max_size=3),
        ),
    )
)
def test_generated_changes_of_a_valid_event(changes: dict[str, Any]) -> None:
    both_ways({**VALID, **changes})


def test_the_bundled_store_loads_to_the_same_events() -> None:
    plain = loader.load(BUNDLED)
    checker_call = EventChecker.__call__

    def slow(self: EventChecker, index: int, raw: Any) -> Any:
        self._plainly_valid = lambda raw: None  # type: ignore[method-assign]
        return checker_call(self, index, raw)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EventChecker, "__call__", slow)
        reference = loader.load(BUNDLED)
    assert plain.events == reference.events


def test_one_checker_over_many_items_remembers_only_what_it_found_valid() -> None:
    # A checker remembers the ids, tags, dates and citations it found valid; items after them must be
    # judged as a fresh checker judges them (a tag is not an id, an id with a dot is not a tag).
    items: list[Any] = [VALID]
    for key in sorted(VALID):
        items += [{**VALID, key: value} for value in ODD_VALUES]
    items += [{**VALID, "tags": ["other.event"]}, {**VALID, "actors": ["water-2", "trade"]}, VALID]
    fast, slow = EventChecker(), EventChecker()
    slow._plainly_valid = lambda raw: None  # type: ignore[method-assign]
    for index, item in enumerate(items):
        assert fast(index, copy.deepcopy(item)) == slow(index, copy.deepcopy(item)), item
    assert fast.found == slow.found
