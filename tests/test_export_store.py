"""`kztj export --format store`: a store file that kztj reads back as the chosen part of the store it came from."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kztj_tui import cli, export, loader
from kztj_tui.cache import open_store
from kztj_tui.export import parallel
from kztj_tui.export.storefmt import folded, scalar
from kztj_tui.model import Filters
from kztj_tui.store import Store
from kztj_tui.text import sanitize

from .conftest import BUNDLED, REPO
from .test_export import check_golden

FILTERS = {
    "everything": ([], Filters()),
    "tag trade": (["--tag", "trade"], Filters(tags=("trade",))),
    "actor rahmon": (["--actor", "rahmon"], Filters(actors=("rahmon",))),
    "2021 to 2022": (["--from", "2021", "--to", "2022"], Filters(date(2021, 1, 1), date(2022, 12, 31))),
    "query": (["--query", "water OR Rogun"], Filters(query="water OR Rogun")),
    "no match": (["--query", "zzzznothing"], Filters(query="zzzznothing")),
}


def test_store_golden(store: Store) -> None:
    # The header names the store's path and folder: the golden file holds them without the checkout's place.
    check_golden("export.store.yaml", export.render(store, fmt="store").replace(str(REPO), "<repo>"))


def export_beside_articles(folder: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> Path:
    """Export the bundled store through the command line into a folder that holds copies of its articles."""
    shutil.copytree(REPO / "seeds", folder / "seeds")
    target = folder / "export.yaml"
    argv = ["export", "--events", str(BUNDLED), "--no-cache", "--format", "store", *args, "-o", str(target)]
    assert cli.main(argv) == 0, capsys.readouterr().err
    return target


@pytest.mark.parametrize("name", FILTERS)
def test_an_export_passes_validate_and_check_without_warnings(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = export_beside_articles(tmp_path, FILTERS[name][0], capsys)
    capsys.readouterr()
    assert cli.main(["validate", "--events", str(target), "--no-cache"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert cli.main(["check", "--events", str(target), "--no-cache", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f for f in report["findings"] if f["severity"] == "warning"] == []
    assert not any(f["kind"] == "orphan-entity" for f in report["findings"])


@pytest.mark.parametrize("name", FILTERS)
def test_an_export_reads_back_as_the_chosen_part_of_the_store(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, filters = FILTERS[name]
    original = loader.load(BUNDLED)
    back = loader.load(export_beside_articles(tmp_path, args, capsys))
    chosen = [e.id for e in open_store(BUNDLED, use_cache=False).iter_events(filters)]
    assert [e.id for e in back.events] == chosen
    exported = set(chosen)

    # Events: as they were, related events outside the export left out.
    by_id = {e.id: e for e in original.events}
    expected_events = [by_id[i]._replace(related=tuple(r for r in by_id[i].related if r in exported)) for i in chosen]
    assert back.events == expected_events

    # Figures: those of the chosen events and every figure in conflict with one, each as it was
    # (its conflicts too); a figure whose event is not exported no longer names it.
    figures = {f.id: f for f in back.figures}
    assert {f.id for f in original.figures if f.event in exported} <= set(figures)
    for figure in original.figures:
        if figure.id in figures:
            assert set(figure.conflicts) <= set(figures)
            assert figures[figure.id] == figure._replace(event=figure.event if figure.event in exported else None)
    assert [f.id for f in back.figures] == [f.id for f in original.figures if f.id in figures]

    # Disagreements: every one about an exported event, naming only what the export holds.
    assert back.disagreements == [
        d._replace(
            events=tuple(e for e in d.events if e in exported), figures=tuple(f for f in d.figures if f in figures)
        )
        for d in original.disagreements
        if any(e in exported for e in d.events)
    ]

    # Entities and sources: exactly those used, in the store's order, as they were.
    used_entities = {x for e in back.events for x in (*e.actors, *([e.place] if e.place else []))}
    assert back.entities == [e for e in original.entities if e.id in used_entities]
    used_sources = (
        {c.source for e in back.events for c in e.sources}
        | {f.source for f in back.figures}
        | {c.source for d in back.disagreements for c in d.versions}
    )
    assert back.sources == [s for s in original.sources if s.id in used_sources]
    assert (back.title, back.description) == (original.title, original.description)


def test_the_header_says_where_the_export_came_from(store: Store) -> None:
    text = export.render(store, Filters(tags=("trade",), query="water"), fmt="store")
    header = text[: text.index("\ntitle:")]
    assert f"from: {BUNDLED}" in header and f"relative to the folder\n# of the store it came from: {REPO}" in header
    assert "tag trade" in header and "query 'water'" in header and f"kztj {cli.__version__}" in header
    assert "verbatim" in header
    assert all(line.startswith("# ") or not line for line in header.splitlines())


HOSTILE_NAMES = [
    "a\nb: c",
    "x\r\n# y",
    "n\x85e\u2028l\u2029p",
    "ctl\x00\x1b[31m\x7f\x9b",
    "\u202espoof",
    "back\\slash\\",
    '"quoted" #',
    "\ufeffbom",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_store_path_cannot_break_out_of_the_header(name: str, tmp_path: Path) -> None:
    folder = tmp_path / name.replace("\x00", "0")
    folder.mkdir()
    shutil.copytree(REPO / "seeds", folder / "seeds")
    shutil.copy(BUNDLED, folder / "events.yaml")
    store = open_store(folder / "events.yaml", use_cache=False)
    text = export.render(store, Filters(query=f"trade {name}"), fmt="store")
    header = text[: text.index("\ntitle:")]
    assert all(line.startswith("# ") or not line for line in header.splitlines(keepends=True))
    assert header.isascii() or all(c.isprintable() for c in header.replace("\n", ""))
    assert yaml.safe_load(text)["title"] == store.title
    (folder / "export.yaml").write_text(text, encoding="utf-8")
    assert loader.load(folder / "export.yaml").title == store.title


def test_the_export_streams_its_events_a_block_at_a_time(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "BATCH", 2)
    chunks = list(export.chunks(store, fmt="store"))
    held = [chunk.count("  - id: ") for chunk in chunks if "\n    summary: " in chunk]  # the chunks of events
    assert len(held) >= store.count // 2 and max(held) <= 2


# -- hostile text in every field ---------------------------------------------------------------

NASTY = [
    "- a",
    "? a",
    ": a",
    "a: b",
    "a #b",
    "a:",
    "#a",
    "&a",
    "*a",
    "!a",
    "|a",
    ">a",
    "%a",
    "@a",
    "`a",
    "'a'",
    '"a"',
    "[a]",
    "{a: b}",
    "a, b",
    "yes",
    "No",
    "NULL",
    "~",
    "on",
    "Off",
    "y",
    "n",
    "True",
    "1",
    "-1",
    "+1",
    "0x1F",
    "0o17",
    "1_000",
    "1e5",
    "1.5",
    ".inf",
    "-.nan",
    "1:30",
    "2023-08-25",
    "2023-08-25 10:00:00",
    "<<",
    "=",
    "---",
    "...",
    "a\tb",
    "a\nb",
    "a\n\nb\n",
    "a\u0085b",
    "a\u2028b\u2029c",
    " lead",
    "trail ",
    "  two  spaces  ",
    "back\\slash",
    "\\n",
    "a\\",
    '"',
    "\u00a0nbsp\u00a0",
    "\u200dzwj",
    "e\u0301",
    "x" * 480,
    ("word " * 95).strip(),
    "- " + "long text, with: many #tricks " * 10,
]
TEXT = (
    st.sampled_from(NASTY)
    | st.text(min_size=1, max_size=40)
    | st.lists(st.sampled_from(NASTY), max_size=6).map(" ".join)
)
SHORT = TEXT.map(lambda s: s[:500]).filter(lambda s: sanitize(s) != "")
IDS = st.sampled_from(["yes", "no", "null", "on", "y", "n", "true", "1", "2013", "1e5", "0x1f", "0777", "1.5", "a-b"])
DATES = st.sampled_from(
    [
        *("2013", "0050", "0500", "0001", "1993-01-07", "2000-02-29", "9999-12-31", "2023-08-25?", "2023~", "2020%"),
        *("199X", "19XX", "2023-XX", "2023-XX-XX", "1993-06/..", "2023/", "2018/2020", "2023-01/2023-06"),
    ]
)
VALUES = st.integers(-(10**15), 10**15) | st.floats(-1e15, 1e15, allow_nan=False) | st.sampled_from([1e-05, 1.5e-300])
FILES = st.sampled_from(
    ["a: #b.txt", "- yes.txt", "\"q\" 'x'.txt", "tab\there.txt", "line\nbreak.txt", " lead", "null"]
)


@st.composite
def hostile_store(draw: st.DrawFn) -> tuple[dict[str, object], str, dict[str, float]]:
    """A store (as data) with hostile text in every field, ids YAML could misread, and the file its articles need."""
    texts: list[str] = []

    def text() -> str:
        value = draw(SHORT)
        texts.append(value)
        return value

    def quote() -> str:
        value = f"Q {draw(SHORT)} Z"
        texts.append(value)
        return value

    ids = draw(st.lists(IDS, min_size=4, max_size=4, unique=True))
    source, entity, event, other = ids
    file = "seeds/" + draw(FILES)
    metric = draw(st.sampled_from(["yes", "null", "on", "y", "true", "m"]))
    period = draw(DATES)
    data: dict[str, object] = {
        "title": text(),
        "description": text(),
        "sources": [{"id": source, "file": file, "outlet": text(), "published": draw(DATES), "description": text()}],
        "entities": [{"id": entity, "name": text(), "kind": "person", "aliases": [text(), text(), "Токаев"]}],
        "events": [
            {
                "id": i,
                "date": draw(DATES),
                "title": text(),
                "summary": text(),
                "tags": [draw(IDS.filter(lambda tag: "." not in tag))],
                "actors": [entity],
                "place": entity,
                "status": "occurred",
                "sources": [{"source": source, "quote": quote()}, {"source": source, "quote": quote()}],
                "related": [event, other],
            }
            for i in (event, other)
        ],
        "figures": [
            {
                "id": f"{name}-fig",
                "metric": metric,
                "period": period,
                "value": value,
                "unit": "USD",
                "source": source,
                "quote": quote(),
                "note": text(),
                "event": event,
            }
            for name, value in (("a", "<value a>"), ("b", "<value b>"))
        ],
        "disagreements": [
            {
                "id": "d",
                "about": text(),
                "events": [event, other],
                "figures": ["a-fig", "b-fig"],
                "versions": [{"source": source, "quote": quote()}],
                "note": text(),
                "reviewed": draw(st.booleans()),
            }
        ],
    }
    return data, file, {"a": draw(VALUES), "b": draw(VALUES)}


def as_yaml(data: dict[str, object], values: dict[str, float]) -> str:
    """The crafted store as JSON, which YAML reads as written, with every character YAML must not see raw escaped."""
    text = json.dumps(data, ensure_ascii=False)
    text = "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in text
    )
    for name, value in values.items():
        # YAML 1.1 reads a float only with a dot: 1.0e-05, not JSON's 1e-05.
        written = repr(value) if "." in repr(value) or "e" not in repr(value) else repr(value).replace("e", ".0e")
        text = text.replace(f'"<value {name}>"', written)
    return text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_store())
def test_hostile_text_in_every_field_reads_back_the_same(
    crafted: tuple[dict[str, object], str, dict[str, float]],
) -> None:
    data, file, values = crafted
    article = (
        "\n".join(
            str(c["quote"])
            for item in (*data["events"], *data["disagreements"])  # type: ignore[misc]
            for c in item.get("sources", item.get("versions", []))
        )
        + "\n"
        + "\n".join(str(f["quote"]) for f in data["figures"])
    )  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / file).parent.mkdir(parents=True, exist_ok=True)
        (base / file).write_text(article, encoding="utf-8")
        crafted_path = base / "crafted.yaml"
        crafted_path.write_text(as_yaml(data, values), encoding="utf-8")
        original = loader.load(crafted_path)
        store = open_store(crafted_path, use_cache=False)
        try:
            text = export.render(store, fmt="store")
        finally:
            store.close()
        exported = base / "export.yaml"
        exported.write_text(text, encoding="utf-8")
        back = loader.load(exported)
    for field in ("title", "description", "sources", "entities", "events", "figures", "disagreements"):
        assert getattr(back, field) == getattr(original, field), field


@settings(max_examples=300)
@given(st.text() | st.sampled_from(NASTY))
@example("A?")  # PyYAML ends a plain scalar at ? inside a flow list: [A?, x] did not parse
def test_every_string_reads_back_exactly(text: str) -> None:
    for flow in (False, True):
        written = scalar(text, flow)
        document = f"key: [{written}, x]" if flow else f"key: {written}"
        expected = [text, "x"] if flow else text
        assert yaml.safe_load(document) == {"key": expected}


# Short words between runs of blanks: many places to break a line, and many where a break would lose a blank.
WORDS = st.lists(
    st.tuples(
        st.sampled_from(NASTY) | st.text("ab-#:'\"\\\t\n\x85", max_size=4), st.sampled_from([" ", "  ", " \t", "\t "])
    ),
    min_size=1,
    max_size=80,
).map(lambda pairs: "".join(word + blank for word, blank in pairs))


@settings(max_examples=300)
@given(WORDS | st.lists(st.sampled_from(NASTY) | st.text(max_size=30), min_size=1, max_size=12).map(" ".join))
def test_long_text_folded_onto_lines_reads_back_exactly(text: str) -> None:
    for key_indent in (2, 8):
        # As an item writes it: the key indented, its folded lines two columns further in.
        written = folded(text, key_indent + len("key: "), key_indent + 2)
        document = "item:\n" + " " * key_indent + "key: " + written + "\n"
        assert yaml.safe_load(document) == {"item": {"key": text}}
