"""The exports' fast paths write exactly what the plain code they replace writes, for any text.

The golden files cover the bundled store's words; these cover the characters a fast path tests
for (whitespace of every kind, quotes, backslashes, multi-byte characters at a fold).
"""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kztj_tui.export import csvfmt, ics, jsonfmt, timelinejs
from kztj_tui.export.common import one_line
from kztj_tui.store import Store

# Text rich in what the fast paths look for: every kind of whitespace, CSV and iCalendar syntax,
# backslashes and characters of two, three and four UTF-8 bytes.
TRICKY = st.text(
    st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\\,;\"'=+-@aZ0é€𝄞")) | st.characters(),
    max_size=200,
)


@settings(max_examples=500, deadline=None)
@given(TRICKY)
def test_one_line_folds_as_splitting_and_joining_does(text: str) -> None:
    assert one_line(text) == " ".join(text.split())


def test_every_whitespace_character_but_the_space_is_unprintable() -> None:
    # one_line's fast path rests on this: printable text holds no whitespace but spaces.
    assert [c for c in map(chr, range(0x110000)) if c.isspace() and c.isprintable()] == [" "]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(TRICKY, min_size=2, max_size=5), max_size=4))
def test_a_csv_block_is_what_csv_writer_writes(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    assert csvfmt._block(rows) == buffer.getvalue()


def _plain_fold(line: str) -> str:
    """iCalendar folding as first written: byte by byte, each part decoded on its own."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts = []
    start = 0
    limit = 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        backslashes = 0
        while end - backslashes > start and data[end - backslashes - 1] == 0x5C:
            backslashes += 1
        if backslashes % 2 and end < len(data):
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
        limit = 74
    return "\r\n ".join(parts) + "\r\n"


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab \\,é€𝄞")), min_size=30, max_size=400))
def test_ics_folding_is_the_plain_folding(line: str) -> None:
    assert ics.fold(line) == _plain_fold(line)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(list("ab \\,;")), min_size=70, max_size=400))
def test_ics_folding_of_ascii_is_the_plain_folding(line: str) -> None:
    assert ics.fold(line) == _plain_fold(line)


def test_a_slide_written_as_text_is_the_slide_encoded(store: Store) -> None:
    writer = timelinejs.SlideWriter(store)
    events = list(store.iter_events())
    assert events
    for event in events:
        assert writer.slide(event) == json.dumps(timelinejs.slide(store, event), ensure_ascii=False)


def test_an_event_written_as_json_text_is_the_event_encoded(store: Store) -> None:
    writer = jsonfmt.EventText()
    events = list(store.iter_events())
    ids = [event.id for event in events]
    assert events
    for event in events:
        assert writer.text(event) == json.dumps(jsonfmt.event_json(event), ensure_ascii=False)
        # Related events the export leaves out are dropped, as event_json drops them.
        keep = ids[::2].__contains__
        assert writer.text(event, keep) == json.dumps(jsonfmt.event_json(event, keep), ensure_ascii=False)
        notes = {ids[0]: "a note, with “quotes”\nand a line"}
        with_note = jsonfmt._with_note(jsonfmt.event_json(event), notes)
        assert writer.text(event, None, jsonfmt._note(event, notes)) == json.dumps(with_note, ensure_ascii=False)
