"""Every key binding of the browser, by where it applies.

Screens and widgets take theirs from here, so help, the keymap check and the command palette read
them all without importing a screen (a user with a keymap loads no screen before the first frame).
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from .appkeys import APP_BINDINGS
from .mainkeys import MAIN_BINDINGS, SEARCH_BOX_ACTIONS

# Footer groups: a pair of keys shown as one.
YEAR = Binding.Group("Year", compact=True)
MOVE = Binding.Group("Move", compact=True)

# Timeline (timeline.py)
TIMELINE_BINDINGS: list[BindingType] = [
    Binding("up,k", "cursor_up", "Up", show=False, tooltip="Previous event", id="timeline.up"),
    Binding("down,j", "cursor_down", "Down", show=False, tooltip="Next event", id="timeline.down"),
    Binding("pageup", "page_up", "Page up", show=False, tooltip="A screenful up", id="timeline.page_up"),
    Binding("pagedown", "page_down", "Page down", show=False, tooltip="A screenful down", id="timeline.page_down"),
    Binding("home,g", "first", "First event", show=False, tooltip="First event", id="timeline.first"),
    Binding("end,G", "last", "Last event", show=False, tooltip="Last event", id="timeline.last"),
    Binding(
        "left_square_bracket",
        "previous_year",
        "Previous year",
        key_display="[",
        group=YEAR,
        tooltip="First event of this year, or of the year before",
        id="timeline.previous_year",
    ),
    Binding(
        "right_square_bracket",
        "next_year",
        "Next year",
        key_display="]",
        group=YEAR,
        tooltip="First event of the next year",
        id="timeline.next_year",
    ),
    Binding("enter", "open", "Open", tooltip="Open the event in the detail pane", id="timeline.open"),
]

# DetailPane (detail.py)
DETAIL_BINDINGS: list[BindingType] = [
    Binding(
        "down,j",
        "down",
        "Next link",
        key_display="↓",
        tooltip="Next link, or scroll down",
        group=MOVE,
        id="detail.down",
    ),
    Binding(
        "up,k",
        "up",
        "Previous link",
        key_display="↑",
        tooltip="Previous link, or scroll up",
        group=MOVE,
        id="detail.up",
    ),
    Binding("pagedown,space", "page_down", "Page down", show=False, id="detail.page_down"),
    Binding("pageup", "page_up", "Page up", show=False, id="detail.page_up"),
    Binding("home,g", "top", "Top", show=False, id="detail.top"),
    Binding("end,G", "bottom", "Bottom", show=False, id="detail.bottom"),
    Binding("enter", "follow", "Follow", id="detail.follow", tooltip="Follow the link under the cursor"),
]

# ReaderScreen (reader.py)
READER_BINDINGS: list[BindingType] = [
    Binding(
        "escape,q,H", "close", "Back", key_display="q", tooltip="Close the article (q, Esc or H)", id="reader.back"
    ),
    Binding("j,down", "scroll_down", "Scroll down", show=False, id="reader.down"),
    Binding("k,up", "scroll_up", "Scroll up", show=False, id="reader.up"),
    Binding("space,pagedown", "page_down", "Page down", show=False, id="reader.page_down"),
    Binding("b,pageup", "page_up", "Page up", show=False, id="reader.page_up"),
    Binding("g,home", "top", "Top", show=False, id="reader.top"),
    Binding("G,end", "bottom", "Bottom", show=False, id="reader.bottom"),
    # Priority, as on the main screen: the keys typed right after "/" or Enter must not race
    # the focus change to the box and back.
    Binding(
        "slash",
        "search",
        "Find",
        key_display="/",
        tooltip="Find text in the article",
        priority=True,
        id="reader.find",
    ),
    Binding("enter", "find", "Find", show=False, priority=True, id="reader.find_run"),
    Binding("escape", "cancel_find", "Cancel", key_display="Esc", priority=True, id="reader.find_cancel"),
    Binding("n", "next_match", "Next", tooltip="Next match (wraps)", id="reader.next"),
    Binding("N", "previous_match", "Prev", key_display="N", tooltip="Previous match", id="reader.previous"),
    Binding("apostrophe", "jump_to_quote", "Quote", key_display="'", tooltip="Back to the quote", id="reader.quote"),
    Binding(
        "d",
        "draft",
        "Draft",
        tooltip="Make the current match's sentence a draft event and open it in $EDITOR",
        id="reader.draft",
    ),
]

# SourcePicker (reader.py)
PICKER_BINDINGS: list[BindingType] = [Binding("escape,q", "cancel", "Cancel", id="picker.cancel")]

# AxisScreen (timeaxis.py)
AXIS_BINDINGS: list[BindingType] = [
    Binding(
        "escape,q,a", "close", "Back", key_display="q", tooltip="Back to the timeline (q, Esc or a)", id="axis.back"
    ),
    Binding("left,h", "step(-1)", "Previous", key_display="←", tooltip="Previous event in time", id="axis.previous"),
    Binding("right,l", "step(1)", "Next", key_display="→", tooltip="Next event in time", id="axis.next"),
    Binding(
        "plus,equals_sign",
        "zoom(1)",
        "Zoom in",
        key_display="+",
        tooltip="Zoom in around the selection",
        id="axis.zoom_in",
    ),
    Binding("minus", "zoom(-1)", "Zoom out", key_display="-", tooltip="Zoom out", id="axis.zoom_out"),
    Binding(
        "left_square_bracket",
        "year(-1)",
        "Previous year",
        key_display="[",
        show=False,
        tooltip="First event of the year before",
        id="axis.previous_year",
    ),
    Binding(
        "right_square_bracket",
        "year(1)",
        "Next year",
        key_display="]",
        show=False,
        tooltip="First event of the next year",
        id="axis.next_year",
    ),
    Binding("home,g", "ends(0)", "First", show=False, tooltip="First event", id="axis.first"),
    Binding("end,G", "ends(1)", "Last", show=False, tooltip="Last event", id="axis.last"),
    Binding("enter", "open", "Open", tooltip="Back to the timeline with this event open", id="axis.open"),
]

# ConflictScreen (conflicts.py)
CONFLICT_BINDINGS: list[BindingType] = [
    Binding("escape,q", "app.pop_screen", "Back", tooltip="Close (q or Esc)", id="conflict.back"),
    Binding("left,h", "choose(-1)", "◀", key_display="←", show=False, tooltip="Previous version", id="conflict.left"),
    Binding("right,l,tab", "choose(1)", "▶", key_display="→", show=False, tooltip="Next version", id="conflict.right"),
    Binding(
        "enter",
        "read",
        "Read article",
        tooltip="Open the chosen version's article at its quote",
        id="conflict.read",
    ),
]

# FigureList (figures.py)
FIGURE_LIST_BINDINGS: list[BindingType] = [
    Binding("enter", "select", "Read source", tooltip="Read the figure's source at its quote", id="figures.read"),
]

# FiguresScreen (figures.py)
FIGURES_BINDINGS: list[BindingType] = [
    Binding("escape,q,t", "app.pop_screen", "Back", tooltip="Back to the timeline", id="figures.back")
]

# HelpScreen (screens.py)
HELP_BINDINGS: list[BindingType] = [
    Binding(
        "escape,question_mark,q",
        "app.pop_screen",
        "Close help",
        key_display="Esc",
        tooltip="Close help",
        id="help.close",
    )
]

# FilterScreen (screens.py)
FILTER_BINDINGS: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", tooltip="Close without changing the filters", id="filter.cancel")
]

# NoteScreen (notes.py)
NOTE_BINDINGS: list[BindingType] = [
    # Not priority: the text area types neither key, so they reach the dialog after the keys typed
    # before them (a priority binding ran at once, and Ctrl+S saved a note without its last letters).
    Binding("ctrl+s", "save", "Save", key_display="Ctrl+S", tooltip="Save the note", id="note.save"),
    Binding("escape", "cancel", "Cancel", key_display="Esc", tooltip="Close without saving", id="note.cancel"),
]

# ViewNameScreen (viewname.py)
VIEW_NAME_BINDINGS: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", key_display="Esc", tooltip="Close without saving", id="view.cancel"),
]

# ExportScreen (exportdialog.py)
EXPORT_BINDINGS: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", key_display="Esc", tooltip="Close without exporting", id="export.cancel")
]


def ids() -> frozenset[str]:
    """Every binding id, so a keymap is checked against them."""
    every = [*APP_BINDINGS, *MAIN_BINDINGS, *(b for _, bindings in SCREENS for b in bindings)]
    return frozenset(b.id for b in every if isinstance(b, Binding) and b.id)


# Each screen's or widget's own bindings, by the name help gives the place (the main screen's are
# split by help into the search box's and the rest).
SCREENS: list[tuple[str, list[BindingType]]] = [
    ("Timeline", TIMELINE_BINDINGS),
    ("Detail pane", DETAIL_BINDINGS),
    ("Article reader", READER_BINDINGS),
    ("Source picker", PICKER_BINDINGS),
    ("Time axis", AXIS_BINDINGS),
    ("Conflicting sources", CONFLICT_BINDINGS),
    ("Figures view", [*FIGURE_LIST_BINDINGS, *FIGURES_BINDINGS]),
    ("Note dialog", NOTE_BINDINGS),
    ("Export dialog", EXPORT_BINDINGS),
    ("Save-view dialog", VIEW_NAME_BINDINGS),
    ("Filter dialog", FILTER_BINDINGS),
    ("Help", HELP_BINDINGS),
]


def search_box_bindings() -> list[Binding]:
    """The main screen's bindings that act in the search box."""
    return [b for b in MAIN_BINDINGS if isinstance(b, Binding) and b.action in SEARCH_BOX_ACTIONS]


def places() -> list[tuple[str, list[Binding]]]:
    """Each place where a set of bindings applies together, Textual's own included (for the keymap's clash check)."""
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.screen import Screen
    from textual.scroll_view import ScrollView

    def node(*lists: list[BindingType]) -> list[Binding]:
        """One screen's or widget's bindings: as in Textual, a class's own replace its base's for a key."""
        keys: dict[str, list[Binding]] = {}
        for bindings in lists:
            own: dict[str, list[Binding]] = {}
            for binding in Binding.make_bindings(bindings):  # one Binding per key, as Textual holds them
                own.setdefault(binding.key, []).append(binding)
            keys.update(own)
        return [binding for bindings in keys.values() for binding in bindings]

    def merged(*nodes: list[Binding]) -> list[Binding]:
        found: list[Binding] = []
        for bindings in nodes:
            found += [b for b in bindings if b not in found]
        return found

    app = node(App.BINDINGS, APP_BINDINGS)
    main = node(Screen.BINDINGS, MAIN_BINDINGS)

    def screen(bindings: list[BindingType]) -> list[Binding]:
        return merged(app, node(Screen.BINDINGS, bindings))

    return [
        ("the timeline", merged(app, main, node(ScrollView.BINDINGS, TIMELINE_BINDINGS))),
        ("the detail pane", merged(app, main, node(VerticalScroll.BINDINGS, DETAIL_BINDINGS))),
        ("the article reader", screen(READER_BINDINGS)),
        ("the time axis", screen(AXIS_BINDINGS)),
        ("the conflict view", screen(CONFLICT_BINDINGS)),
        ("the figures view", screen(FIGURES_BINDINGS)),
        ("the source picker", screen(PICKER_BINDINGS)),
        ("the filter dialog", screen(FILTER_BINDINGS)),
        ("help", screen(HELP_BINDINGS)),
    ]
