"""The main screen's keys: what a keymap can rebind, and what help lists, without loading the screen."""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding, BindingType

# The search box's keys: the screen binds them, and turns them off unless the box has focus.
SEARCH_BOX_ACTIONS = frozenset({"commit_search", "cancel_search", "leave_search"})
MATCH = Binding.Group("Match", compact=True)
HISTORY = Binding.Group("Back/Fwd", compact=True)

MAIN_BINDINGS: list[BindingType] = [
    # Priority: the app runs it before forwarding the keys typed after it, so a fast "/Rogun"
    # lands whole in the search box (check_action lets "/" through once the box has focus).
    Binding(
        "slash",
        "focus_search",
        "Search",
        key_display="/",
        tooltip="Search as you type; Enter keeps the results on screen",
        priority=True,
        id="main.search",
    ),
    Binding(
        "escape",
        "leave_detail",
        "Timeline",
        key_display="Esc",
        tooltip="From the detail pane, back to the timeline",
        id="main.leave_detail",
    ),
    Binding(
        "escape",
        "clear_search",
        "Clear search",
        key_display="Esc",
        tooltip="Clear the search, back to where you were",
        id="main.clear_search",
    ),
    # The search box's keys: priority, so the keys typed after them reach the timeline.
    Binding(
        "enter",
        "commit_search",
        "Keep",
        tooltip="Keep the results on screen: the word typed last stays a prefix unless a space or quotes end it",
        priority=True,
        id="search.commit",
    ),
    Binding(
        "escape",
        "cancel_search",
        "Clear",
        key_display="Esc",
        tooltip="Clear the search, back to where you were",
        priority=True,
        id="search.clear",
    ),
    Binding(
        "down,tab",
        "leave_search",
        "Results",
        key_display="↓",
        tooltip="Go to the results, keeping them",
        priority=True,
        id="search.leave",
    ),
    # Screen binds these, but a key bound here replaces every binding of it from Screen.
    Binding(
        "tab",
        "app.focus_next",
        "Next pane",
        show=False,
        tooltip="Move between the search box, the timeline and the detail pane",
        id="main.focus_next",
    ),
    Binding(
        "shift+tab",
        "app.focus_previous",
        "Previous pane",
        show=False,
        tooltip="Move back between the panes",
        id="main.focus_previous",
    ),
    Binding("n", "next_match", "Next match", tooltip="Next matching event (wraps)", group=MATCH, id="main.next_match"),
    Binding(
        "N",
        "previous_match",
        "Previous match",
        key_display="N",
        tooltip="Previous match",
        group=MATCH,
        id="main.prev_match",
    ),
    Binding("s", "read_source", "Source", tooltip="Read the event's sources at their quotes", id="main.source"),
    Binding("f", "filters", "Filter", tooltip="Filter by tag, actor and years", id="main.filter"),
    Binding("x", "clear_filters", "Clear filter", tooltip="Clear tag, actor, place and year filters", id="main.clear"),
    Binding(
        "H,alt+left",
        "back",
        "Back",
        key_display="H",
        tooltip="Back to the previous place",
        group=HISTORY,
        id="main.back",
    ),
    Binding(
        "L,alt+right",
        "forward",
        "Forward",
        key_display="L",
        tooltip="Forward again",
        group=HISTORY,
        id="main.forward",
    ),
    Binding("a", "axis", "Axis", tooltip="Time axis: events drawn to scale", id="main.axis"),
    Binding(
        "t",
        "figures",
        "Figures",
        show=False,
        tooltip="Trade chart: turnover, exports vs imports, targets",
        id="main.figures",
    ),
    # "e" edits (below, as in lazygit); the export writes the view: "w".
    Binding(
        "w", "export", "Export", show=False, tooltip="Export the current view to a Markdown file", id="main.export"
    ),
    Binding("y", "copy_event", "Copy", show=False, tooltip="Copy the selected event as Markdown", id="main.copy"),
    Binding(
        "E",
        "hide_errors",
        "Hide errors",
        key_display="E",
        tooltip="Hide the panel listing the problems of the store on disk",
        id="main.hide_errors",
    ),
    # -- edit at the line (issue 20) --
    Binding(
        "e",
        "edit",
        "Edit",
        show=False,
        tooltip="Open the store in $VISUAL or $EDITOR at the selected event's line",
        id="main.edit",
    ),
    # -- end edit at the line --
    Binding("q", "leave_detail", "Close", tooltip="Close the full-width detail view", id="main.close"),
    Binding("q", "quit", "Quit", tooltip="Quit (exit status 0)", id="main.quit"),
]
# -- marks and notes (issue 20): off the footer, listed in help and the command palette --------
MARK_BINDINGS: list[BindingType] = [
    Binding("m", "toggle_mark", "Mark", show=False, tooltip="Mark or unmark the selected event", id="main.mark"),
    Binding(
        "M",
        "marked",
        "Marked",
        key_display="M",
        show=False,
        tooltip="Show only the marked events, or every event again",
        id="main.marked",
    ),
    Binding(
        "alt+m",
        "clear_marks",
        "Clear marks",
        show=False,
        tooltip="Unmark every event of this store (also in the command palette)",
        id="main.clear_marks",
    ),
    Binding(
        "A",
        "note",
        "Note",
        key_display="A",
        show=False,
        tooltip="Write or change your private note on the selected event",
        id="main.note",
    ),
]
# -- saved views (issue 20) -----------------------------------------------------------------------
VIEW_BINDINGS: list[BindingType] = [
    Binding(
        "V",
        "save_view",
        "Save view",
        key_display="V",
        show=False,
        tooltip="Save the search and filters under a name (open it from the palette or kztj --view NAME)",
        id="main.save_view",
    ),
]
# -- find or filter (issue 20): one key, in the search box too ------------------------------------
FIND_BINDINGS: list[BindingType] = [
    Binding(
        "ctrl+t",
        "find_mode",
        "Find/filter",
        key_display="Ctrl+T",
        show=False,  # not priority: the search box types no Ctrl+T, and keys typed before it go first
        tooltip="Switch the search between filter (the list narrows) and find (every event stays, n/N jump)",
        id="main.find_mode",
    ),
]
MAIN_BINDINGS += MARK_BINDINGS + VIEW_BINDINGS + FIND_BINDINGS
# What each context leaves out of the footer (and so turns off): the search box types its
# letters; the detail pane has no timeline keys.
DETAIL_HIDES = frozenset({"next_match", "previous_match", "filters", "clear_filters", "axis", "clear_search"})


class KeysState(NamedTuple):
    """What decides which of the main screen's keys work."""

    focus: str  # "search" (the box), "detail" (the pane) or "timeline"
    detail_open: bool = False  # the detail pane fills the screen (one pane at a time)
    matches: bool = False  # the view shows a search's matches
    query: bool = False  # a search is typed or shown
    filtered: bool = False  # filters besides the search narrow the view
    back: bool = False
    forward: bool = False
    errors: bool = False  # the panel of the store's problems on disk is shown


def enabled(action: str, state: KeysState) -> bool:
    """Whether a key of the main screen works (and shows in the footer) in this state."""
    if action in SEARCH_BOX_ACTIONS:
        return state.focus == "search"
    if action == "find_mode":
        return True  # in the search box too: Ctrl+T types nothing there
    if state.focus == "search":
        return False  # every other key of the screen is a letter the box types
    if state.focus == "detail" and action in DETAIL_HIDES:
        return False
    return {
        "leave_detail": state.focus == "detail" or state.detail_open,
        "quit": not state.detail_open,
        "clear_search": state.query,
        "back": state.back,
        "forward": state.forward,
        "next_match": state.matches,
        "previous_match": state.matches,
        "clear_filters": state.filtered,
        "hide_errors": state.errors,
    }.get(action, True)
