"""`kztj export --marked` and `--notes`, and `note:` on the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import cli, userstate
from kztj_tui.export.schema import ExportStore

from .conftest import BUNDLED
from .test_export_hostile import HOSTILE as HOSTILE_TEXTS

FIRST, SECOND = "diplomatic-relations-established", "kz-mission-dushanbe-opens"
HOSTILE = "[bold]x[/] # not a heading\n- not a list *nor emphasis* <b>html</b> `code`"


@pytest.fixture
def marked() -> userstate.UserState:
    """Two marked events of the bundled store, a note on one, and a mark of an event it no longer has."""
    state, _ = userstate.load(BUNDLED)
    state.marks = {FIRST, SECOND, "gone-since"}
    state.set_note(SECOND, HOSTILE)
    state.set_note("gone-since", "kept, never shown")
    assert userstate.save(state) is None
    return state


def test_export_marked_writes_only_the_marked_events(marked: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--marked", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [event["id"] for event in data["events"]] == [FIRST, SECOND]
    assert all("note" not in event for event in data["events"])  # notes only when asked
    assert cli.main(["export", "--marked", "--format", "json", "--from", "1998"]) == 0
    assert [event["id"] for event in json.loads(capsys.readouterr().out)["events"]] == [SECOND]


def test_export_marked_with_nothing_marked_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--marked"]) == 0
    captured = capsys.readouterr()
    assert "No events match these filters" in captured.out
    assert captured.err == "kztj: no event of this store is marked (m marks one in the browser)\n"


def test_export_notes_in_markdown_are_escaped(marked: object, capsys: pytest.CaptureFixture[str]) -> None:
    from markdown_it import MarkdownIt

    assert cli.main(["export", "--marked", "--notes"]) == 0
    out = capsys.readouterr().out
    assert out.count("**Note:**") == 1
    html = MarkdownIt("commonmark").render(out)
    note = next(line for line in html.splitlines() if "Note:" in line)
    # Every piece of the note reads literally: no heading, list, emphasis, HTML or code.
    assert "[bold]x[/] # not a heading - not a list *nor emphasis* &lt;b&gt;html&lt;/b&gt; `code`" in note
    assert "kept, never shown" not in out
    assert cli.main(["export", "--marked"]) == 0
    assert "**Note:**" not in capsys.readouterr().out


def test_export_notes_in_json_and_jsonl(marked: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--notes", "--format", "json", "--tag", "diplomacy"]) == 0
    data = json.loads(capsys.readouterr().out)
    notes = {event["id"]: event["note"] for event in data["events"]}
    assert notes[SECOND] == HOSTILE and notes[FIRST] is None
    ExportStore.model_validate(data)  # the published schema allows the field
    assert cli.main(["export", "--notes", "--format", "jsonl", "--marked"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["note"] for line in lines] == [None, HOSTILE]


@pytest.mark.parametrize("fmt", ["csv", "ics", "timelinejs", "markwhen", "store"])
def test_other_formats_refuse_notes_with_one_line(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--notes", "--format", fmt]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"kztj: --notes works with the markdown, json, jsonl formats, not {fmt}\n"


def test_marks_need_a_store_file(
    write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    from .conftest import MINIMAL

    monkeypatch.chdir(write_store(MINIMAL).parent)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MINIMAL.encode())))
    assert cli.main(["export", "--events", "-", "--marked"]) == 2
    assert capsys.readouterr().err == (
        "kztj: --marked needs a store file: marks and notes are kept per store file, and stdin is none\n"
    )


def test_note_field_on_the_command_line(marked: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "note:heading"]) == 0
    assert SECOND in capsys.readouterr().out
    assert cli.main(["search", "note:nowhere"]) == 1
    assert cli.main(["export", "--format", "jsonl", "--query", "note:HEADING"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [SECOND]


def test_a_damaged_state_file_gives_one_line_and_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    path = userstate.state_path(BUNDLED)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[[[", encoding="utf-8")
    assert cli.main(["export", "--marked", "--format", "jsonl"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "is not valid JSON" in err[0] and err[0].startswith(f"kztj: {path}: ")
    assert [p.read_text(encoding="utf-8") for p in path.parent.glob("*.damaged-*")] == ["[[["]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_every_hostile_note_reads_literally_in_markdown_and_json(text: str) -> None:
    """A note as the browser keeps it (sanitised), exported: the structure of a plain note, the text intact."""
    import html
    import re

    from kztj_tui import export
    from kztj_tui.cache import open_store
    from kztj_tui.model import Filters

    from .test_export_hostile import _no_control_bytes, _structure, folded
    from .test_markdown_render import _markdown_it

    store = open_store(BUNDLED, use_cache=False)
    only = Filters(marked=(FIRST,))

    def notes(note: str) -> dict[str, str]:
        state = userstate.UserState(userstate.state_path(BUNDLED), BUNDLED)
        state.set_note(FIRST, note)
        return state.notes

    source = "".join(export.chunks(store, only, "markdown", notes(text)))
    plain = "".join(export.chunks(store, only, "markdown", notes("plain words")))
    _no_control_bytes(source, "\n")
    rendered = _markdown_it(source)
    assert _structure(rendered) == _structure(_markdown_it(plain))
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert folded(text) in " ".join(shown.split())
    data = json.loads("".join(export.chunks(store, only, "json", notes(text))))
    assert data["events"][0]["note"] == notes(text)[FIRST]
    _no_control_bytes(data["events"][0]["note"], "\n\t")
