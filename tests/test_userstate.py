"""Marks and notes without Textual: the state file per store, damaged files, the session, note: and the filter."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kztj_tui import userstate
from kztj_tui.cache import open_store
from kztj_tui.locations import data_dir
from kztj_tui.model import Filters
from kztj_tui.query import QueryError, note_matcher, parse
from kztj_tui.session import BrowserSession
from kztj_tui.store import Store
from kztj_tui.tui.search import SearchRequest

from .conftest import MINIMAL, REPO

TWO = MINIMAL.replace("figures: []", "").rstrip() + (
    "\n  - id: later\n    date: 2022-03-01\n    title: A later visit\n    summary: Another.\n"
    "    tags: [diplomacy]\n    actors: [tokayev]\n    status: occurred\n"
    "    sources:\n      - source: s1\n        quote: began his two-day visit to Dushanbe May 19\nfigures: []\n"
)


@pytest.fixture
def two(write_store: Callable[..., Path]) -> Path:
    return write_store(TWO)


def test_the_data_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KZTJ_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    monkeypatch.delenv("KZTJ_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert data_dir() == tmp_path / "xdg" / "kztj"
        monkeypatch.delenv("XDG_DATA_HOME")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert data_dir() == tmp_path / "home" / ".local" / "share" / "kztj"


def test_marks_and_notes_round_trip(two: Path) -> None:
    state, notice = userstate.load(two)
    assert notice is None and not state.marks and not state.notes
    assert state.toggle_mark("visit") is True
    state.set_note("later", "  ask [bold]x[/] about\nthe date  ")
    assert userstate.save(state) is None
    again, notice = userstate.load(two)
    assert notice is None
    assert again.marks == {"visit"}
    assert again.notes == {"later": "ask [bold]x[/] about\nthe date"}
    assert again.toggle_mark("visit") is False
    again.set_note("later", "   ")  # blank removes the note
    assert userstate.save(again) is None
    last, _ = userstate.load(two)
    assert not last.marks and not last.notes


def test_the_state_is_per_store_and_never_beside_it(two: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / "events.yaml"
    other.parent.mkdir()
    other.write_text(TWO, encoding="utf-8")
    first, _ = userstate.load(two)
    first.toggle_mark("visit")
    userstate.save(first)
    second, _ = userstate.load(other)
    assert not second.marks
    assert userstate.state_path(two) != userstate.state_path(other)
    assert userstate.state_path(two).parent == data_dir()
    # The same store by another path is the same store.
    assert userstate.state_path(two.parent / "." / two.name) == userstate.state_path(two)
    assert sorted(p.name for p in two.parent.iterdir()) == ["events.yaml", "other", "seeds"]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "is not valid JSON"),
        ('["visit"]', "is not a JSON object"),
        ('{"marks": "visit"}', '"marks" is not a list'),
        ('{"marks": [], "notes": {"visit": 3}}', '"notes" is not an object'),
        ('{"format": 99}', "format 99"),
        (b"\xff\xfe{}", "is not valid JSON"),
    ],
)
def test_a_damaged_state_file_is_kept_aside_and_the_state_starts_empty(
    two: Path, content: str | bytes, said: str
) -> None:
    path = userstate.state_path(two)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(data)
    state, notice = userstate.load(two)
    assert notice is not None and "\n" not in notice
    assert said in notice and str(path) in notice
    assert not state.marks and not state.notes
    kept = [p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == data
    assert kept[0].name in notice
    # Saving now writes a new file and leaves the damaged one as it was.
    state.toggle_mark("visit")
    assert userstate.save(state) is None
    assert kept[0].read_bytes() == data
    assert json.loads(path.read_text(encoding="utf-8"))["marks"] == ["visit"]


def test_a_state_file_that_is_a_directory_or_too_large_is_set_aside(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = userstate.state_path(two)
    path.mkdir(parents=True)
    _, notice = userstate.load(two)
    assert notice is not None and "is a directory" in notice
    assert not path.exists()
    monkeypatch.setattr(userstate, "STATE_LIMIT", 10)
    path.write_text('{"marks": ["visit", "later"]}', encoding="utf-8")
    _, notice = userstate.load(two)
    assert notice is not None and "the limit is 10" in notice
    assert len(list(path.parent.glob("*.damaged-*"))) == 2


def test_a_state_file_that_cannot_be_moved_aside_is_never_overwritten(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = userstate.state_path(two)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{damaged", encoding="utf-8")

    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(userstate.os, "rename", refuse)
    state, notice = userstate.load(two)
    assert notice is not None and "cannot move it aside (Permission denied)" in notice and "not saved" in notice
    state.toggle_mark("visit")
    assert userstate.save(state) is not None
    assert path.read_text(encoding="utf-8") == "{damaged"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_saving_is_atomic_and_keeps_the_file_permissions(two: Path) -> None:
    state, _ = userstate.load(two)
    state.toggle_mark("visit")
    assert userstate.save(state) is None
    path = userstate.state_path(two)
    path.chmod(0o600)
    inode = path.stat().st_ino
    state.toggle_mark("later")
    assert userstate.save(state) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_ino != inode  # replaced by a rename, never written in place
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_unknown_keys_written_by_another_version_are_kept(two: Path) -> None:
    path = userstate.state_path(two)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"format": 1, "marks": [], "layouts": {"a": {"query": "x"}}}', encoding="utf-8")
    state, notice = userstate.load(two)
    assert notice is None
    state.toggle_mark("visit")
    userstate.save(state)
    assert json.loads(path.read_text(encoding="utf-8"))["layouts"] == {"a": {"query": "x"}}


def test_lone_surrogate_escapes_in_a_state_file_become_replacement_characters(two: Path) -> None:
    # "\\ud800" is valid JSON but no text: saving it (a new mark, in the browser or an export with
    # --notes -o) was a UnicodeEncodeError traceback, and the mark was lost.
    path = userstate.state_path(two)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '{"format": 1, "marks": ["x\\udfff"], "notes": {"visit": "a\\ud800b", "later": "\\ud83d\\ude00"},'
        ' "views": {"v\\udc80": {"query": "trade"}}, "more": [["\\ud800"]]}',
        encoding="utf-8",
    )
    state, notice = userstate.load(two)
    assert notice is not None and str(path) in notice and "U+FFFD" in notice and "\n" not in notice
    assert state.notes == {"visit": "a\ufffdb", "later": "\U0001f600"}  # a pair is one character, kept
    assert state.marks == {"x\ufffd"} and set(state.views) == {"v\ufffd"}
    state.toggle_mark("later")
    assert userstate.save(state) is None
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["marks"] == ["later", "x\ufffd"] and saved["more"] == [["\ufffd"]]
    assert userstate.load(two)[1] is None  # nothing left to replace


def _reads(depth: int) -> bool:
    """Whether json reads a list nested this deep, here."""
    try:
        json.loads("[" * depth + "]" * depth)
    except RecursionError:
        return False
    return True


@pytest.mark.parametrize("escape", ["\\ud800", "a"])
def test_a_deeply_nested_state_file_is_never_a_traceback(two: Path, escape: str) -> None:
    # Every depth around the deepest json reads here (where it stops depends on the stack already in use):
    # re-encoding it, to find a lone surrogate or to save, nests a little deeper than reading did.
    path = userstate.state_path(two)
    path.parent.mkdir(parents=True, exist_ok=True)
    deepest = next(d for d in range(100, 100_000, 10) if not _reads(d)) - 10
    for depth in range(deepest - 20, deepest + 20):
        path.write_text(f'{{"format": 1, "x": "{escape}", "more": {"[" * depth}{"]" * depth}}}', encoding="utf-8")
        state, notice = userstate.load(two)
        if path.exists():  # read: saving it again is a line at worst
            state.toggle_mark("visit")
            problem = userstate.save(state)
            assert problem is None or problem.count("\n") == 0
        else:  # set aside, with one line
            assert notice is not None and "damaged" in notice and "\n" not in notice


# -- the session ------------------------------------------------------------------------------


def test_the_session_owns_marks_and_notes_and_saves_them(two: Path) -> None:
    session = BrowserSession(open_store(two, use_cache=False))
    assert session.user_notice is None
    assert session.toggle_mark("visit") is True
    session.set_note("visit", "check the date")
    assert session.is_marked("visit") and session.note("visit") == "check the date"
    assert session.save_user_state() is None
    fresh = BrowserSession(open_store(two, use_cache=False))
    assert fresh.marks == {"visit"} and fresh.notes == {"visit": "check the date"}
    view = fresh.event_view(fresh.store.rowid_of("visit") or 0)
    assert view.note == "check the date"
    assert fresh.clear_marks() == 1
    assert fresh.marks == frozenset()


def test_marks_of_events_the_store_lost_are_kept_but_not_shown(two: Path) -> None:
    session = BrowserSession(open_store(two, use_cache=False))
    session.user.marks.add("gone")  # an event deleted from the store since
    session.toggle_mark("later")
    assert session.marked_count() == 1
    result = session.search(SearchRequest(session.marked_filters(Filters())))
    assert [session.store.event_at(r).id for r in result.rowids] == ["later"]
    session.save_user_state()
    assert userstate.load(two)[0].marks == {"gone", "later"}


def test_a_save_with_nothing_new_writes_nothing(two: Path) -> None:
    session = BrowserSession(open_store(two, use_cache=False))
    session.toggle_mark("visit")
    assert session.save_user_state() is None
    path = userstate.state_path(two)
    path.unlink()
    assert session.save_user_state() is None
    assert not path.exists()


def test_the_session_reports_a_damaged_file(two: Path) -> None:
    path = userstate.state_path(two)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("nope", encoding="utf-8")
    session = BrowserSession(open_store(two, use_cache=False))
    assert session.user_notice is not None and "not valid JSON" in session.user_notice


# -- note: and the marked filter ---------------------------------------------------------------


def test_note_field_matches_notes_folded(store: Store) -> None:
    notes = {"2021-05-rahmon-astana": "Ask about the Rogun déal", "nope": "other"}
    assert note_matcher(notes)("DEAL") == ["2021-05-rahmon-astana"]
    assert parse("note:deal").fields()[0].name == "note"
    with pytest.raises(QueryError, match="note: needs a value"):
        parse('note:""')


def test_note_search_in_the_session(two: Path) -> None:
    session = BrowserSession(open_store(two, use_cache=False))
    session.set_note("later", "Follow up with the MFA")
    found = session.search(SearchRequest(Filters(query="note:mfa")))
    assert [session.store.event_at(r).id for r in found.rowids] == ["later"]
    # Combined with words, negated, and with nothing noted.
    assert len(session.search(SearchRequest(Filters(query="visit -note:mfa"))).rowids) == 1
    assert session.search(SearchRequest(Filters(query="note:nothing"))).rowids == []
    # Without notes (kztj search on a store with none), note: matches nothing.
    assert session.store.search(Filters(query="note:mfa")).rowids == []


def test_the_marked_filter_is_a_filter(store: Store) -> None:
    first = store.event_at(store.all_rowids()[0]).id
    filters = Filters(marked=(first, "no-such-event"))
    assert filters.active and "marked events" in filters.describe()
    assert [e.id for e in store.iter_events(filters)] == [first]
    assert store.search(Filters(marked=())).rowids == []


def test_userstate_never_imports_textual() -> None:
    code = "import sys, kztj_tui.userstate, kztj_tui.session\nassert 'textual' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_the_browser_export_of_a_note_search_finds_the_noted_events(two: Path, tmp_path: Path) -> None:
    session = BrowserSession(open_store(two, use_cache=False))
    session.set_note("later", "for the report")
    target = tmp_path / "out.md"
    assert session.export(Filters(query="note:report"), target) is None
    text = target.read_text(encoding="utf-8")
    assert "A later visit" in text and "Tokayev visits Dushanbe" not in text
    assert "for the report" not in text  # notes go out only when asked (kztj export --notes)
