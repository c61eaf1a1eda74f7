"""The reader's `d`: the current match's sentence becomes a draft event, dated by ingest's rules, opened in $EDITOR."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kztj_tui import editor
from kztj_tui.cache import open_store
from kztj_tui.cli import main
from kztj_tui.ingest import candidates, passage, sentences
from kztj_tui.ingest.run import knowledge_of
from kztj_tui.tui.app import KztjApp
from kztj_tui.tui.reader import ReaderScreen

from .conftest import BUNDLED, REPO
from .test_edit import fake_editor
from .tui_support import settle, with_editor
from .waiting import wait_for

EVENT = "trade-h1-2023"  # its one source is Kazinform's article of 25 August 2023
SOURCE = "kazinform-2023-08-25"
H1 = (
    "According to the Kazakh Head of State, in H1 2023, trade turnover between the countries rose to $500mln, "
    "with the volume of mutual trade is set to be increased to $2bn."
)
STRESSED = "He stressed that for Kazakhstan friendly relations with Tajikistan are very important."


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "seeds", tmp_path / "store" / "seeds")
    shutil.copy(BUNDLED, tmp_path / "store" / "events.yaml")
    return tmp_path / "store" / "events.yaml"


def notices(app: KztjApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def item_line(path: Path, event_id: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines.index(f'  - id: "{event_id}"') + 1


async def find_in_reader(pilot: object, app: KztjApp, term: str) -> ReaderScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("s")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))  # type: ignore[arg-type]
    reader = app.screen
    assert isinstance(reader, ReaderScreen) and reader.source.id == SOURCE
    await pilot.press("slash", *term, "enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: bool(reader.matches) and not reader._finding)  # type: ignore[arg-type]
    return reader


async def test_d_drafts_the_match_s_sentence_and_opens_it_in_the_editor_at_its_line(
    store_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, record = fake_editor(tmp_path)
    vim = tmp_path / "vim"
    vim.symlink_to(script)
    monkeypatch.setenv("EDITOR", str(vim))
    monkeypatch.delenv("VISUAL", raising=False)
    before = store_copy.read_bytes()
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    ran = with_editor(app)
    draft = store_copy.parent / "drafts" / f"{SOURCE}.yaml"
    async with app.run_test(size=(100, 30)) as pilot:
        await find_in_reader(pilot, app, "in H1 2023")
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(ran))
        text = draft.read_text(encoding="utf-8")
        event_id = f"{SOURCE}-e4"
        line = item_line(draft, event_id)
        assert ran == [[str(vim), f"+{line}", str(draft)]]
        assert json.loads(record.read_text()) == [f"+{line}", str(draft)]
        # The quote is the sentence verbatim; the date is ingest's, with its reason as a comment.
        lines = text.splitlines()
        assert lines[line - 4 : line - 1] == [
            '  # "H1 2023"',
            "  # duplicates event trade-h1-2023: quotes this passage",
            "  # duplicates event trade-target-2bn: quotes this passage",
        ]
        assert lines[line] == '    date: "2023-01/2023-06"'
        assert f"        quote: {json.dumps(H1)}" in lines
        assert any(f"{event_id}, dated 2023-01/2023-06" in n for n in notices(app))

        # A second passage is appended after the first, which keeps what the person wrote in it.
        draft.write_text(text.replace('"TODO: write a title"', '"Trade in H1 2023"', 1), encoding="utf-8")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("slash", *"He stressed", "enter")
        await wait_for(pilot, lambda: reader.term == "He stressed" and not reader._finding)
        await pilot.press("d")
        await wait_for(pilot, lambda: len(ran) == 2)
        second = f"{SOURCE}-e6"
        assert ran[1] == [str(vim), f"+{item_line(draft, second)}", str(draft)]
        assert item_line(draft, second) > item_line(draft, event_id)
    appended = draft.read_text(encoding="utf-8")
    assert '"Trade in H1 2023"' in appended and f"        quote: {json.dumps(STRESSED)}" in appended
    assert store_copy.read_bytes() == before  # the store is never written
    # The draft is a store of its own: once its TODOs are written, validate accepts its quotes and dates.
    draft.write_text(
        appended.replace('"TODO: write a title"', '"A title"').replace(
            '"TODO: write a summary in your own words"', '"A summary."'
        ),
        encoding="utf-8",
    )
    assert main(["validate", "--events", str(draft), "--allow-outside-articles", "--no-cache"]) == 0


async def test_d_without_a_match_says_how_to_choose_a_passage(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "vim")
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    ran = with_editor(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: bool(notices(app)))
        assert notices(app) == ["No passage chosen: find a word of it with /, then press d."]
    assert ran == [] and not (store_copy.parent / "drafts").exists()


async def test_d_without_an_editor_writes_the_draft_and_says_how_to_set_one(
    store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    app = KztjApp(open_store(store_copy), event_id=EVENT)
    ran = with_editor(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await find_in_reader(pilot, app, "He stressed")
        await pilot.press("d")
        await wait_for(pilot, lambda: any("Draft" in n or "appended" in n for n in notices(app)))
        (said,) = [n for n in notices(app) if "appended" in n]
        assert said.endswith(editor.NO_EDITOR)
    draft = store_copy.parent / "drafts" / f"{SOURCE}.yaml"
    assert f"        quote: {json.dumps(STRESSED)}" in draft.read_text(encoding="utf-8")
    assert ran == []


# -- headless: the passage and the draft file ------------------------------------------------------


def test_a_sentence_ingest_would_pass_over_is_still_drafted_with_the_article_s_date_marked_uncertain() -> None:
    store = open_store(BUNDLED)
    source = store.sources[SOURCE]
    text = store.article(source.id)
    every = candidates.read(text, passage.published_span(source), source.id, knowledge_of(store))
    starts = {c.start for c in every}
    plain = next(s for s in sentences.split(text, sentences.header(text).body_start) if s.start not in starts)
    event = passage.candidate(store, source, text, plain.start + 3)
    assert (event.kind, event.quote, event.when) == ("event", plain.text, "2023-08-25?")
    assert event.reason == "undated: the article's date (2023-08-25), marked uncertain"


def test_a_draft_file_that_does_not_parse_is_left_alone(store_copy: Path) -> None:
    store = open_store(store_copy)
    source = store.sources[SOURCE]
    text = store.article(source.id)
    draft = passage.draft_path(store.path, source.id)
    draft.parent.mkdir()
    draft.write_text("events: [\n  - broken\n", encoding="utf-8")
    event = passage.candidate(store, source, text, text.index("He stressed"))
    with pytest.raises(passage.PassageError, match="fix it, then press d again"):
        passage.append(store, source, event, draft)
    assert draft.read_text(encoding="utf-8") == "events: [\n  - broken\n"


def test_an_id_already_taken_gets_a_suffix(store_copy: Path) -> None:
    store = open_store(store_copy)
    source = store.sources[SOURCE]
    text = store.article(source.id)
    draft = passage.draft_path(store.path, source.id)
    ids = []
    for _ in range(2):
        event = passage.candidate(store, source, text, text.index("He stressed"))
        ids.append(passage.append(store, source, event, draft).event_id)
    assert ids == [f"{SOURCE}-e6", f"{SOURCE}-e6-2"]
