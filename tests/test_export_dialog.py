"""Reports from the browser: w asks where (the extension picks the format) and what (view, marked, store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kztj_tui.tui.exportdialog import ExportScreen

from .tui_support import bundled_app, settle, shown
from .waiting import wait_for


async def _export(pilot: object, app: object, name: str, scope_presses: int) -> None:
    await pilot.press("w")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))  # type: ignore[arg-type,attr-defined]
    box = app.screen.query_one("#export-path")  # type: ignore[attr-defined]
    box.value = name
    if scope_presses:
        await pilot.press("tab")  # type: ignore[attr-defined]
        for _ in range(scope_presses):
            await pilot.press("down")  # type: ignore[attr-defined]
        await pilot.press("enter", "shift+tab")  # type: ignore[attr-defined]  # choose it, back to the name
    await pilot.press("enter")  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_marked_events_to_json_by_the_name_s_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.chdir(tmp_path)
    app = bundled_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("m", "j", "j", "m")
        await _export(pilot, app, "report.json", scope_presses=1)
        await wait_for(pilot, lambda: (tmp_path / "report.json").exists())
    events = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["events"]
    assert len(events) == 2 and events[0]["id"] == "diplomatic-relations-established"


async def test_the_whole_store_whatever_the_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"grapes", "enter")
        await wait_for(pilot, lambda: len(shown(app)) < app.store.count)
        await pilot.press("m")  # something marked: every scope is offered
        await _export(pilot, app, "all.csv", scope_presses=2)
        await wait_for(pilot, lambda: (tmp_path / "all.csv").exists())
    text = (tmp_path / "all.csv").read_bytes()
    rows = text.count(b"\r\n")
    assert rows > app.store.count, text[:300]  # a header and every event (some cells hold line breaks)


async def test_a_name_without_a_known_extension_keeps_the_dialog_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _export(pilot, app, "report.docx", scope_presses=0)
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert ".md" in str(app.screen.query_one("#export-help").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen))
    assert list(tmp_path.iterdir()) == []


async def test_marked_is_offered_only_when_something_is_marked() -> None:
    app = bundled_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.screen.query_one("#scope-marked").disabled


async def test_the_view_counts_what_the_timeline_shows() -> None:
    app = bundled_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert f"This view ({app.store.count} events)" in str(app.screen.query_one("#scope-view").label)
        await pilot.press("escape")
        await pilot.press("ctrl+t", "slash", *"Rogun", "enter")  # find: every event stays in view
        await settle(pilot)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert f"This view ({app.store.count} events)" in str(app.screen.query_one("#scope-view").label)
