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


def binding_ids() -> frozenset[str]:
    """Every binding id a keymap can name."""
    from .bindings import ids

    return ids()


def help_sections(keymap: Mapping[str, str]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The sections the help screen lists, by where the keys apply: (keys, what they do, binding id).

    Keys that are a widget's own (an option list's ↑ ↓, a check list's Space) have no binding id:
    they cannot be rebound; they are listed here, before the bindings of their place.
    """
    from .appkeys import APP_BINDINGS
    from .bindings import SCREENS, search_box_bindings
    from .mainkeys import MAIN_BINDINGS

    search_box = search_box_bindings()
    main = [b for b in MAIN_BINDINGS if isinstance(b, Binding) and b not in search_box]
    # Tab is stated once, under "Anywhere".
    tab = [b for b in main if b.id in ("main.focus_next", "main.focus_previous")]
    places = [
        ("Anywhere", [*rows(APP_BINDINGS, keymap), *rows(tab, keymap)]),
        (SCREENS[0][0], rows(SCREENS[0][1], keymap)),
        ("Main screen", rows([b for b in main if b not in tab], keymap)),
        ("Search box", rows(search_box, keymap)),
    ]
    return places + [(place, [*WIDGET_KEYS.get(place, []), *rows(bindings, keymap)]) for place, bindings in SCREENS[1:]]


# The keys of Textual's widgets that a place has besides its bindings.
WIDGET_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "Source picker": [("↑ / ↓", "Choose a source", ""), ("Enter", "Read it at its quote", "")],
    "Export dialog": [("Tab, ↑ / ↓", "Move to the scope, choose it", ""), ("Enter", "Export", "")],
    "Save-view dialog": [("Enter", "Save the view under the name typed", "")],
    "Filter dialog": [
        ("Tab / Shift+Tab", "Move between the tags, the actor, the years and the buttons", ""),
        ("↑ / ↓, Space", "Choose a tag, tick or untick it", ""),
        ("Enter", "In a text box, apply the filters; on a button, press it", ""),
    ],
}
