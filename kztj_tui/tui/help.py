"""The help screen's content: every binding by where it applies, with the keys the user's keymap gives them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingType

KEY_NAMES = {
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "apostrophe": "'",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Del",
    "insert": "Ins",
}
MODIFIER_NAMES = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "meta": "Meta", "super": "Super", "hyper": "Hyper"}
# Every binding id a keymap can name, so that the keymap is checked without loading every screen
# before the first frame; tests/test_help.py keeps it equal to the ids of the screens' bindings.
BINDING_IDS = frozenset(
    f"{context}.{name}"
    for context, names in {
        "app": "command_palette help quit",
        "axis": "back first last next next_year open previous previous_year zoom_in zoom_out",
        "conflict": "back left read right",
        "detail": "bottom down follow page_down page_up top up",
        "figures": "back read",
        "filter": "cancel",
        "help": "close",
        "note": "save cancel",
        "view": "cancel",
        "export": "cancel",
        "main": "axis back clear clear_search close copy edit export figures filter "
        "focus_next focus_previous forward hide_errors leave_detail next_match prev_match quit search source "
        "mark marked clear_marks note save_view find_mode",
        "picker": "cancel",
        "reader": "back bottom down draft find find_cancel find_run next page_down page_up previous quote top up",
        "search": "clear commit leave",
        "timeline": "down first last next_year open page_down page_up previous_year up",
    }.items()
    for name in names.split()
)
# The rule q follows on every screen, said once above the lists.


def key_display(key: str) -> str:
    """A key as help shows it: ``plus`` as ``+``, ``ctrl+n`` as ``Ctrl+N``, ``alt+left`` as ``Alt+←``."""
    from textual.keys import format_key

    key = key.strip()
    if len(key) == 1:
        return key
    *modifiers, base = key.split("+")
    shown = KEY_NAMES.get(base) or format_key(base)
    if modifiers and len(shown) == 1:
        shown = shown.upper()
    return "+".join([*(MODIFIER_NAMES.get(m, m) for m in modifiers), shown])


def key_names(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys of a binding as the user types them, after the keymap."""
    keys = keymap.get(binding.id or "", "") or binding.key
    return " / ".join(key_display(key) for key in keys.split(","))


def rows(bindings: Iterable[BindingType], keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(keys, what they do, binding id) for the bindings that have a description."""
    out = []
    for binding in bindings:
        if isinstance(binding, Binding) and (binding.tooltip or binding.description):
            out.append((key_names(binding, keymap), binding.tooltip or binding.description, binding.id or ""))
    return out


def _binding_lists() -> list[tuple[str, list[BindingType]]]:
    from .appkeys import APP_BINDINGS
    from .conflicts import ConflictScreen
    from .detail import DetailPane
    from .exportdialog import ExportScreen
    from .figures import FigureList, FiguresScreen
    from .main import MainScreen
    from .notes import NoteScreen
    from .reader import ReaderScreen, SourcePicker
    from .screens import FilterScreen, HelpScreen
    from .timeaxis import AxisScreen
    from .timeline import Timeline
    from .viewname import ViewNameScreen

    return [
        ("Anywhere", APP_BINDINGS),
        ("Timeline", Timeline.BINDINGS),
        ("Main screen", MainScreen.BINDINGS),
        ("Detail pane", DetailPane.BINDINGS),
        ("Article reader", ReaderScreen.BINDINGS),
        ("Source picker", SourcePicker.BINDINGS),
        ("Time axis", AxisScreen.BINDINGS),
        ("Conflicting sources", ConflictScreen.BINDINGS),
        ("Figures view", [*FiguresScreen.BINDINGS, *FigureList.BINDINGS]),
        ("Filter dialog", FilterScreen.BINDINGS),
        ("Help", HelpScreen.BINDINGS),
        ("Note dialog", NoteScreen.BINDINGS),
        ("Save-view dialog", ViewNameScreen.BINDINGS),
        ("Export dialog", ExportScreen.BINDINGS),
    ]


def binding_ids() -> set[str]:
    """Every binding id a keymap can name."""
    return set(BINDING_IDS)


def bound_ids() -> set[str]:
    """The ids the bindings of every screen and widget have (this imports them all)."""
    return {b.id for _, bindings in _binding_lists() for b in bindings if isinstance(b, Binding) and b.id}


def help_sections(app: object) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The sections the help screen lists, by where the keys apply: (keys, what they do, binding id).

    Keys that are a widget's own (an option list's ↑ ↓, a check list's Space) have no binding id:
    they cannot be rebound.
    """
    from .appkeys import APP_BINDINGS
    from .conflicts import ConflictScreen
    from .detail import DetailPane
    from .exportdialog import ExportScreen
    from .figures import FigureList, FiguresScreen
    from .main import MainScreen
    from .mainkeys import SEARCH_BOX_ACTIONS
    from .notes import NoteScreen
    from .reader import ReaderScreen, SourcePicker
    from .screens import FilterScreen, HelpScreen
    from .timeaxis import AxisScreen
    from .timeline import Timeline
    from .viewname import ViewNameScreen

    keymap: Mapping[str, str] = getattr(app, "keymap", {})
    screen = [b for b in MainScreen.BINDINGS if isinstance(b, Binding)]
    search_box = [b for b in screen if b.action in SEARCH_BOX_ACTIONS]
    # Tab is stated once, under "Anywhere".
    tab = [b for b in screen if b.id in ("main.focus_next", "main.focus_previous")]
    main = [b for b in screen if b not in search_box and b not in tab]
    return [
        ("Anywhere", [*rows(APP_BINDINGS, keymap), *rows(tab, keymap)]),
        ("Timeline", rows(Timeline.BINDINGS, keymap)),
        ("Main screen", rows(main, keymap)),
        ("Search box", rows(search_box, keymap)),
        ("Detail pane", rows(DetailPane.BINDINGS, keymap)),
        ("Article reader", rows(ReaderScreen.BINDINGS, keymap)),
        (
            "Source picker",
            [
                ("↑ / ↓", "Choose a source", ""),
                ("Enter", "Read it at its quote", ""),
                *rows(SourcePicker.BINDINGS, keymap),
            ],
        ),
        ("Time axis", rows(AxisScreen.BINDINGS, keymap)),
        ("Conflicting sources", rows(ConflictScreen.BINDINGS, keymap)),
        ("Figures view", [*rows(FigureList.BINDINGS, keymap), *rows(FiguresScreen.BINDINGS, keymap)]),
        ("Note dialog", rows(NoteScreen.BINDINGS, keymap)),
        (
            "Export dialog",
            [
                ("Tab, ↑ / ↓", "Move to the scope, choose it", ""),
                ("Enter", "Export", ""),
                *rows(ExportScreen.BINDINGS, keymap),
            ],
        ),
        (
            "Save-view dialog",
            [("Enter", "Save the view under the name typed", ""), *rows(ViewNameScreen.BINDINGS, keymap)],
        ),
        (
            "Filter dialog",
            [
                ("Tab / Shift+Tab", "Move between the tags, the actor, the years and the buttons", ""),
                ("↑ / ↓, Space", "Choose a tag, tick or untick it", ""),
                ("Enter", "In a text box, apply the filters; on a button, press it", ""),
                *rows(FilterScreen.BINDINGS, keymap),
            ],
        ),
        ("Help", rows(HelpScreen.BINDINGS, keymap)),
    ]
