"""Which of the main screen's keys work where: a plain function of the screen's state."""

from __future__ import annotations

from kztj_tui.tui.mainkeys import MAIN_BINDINGS, SEARCH_BOX_ACTIONS, KeysState, enabled

ACTIONS = {binding.action for binding in MAIN_BINDINGS if not isinstance(binding, tuple)}


def test_the_search_box_has_only_its_own_keys() -> None:
    state = KeysState("search", query=True, matches=True, back=True)
    # Its own, and the switch between filter and find (Ctrl+T types nothing there).
    assert {action for action in ACTIONS if enabled(action, state)} == SEARCH_BOX_ACTIONS | {"find_mode"}


def test_the_detail_pane_has_no_timeline_keys_and_esc_leaves_it() -> None:
    detail = KeysState("detail", matches=True, filtered=True, query=True)
    assert not any(enabled(action, detail) for action in ("next_match", "filters", "axis", "clear_search"))
    assert enabled("leave_detail", detail) and enabled("read_source", detail)
    assert enabled("quit", detail) and not enabled("quit", detail._replace(detail_open=True))


def test_the_timeline_keys_follow_what_there_is_to_do() -> None:
    plain = KeysState("timeline")
    assert not any(
        enabled(action, plain)
        for action in ("back", "forward", "next_match", "clear_filters", "clear_search", "leave_detail", "hide_errors")
    )
    assert enabled("quit", plain) and enabled("axis", plain) and enabled("focus_search", plain)
    busy = KeysState("timeline", matches=True, query=True, filtered=True, back=True, forward=True, errors=True)
    assert all(enabled(action, busy) for action in ("back", "forward", "next_match", "clear_filters", "hide_errors"))
