"""``kztj search`` on a terminal: the table byte for byte as it was drawn before it was made cheap (golden
files written by the code before issue 22's change; a zero-width joiner's row since as a terminal draws it, see
kztj_tui/cells.py), and the terminal's width and colour found as rich finds them."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kztj_tui.cache import open_store
from kztj_tui.model import Filters
from kztj_tui.query import parse
from kztj_tui.store import Store

from .conftest import BUNDLED, write_generated_store

GOLDEN = Path(__file__).parent / "golden"

# Text the fast paths must not get wrong: wide characters, one-cell non-ASCII letters and punctuation,
# combining marks, tabs and newlines (escaped, highlights dropped), a zero-width joiner, a match at the
# very end, an event found by its actor's name alone (no word to highlight) and interval labels.
ODD = """\
sources:
  - id: s1
    file: seeds/001_e76ff33dc96d9a90.txt
    outlet: Test outlet
    published: 2021-05-20
    description: Test article
entities:
  - {id: tokayev, name: Kassym-Jomart Tokayev, kind: person, aliases: [Tokaev, Токаев]}
  - {id: dushanbe, name: Dushanbe, kind: city, aliases: [Душанбе]}
events:
  - id: wide
    date: 2021-05-19/2021-05-20
    title: Rogun 漢字漢字 dam visit, a long title that needs cutting somewhere past the middle
    summary: 漢字漢字漢字漢字漢字漢字 then the Rogun dam, and 漢字漢字漢字漢字漢字漢字漢字漢字 after it
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: tabs
    date: 2021-05
    title: "Tab\\there Rogun"
    summary: "Line one\\nRogun line two, and more words after the break to fill a window"
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: narrow
    date: 2021-06-01
    title: Émigré Rogun – “quoted” … ’s
    summary: Рогун Rogun Ünïcödé «text» — with a dash, and a long tail of words to cut at some width or other
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: combining
    date: 2021/2022
    title: Cafe\u0301 Rogun
    summary: Cafe\u0301 Rogun with a combining accent, then more words to go past the window
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: title-only
    date: 2020-01-01/..
    title: Rogun in the title alone
    summary: Nothing here matches the word at all, and this summary is long enough to be cut short.
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: at-the-end
    date: 2019-03-02
    title: A plain title
    summary: A long summary whose one match comes at the very end of it, after many words, Rogun
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: joiner
    date: 2019-03-03
    title: Zero\u200dwidth Rogun
    summary: Zero\u200dwidth Rogun joiner
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
  - id: by-name
    date: 2018-07-07
    title: A meeting in the capital
    summary: Nobody is named in this text.
    actors: [tokayev]
    place: dushanbe
    status: occurred
    tags: [diplomacy]
    sources: [{source: s1, quote: began his two-day visit to Dushanbe May 19}]
figures: []
"""

CASES = [
    ("rogun", (24, 60, 100, 160)),
    ("rog*", (60, 130)),
    ('"rogun dam"', (80,)),
    ("rogun OR line", (90,)),
    ("tokayev", (70,)),
    ("dushanbe -rogun", (70,)),
    ("trade", (50, 120)),
    ("emb*", (90,)),
    ("water OR energy", (100,)),
    ("commodity", (120,)),
    ("zircon", (75,)),
]


# On a generated store: a word in every event, one in some, a prefix.
GENERATED_CASES = [("kazakhstan", (100,)), ("commodity", (64,)), ("d*", (140,))]


def render(store: Store, cases: list[tuple[str, tuple[int, ...]]] = CASES) -> str:
    """The table for every case, in colour and not, with the count write_table returns."""
    from kztj_tui.searchview import write_table

    parts = []
    for text, widths in cases:
        query = parse(text)
        for width in widths:
            for colour in (True, False):
                out = io.StringIO()
                batches = store.search_rowids(Filters(query=text), query=query)
                shown = write_table(store, query, batches, out, width, colour)
                parts.append(f"### {text!r} width {width} colour {colour}: {shown}\n{out.getvalue()}")
    return "".join(parts)


def check_golden(name: str, text: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert text == expected


def test_the_table_is_what_it_was_on_the_bundled_store() -> None:
    check_golden("search-table-bundled.txt", render(open_store(BUNDLED, use_cache=False)))


def test_the_table_is_what_it_was_on_odd_text(write_store: Callable[[str], Path]) -> None:
    check_golden("search-table-odd.txt", render(open_store(write_store(ODD), use_cache=False)))


def test_the_table_is_what_it_was_on_a_generated_store(tmp_path: Path) -> None:
    store = open_store(write_generated_store(tmp_path / "events.yaml", 200), use_cache=False)
    check_golden("search-table-generated.txt", render(store, GENERATED_CASES))


def test_a_very_wide_terminal_costs_memory_in_proportion_to_its_width() -> None:
    # A hostile tester's find: a padding table of every width up to the column's, O(width²): 545 MB at
    # 65,535 columns (a real terminal's largest), 13 GB and no output at COLUMNS=400000.
    import tracemalloc

    from kztj_tui.searchview import write_table

    store = open_store(BUNDLED, use_cache=False)
    query = parse("trade")
    width = 30_000
    out = io.StringIO()
    tracemalloc.start()
    try:
        shown = write_table(store, query, store.search_rowids(None, query=query), out, width, True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    lines = out.getvalue().splitlines()
    assert shown == 24 and max(len(line) for line in lines) > width  # every row padded to the terminal's width
    assert peak < 40 * width * 24  # a few copies of each row, not a pad of every width (450 MB here)


def test_highlighted_cards_are_cards_with_their_highlights(tmp_path: Path) -> None:
    store = open_store(write_generated_store(tmp_path / "events.yaml", 400), use_cache=False)
    for text in ("commodity", "trade OR rogun", "dushanbe", "d*"):
        query = parse(text)
        rowids = store.search(Filters(query=text), query=query).rowids
        for batch in (rowids, rowids[::7], rowids[:3]):  # neighbours, scattered, few
            highlights = store.highlights(query, batch)
            expected = [
                (label, event_id, title, summary, *highlights.get(rowid, ([], [])))
                for rowid, label, event_id, title, summary in store.cards(batch)
            ]
            assert store.highlighted_cards(query, batch) == expected


def test_narrow_characters_take_one_cell_and_need_no_escape() -> None:
    from kztj_tui.cells import cell_len
    from kztj_tui.searchview import _NARROW
    from kztj_tui.text import visible

    narrow = [chr(code) for code in range(0x30000) if _NARROW.line.fullmatch(chr(code))]
    assert len(narrow) > 500
    assert [c for c in narrow if cell_len(c) != 1 or visible(c) != c] == []
    assert (
        not _NARROW.line.fullmatch("e\u0301")
        and not _NARROW.line.fullmatch("漢")
        and not _NARROW.line.fullmatch("a\tb")
    )


ENVIRONMENTS = [
    {},
    {"COLUMNS": "77"},
    {"COLUMNS": "77", "LINES": "20"},
    {"COLUMNS": "0"},
    {"COLUMNS": "wide"},
    {"TERM": "dumb"},
    {"TERM": "Unknown", "COLUMNS": "66"},
    {"TERM": "dumb", "COLUMNS": "66", "LINES": "10"},
    {"TERM": "xterm-256color"},
    {"TTY_COMPATIBLE": "0"},
    {"TTY_COMPATIBLE": "1", "TERM": "dumb"},
    {"FORCE_COLOR": ""},
    {"FORCE_COLOR": "1"},
    {"NO_COLOR": "1"},
]


@pytest.mark.parametrize("environ", ENVIRONMENTS)
@pytest.mark.parametrize("color", ["auto", "always", "never"])
@pytest.mark.parametrize("on_a_terminal", [True, False])
def test_the_terminal_is_what_rich_finds(environ: dict[str, str], color: str, on_a_terminal: bool) -> None:
    from rich.console import Console

    from kztj_tui.searchview import Terminal, terminal

    leader, follower = pty.openpty()
    try:
        with open(follower, "w", closefd=False) if on_a_terminal else io.StringIO() as out:
            found = terminal(color, out, environ)
            if color != "always" and not on_a_terminal:
                assert found is None  # piped lines
                return
            # What kztj did before: a Console as cli._console made it, its width and whether it has colour.
            options: dict[str, Any] = {"file": out, "highlight": False, "markup": False, "emoji": False}
            if color == "never":
                console = Console(**options, color_system=None, _environ=environ)
            elif color == "always":
                console = Console(**options, force_terminal=True, no_color=False, _environ=environ)
            else:
                console = Console(**options, _environ=environ)
            assert found == Terminal(console.width, console.color_system is not None)
    finally:
        os.close(leader)
        os.close(follower)


def test_the_table_on_a_terminal_imports_no_rich_console(tmp_path: Path) -> None:
    # rich's console cost ~30 ms of every search drawn on a terminal; text of narrow characters needs
    # no rich at all (the generated store's). --color always draws the table into the pipe.
    import subprocess
    import sys

    from .conftest import REPO

    store = write_generated_store(tmp_path / "events.yaml", 300)
    code = (
        "import sys, io, contextlib\nfrom kztj_tui import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    rc = cli.main(['search', '--events', {str(store)!r}, 'kazakhstan', '--color', 'always'])\n"
        "assert rc == 0, rc\n"
        "assert '\\x1b[7mkazakhstan' in out.getvalue().lower(), out.getvalue()[:300]\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'rich')\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_warm_table_of_plain_rows_imports_neither_re_nor_json_nor_typing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # re (and enum with it), json and typing were ~8 ms of the table's first row; rows of printable
    # ASCII need none of them. The store is read as if saved a few seconds ago, so its cache is warm.
    import subprocess
    import sys
    import threading
    import time

    from .conftest import REPO

    store = write_generated_store(tmp_path / "events.yaml", 300)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3)
    open_store(store, fork=False).close()
    code = (
        "import sys\nfrom kztj_tui.launch import main\n"
        f"sys.argv = ['kztj', 'search', '--events', {str(store)!r}, 'kazakhstan']\n"
        "try:\n    main()\nexcept SystemExit as done:\n    status = done.code\n"
        "sys.stdout.flush()\n"
        "heavy = ('re', 'enum', 'json', 'typing', 'argparse', 'kztj_tui.cli')\n"
        "print(status, sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    leader, follower = pty.openpty()
    drawn = bytearray()

    def drain() -> None:  # the table fills more than a terminal's buffer holds
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other side closed
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    environment = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], stdout=follower, stderr=subprocess.PIPE, cwd=REPO, env=environment, timeout=60
        )
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    assert result.stderr.decode().strip() == "0 []"
    assert b"Date" in drawn and drawn.lower().count(b"kazakhstan") >= 300


@pytest.mark.parametrize(
    "text", ["commodity", "d*", "trade OR rogun", "dushanbe", "zircon kazakhstan", "kazakhstan -trade"]
)
def test_highlighted_card_batches_are_each_batchs_highlighted_cards(tmp_path: Path, text: str) -> None:
    store = open_store(write_generated_store(tmp_path / "events.yaml", 400), use_cache=False)
    query = parse(text)
    rowids = store.search(Filters(query=text), query=query).rowids
    everything = store.search(Filters(), query=parse("")).rowids
    for batches in (
        [rowids[at : at + 7] for at in range(0, len(rowids), 7)],  # in order
        [rowids[at : at + 7][::-1] for at in range(0, len(rowids), 7)],  # out of order: each on its own
        [everything[:5], everything[200:203], everything[390:]],  # rows the terms may not match
        [[], rowids[:3], rowids[:3]],
    ):
        answered = list(store.highlighted_card_batches(query, iter(batches)))
        assert answered == [(batch, store.highlighted_cards(query, batch)) for batch in batches]


def test_the_table_reads_a_prefixs_highlights_in_one_query(tmp_path: Path) -> None:
    # FTS5 gathers the postings of every word a prefix starts ("d*") once a query: one query a batch took
    # 23 s for d* at 100,000 events, one query for the table 1.4 s.
    from kztj_tui.searchview import write_table

    store = open_store(write_generated_store(tmp_path / "events.yaml", 400), use_cache=False)
    query = parse("d*")
    batches = list(store.search_rowids(Filters(query="d*"), query=query))
    small = [batch[at : at + 10] for batch in batches for at in range(0, len(batch), 10)]
    assert len(small) > 30
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        assert write_table(store, query, small, io.StringIO(), 100, True) == sum(map(len, small))
    finally:
        store._conn.set_trace_callback(None)
    assert len([sql for sql in statements if "highlight(" in sql]) == 1


def test_scattered_rows_of_a_prefix_are_highlighted_in_one_pass_over_its_postings(tmp_path: Path) -> None:
    # "f.rowid IN (...)" makes FTS5 gather a prefix's postings once a rowid (d* --limit 300 at 100,000
    # events: 12 s); "+f.rowid IN" leaves the test to SQLite, and FTS5 reads the postings once (0.5 s).
    store = open_store(write_generated_store(tmp_path / "events.yaml", 400), use_cache=False)
    query = parse("d*")
    scattered = store.search(Filters(query="d*"), sort="relevance", query=query).rowids[::-9]
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    try:
        cards = store.highlighted_cards(query, scattered)
    finally:
        store._conn.set_trace_callback(None)
    highlights = store.highlights(query, scattered)
    assert cards == [
        (label, event_id, title, summary, *highlights.get(rowid, ([], [])))
        for rowid, label, event_id, title, summary in store.cards(scattered)
    ]
    [highlighting] = [sql for sql in statements if "highlight(" in sql]
    assert "+f.rowid IN (" in highlighting and "count(*)" not in " ".join(statements)


class _Terminal:
    """A stdout that says it is a terminal and keeps what is written."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def isatty(self) -> bool:
        return True

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "".join(self.parts)


@pytest.fixture
def warm_bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled store with its cache built, and this process's clock three seconds ahead (as
    tests/test_quick.py's warm_store: files written just now could otherwise only be vouched for by a hash)."""
    import shutil
    import time

    from .conftest import REPO

    path = tmp_path / "events.yaml"
    path.write_bytes(BUNDLED.read_bytes())
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    open_store(path, fork=False).close()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3)
    return path


@pytest.mark.parametrize("terms", [["trade"], ["Rogun"], ["trade", "-wheat"], ["emb*"], ["Tokaev"], ["zzzznothing"]])
def test_the_quick_path_draws_the_table_the_full_command_line_draws(
    warm_bundled: Path, terms: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a terminal, plain words are answered before argparse and cli load (the first row as soon as a
    # piped first line), with the table cli.cmd_search draws; --sort date sends the same search to cli.
    from kztj_tui import cli, quick

    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "NO_COLOR", "TTY_COMPATIBLE", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "xterm")
    answers = []
    for run in (lambda argv: cli.main(["search", *argv, "--sort", "date"]), quick.search):
        out = _Terminal()
        monkeypatch.setattr("sys.stdout", out)
        answers.append((run(["--events", str(warm_bundled), *terms]), out.text()))
    (status, full), (quick_status, answered) = answers
    assert (quick_status, answered) == (status, full)  # None: left to cli
    assert full.startswith("\x1b[1mDate") or terms == ["zzzznothing"]


@pytest.mark.parametrize("columns", ["²", "٣", "12x"])
def test_a_width_that_is_not_ascii_digits_is_not_taken(columns: str) -> None:
    from kztj_tui.searchview import terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    found = terminal("always", Tty(), {"COLUMNS": columns, "LINES": "20"})  # "²" raised ValueError
    assert found is not None and found.width > 0
    assert found.width != 3  # "٣" is a digit to str.isdigit, not a width


def test_cells_are_counted_as_terminals_count_them() -> None:
    # rich 15 counts a zero-width joiner between two letters as joining them into one cell (rich 14: none),
    # so the table's columns moved with the rich installed; terminals draw that joiner as nothing.
    from kztj_tui.cells import cell_len, fit

    assert cell_len("Zero\u200dwidth") == 9
    assert cell_len("漢字") == 4 and cell_len("Cafe\u0301") == 4 and cell_len("Рогун") == 5
    assert fit("Zero\u200dwidth Rogun", 10) == ("Zero\u200dwidth…", 10)
    assert fit("ab漢字", 4) == ("ab …", 2)  # the wide character would straddle the cut: a space instead
    assert fit("Cafe\u0301 Rogun", 5) == ("Cafe\u0301…", 5)  # the accent stays with its letter
    assert fit("Café", 6) == ("Café  ", 4)


@given(st.text(), st.integers(min_value=2, max_value=60))
def test_a_fitted_cell_takes_exactly_its_width(text: str, width: int) -> None:
    from kztj_tui.cells import cell_len, fit
    from kztj_tui.text import visible

    safe = visible(text)
    shown, kept = fit(safe, width)
    assert cell_len(shown) == width
    assert shown.startswith(safe[:kept])
    if cell_len(safe) <= width:
        assert shown == safe + " " * (width - cell_len(safe))  # padded, whole
    else:
        assert shown.endswith("…") and kept < len(safe)  # cut


@pytest.mark.parametrize("columns", ["99999999999999999999", "99999999", "65536"])
def test_a_width_no_terminal_can_have_is_the_widest_one_can(columns: str) -> None:
    # COLUMNS=10²⁰ was an OverflowError traceback; 10⁸ padded every row to 10⁸ cells (10 GB, 47 s).
    from kztj_tui.searchview import terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    found = terminal("always", Tty(), {"COLUMNS": columns})
    assert found is not None and found.width == 65_535  # a terminal's size is an unsigned short
    assert terminal("always", Tty(), {"COLUMNS": "65535"}) == found


def test_search_with_a_huge_columns_is_a_table_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kztj_tui", "--events", str(BUNDLED), "search", "Dushanbe", "--color", "always"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "99999999999999999999", "LINES": "20"},
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert max(map(len, result.stdout.splitlines())) < 70_000
