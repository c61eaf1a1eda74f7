"""Issue 18: the detail pane words a plan's status against today, never "not yet happened" once its date has passed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kztj_tui import check
from kztj_tui.store import Store

from .conftest import MINIMAL
from .tui_support import app_for, settle

SUMMIT = """\
  - id: summit
    date: 2023-09
    title: A summit in Dushanbe
    summary: A summit.
    tags: [diplomacy]
    actors: [tokayev]
    status: planned
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
    related: [RELATED]
  - id: held
    date: 2023-09-15
    title: The summit is held
    summary: It is held.
    tags: [diplomacy]
    actors: [tokayev]
    status: occurred
    sources:
      - source: s1
        quote: began his two-day visit to Dushanbe May 19
figures: []
"""


@pytest.mark.parametrize(
    ("today", "related", "status"),
    [
        ("2026-12-04", "", "planned for September 2023; no later report in the store"),
        ("2023-10-01", "visit", "planned for September 2023; no later report in the store"),  # related, but earlier
        ("2023-06-01", "", "planned for September 2023"),
        ("2026-12-04", "held", "planned for September 2023; reported later: The summit is held (15 September 2023)"),
    ],
)
async def test_the_detail_pane_words_a_plan_against_today(
    write_store: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, today: str, related: str, status: str
) -> None:
    monkeypatch.setenv("KZTJ_TODAY", today)
    path = write_store(MINIMAL.replace("figures: []\n", SUMMIT.replace("RELATED", related)))
    app = app_for(path, event_id="summit")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        heading = str(app.screen.query_one("#detail-heading").render())
    assert "A summit in Dushanbe" in heading
    assert f"Status {status}" in " ".join(heading.split())
    assert "not yet happened" not in heading
    if "no later report" not in status:
        assert "no later report" not in heading


@pytest.mark.parametrize(
    ("today", "status"),
    [
        ("2026-12-04", "planned for September 2023; no later report in the store"),
        ("2023-05-06", "planned for September 2023"),
    ],
)
def test_the_bundled_summit_against_today(store: Store, today: str, status: str) -> None:
    summit = store.event("central-asia-summit-dushanbe-2023")
    assert summit is not None
    related = store.events_by_id(list(summit.related))
    assert check.status_text(summit, related, store.sources, date.fromisoformat(today)) == status
