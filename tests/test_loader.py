"""Loading and validation: the shipped store, every class of bad input, sanitising."""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import loader
from kztj_tui.loader import StoreError

from .conftest import BUNDLED, MINIMAL

PROBLEM = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StoreError) as caught:
        loader.load(path)
    lines = [str(p) for p in caught.value.problems]
    assert lines, "a StoreError must carry at least one problem"
    for line in lines:
        assert PROBLEM.match(line), line
        assert "\n" not in line
    return lines


def test_bundled_store_is_valid() -> None:
    loaded = loader.load(BUNDLED)
    assert len(loaded.events) >= 30
    starts = [e.start for e in loaded.events]
    assert starts == sorted(starts)
    assert loaded.events[0].id == "diplomatic-relations-established"


def test_each_event_takes_every_field_by_name_and_shares_equal_citations() -> None:
    # event_from_model builds the Event positionally (it is made 100,000 times at a cold load).
    from kztj_tui.assemble import Dates, event_from_model
    from kztj_tui.model import Citation, Event
    from kztj_tui.validate import _EVENT

    raw = {
        "id": "talks", "date": "2021-05", "title": "Talks", "summary": "They met.", "tags": ["trade", "water"],
        "actors": ["kazakhstan"], "place": "almaty", "status": "planned", "related": ["b"],
        "sources": [{"source": "s1", "quote": "They met"}, {"source": "s2", "quote": "met"}],
    }  # fmt: skip
    citations: dict[tuple[str, str], Citation] = {}
    event = event_from_model(_EVENT.validate_python(raw), Dates(), citations)
    expected = Event(
        id="talks", date="2021-05", start="2021-05-01", end="2021-05-31", label="May 2021", long_label="May 2021",
        title="Talks", summary="They met.", tags=("trade", "water"), actors=("kazakhstan",), place="almaty",
        status="planned", sources=(Citation("s1", "They met"), Citation("s2", "met")), related=("b",),
    )  # fmt: skip
    assert event == expected and type(event) is Event
    assert all(type(citation) is Citation for citation in event.sources)
    again = event_from_model(_EVENT.validate_python(raw), Dates(), citations)
    assert again.sources[0] is event.sources[0] and again.sources[1] is event.sources[1]


def test_bundled_store_reports_the_contract_conflict() -> None:
    loaded = loader.load(BUNDLED)
    contracts = {f.value: f for f in loaded.figures if f.metric == "business_forum_contracts"}
    assert set(contracts) == {1_800_000_000, 1_300_000_000}
    assert contracts[1_800_000_000].conflicts == (contracts[1_300_000_000].id,)
    assert all(not f.conflicts for f in loaded.figures if f.metric == "trade_turnover")


def test_every_figure_and_event_cites_a_known_source() -> None:
    loaded = loader.load(BUNDLED)
    source_ids = {s.id for s in loaded.sources}
    assert all(c.source in source_ids for e in loaded.events for c in e.sources)
    assert all(f.source in source_ids for f in loaded.figures)


def test_minimal_store_loads(write_store: Callable[..., Path]) -> None:
    loaded = loader.load(write_store(MINIMAL))
    assert [e.label for e in loaded.events] == ["19–20 May 2021"]


def test_unquoted_dates_and_bare_years(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace("date: 2021-05-19/2021-05-20", "date: 2021").replace(
        "published: 2021-05-20", "published: 2021-05-20"
    )
    loaded = loader.load(write_store(text))
    assert loaded.events[0].date == "2021"
    assert loaded.sources[0].published == "2021-05-20"


def test_quote_may_elide_with_ellipsis_and_fold_quotes(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace(
        "quote: began his two-day visit to Dushanbe May 19",
        'quote: "“We have a lot to discuss. … last year\'s trade reached $800 million."',
    )
    assert loader.load(write_store(text)).events[0].sources[0].quote.startswith("“We have")


def test_control_characters_are_stripped(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace("title: Tokayev visits Dushanbe", 'title: "Tokayev\\e[31m visits\\u202e Dushanbe\\x07\\x9b"')
    title = loader.load(write_store(text)).events[0].title
    assert title == "Tokayev[31m visits Dushanbe"


def test_missing_file(tmp_path: Path) -> None:
    [line] = problems_of(tmp_path / "nope.yaml")
    assert line.endswith("no such file")


def test_directory(tmp_path: Path) -> None:
    [line] = problems_of(tmp_path)
    assert "is a directory" in line


def test_non_utf8(write_store: Callable[..., Path]) -> None:
    path = write_store("")
    path.write_bytes(b"events:\n  - id: caf\xe9\n")
    [line] = problems_of(path)
    assert ":2:" in line and "not UTF-8" in line


def test_empty_file(write_store: Callable[..., Path]) -> None:
    [line] = problems_of(write_store("# just a comment\n"))
    assert "empty" in line


def test_yaml_syntax_error(write_store: Callable[..., Path]) -> None:
    [line] = problems_of(write_store("events: [\n  {id: x\n"))
    assert "YAML syntax error" in line


def test_tabs(write_store: Callable[..., Path]) -> None:
    [line] = problems_of(write_store("events:\n\t- id: x\n"))
    assert ":2:1:" in line and "tab" in line


def test_python_tags_are_refused(write_store: Callable[..., Path]) -> None:
    [line] = problems_of(write_store('events: !!python/object/apply:os.system ["touch /tmp/kztj-pwned"]\n'))
    assert "python/object/apply" in line and "not allowed" in line
    assert not Path("/tmp/kztj-pwned").exists()


def test_billion_laughs(write_store: Callable[..., Path]) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines = problems_of(write_store("\n".join(levels) + "\nevents: *i\n"))
    assert len(lines) == 9  # one line per anchor, not per alias
    assert all("anchor" in line for line in lines)


def test_self_referencing_alias(write_store: Callable[..., Path]) -> None:
    lines = problems_of(write_store("events: &e\n  - *e\n"))
    assert lines and "anchor &e" in lines[0]


def test_wrong_types_are_all_reported_with_positions(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace("title: Tokayev visits Dushanbe", "title: [not, a, string]")
    text = text.replace("status: occurred", "status: happened\n    bogus: 1")
    text = text.replace("actors: [tokayev]", "actors: [nobody]")
    lines = problems_of(write_store(text))
    messages = "\n".join(lines)
    assert re.search(r":13:12: events\[0\]\.title: Input should be a valid string", messages)
    assert "events[0].status" in messages
    assert "unknown key 'bogus'" in messages
    assert "unknown entity 'nobody'" in messages


def test_bad_edtf_and_dangling_references(write_store: Callable[..., Path]) -> None:
    text = MINIMAL.replace("date: 2021-05-19/2021-05-20", "date: 2021-13-40").replace(
        "figures: []", "figures:\n  - {id: f, metric: m, period: 2020, value: 1, unit: USD, source: ghost, quote: q}"
    )
    text = text.replace("status: occurred", "status: occurred\n    related: [missing-event]")
    messages = "\n".join(problems_of(write_store(text)))
    assert "events[0].date" in messages
    assert "unknown event 'missing-event'" in messages
    assert "unknown source 'ghost'" in messages


def test_duplicate_ids_and_quote_not_in_source(write_store: Callable[..., Path]) -> None:
    event = MINIMAL[MINIMAL.index("  - id: visit") : MINIMAL.index("figures:")]
    text = MINIMAL.replace("figures: []", event.replace("May 19", "May 20") + "figures: []")
    messages = "\n".join(problems_of(write_store(text)))
    assert "duplicate id 'visit'" in messages
    assert "events[1].sources[0].quote: quote not found in source 's1'" in messages


def test_fifty_megabyte_value(write_store: Callable[..., Path]) -> None:
    huge = "A" * (50 * 1024 * 1024)
    lines = problems_of(write_store(MINIMAL.replace("summary: A two-day visit.", f"summary: {huge}")))
    assert any("52,428,800 characters" in line for line in lines)
    assert all(len(line) < 300 for line in lines)


def test_top_level_must_be_a_mapping(write_store: Callable[..., Path]) -> None:
    [line] = problems_of(write_store("- just\n- a list\n"))
    assert "expected a mapping" in line


def test_missing_source_file(write_store: Callable[..., Path]) -> None:
    lines = problems_of(write_store(MINIMAL.replace("seeds/001_e76ff33dc96d9a90.txt", "seeds/missing.txt")))
    assert any("seeds/missing.txt: no such file" in line for line in lines)


def test_deep_nesting_is_refused_without_crashing(write_store: Callable[..., Path]) -> None:
    [line] = problems_of(write_store("events: " + "[" * 100_000 + "]" * 100_000 + "\n"))
    assert "nested more than 64 levels" in line


def test_duplicate_keys_and_extra_documents(write_store: Callable[..., Path]) -> None:
    assert "duplicate key 'events'" in problems_of(write_store("events: []\nevents: []\n"))[0]
    assert "one YAML document" in problems_of(write_store("events: []\n---\nevents: []\n"))[0]


def test_a_reference_or_quote_that_fails_is_reported_at_every_event_that_makes_it(
    write_store: Callable[..., Path],
) -> None:
    event = MINIMAL[MINIMAL.index("  - id: visit") : MINIMAL.index("figures:")]
    good = [event.replace("id: visit", f"id: good-{i}") for i in range(3)]
    bad_actor = event.replace("id: visit", "id: bad-actor").replace("actors: [tokayev]", "actors: [tokayev, nobody]")
    bad_quote = event.replace("id: visit", "id: bad-quote").replace("two-day visit to", "three-day visit to")
    # Each bad event comes after good ones that share everything else it cites.
    again = [bad_actor.replace("bad-actor", "bad-actor-2"), bad_quote.replace("bad-quote", "bad-quote-2")]
    text = MINIMAL.replace(event, "".join([*good, bad_actor, bad_quote, *again]))
    lines = problems_of(write_store(text))
    assert sum("unknown entity 'nobody'" in line for line in lines) == 2
    assert sum("quote not found" in line for line in lines) == 2
    assert len(lines) == 4


def test_the_store_bytes_are_released_before_a_build_starts_from_the_store() -> None:
    # A build forked from on_assembled would hold every byte of the file while it runs (issue 22).
    size = BUNDLED.stat().st_size
    held: list[int] = []

    def on_assembled(store: loader.LoadedStore) -> None:
        blocks = tracemalloc.take_snapshot().traces
        held.extend(trace.size for trace in blocks if trace.size >= size)

    tracemalloc.start()
    try:
        store = loader.load(BUNDLED, on_assembled=on_assembled)
    finally:
        tracemalloc.stop()
    assert store.events and store.layout is not None
    assert held == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("status: occurred", "status: occurred\n    related: [missing-event]"),
        ("place: dushanbe", "place: nowhere"),
        ("quote: began his two-day visit", "quote: ended his two-day visit"),
        ("figures: []", "figures:\n  - {id: f, metric: m, period: 2020, value: 1, unit: USD, source: ghost, quote: q}"),
    ],
)
def test_a_store_with_a_dangling_reference_starts_no_build(
    write_store: Callable[..., Path], old: str, new: str
) -> None:
    assembled: list[loader.LoadedStore] = []
    path = write_store(MINIMAL.replace(old, new))
    with pytest.raises(StoreError, match=r"unknown|not found"):
        loader.load(path, on_assembled=assembled.append)
    assert assembled == []
