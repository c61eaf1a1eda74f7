"""A store in several files: ``include:`` patterns, merged loading, messages per file, cache, live reload, edit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kztj_tui import cli, editor, loader
from kztj_tui.cache import open_store
from kztj_tui.errors import StoreError
from kztj_tui.model import Filters
from kztj_tui.session import BrowserSession
from kztj_tui.watch import InputWatcher, input_paths

from .conftest import BUNDLED, REPO, edit

INCLUDE = "include: [articles/*.yaml]\n"


def _sections(text: str) -> tuple[str, dict[str, str]]:
    """The comments before the first key, and each top-level key's block (its header line included)."""
    starts = [m.start() for m in re.finditer(r"^[a-z]+:", text, re.M)]
    preamble = text[: starts[0]]
    blocks = {}
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        block = text[start:end]
        blocks[block.split(":", 1)[0]] = block
    return preamble, blocks


def _items(block: str) -> tuple[str, list[str]]:
    """A list block's header line and its items' texts (comments and blank lines go with the item before)."""
    starts = [m.start() for m in re.finditer(r"^  - ", block, re.M)]
    return block[: starts[0]], [block[a:b] for a, b in zip(starts, [*starts[1:], len(block)], strict=True)]


def split_store(folder: Path, text: str | None = None) -> Path:
    """The bundled store written as a main file and two included files, same items in the same order.

    main: title, include, sources, events 0-14, disagreements; articles/a.yaml: entities, events
    15-29; articles/b.yaml: events 30-44, figures. References run across all three.
    """
    text = BUNDLED.read_text(encoding="utf-8") if text is None else text
    preamble, blocks = _sections(text)
    header, events = _items(blocks["events"])
    if not (folder / "seeds").exists():
        shutil.copytree(REPO / "seeds", folder / "seeds")
    (folder / "articles").mkdir(exist_ok=True)
    main = (
        preamble
        + blocks["title"]
        + INCLUDE
        + blocks["sources"]
        + header
        + "".join(events[:15])
        + blocks["disagreements"]
    )
    (folder / "events.yaml").write_text(main, encoding="utf-8")
    (folder / "articles" / "a.yaml").write_text(blocks["entities"] + header + "".join(events[15:30]), encoding="utf-8")
    (folder / "articles" / "b.yaml").write_text(header + "".join(events[30:]) + blocks["figures"], encoding="utf-8")
    return folder / "events.yaml"


@pytest.fixture
def split(tmp_path: Path) -> Path:
    return split_store(tmp_path / "split")


@pytest.fixture
def single(tmp_path: Path) -> Path:
    folder = tmp_path / "single"
    folder.mkdir()
    shutil.copytree(REPO / "seeds", folder / "seeds")
    shutil.copy(BUNDLED, folder / "events.yaml")
    return folder / "events.yaml"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StoreError) as raised:
        loader.load(path)
    return [str(p) for p in raised.value.problems]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# -- the merged store is the same store ------------------------------------------------------------


def test_a_split_store_loads_exactly_as_the_same_content_in_one_file(split: Path, single: Path) -> None:
    one, many = loader.load(single), loader.load(split)
    assert len(many.events) == 45 and len(many.figures) == 30
    assert many.events == one.events
    assert many.figures == one.figures
    assert many.sources == one.sources and many.entities == one.entities
    assert many.disagreements == one.disagreements and many.title == one.title
    assert many.file_order == one.file_order
    assert many.included == ["articles/a.yaml", "articles/b.yaml"]
    assert [i.path for i in many.inputs[:3]] == ["events.yaml", "articles/a.yaml", "articles/b.yaml"]
    assert many.layout is None  # an edit of any file is applied by a full load


@pytest.mark.parametrize(
    "args",
    [
        ("search", "--color", "never", "cotton"),
        ("search", "--color", "never", "water OR energy"),
        ("figures", "--color", "never"),
        ("export", "--format", "json"),
        ("export", "--format", "markdown"),
        ("export", "--format", "csv", "--tag", "diplomacy"),
        ("export", "--format", "store"),
        ("check",),
    ],
)
def test_commands_answer_the_same_for_a_split_store(
    split: Path, single: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    first = run_cli(capsys, "--events", str(single), *args)
    second = run_cli(capsys, "--events", str(split), *args)
    assert first[0] == second[0]
    assert first[1] and first[2] == second[2]
    if args[0] == "check":  # the findings are the same, each placed in the file that holds its item
        assert len(first[1].splitlines()) == len(second[1].splitlines())
        assert "articles/b.yaml:" in second[1] and "articles/a.yaml:" in second[1]
        return
    assert first[1].replace(str(single.parent), "DIR") == second[1].replace(str(split.parent), "DIR")


def test_validate_and_a_warm_command_of_a_split_store(split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "--events", str(split), "--no-cache", "validate")
    assert status == 0 and "45 events, 30 figures" in out
    status, out, _ = run_cli(capsys, "--events", str(split), "validate")
    assert status == 0 and "45 events, 30 figures" in out
    status, out, _ = run_cli(capsys, "--events", str(split), "validate")  # from the cache
    assert status == 0 and "45 events, 30 figures" in out


def test_a_store_exported_as_a_store_is_one_file_without_include(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = split.parent / "one.yaml"
    assert run_cli(capsys, "--events", str(split), "export", "--format", "store", "-o", str(target))[0] == 0
    assert "include:" not in target.read_text(encoding="utf-8")
    assert len(loader.load(target).events) == 45


def test_an_export_never_overwrites_an_included_file(split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = split.parent / "articles" / "a.yaml"
    before = target.read_bytes()
    status, _, err = run_cli(capsys, "--events", str(split), "export", "--format", "store", "-o", str(target))
    assert status == 2 and "a.yaml" in err
    assert target.read_bytes() == before


@pytest.mark.parametrize("name", ["trade.yaml", "trade.md"])
def test_an_export_never_adds_a_file_to_the_store(split: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    # A new file an include pattern names becomes part of the store: the export made the store invalid
    # (an exported store holds a title, which only the main file may), or added its events twice.
    session_target = split.parent / "articles" / f"browser-{name}"
    if name.endswith(".md"):
        edit(split, INCLUDE, "include: [articles/*]\n")
    target = split.parent / "articles" / name
    status, _, err = run_cli(capsys, "--events", str(split), "export", "--tag", "trade", "-o", str(target))
    assert status == 2 and err.endswith(
        "refusing to write into the store: one of its include patterns names this file\n"
    )
    assert not target.exists()
    # Nor through a link elsewhere to such a file: the write replaces the file the link names.
    link = split.parent / f"link-{name}"
    link.symlink_to(target)
    assert run_cli(capsys, "--events", str(split), "export", "--tag", "trade", "-o", str(link))[0] == 2
    assert not target.exists()
    session = BrowserSession(open_store(split))
    assert "include patterns" in (session.export(Filters(), session_target) or "")
    assert not session_target.exists()
    assert run_cli(capsys, "--events", str(split), "validate")[0] == 0


# -- messages name the file they are about --------------------------------------------------------


def test_a_duplicate_id_across_files_names_both_files(split: Path) -> None:
    b = split.parent / "articles" / "b.yaml"
    a = split.parent / "articles" / "a.yaml"
    first_in_a = re.search(r"^  - id: (\S+)", a.read_text(encoding="utf-8").split("events:", 1)[1], re.M)
    assert first_in_a is not None
    duplicate = first_in_a[1]
    victim = re.search(r"^  - id: (\S+)", b.read_text(encoding="utf-8"), re.M)
    assert victim is not None
    edit(b, f"  - id: {victim[1]}\n", f"  - id: {duplicate}\n")
    found = problems_of(split)
    (problem,) = [p for p in found if "duplicate id" in p]  # and the events naming the renamed one dangle
    a_line, b_line = line_of(a, f"- id: {duplicate}"), line_of(b, f"- id: {duplicate}")
    assert problem == (f"{b}:{b_line}:9: events[0].id: duplicate id '{duplicate}' (first at {a}:{a_line}:9)")


def test_a_reference_across_files_works_and_a_dangling_one_is_placed_in_its_file(split: Path) -> None:
    b = split.parent / "articles" / "b.yaml"
    # The events of b.yaml name actors defined in a.yaml and sources in the main file: they load.
    assert "actors: [" in b.read_text(encoding="utf-8")
    line = next(
        n for n, text in enumerate(b.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("    actors: [")
    )
    text = b.read_text(encoding="utf-8").splitlines(keepends=True)
    text[line - 1] = "    actors: [nobody]\n"
    b.write_text("".join(text), encoding="utf-8")
    problems = problems_of(split)
    assert len(problems) == 1
    assert re.fullmatch(
        rf"{re.escape(str(b))}:{line}:14: events\[\d+\]\.actors\[0\]: unknown entity 'nobody'", problems[0]
    )
    index = int(re.search(r"events\[(\d+)\]", problems[0])[1])  # type: ignore[index]
    assert index < 15  # the index in b.yaml's own list, not the merged one


def test_a_schema_error_in_an_included_file_is_placed_there(split: Path) -> None:
    a = split.parent / "articles" / "a.yaml"
    edit(a, "    status: occurred\n", "    status: maybe\n")
    line = line_of(a, "status: maybe")
    (problem,) = problems_of(split)
    assert problem.startswith(f"{a}:{line}:13: events[") and "status" in problem


def test_an_included_file_that_is_not_utf8_names_itself(split: Path) -> None:
    b = split.parent / "articles" / "b.yaml"
    data = b.read_bytes()
    at = data.index(b"title:", data.index(b"title:") + 1)
    b.write_bytes(data[:at] + b"\xff" + data[at:])
    line = data[:at].count(b"\n") + 1
    column = at - data.rfind(b"\n", 0, at)
    assert not data[:at].isascii()  # the column counts characters, not bytes, of what comes before
    assert problems_of(split) == [f"{b}:{line}:{column}: not UTF-8: byte 0xff cannot be decoded"]


def test_a_yaml_error_in_an_included_file_names_it(split: Path) -> None:
    a = split.parent / "articles" / "a.yaml"
    a.write_text(a.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    (problem,) = problems_of(split)
    assert problem.startswith(f"{a}:") and "YAML syntax error" in problem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("include: [x.yaml]\nevents: []\n", "1:1: an included file cannot include others"),
        ("title: T\nevents: []\n", "1:1: 'title' belongs in the main store file"),
        ("bogus: []\nevents: []\n", "1:1: unknown key 'bogus'; an included file holds only"),
        ("events: {}\n", "1:9: events: expected a list"),
        ("- a\n", "1:1: expected a mapping of lists (events: ...) at the top level, got list"),
        ("# nothing\n", "1:1: the included file is empty"),
    ],
)
def test_an_included_file_holds_only_the_stores_lists(split: Path, content: str, message: str) -> None:
    extra = split.parent / "articles" / "c.yaml"
    extra.write_text(content, encoding="utf-8")
    problems = problems_of(split)
    assert len(problems) == 1 and problems[0].startswith(f"{extra}:{message}")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # The file itself is reported, as any file kztj may not read (a check for folders once raised instead).
        ("shut/*.yaml", "{folder}/shut/c.yaml:1:1: permission denied"),
        # A named file cannot be looked for: said at the pattern (it was a bare `kztj: ...: Permission denied`).
        ("shut/c.yaml", "{store}:1:11: include[0]: shut/c.yaml: cannot read shut: Permission denied"),
    ],
)
def test_a_folder_kztj_may_list_but_not_enter_is_one_line(tmp_path: Path, pattern: str, expected: str) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    shutil.copytree(REPO / "seeds", folder / "seeds")
    store = folder / "events.yaml"
    store.write_text(f"include: ['{pattern}']\n" + BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    shut = folder / "shut"
    shut.mkdir()
    (shut / "c.yaml").write_text("events: []\n", encoding="utf-8")
    shut.chmod(0o644)  # listed, not entered
    # Root may enter anything: run without the capabilities that let it, as a user would.
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    try:
        result = subprocess.run(
            [*(unprivileged if os.geteuid() == 0 else []), sys.executable, "-m", "kztj_tui", "validate"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO), "KZTJ_EVENTS": str(store)},
            timeout=120,
        )
    finally:
        shut.chmod(0o755)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == expected.format(folder=folder, store=store) + "\n"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("articles/missing.yaml", "articles/missing.yaml: no such file"),
        ("nowhere/*.yaml", "nowhere/*.yaml: matches no file: there is no folder nowhere"),
        ("../*.yaml", "../*.yaml: leads outside the store's folder"),
        ("/etc/*.conf", "/etc/*.conf: is an absolute path"),
        # It said "is an absolute path" (a hostile tester's find).
        ("articles\\a.yaml", "articles\\a.yaml: has a backslash; separate folders with /"),
        ("\\\\server\\a.yaml", "\\\\server\\a.yaml: has a backslash"),
        ("*/a.yaml", "*/a.yaml: has a wildcard in a folder name"),
        ("articles/", "articles/: names a folder"),
        (".", ".: names a folder"),
        ("articles", "articles: names a folder"),
        ("articles/.", "articles/.: names a folder"),
        ("", "is empty; write a path such as articles/*.yaml"),
    ],
)
def test_a_bad_include_pattern_is_one_line_at_the_pattern(
    split: Path, pattern: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(split, INCLUDE, f"include: [articles/*.yaml, '{pattern}']\n")
    line = line_of(split, "include:")
    column = split.read_text(encoding="utf-8").splitlines()[line - 1].index("'") + 1
    expected = f"{split}:{line}:{column}: include[1]: {message}"
    problems = problems_of(split)
    assert len(problems) == 1 and problems[0].startswith(expected)
    status, _, err = run_cli(capsys, "--events", str(split), "validate")
    assert status == 2 and err.startswith(expected) and "Traceback" not in err


def test_a_wildcard_includes_the_files_it_matches_not_folders(split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `articles/*` read a folder beside the files as one, and failed at `articles/old:1:1`.
    edit(split, INCLUDE, "include: ['articles/*']\n")
    (split.parent / "articles" / "old").mkdir()
    assert len(loader.load(split).events) == 45
    assert run_cli(capsys, "--events", str(split), "validate")[0] == 0


def test_a_symlink_leading_out_of_the_folder_is_refused(split: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("events: []\n", encoding="utf-8")
    (split.parent / "articles" / "c.yaml").symlink_to(outside)
    (problem,) = problems_of(split)
    assert "include[0]: articles/*.yaml: c.yaml leads outside the store's folder" in problem


def test_a_named_link_to_a_folder_outside_says_it_leads_outside(split: Path, tmp_path: Path) -> None:
    # It said "names a folder": true, but the pattern's reach outside the store is what matters.
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (split.parent / "articles" / "out.yaml").symlink_to(outside)
    edit(split, INCLUDE, "include: [articles/out.yaml]\n")
    (problem,) = problems_of(split)
    assert "include[0]: articles/out.yaml: out.yaml leads outside the store's folder" in problem


def test_a_pattern_matching_the_main_file_leaves_it_out(split: Path) -> None:
    edit(split, INCLUDE, "include: ['*.yaml', articles/*.yaml]\n")
    (split.parent / "more.yaml").write_text("events: []\n", encoding="utf-8")
    loaded = loader.load(split)
    assert loaded.included == ["more.yaml", "articles/a.yaml", "articles/b.yaml"]
    assert len(loaded.events) == 45


def test_the_json_schema_accepts_include() -> None:
    schema = json.loads((REPO / "events.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["include"]["type"] == "array"


# -- the cache and live reload see every file -------------------------------------------------------


def _retitle_last_in_b(split: Path) -> str:
    """Retitle b.yaml's first event (by rename, as an editor saves); its id."""
    b = split.parent / "articles" / "b.yaml"
    text = b.read_text(encoding="utf-8")
    event_id = re.findall(r"^  - id: (\S+)$", text, re.M)[0]
    title = re.findall(r"^    title: (.+)$", text, re.M)[0]
    edit(b, f"    title: {title}\n", "    title: Retitled in an included file\n")
    return event_id


def test_a_warm_command_sees_an_edit_of_an_included_file(split: Path) -> None:
    first = open_store(split)
    event_id = _retitle_last_in_b(split)
    assert first.event(event_id).title != "Retitled in an included file"  # type: ignore[union-attr]
    again = open_store(split)
    assert again.event(event_id).title == "Retitled in an included file"  # type: ignore[union-attr]
    assert open_store(split).event(event_id).title == "Retitled in an included file"  # type: ignore[union-attr]


def test_a_new_file_matching_the_pattern_is_picked_up(split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "--events", str(split), "validate")[0] == 0
    header, events = _items(_sections(BUNDLED.read_text(encoding="utf-8"))[1]["events"])
    new_event = events[0].replace("diplomatic-relations-established", "a-new-article-event")
    (split.parent / "articles" / "c.yaml").write_text(header + new_event, encoding="utf-8")
    status, out, _ = run_cli(capsys, "--events", str(split), "validate")
    assert status == 0 and "46 events" in out
    (split.parent / "articles" / "c.yaml").unlink()
    status, out, _ = run_cli(capsys, "--events", str(split), "validate")
    assert status == 0 and "45 events" in out


def test_the_watcher_watches_included_files_and_their_folder(split: Path) -> None:
    store = open_store(split)
    paths = input_paths(store.path, store.meta)
    folder = split.parent
    assert paths[:3] == [split, folder / "articles" / "a.yaml", folder / "articles" / "b.yaml"]
    assert paths[-1] == folder / "articles"
    reported = threading.Event()
    watcher = InputWatcher(paths, reported.set, interval=0.02)
    watcher.start()
    try:
        (folder / "articles" / "c.yaml").write_text("events: []\n", encoding="utf-8")  # a new file: the folder changes
        assert reported.wait(5)
        reported.clear()
        edit(folder / "articles" / "a.yaml", "entities:", "entities:  # edited")
        assert reported.wait(5)
    finally:
        watcher.stop()


def test_live_reload_of_a_split_store_sees_an_edit_and_a_new_file(split: Path) -> None:
    from kztj_tui.model import Filters
    from kztj_tui.session import Reloaded
    from kztj_tui.tui.search import SearchRequest

    session = BrowserSession(open_store(split), reopen=lambda: open_store(split))
    event_id = _retitle_last_in_b(split)
    reloaded = session.reload(SearchRequest(Filters()), [])
    assert isinstance(reloaded, Reloaded)
    assert reloaded.changes.updated == (event_id,) and reloaded.changes.articles == ()
    assert reloaded.changes.store_file
    session.adopt(reloaded)
    header, events = _items(_sections(BUNDLED.read_text(encoding="utf-8"))[1]["events"])
    new_event = events[0].replace("diplomatic-relations-established", "a-new-article-event")
    (split.parent / "articles" / "c.yaml").write_text(header + new_event, encoding="utf-8")
    again = session.reload(SearchRequest(Filters()), [])
    assert isinstance(again, Reloaded) and again.changes.added == ("a-new-article-event",)
    session.adopt(again)
    session.close()


# -- kztj edit opens the file that holds the event -----------------------------------------------------


def test_kztj_edit_opens_the_included_file_at_the_event(
    split: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    record = split.parent / "argv.json"
    script = split.parent / "fake-editor"
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\njson.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n", encoding="utf-8"
    )
    script.chmod(0o755)
    b = split.parent / "articles" / "b.yaml"
    event_id = re.findall(r"^  - id: (\S+)$", b.read_text(encoding="utf-8"), re.M)[1]
    line = line_of(b, f"- id: {event_id}")
    store = open_store(split)
    assert editor.event_place(store, event_id) == (b, line)
    assert editor.event_place(store, "diplomatic-relations-established") == (
        split,
        line_of(split, "- id: diplomatic-relations-established"),
    )
    assert editor.edit_command(store, event_id, {"VISUAL": "vim"}) == ["vim", f"+{line}", str(b)]
    monkeypatch.setenv("VISUAL", f"{script} --wait")
    status, _, _ = run_cli(capsys, "--events", str(split), "edit", event_id)
    assert status == 0 and json.loads(record.read_text(encoding="utf-8")) == ["--wait", str(b)]


async def test_the_browser_follows_an_edit_of_an_included_file_and_a_new_one(split: Path) -> None:
    from kztj_tui.tui.app import KztjApp

    from .tui_support import screen_text, settle
    from .waiting import wait_for

    app = KztjApp(open_store(split))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _retitle_last_in_b(split)
        await wait_for(pilot, lambda: "1 event updated" in [str(n.message) for n in app._notifications])
        header, events = _items(_sections(BUNDLED.read_text(encoding="utf-8"))[1]["events"])
        new_event = events[0].replace("diplomatic-relations-established", "a-new-article-event")
        new_event = new_event.replace("Kazakhstan and Tajikistan establish diplomatic relations", "From a new file")
        (split.parent / "articles" / "c.yaml").write_text(header + new_event, encoding="utf-8")
        await wait_for(pilot, lambda: "1 event added" in [str(n.message) for n in app._notifications])
        await settle(pilot)
        assert "From a new file" in screen_text(app)


def test_a_main_store_that_is_not_utf8_counts_columns_in_characters(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_bytes("title: Kazakhstan–Tajikistan\nevents: []  # é \xff\n".encode().replace(b"\xc3\xbf", b"\xff"))
    assert problems_of(path) == [f"{path}:2:17: not UTF-8: byte 0xff cannot be decoded"]


def test_changes_count_an_included_file_as_the_store_not_an_article() -> None:
    from kztj_tui.changes import compare

    old = {"events.yaml": "s", "articles/a.yaml": "a1", "seeds/x.txt": "x"}
    new = {"events.yaml": "s", "articles/a.yaml": "a2", "seeds/x.txt": "x"}
    changes = compare({}, {}, old, new, {"articles/a.yaml"})
    assert changes.store_file and changes.articles == ()


def test_an_article_that_is_not_utf8_counts_columns_in_characters(tmp_path: Path) -> None:
    from kztj_tui import articles

    path = tmp_path / "a.txt"
    path.write_bytes("Кызылорда\nТоқаев \xff".encode().replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(articles.ArticleError, match=r"not UTF-8 at 2:8 \(byte 0xff\)"):
        articles.read(path)


def test_the_ingest_loop_into_an_included_file(split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """ingest -o articles/NEW.yaml, write the TODOs, and the store includes it by its glob."""
    folder = split.parent
    draft = folder / "articles" / "new.yaml"
    article = folder / "seeds" / "002_22b63dd09c227152.txt"
    status, _, _ = run_cli(capsys, "--events", str(split), "ingest", str(article), "-o", str(draft))
    assert status == 0
    text = draft.read_text(encoding="utf-8")
    assert 'file: "seeds/002_22b63dd09c227152.txt"' in text  # named from the store's folder
    assert "\nentities:" not in text  # the store's own entities, not copies (duplicate ids)
    status, _, err = run_cli(capsys, "--events", str(split), "validate")
    assert status == 2 and err.startswith(f"{draft}:") and "a draft placeholder" in err
    written = re.sub(r'"TODO[^"]*"', '"Written by a person."', text)
    draft.write_text(re.sub(r"\btodo\b", "trade", written), encoding="utf-8")
    status, out, _ = run_cli(capsys, "--events", str(split), "validate")
    drafted = len(re.findall(r"^  - id: .*-e\d+\"?$", text, re.M))
    assert status == 0 and drafted > 0 and f"{45 + drafted} events" in out
    before = (folder / "articles" / "a.yaml").read_bytes()
    status, _, err = run_cli(
        capsys, "--events", str(split), "ingest", str(article), "-o", str(folder / "articles" / "a.yaml")
    )
    assert status == 2 and (folder / "articles" / "a.yaml").read_bytes() == before  # an included file is the store


def test_the_two_process_parse_of_the_main_file_joins_the_included_files(
    split: Path, single: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools

    from kztj_tui import halves

    calls = []
    parse = halves.parse

    def forced(*args: object, **kwargs: object) -> object:
        result = functools.partial(parse, min_bytes=0)(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(result is not None)
        return result

    monkeypatch.setattr(halves, "parse", forced)
    many = loader.load(split, fork=True)  # the caller's decision (forking.py): here, fork
    assert calls == [True]  # the main file was parsed in two processes
    assert many.events == loader.load(single).events and len(many.events) == 45
    b = split.parent / "articles" / "b.yaml"
    edit(b, "    status: occurred\n", "    status: maybe\n")
    (problem,) = problems_of(split)
    assert problem.startswith(f"{b}:")


async def test_e_in_the_browser_edits_the_included_file_that_holds_the_event(
    split: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kztj_tui.tui.app import KztjApp

    from .tui_support import screen_text, selected, settle, with_editor
    from .waiting import wait_for

    b = split.parent / "articles" / "b.yaml"
    text = b.read_text(encoding="utf-8")
    event_id = re.findall(r"^  - id: (\S+)$", text, re.M)[1]
    title = re.findall(r"^    title: (.+)$", text, re.M)[1]
    vim = split.parent / "vim"  # a fake vim: retitles the event in the file it is given
    vim.write_text(
        f"#!{sys.executable}\nimport sys\npath = sys.argv[-1]\ntext = open(path, encoding='utf-8').read()\n"
        f"open(path, 'w', encoding='utf-8').write(text.replace({title!r}, 'Edited where it lives', 1))\n",
        encoding="utf-8",
    )
    vim.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(vim))
    monkeypatch.delenv("VISUAL", raising=False)
    app = KztjApp(open_store(split), event_id=event_id)
    ran = with_editor(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert selected(app) == event_id
        await pilot.press("e")
        await wait_for(pilot, lambda: "1 event updated" in [str(n.message) for n in app._notifications])
        assert ran == [[str(vim), f"+{line_of(b, f'- id: {event_id}')}", str(b)]]
        assert "Edited where it lives" in screen_text(app)


def test_a_wildcard_that_matches_no_file_yet_loads_and_check_notes_it(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A typo (*.yml) loads, as an empty folder does (the next test), so check says so, at the pattern.
    edit(split, INCLUDE, "include: [articles/*.yaml, 'articles/*.yml']\n")
    assert run_cli(capsys, "--events", str(split), "validate")[0] == 0
    _, out, _ = run_cli(capsys, "--events", str(split), "check")
    line = line_of(split, "include:")
    column = split.read_text(encoding="utf-8").splitlines()[line - 1].index("'") + 1
    assert f"{split}:{line}:{column}: include pattern 'articles/*.yml' matches no file" in out
    assert "'articles/*.yaml' matches no file" not in out


def test_the_readme_loop_starts_from_an_empty_folder(single: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # include: names articles/ before its first article; ingest -o writes the first into it.
    folder = single.parent
    (folder / "articles").mkdir()
    single.write_text("include: [articles/*.yaml]\n" + single.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_cli(capsys, "--events", str(single), "validate")[0] == 0
    assert "'articles/*.yaml' matches no file" in run_cli(capsys, "--events", str(single), "check")[1]
    article = folder / "seeds" / "005_new.txt"
    article.write_text(" date 2024-08-23 Kazakhstan and Tajikistan agreed yesterday to meet.\n", encoding="utf-8")
    draft = folder / "articles" / "005.yaml"
    assert (
        run_cli(capsys, "--events", str(single), "ingest", str(article), "--outlet", "Wire", "-o", str(draft))[0] == 0
    )
    status, _, err = run_cli(capsys, "--events", str(single), "validate")
    assert status == 2 and f"{draft}:" in err and "a draft placeholder" in err


def test_a_main_file_that_is_a_link_is_not_included_by_its_own_pattern(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept, store = tmp_path / "kept", tmp_path / "store"
    kept.mkdir()
    store.mkdir()
    (kept / "events.yaml").write_text('title: T\ninclude: ["*.yaml"]\nevents: []\n', encoding="utf-8")
    (store / "events.yaml").symlink_to(kept / "events.yaml")
    status, _, err = run_cli(capsys, "--events", str(store / "events.yaml"), "validate")
    assert status == 0, err


def test_an_included_file_whose_name_is_not_utf8_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The cache recorded the matched names as JSON text SQLite could not hold: a traceback on every
    # command, --no-cache too (a hostile tester's finding).
    main = tmp_path / "events.yaml"
    (tmp_path / "parts").mkdir()
    main.write_text("title: t\ninclude: [parts/*.yaml]\nsources: []\nentities: []\nevents: []\n", encoding="utf-8")
    part = tmp_path / "parts" / os.fsdecode(b"caf\xe9.yaml")
    part.write_text("events: []\n", encoding="utf-8")
    ok = f"{main}: ok — 0 events, 0 figures, 0 sources, 0 entities\n"
    for options in (["--no-cache"], [], []):  # uncached, cold, warm
        assert run_cli(capsys, "--events", str(main), *options, "validate")[:2] == (0, ok)
    part.write_text("events: [1]\n", encoding="utf-8")
    status, _, err = run_cli(capsys, "--events", str(main), "validate")
    assert status == 2 and err.startswith(f"{tmp_path}/parts/caf\\xe9.yaml:1:")
