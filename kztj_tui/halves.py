"""Parse a large store in two processes: cut at an item of the events list, each part read by libyaml.

libyaml reads one character after another, so on a machine with two cores a large store is cut
in two at the line of an ``events`` item: this process parses the first part (the head and the
first items) while a forked child parses ``events:`` followed by the rest, and sends its data
back. The two results are joined only when they are provably what one parse of the whole file
gives, which holds when all of these do:

- libyaml read each part to its end with no problem at all. A cut inside a quoted scalar or a
  flow collection leaves the first part unterminated, which is an error; a cut line starts at
  the items' column, which ends any plain or block scalar of an item (their lines are indented
  further) and cannot continue anything else.
- The first part is a mapping with an ``events`` list whose items start exactly on the lines of
  ``-`` at one column and which runs to the cut: so the cut lies in that list, and no other key
  and no ``...`` (the end of the document: in the whole file an item follows it) comes after it.
  The second part's list starts at the cut, with its items at the same column.
- The parts share no other top-level key (a key given twice must be reported).
- libyaml counted as many lines in the first part as it has LFs (it also counts CR, NEL, LS
  and PS as line breaks, which would shift every line of the second part). A ``---`` or a
  second ``events`` key in either part is a problem of that part.

Anything else, including any problem in either part, returns None: the caller parses the whole
file in one process, which reports every problem exactly where it is. The differential tests in
``tests/test_halves.py`` cut stores at fifteen places each, and where a cut could go wrong, and
compare with one parse.
"""

from __future__ import annotations

import pickle
import re
from typing import Any, BinaryIO, NamedTuple

from . import forking, layout, yamlparse
from .errors import Progress, StoreError
from .validate import EventChecker

# Below this, a second process costs more than it saves (a fork, and pickling half the events).
MIN_BYTES = 8 << 20
# The child also pickles its part, so this process takes a little more than half.
FIRST_SHARE = 0.53
_HEADER = b"events:\n"
# The first item right after the "events:" line (no comment or blank line between: keep it simple).
_FIRST_ITEM = re.compile(rb"( *)-(?: |\n)")


class Parsed(NamedTuple):
    """The whole file's data, the checker that validated its events, the events list's outline and layout."""

    data: Any
    checker: EventChecker
    outline: list[int]
    layout: layout.Layout
    """What ``layout.of_store`` gives for the whole file, each part's share worked out by its process."""


class _Part(NamedTuple):
    """One part as parsed: its data, the outline of its events list, and its layout."""

    data: dict[str, Any]
    outline: list[int]
    layout: layout.Layout


def parse(
    data: bytes,
    shown: str,
    progress: Progress | None = None,
    *,
    fork: bool,
    min_bytes: int = MIN_BYTES,
    first_share: float = FIRST_SHARE,
) -> Parsed | None:
    """The store parsed in two processes, or None if it cannot be (see the module's docstring).

    ``fork`` is the caller's decision that a child may be forked (see forking.py); without it, None.
    """
    if not fork or len(data) < min_bytes:
        return None
    cut = cut_point(data, first_share)
    if cut is None:
        return None
    offset, column, cut_line = cut

    def parse_the_rest(sink: BinaryIO) -> None:
        rest = _part(_HEADER + data[offset:], shown, None, EventChecker(), column)
        # Written as it is pickled: the whole pickle at once was another 23 MB at 100,000 events.
        pickle.dump(rest, sink, protocol=pickle.HIGHEST_PROTOCOL)

    with forking.start(parse_the_rest) as child:  # stopped on leaving unless waited for
        checker = EventChecker()
        first = _part(data[:offset], shown, progress, checker, column)
        if first is None:
            return None  # the whole file is parsed next: the child's part is of no use
        try:
            # Our own child's bytes, through our own pipe, unpickled as they come instead of read whole first.
            rest = pickle.load(child.stream)
        except (EOFError, pickle.UnpicklingError):
            rest = None  # the child stopped before it had sent everything: its status says why
        if not child.wait() or rest is None:
            return None
        return _joined(first, rest, checker, cut_line)


def cut_point(data: bytes, first_share: float) -> tuple[int, int, int] | None:
    """Where to cut: an item's line near ``first_share`` of the file, as (byte offset, column, 0-based line).

    Only a guess: whether the file may be cut there is proven by parsing the parts.
    """
    if data.startswith(_HEADER):
        key = 0
    else:
        line_before = data.find(b"\n" + _HEADER)
        if line_before < 0:
            return None
        key = line_before + 1
    first_item = _FIRST_ITEM.match(data, key + len(_HEADER))
    if first_item is None:
        return None
    column = len(first_item[1])
    target = max(first_item.end(), int(len(data) * first_share))
    found = layout.item_starts(data, column, data.rfind(b"\n", 0, target) + 1, 1)
    if not found:
        return None
    line, offset = found[0]
    return offset, column, line


def _part(
    text: bytes,
    shown: str,
    progress: Progress | None,
    checker: EventChecker,
    column: int,
) -> _Part | None:
    """One part parsed and checked; None unless its events list is laid out as the cut needs."""
    outline: list[int] = []
    try:
        parsed = yamlparse.parse(text, shown, progress, on_event=checker, outline=outline)
    except StoreError:
        return None
    if checker.found or not isinstance(parsed, dict) or not isinstance(parsed.get("events"), list):
        return None
    found = layout.of_store(text, outline)
    if found is None or found.column != column:
        return None
    return _Part(parsed, outline, found)


def _joined(first: _Part, rest: _Part, checker: EventChecker, cut_line: int) -> Parsed | None:
    """The two parts as one file's data; None if they share a top-level key."""
    if first.outline[-1] != cut_line:
        # The list ends before the cut (a key or a "..." follows it), or libyaml counted a line
        # break other than LF in the first part (CR, NEL, LS or PS).
        return None
    head, tail = first.data, rest.data
    events = head["events"] + tail.pop("events")
    if set(head) & set(tail):
        return None
    joined = {**head, "events": events, **tail}
    # The second part's line 0 is the added "events:"; its line 1 is the cut line.
    outline = first.outline[:-1] + [line - 1 + cut_line for line in rest.outline]
    # The first part's list runs to its end, so its last chunk ends at the cut, where the second
    # part's first begins; the second part's head is the added "events:" line.
    one, two = first.layout, rest.layout
    joined_layout = layout.Layout(
        one.column, one.head_size, one.head, two.tail_size, two.tail, one.sizes + two.sizes, one.digests + two.digests
    )
    return Parsed(joined, checker, outline, joined_layout)
